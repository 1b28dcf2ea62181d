-- RQTH at the date (docs/decisions/016-rqth-a-la-date.md): a stored période of a learner recognised RQTH after it
-- began is cut at the recognition date (not RQTH before, RQTH from it), as app/statut/storage.server.ts now writes
-- them (coupureRqth). The aggregates, built from the périodes, are then emptied: the days are rebuilt on demand.
WITH a_couper AS (
  SELECT p.effectif_id, p.debut, p.fin, e.date_rqth AS coupure
  FROM statut_periodes p JOIN effectifs e ON e.id = p.effectif_id
  WHERE p.rqth AND e.date_rqth > p.debut
),
partie_rqth AS (
  INSERT INTO statut_periodes (effectif_id, organisme_formateur_id, organisme_responsable_id, formation_id, debut, fin,
    debut_sans_contrat, date_de_naissance, etat, niveau, annee_formation, rqth, sexe, departement_code)
  SELECT p.effectif_id, p.organisme_formateur_id, p.organisme_responsable_id, p.formation_id, c.coupure, p.fin,
    p.debut_sans_contrat, p.date_de_naissance, p.etat, p.niveau, p.annee_formation, true, p.sexe, p.departement_code
  FROM a_couper c JOIN statut_periodes p ON p.effectif_id = c.effectif_id AND p.debut = c.debut
  WHERE c.coupure <= c.fin
  RETURNING 1
)
UPDATE statut_periodes p SET rqth = false, fin = least(p.fin, c.coupure - 1)
FROM a_couper c WHERE p.effectif_id = c.effectif_id AND p.debut = c.debut;
--> statement-breakpoint
DELETE FROM indicateurs_jours WHERE EXISTS (SELECT 1 FROM effectifs WHERE rqth AND date_rqth IS NOT NULL);
--> statement-breakpoint
DELETE FROM indicateurs_agregats_departement WHERE EXISTS (SELECT 1 FROM effectifs WHERE rqth AND date_rqth IS NOT NULL);
--> statement-breakpoint
DELETE FROM indicateurs_agregats_demographie WHERE EXISTS (SELECT 1 FROM effectifs WHERE rqth AND date_rqth IS NOT NULL);
--> statement-breakpoint
DELETE FROM indicateurs_agregats_organisme WHERE EXISTS (SELECT 1 FROM effectifs WHERE rqth AND date_rqth IS NOT NULL);
--> statement-breakpoint
DELETE FROM indicateurs_agregats_formation WHERE EXISTS (SELECT 1 FROM effectifs WHERE rqth AND date_rqth IS NOT NULL);
--> statement-breakpoint
DELETE FROM indicateurs_agregats_formation_departement WHERE EXISTS (SELECT 1 FROM effectifs WHERE rqth AND date_rqth IS NOT NULL);
