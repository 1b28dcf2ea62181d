CREATE TABLE "imports_referentiel" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"file_name" text NOT NULL,
	"size" integer NOT NULL,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"progress" jsonb NOT NULL,
	"summary" jsonb,
	"rejected_lines" integer,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "imports_referentiel_started_idx" ON "imports_referentiel" USING btree ("started_at");