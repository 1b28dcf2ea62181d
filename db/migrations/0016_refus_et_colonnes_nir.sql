ALTER TABLE "transmissions" ADD COLUMN "refus_statut_http" integer;--> statement-breakpoint
ALTER TABLE "transmissions" ADD COLUMN "refus_message" text;--> statement-breakpoint
ALTER TABLE "televersements" ADD COLUMN "nir_columns" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
-- A request refused as a whole kept its reason in its per-item errors, erased after 30 days (ingestion:purge): the
-- CFA then saw an empty transmission. The reason now has columns of its own, kept for good; the refusals still in
-- the errors move there (those already purged are lost).
-- (televersements.nir_columns: the names of the columns dropped as the NIR's; [] for the uploads under way, whose
-- page then says how such a column is recognised, as before.)
UPDATE "transmissions" t
SET "refus_statut_http" = CASE WHEN jsonb_typeof(r.entry->'statut_http') = 'number' THEN (r.entry->>'statut_http')::int ELSE 400 END,
    "refus_message" = coalesce(r.entry->'errors'->0->>'message', ''),
    "errors" = (SELECT jsonb_agg(x.e ORDER BY x.n) FROM jsonb_array_elements(t."errors") WITH ORDINALITY AS x(e, n)
                WHERE NOT x.e @> '{"envoi_refuse": true}')
FROM (
  SELECT "id", (SELECT e FROM jsonb_array_elements("errors") e WHERE e @> '{"envoi_refuse": true}' LIMIT 1) AS entry
  FROM "transmissions" WHERE "errors" @> '[{"envoi_refuse": true}]'
) r
WHERE t."id" = r."id";
