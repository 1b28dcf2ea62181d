CREATE TABLE "transmission_organismes" (
	"organisme_id" integer NOT NULL,
	"transmission_id" integer NOT NULL,
	CONSTRAINT "transmission_organismes_organisme_id_transmission_id_pk" PRIMARY KEY("organisme_id","transmission_id")
);
--> statement-breakpoint
ALTER TABLE "transmission_organismes" ADD CONSTRAINT "transmission_organismes_organisme_id_organismes_id_fk" FOREIGN KEY ("organisme_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transmission_organismes" ADD CONSTRAINT "transmission_organismes_transmission_id_transmissions_id_fk" FOREIGN KEY ("transmission_id") REFERENCES "public"."transmissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transmission_organismes_transmission_idx" ON "transmission_organismes" USING btree ("transmission_id");--> statement-breakpoint
-- What is known of the transmissions before this table: the transmitting organisme, and the formateur and responsable
-- of the effectifs each one wrote last.
INSERT INTO "transmission_organismes" ("organisme_id", "transmission_id")
SELECT "organisme_id", "id" FROM "transmissions"
UNION SELECT "organisme_formateur_id", "last_transmission_id" FROM "effectifs" WHERE "last_transmission_id" IS NOT NULL
UNION SELECT "organisme_responsable_id", "last_transmission_id" FROM "effectifs" WHERE "last_transmission_id" IS NOT NULL;
--> statement-breakpoint
-- Files uploaded before the NIR's columns were dropped on reading may hold it (they are kept 24 hours): forgotten;
-- an upload under way is to be sent again.
DELETE FROM "televersements";
