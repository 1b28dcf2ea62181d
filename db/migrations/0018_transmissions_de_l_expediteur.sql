-- Decision 022: a transmission counts for its sender and the sender's formateurs (organisme_relations) only. The rows
-- recorded before it for the other organismes the dossiers named are removed. Those organismes' first and last
-- transmission are recomputed from the transmissions that still count for them, their mode and ERP are the latest
-- one's (none left: null). The other organismes are left as they are (their first transmission may predate the rows
-- kept).
UPDATE "organismes" o SET
  "first_transmission_at" = s."premiere",
  "last_transmission_at" = s."derniere",
  "mode_transmission" = s."mode",
  "erp" = s."erp",
  "updated_at" = now()
FROM (
  SELECT c."organisme_id",
    min(t."received_at") AS "premiere",
    max(t."received_at") AS "derniere",
    (array_agg(t."source" ORDER BY t."received_at" DESC, t."id" DESC))[1] AS "mode",
    (array_agg(t."erp" ORDER BY t."received_at" DESC, t."id" DESC) FILTER (WHERE t."erp" IS NOT NULL))[1] AS "erp"
  FROM (
    SELECT DISTINCT l."organisme_id" FROM "transmission_organismes" l JOIN "transmissions" t ON t."id" = l."transmission_id"
    WHERE l."organisme_id" <> t."organisme_id"
      AND NOT EXISTS (SELECT 1 FROM "organisme_relations" r WHERE r."responsable_id" = t."organisme_id" AND r."formateur_id" = l."organisme_id")
  ) c
  LEFT JOIN ("transmission_organismes" l JOIN "transmissions" t ON t."id" = l."transmission_id")
    ON l."organisme_id" = c."organisme_id"
   AND (l."organisme_id" = t."organisme_id"
        OR EXISTS (SELECT 1 FROM "organisme_relations" r WHERE r."responsable_id" = t."organisme_id" AND r."formateur_id" = l."organisme_id"))
  GROUP BY c."organisme_id"
) s
WHERE o."id" = s."organisme_id";
--> statement-breakpoint
DELETE FROM "transmission_organismes" l USING "transmissions" t
WHERE t."id" = l."transmission_id" AND l."organisme_id" <> t."organisme_id"
  AND NOT EXISTS (SELECT 1 FROM "organisme_relations" r WHERE r."responsable_id" = t."organisme_id" AND r."formateur_id" = l."organisme_id");
