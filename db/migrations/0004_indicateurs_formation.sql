CREATE TABLE "indicateurs_agregats_formation" (
	"jour" date NOT NULL,
	"formation_id" integer NOT NULL,
	"etat" smallint NOT NULL,
	"niveau" smallint NOT NULL,
	"risque" boolean NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "indicateurs_agregats_formation_pk" PRIMARY KEY("jour","formation_id","niveau","etat","risque")
);
--> statement-breakpoint
DROP INDEX "statut_periodes_formateur_idx";--> statement-breakpoint
DROP INDEX "statut_periodes_formation_idx";--> statement-breakpoint
DROP INDEX "statut_periodes_departement_idx";--> statement-breakpoint
CREATE INDEX "statut_periodes_formateur_idx" ON "statut_periodes" USING btree ("organisme_formateur_id","fin");--> statement-breakpoint
CREATE INDEX "statut_periodes_formation_idx" ON "statut_periodes" USING btree ("formation_id","fin");--> statement-breakpoint
CREATE INDEX "statut_periodes_departement_idx" ON "statut_periodes" USING btree ("departement_code","fin");