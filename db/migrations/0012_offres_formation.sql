CREATE TABLE "offres_formation" (
	"id" serial PRIMARY KEY NOT NULL,
	"formation_id" integer NOT NULL,
	"organisme_formateur_id" integer NOT NULL,
	"organisme_responsable_id" integer,
	"code_commune_lieu" varchar(5),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "offres_formation_key" UNIQUE NULLS NOT DISTINCT("formation_id","organisme_formateur_id","organisme_responsable_id","code_commune_lieu")
);
--> statement-breakpoint
ALTER TABLE "offres_formation" ADD CONSTRAINT "offres_formation_formation_id_formations_id_fk" FOREIGN KEY ("formation_id") REFERENCES "public"."formations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offres_formation" ADD CONSTRAINT "offres_formation_organisme_formateur_id_organismes_id_fk" FOREIGN KEY ("organisme_formateur_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offres_formation" ADD CONSTRAINT "offres_formation_organisme_responsable_id_organismes_id_fk" FOREIGN KEY ("organisme_responsable_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "offres_formation_formateur_idx" ON "offres_formation" USING btree ("organisme_formateur_id");--> statement-breakpoint
CREATE INDEX "offres_formation_responsable_idx" ON "offres_formation" USING btree ("organisme_responsable_id");