-- What a référentiel import will write, set down by chunks before one short apply (decision 021). UNLOGGED: the
-- rows live for one import; after a crash PostgreSQL empties the table, which is what an interrupted import needs.
CREATE UNLOGGED TABLE "imports_referentiel_lignes" (
	"import_id" text NOT NULL,
	"cible" text NOT NULL,
	"seq" integer NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "imports_referentiel_lignes_import_id_cible_seq_pk" PRIMARY KEY("import_id","cible","seq")
);
