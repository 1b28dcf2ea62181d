CREATE TABLE "indicateurs_agregats_demographie" (
	"jour" date NOT NULL,
	"etat" smallint NOT NULL,
	"niveau" smallint NOT NULL,
	"annee_formation" smallint NOT NULL,
	"tranche_age" smallint NOT NULL,
	"rqth" boolean NOT NULL,
	"sexe" varchar(1) NOT NULL,
	"departement_code" varchar(3) NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "indicateurs_agregats_demographie_pk" PRIMARY KEY("jour","departement_code","niveau","annee_formation","sexe","rqth","tranche_age","etat")
);
--> statement-breakpoint
CREATE TABLE "indicateurs_agregats_departement" (
	"jour" date NOT NULL,
	"etat" smallint NOT NULL,
	"risque" boolean NOT NULL,
	"departement_code" varchar(3) NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "indicateurs_agregats_departement_pk" PRIMARY KEY("jour","departement_code","etat","risque")
);
--> statement-breakpoint
CREATE TABLE "indicateurs_agregats_organisme" (
	"jour" date NOT NULL,
	"organisme_formateur_id" integer NOT NULL,
	"organisme_responsable_id" integer NOT NULL,
	"etat" smallint NOT NULL,
	"risque" boolean NOT NULL,
	"departement_code" varchar(3) NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "indicateurs_agregats_organisme_pk" PRIMARY KEY("jour","organisme_formateur_id","organisme_responsable_id","departement_code","etat","risque")
);
--> statement-breakpoint
CREATE TABLE "indicateurs_jours" (
	"jour" date PRIMARY KEY NOT NULL,
	"construit_le" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "statut_periodes" (
	"effectif_id" integer NOT NULL,
	"organisme_formateur_id" integer NOT NULL,
	"organisme_responsable_id" integer NOT NULL,
	"formation_id" integer,
	"debut" date NOT NULL,
	"fin" date NOT NULL,
	"debut_sans_contrat" date,
	"date_de_naissance" date NOT NULL,
	"etat" smallint NOT NULL,
	"niveau" smallint NOT NULL,
	"annee_formation" smallint NOT NULL,
	"rqth" boolean NOT NULL,
	"sexe" varchar(1) NOT NULL,
	"departement_code" varchar(3) NOT NULL
);
--> statement-breakpoint
CREATE INDEX "statut_periodes_effectif_idx" ON "statut_periodes" USING btree ("effectif_id");--> statement-breakpoint
CREATE INDEX "statut_periodes_formateur_idx" ON "statut_periodes" USING btree ("organisme_formateur_id");--> statement-breakpoint
CREATE INDEX "statut_periodes_formation_idx" ON "statut_periodes" USING btree ("formation_id");--> statement-breakpoint
CREATE INDEX "statut_periodes_departement_idx" ON "statut_periodes" USING btree ("departement_code","debut");