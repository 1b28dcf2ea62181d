CREATE TABLE "dossiers_refuses" (
	"organisme_id" integer NOT NULL,
	"id_erp_apprenant" text NOT NULL,
	"transmission_id" integer NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dossiers_refuses_organisme_id_id_erp_apprenant_pk" PRIMARY KEY("organisme_id","id_erp_apprenant")
);
--> statement-breakpoint
ALTER TABLE "dossiers_refuses" ADD CONSTRAINT "dossiers_refuses_organisme_id_organismes_id_fk" FOREIGN KEY ("organisme_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers_refuses" ADD CONSTRAINT "dossiers_refuses_transmission_id_transmissions_id_fk" FOREIGN KEY ("transmission_id") REFERENCES "public"."transmissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dossiers_refuses_transmission_idx" ON "dossiers_refuses" USING btree ("transmission_id");--> statement-breakpoint
-- The refusals already received (decision 033): for each (organisme, id_erp_apprenant), the latest of the errors kept,
-- unless an effectif of this id of the organisme (formateur or responsable) was written after it.
INSERT INTO "dossiers_refuses" ("organisme_id", "id_erp_apprenant", "transmission_id", "received_at")
SELECT DISTINCT ON (t.organisme_id, d.item->>'id_erp_apprenant') t.organisme_id, d.item->>'id_erp_apprenant', t.id, t.received_at
FROM "transmissions" t
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(t.errors) = 'array' THEN t.errors ELSE '[]'::jsonb END) AS d(item)
WHERE coalesce(d.item->>'id_erp_apprenant', '') <> ''
ORDER BY t.organisme_id, d.item->>'id_erp_apprenant', t.received_at DESC, t.id DESC;--> statement-breakpoint
DELETE FROM "dossiers_refuses" r USING "effectifs" e
WHERE e.id_erp_apprenant = r.id_erp_apprenant
  AND (e.organisme_formateur_id = r.organisme_id OR e.organisme_responsable_id = r.organisme_id)
  AND e.updated_at > r.received_at;
