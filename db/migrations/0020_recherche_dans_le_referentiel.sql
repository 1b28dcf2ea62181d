-- The text the searches of the répertoire and of the catalogue read (decision 029), folded once when a row is written
-- instead of on every row at every search: stored generated columns, so that PostgreSQL computes them on every
-- insert and update, whoever writes the row (imports, the ingestion, the CFA space, the demo's COPY). The expressions
-- are those the searches folded before (app/referentiel/repertoire.server.ts and catalogue.server.ts). A migration
-- that replaces fold_fr must recompute them (`update … set raison_sociale = raison_sociale`), as it rebuilds the sort
-- indexes of migration 0014.
ALTER TABLE "formations" ADD COLUMN "recherche" text GENERATED ALWAYS AS (fold_fr(coalesce(cfd, '') || ' ' || coalesce(rncp, '') || ' ' || coalesce(intitule_court, '') || ' ' || intitule_long)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "organismes" ADD COLUMN "recherche" text GENERATED ALWAYS AS (fold_fr(raison_sociale || ' ' || coalesce(enseigne, '') || ' ' || siret || ' ' || coalesce(uai, ''))) STORED NOT NULL;--> statement-breakpoint
-- The organismes whose UAI or SIRET may fail its check (CODES_A_VERIFIER, db/schema.ts): the anomalies page reads this
-- small index instead of computing every SIRET's Luhn key at every visit; JavaScript decides among these few.
CREATE INDEX "organismes_codes_a_verifier_idx" ON "organismes" USING btree ("id") WHERE (uai is not null and case when uai ~ '^[0-9]{7}[A-Z]$' then substr('ABCDEFGHJKLMNPRSTUVWXYZ', substr(uai, 1, 7)::int % 23 + 1, 1) <> substr(uai, 8, 1) else true end) or case when siret ~ '^[0-9]{14}$' and siret not like '356000000%' then (substr('0246813579', substr(siret, 1, 1)::int + 1, 1)::int + substr(siret, 2, 1)::int + substr('0246813579', substr(siret, 3, 1)::int + 1, 1)::int + substr(siret, 4, 1)::int + substr('0246813579', substr(siret, 5, 1)::int + 1, 1)::int + substr(siret, 6, 1)::int + substr('0246813579', substr(siret, 7, 1)::int + 1, 1)::int + substr(siret, 8, 1)::int + substr('0246813579', substr(siret, 9, 1)::int + 1, 1)::int + substr(siret, 10, 1)::int + substr('0246813579', substr(siret, 11, 1)::int + 1, 1)::int + substr(siret, 12, 1)::int + substr('0246813579', substr(siret, 13, 1)::int + 1, 1)::int + substr(siret, 14, 1)::int) % 10 <> 0 else true end;--> statement-breakpoint
-- The planner's statistics of the new columns: a search for a common word walks the sort index (decision 029).
ANALYZE "formations";--> statement-breakpoint
ANALYZE "organismes";
