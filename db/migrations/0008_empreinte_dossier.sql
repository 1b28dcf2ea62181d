ALTER TABLE "effectifs" ADD COLUMN "empreinte" text;--> statement-breakpoint
ALTER TABLE "transmissions" ADD COLUMN "nb_unchanged" integer;