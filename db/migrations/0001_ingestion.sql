CREATE TABLE "organisme_api_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"organisme_id" integer NOT NULL,
	"key_hash" varchar(64) NOT NULL,
	"prefix" varchar(16) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text
);
--> statement-breakpoint
CREATE TABLE "televersements" (
	"id" varchar(32) PRIMARY KEY NOT NULL,
	"organisme_id" integer NOT NULL,
	"user_id" integer,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"erp" text,
	"headers" jsonb NOT NULL,
	"rows" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"imported_at" timestamp with time zone,
	"transmission_id" integer
);
--> statement-breakpoint
ALTER TABLE "organisme_api_keys" ADD CONSTRAINT "organisme_api_keys_organisme_id_organismes_id_fk" FOREIGN KEY ("organisme_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "televersements" ADD CONSTRAINT "televersements_organisme_id_organismes_id_fk" FOREIGN KEY ("organisme_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "televersements" ADD CONSTRAINT "televersements_transmission_id_transmissions_id_fk" FOREIGN KEY ("transmission_id") REFERENCES "public"."transmissions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "organisme_api_keys_hash_key" ON "organisme_api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "organisme_api_keys_active_key" ON "organisme_api_keys" USING btree ("organisme_id") WHERE "organisme_api_keys"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "televersements_created_idx" ON "televersements" USING btree ("created_at");