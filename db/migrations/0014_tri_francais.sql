-- How searches and sorts read a text (app/referentiel/repertoire.server.ts, foldSqlCorps = foldText): immutable, so
-- that the répertoire and the catalogue can be sorted in French by an index.
CREATE OR REPLACE FUNCTION fold_fr(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN replace(replace(translate(normalize(t, NFC), 'ABCDEFGHIJKLMNOPQRSTUVWXYZàâäáãåÀÂÄÁÃÅéèêëÉÈÊËíìîïÍÌÎÏóòôöõøÓÒÔÖÕØúùûüÚÙÛÜçÇñÑÿŸŒÆ’‘ʼ', 'abcdefghijklmnopqrstuvwxyzaaaaaaaaaaaaeeeeeeeeiiiiiiiioooooooooooouuuuuuuuccnnyyœæ'''''''), 'œ', 'oe'), 'æ', 'ae');
--> statement-breakpoint
CREATE INDEX "formations_tri_fr_idx" ON "formations" USING btree ((fold_fr("intitule_long") collate "C"),("intitule_long" collate "C"),"id");--> statement-breakpoint
CREATE INDEX "organismes_tri_fr_idx" ON "organismes" USING btree ((fold_fr("raison_sociale") collate "C"),("raison_sociale" collate "C"),"id");