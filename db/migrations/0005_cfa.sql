CREATE TABLE "effectifs_archives" (
	"id" serial PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"effectif_id" integer NOT NULL,
	"organisme_id" integer,
	"organisme_formateur_id" integer NOT NULL,
	"organisme_responsable_id" integer NOT NULL,
	"annee_scolaire" varchar(9) NOT NULL,
	"id_erp_apprenant" text NOT NULL,
	"nom" text NOT NULL,
	"prenom" text NOT NULL,
	"date_de_naissance" date NOT NULL,
	"donnees" jsonb NOT NULL,
	"motif" text NOT NULL,
	"effectif_conserve_id" integer,
	"champs_repris" text[] DEFAULT '{}'::text[] NOT NULL,
	"user_id" integer,
	"user_email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "effectifs_archives_operation_check" CHECK ("effectifs_archives"."operation" in ('suppression','fusion')),
	CONSTRAINT "effectifs_archives_fusion_check" CHECK ("effectifs_archives"."operation" <> 'fusion' or "effectifs_archives"."effectif_conserve_id" is not null)
);
--> statement-breakpoint
ALTER TABLE "effectifs_archives" ADD CONSTRAINT "effectifs_archives_organisme_id_organismes_id_fk" FOREIGN KEY ("organisme_id") REFERENCES "public"."organismes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effectifs_archives" ADD CONSTRAINT "effectifs_archives_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "effectifs_archives_organisme_idx" ON "effectifs_archives" USING btree ("organisme_id","created_at");--> statement-breakpoint
CREATE INDEX "effectifs_archives_formateur_idx" ON "effectifs_archives" USING btree ("organisme_formateur_id","annee_scolaire","id_erp_apprenant");