CREATE TABLE "auth_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"kind" text NOT NULL,
	"email" text NOT NULL,
	"user_id" integer,
	"organisation_id" integer,
	"role" text,
	"nom" text,
	"prenom" text,
	"created_by_user_id" integer,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "auth_tokens_kind_check" CHECK ("auth_tokens"."kind" in ('reinitialisation','invitation')),
	CONSTRAINT "auth_tokens_target_check" CHECK (("auth_tokens"."kind" = 'reinitialisation' and "auth_tokens"."user_id" is not null) or ("auth_tokens"."kind" = 'invitation' and "auth_tokens"."organisation_id" is not null and "auth_tokens"."role" is not null))
);
--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"identifier" text NOT NULL,
	"ip" text,
	"success" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "named_list_access_log" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer,
	"user_email" text NOT NULL,
	"organisation_id" integer,
	"organisation_type" text NOT NULL,
	"list" text NOT NULL,
	"action" text NOT NULL,
	"filters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"row_count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "named_list_access_log_action_check" CHECK ("named_list_access_log"."action" in ('view','download')),
	CONSTRAINT "named_list_access_log_list_check" CHECK ("named_list_access_log"."list" in ('sans_contrat','rupturants','abandons','tous'))
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" serial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"nom" text NOT NULL,
	"region_code" varchar(3),
	"departement_code" varchar(3),
	"academie_code" varchar(2),
	"reseau" text,
	"siret" varchar(14),
	"uai" varchar(8),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_type_check" CHECK ("organisations"."type" in ('ADMINISTRATEUR','OPERATEUR_PUBLIC_NATIONAL','DREETS','DRAAF','CONSEIL_REGIONAL','CARIF_OREF_REGIONAL','ACADEMIE','DDETS','TETE_DE_RESEAU','ORGANISME_FORMATION')),
	CONSTRAINT "organisations_scope_check" CHECK (case
        when "organisations"."type" in ('ADMINISTRATEUR','OPERATEUR_PUBLIC_NATIONAL')
          then num_nonnulls("organisations"."region_code", "organisations"."departement_code", "organisations"."academie_code", "organisations"."reseau", "organisations"."siret", "organisations"."uai") = 0
        when "organisations"."type" in ('DREETS','DRAAF','CONSEIL_REGIONAL','CARIF_OREF_REGIONAL')
          then "organisations"."region_code" is not null and num_nonnulls("organisations"."departement_code", "organisations"."academie_code", "organisations"."reseau", "organisations"."siret", "organisations"."uai") = 0
        when "organisations"."type" = 'ACADEMIE'
          then "organisations"."academie_code" is not null and num_nonnulls("organisations"."region_code", "organisations"."departement_code", "organisations"."reseau", "organisations"."siret", "organisations"."uai") = 0
        when "organisations"."type" = 'DDETS'
          then "organisations"."departement_code" is not null and num_nonnulls("organisations"."region_code", "organisations"."academie_code", "organisations"."reseau", "organisations"."siret", "organisations"."uai") = 0
        when "organisations"."type" = 'TETE_DE_RESEAU'
          then "organisations"."reseau" is not null and num_nonnulls("organisations"."region_code", "organisations"."departement_code", "organisations"."academie_code", "organisations"."siret", "organisations"."uai") = 0
        else "organisations"."siret" is not null and num_nonnulls("organisations"."region_code", "organisations"."departement_code", "organisations"."academie_code", "organisations"."reseau") = 0
      end)
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" varchar(64) PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"csrf_token" text NOT NULL,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signup_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"nom" text NOT NULL,
	"prenom" text NOT NULL,
	"fonction" text,
	"organisation_type" text NOT NULL,
	"region_code" varchar(3),
	"departement_code" varchar(3),
	"academie_code" varchar(2),
	"reseau" text,
	"siret" varchar(14),
	"uai" varchar(8),
	"organisme_id" integer,
	"message" text,
	"status" text DEFAULT 'en_attente' NOT NULL,
	"decided_by_user_id" integer,
	"decided_at" timestamp with time zone,
	"motif_refus" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "signup_requests_status_check" CHECK ("signup_requests"."status" in ('en_attente','validee','refusee'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"nom" text DEFAULT '' NOT NULL,
	"prenom" text DEFAULT '' NOT NULL,
	"organisation_id" integer NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"disabled_at" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_role_check" CHECK ("users"."role" in ('admin','member')),
	CONSTRAINT "users_email_lower_check" CHECK ("users"."email" = lower("users"."email"))
);
--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "named_list_access_log" ADD CONSTRAINT "named_list_access_log_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "named_list_access_log" ADD CONSTRAINT "named_list_access_log_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_departement_code_departements_code_fk" FOREIGN KEY ("departement_code") REFERENCES "public"."departements"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_academie_code_academies_code_fk" FOREIGN KEY ("academie_code") REFERENCES "public"."academies"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_requests" ADD CONSTRAINT "signup_requests_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_requests" ADD CONSTRAINT "signup_requests_departement_code_departements_code_fk" FOREIGN KEY ("departement_code") REFERENCES "public"."departements"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_requests" ADD CONSTRAINT "signup_requests_academie_code_academies_code_fk" FOREIGN KEY ("academie_code") REFERENCES "public"."academies"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_requests" ADD CONSTRAINT "signup_requests_organisme_id_organismes_id_fk" FOREIGN KEY ("organisme_id") REFERENCES "public"."organismes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_requests" ADD CONSTRAINT "signup_requests_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "auth_tokens_hash_key" ON "auth_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "auth_tokens_email_idx" ON "auth_tokens" USING btree ("email");--> statement-breakpoint
CREATE INDEX "login_attempts_identifier_idx" ON "login_attempts" USING btree ("kind","identifier","created_at");--> statement-breakpoint
CREATE INDEX "login_attempts_ip_idx" ON "login_attempts" USING btree ("kind","ip","created_at");--> statement-breakpoint
CREATE INDEX "named_list_access_log_created_idx" ON "named_list_access_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "named_list_access_log_user_idx" ON "named_list_access_log" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "organisations_scope_key" ON "organisations" USING btree ("type",coalesce("region_code", ''),coalesce("departement_code", ''),coalesce("academie_code", ''),coalesce("reseau", ''),coalesce("siret", ''),coalesce("uai", ''));--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "signup_requests_status_idx" ON "signup_requests" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "users_organisation_idx" ON "users" USING btree ("organisation_id");