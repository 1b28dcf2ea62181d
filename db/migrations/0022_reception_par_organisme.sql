-- Decision 035: the transmission's received_at copied into transmission_organismes, so that an organisme's latest
-- transmission before a date (coverage and freshness of the dashboards) is read from one index.
ALTER TABLE "transmission_organismes" ADD COLUMN "received_at" timestamp with time zone;--> statement-breakpoint
UPDATE "transmission_organismes" l SET "received_at" = t."received_at" FROM "transmissions" t WHERE t."id" = l."transmission_id";--> statement-breakpoint
ALTER TABLE "transmission_organismes" ALTER COLUMN "received_at" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "transmission_organismes_organisme_received_idx" ON "transmission_organismes" USING btree ("organisme_id","received_at");
