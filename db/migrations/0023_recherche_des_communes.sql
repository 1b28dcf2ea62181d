-- Decision 038: the répertoire's search finds an organisme by the name of its commune. The commune's name folded as
-- searches read a text (fold_fr, as organismes.recherche of migration 0020), once when the row is written: a search
-- word is looked up among the ~35,000 communes' folded names, then organismes by their commune code.
ALTER TABLE "communes" ADD COLUMN "recherche" text GENERATED ALWAYS AS (fold_fr(nom)) STORED NOT NULL;--> statement-breakpoint
ANALYZE "communes";
