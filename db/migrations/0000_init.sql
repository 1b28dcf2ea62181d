CREATE TABLE "academies" (
	"code" varchar(2) PRIMARY KEY NOT NULL,
	"nom" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bassins_emploi" (
	"code" varchar(4) PRIMARY KEY NOT NULL,
	"libelle" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "communes" (
	"code" varchar(5) PRIMARY KEY NOT NULL,
	"nom" text NOT NULL,
	"departement_code" varchar(3) NOT NULL,
	"region_code" varchar(3) NOT NULL,
	"academie_code" varchar(2) NOT NULL,
	"bassin_emploi_code" varchar(4),
	"codes_postaux" text[] DEFAULT '{}'::text[] NOT NULL,
	"type" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contrats" (
	"id" serial PRIMARY KEY NOT NULL,
	"effectif_id" integer NOT NULL,
	"rang" smallint NOT NULL,
	"siret_employeur" varchar(14),
	"date_debut" date NOT NULL,
	"date_fin" date,
	"date_rupture" date,
	"cause_rupture" text
);
--> statement-breakpoint
CREATE TABLE "departements" (
	"code" varchar(3) PRIMARY KEY NOT NULL,
	"nom" text NOT NULL,
	"region_code" varchar(3) NOT NULL,
	"academie_code" varchar(2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "effectif_statuts_erp" (
	"id" serial PRIMARY KEY NOT NULL,
	"effectif_id" integer NOT NULL,
	"statut_apprenant" smallint NOT NULL,
	"date_metier_mise_a_jour_statut" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "effectifs" (
	"id" serial PRIMARY KEY NOT NULL,
	"organisme_formateur_id" integer NOT NULL,
	"organisme_responsable_id" integer NOT NULL,
	"organisme_lieu_id" integer,
	"formation_id" integer,
	"annee_scolaire" varchar(9) NOT NULL,
	"id_erp_apprenant" text NOT NULL,
	"nom" text NOT NULL,
	"prenom" text NOT NULL,
	"date_de_naissance" date NOT NULL,
	"ine" text,
	"email" text,
	"telephone" text,
	"adresse" text,
	"code_postal" varchar(5),
	"code_postal_naissance" varchar(5),
	"code_commune_insee" varchar(5),
	"code_commune_insee_naissance" varchar(5),
	"sexe" varchar(1),
	"rqth" boolean,
	"date_rqth" date,
	"responsable_mail1" text,
	"responsable_mail2" text,
	"nir_fourni" boolean DEFAULT false NOT NULL,
	"derniere_situation" text,
	"dernier_organisme_uai" varchar(8),
	"type_cfa" varchar(2),
	"formation_cfd" varchar(8),
	"formation_rncp" varchar(9),
	"libelle_court_formation" text,
	"annee_formation" smallint,
	"duree_theorique_mois" smallint,
	"formation_presentielle" boolean,
	"date_inscription_formation" date NOT NULL,
	"date_entree_formation" date NOT NULL,
	"date_fin_formation" date NOT NULL,
	"date_exclusion_formation" date,
	"cause_exclusion_formation" text,
	"obtention_diplome" boolean,
	"date_obtention_diplome" date,
	"referent_handicap_nom" text,
	"referent_handicap_prenom" text,
	"referent_handicap_email" text,
	"lieu_uai" varchar(8),
	"lieu_siret" varchar(14),
	"lieu_adresse" text,
	"lieu_code_postal" varchar(5),
	"statut_apprenant" smallint,
	"date_metier_mise_a_jour_statut" timestamp with time zone,
	"custom_statut_apprenant" text,
	"parcours" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source" text NOT NULL,
	"last_transmission_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "formations" (
	"id" serial PRIMARY KEY NOT NULL,
	"cfd" varchar(8),
	"rncp" varchar(9),
	"niveau" smallint,
	"intitule_court" text,
	"intitule_long" text NOT NULL,
	"duree_annees" smallint,
	"duree_mois" smallint,
	"date_ouverture" date,
	"date_fermeture" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisme_relations" (
	"formateur_id" integer NOT NULL,
	"responsable_id" integer NOT NULL,
	CONSTRAINT "organisme_relations_formateur_id_responsable_id_pk" PRIMARY KEY("formateur_id","responsable_id")
);
--> statement-breakpoint
CREATE TABLE "organismes" (
	"id" serial PRIMARY KEY NOT NULL,
	"siret" varchar(14) NOT NULL,
	"uai" varchar(8),
	"nature" text DEFAULT 'inconnue' NOT NULL,
	"raison_sociale" text NOT NULL,
	"enseigne" text,
	"adresse" text,
	"code_postal" varchar(5),
	"code_commune" varchar(5),
	"departement_code" varchar(3),
	"region_code" varchar(3),
	"academie_code" varchar(2),
	"bassin_emploi_code" varchar(4),
	"reseaux" text[] DEFAULT '{}'::text[] NOT NULL,
	"qualiopi" boolean DEFAULT false NOT NULL,
	"etat_administratif" text DEFAULT 'actif' NOT NULL,
	"erp" text,
	"mode_transmission" text,
	"first_transmission_at" timestamp with time zone,
	"last_transmission_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organismes_nature_check" CHECK ("organismes"."nature" in ('responsable','formateur','responsable_formateur','lieu','inconnue'))
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"code" varchar(3) PRIMARY KEY NOT NULL,
	"nom" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transmissions" (
	"id" serial PRIMARY KEY NOT NULL,
	"organisme_id" integer NOT NULL,
	"source" text NOT NULL,
	"erp" text,
	"file_name" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"nb_items" integer NOT NULL,
	"nb_accepted" integer NOT NULL,
	"nb_rejected" integer NOT NULL,
	"errors" jsonb
);
--> statement-breakpoint
ALTER TABLE "communes" ADD CONSTRAINT "communes_departement_code_departements_code_fk" FOREIGN KEY ("departement_code") REFERENCES "public"."departements"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "communes" ADD CONSTRAINT "communes_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "communes" ADD CONSTRAINT "communes_academie_code_academies_code_fk" FOREIGN KEY ("academie_code") REFERENCES "public"."academies"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contrats" ADD CONSTRAINT "contrats_effectif_id_effectifs_id_fk" FOREIGN KEY ("effectif_id") REFERENCES "public"."effectifs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departements" ADD CONSTRAINT "departements_region_code_regions_code_fk" FOREIGN KEY ("region_code") REFERENCES "public"."regions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departements" ADD CONSTRAINT "departements_academie_code_academies_code_fk" FOREIGN KEY ("academie_code") REFERENCES "public"."academies"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effectif_statuts_erp" ADD CONSTRAINT "effectif_statuts_erp_effectif_id_effectifs_id_fk" FOREIGN KEY ("effectif_id") REFERENCES "public"."effectifs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effectifs" ADD CONSTRAINT "effectifs_organisme_formateur_id_organismes_id_fk" FOREIGN KEY ("organisme_formateur_id") REFERENCES "public"."organismes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effectifs" ADD CONSTRAINT "effectifs_organisme_responsable_id_organismes_id_fk" FOREIGN KEY ("organisme_responsable_id") REFERENCES "public"."organismes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effectifs" ADD CONSTRAINT "effectifs_organisme_lieu_id_organismes_id_fk" FOREIGN KEY ("organisme_lieu_id") REFERENCES "public"."organismes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effectifs" ADD CONSTRAINT "effectifs_formation_id_formations_id_fk" FOREIGN KEY ("formation_id") REFERENCES "public"."formations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "effectifs" ADD CONSTRAINT "effectifs_last_transmission_id_transmissions_id_fk" FOREIGN KEY ("last_transmission_id") REFERENCES "public"."transmissions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisme_relations" ADD CONSTRAINT "organisme_relations_formateur_id_organismes_id_fk" FOREIGN KEY ("formateur_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisme_relations" ADD CONSTRAINT "organisme_relations_responsable_id_organismes_id_fk" FOREIGN KEY ("responsable_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transmissions" ADD CONSTRAINT "transmissions_organisme_id_organismes_id_fk" FOREIGN KEY ("organisme_id") REFERENCES "public"."organismes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "communes_departement_idx" ON "communes" USING btree ("departement_code");--> statement-breakpoint
CREATE UNIQUE INDEX "contrats_effectif_rang_key" ON "contrats" USING btree ("effectif_id","rang");--> statement-breakpoint
CREATE INDEX "effectif_statuts_erp_effectif_idx" ON "effectif_statuts_erp" USING btree ("effectif_id");--> statement-breakpoint
CREATE UNIQUE INDEX "effectifs_identity_key" ON "effectifs" USING btree ("organisme_formateur_id","annee_scolaire","id_erp_apprenant");--> statement-breakpoint
CREATE INDEX "effectifs_responsable_idx" ON "effectifs" USING btree ("organisme_responsable_id");--> statement-breakpoint
CREATE INDEX "effectifs_formation_idx" ON "effectifs" USING btree ("formation_id");--> statement-breakpoint
CREATE INDEX "effectifs_annee_idx" ON "effectifs" USING btree ("annee_scolaire");--> statement-breakpoint
CREATE INDEX "effectifs_cfd_idx" ON "effectifs" USING btree ("formation_cfd");--> statement-breakpoint
CREATE INDEX "effectifs_nom_idx" ON "effectifs" USING btree ("nom","prenom");--> statement-breakpoint
CREATE UNIQUE INDEX "formations_cfd_key" ON "formations" USING btree ("cfd") WHERE "formations"."cfd" is not null;--> statement-breakpoint
CREATE INDEX "formations_rncp_idx" ON "formations" USING btree ("rncp");--> statement-breakpoint
CREATE INDEX "formations_niveau_idx" ON "formations" USING btree ("niveau");--> statement-breakpoint
CREATE INDEX "organisme_relations_responsable_idx" ON "organisme_relations" USING btree ("responsable_id");--> statement-breakpoint
CREATE UNIQUE INDEX "organismes_siret_uai_key" ON "organismes" USING btree ("siret",coalesce("uai", ''));--> statement-breakpoint
CREATE INDEX "organismes_uai_idx" ON "organismes" USING btree ("uai");--> statement-breakpoint
CREATE INDEX "organismes_region_idx" ON "organismes" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "organismes_departement_idx" ON "organismes" USING btree ("departement_code");--> statement-breakpoint
CREATE INDEX "organismes_academie_idx" ON "organismes" USING btree ("academie_code");--> statement-breakpoint
CREATE INDEX "organismes_reseaux_idx" ON "organismes" USING gin ("reseaux");--> statement-breakpoint
CREATE INDEX "transmissions_organisme_idx" ON "transmissions" USING btree ("organisme_id","received_at");