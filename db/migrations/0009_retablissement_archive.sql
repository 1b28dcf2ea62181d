ALTER TABLE "effectifs_archives" ADD COLUMN "retabli_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "effectifs_archives" ADD COLUMN "retabli_par" text;--> statement-breakpoint
ALTER TABLE "effectifs_archives" ADD COLUMN "motif_retablissement" text;