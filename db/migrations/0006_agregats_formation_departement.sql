CREATE TABLE "indicateurs_agregats_formation_departement" (
	"jour" date NOT NULL,
	"departement_code" varchar(3) NOT NULL,
	"formation_id" integer NOT NULL,
	"etat" smallint NOT NULL,
	"niveau" smallint NOT NULL,
	"risque" boolean NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "indicateurs_agregats_formation_departement_pk" PRIMARY KEY("jour","departement_code","formation_id","niveau","etat","risque")
);
--> statement-breakpoint
-- Backfill of the days already materialised (same rules as upsertAgregats in app/statut/storage.server.ts).
INSERT INTO "indicateurs_agregats_formation_departement" ("jour", "departement_code", "formation_id", "niveau", "etat", "risque", "n")
SELECT j.jour, p.departement_code, coalesce(p.formation_id, 0), p.niveau, p.etat,
       (p.etat BETWEEN 2 AND 7 AND (p.date_de_naissance > (j.jour - interval '18 years')::date OR p.rqth)), count(*)::int
FROM "indicateurs_jours" j
JOIN "statut_periodes" p ON p.debut <= j.jour AND p.fin >= j.jour
GROUP BY 1, 2, 3, 4, 5, 6;
