-- The learners a transmission created (an effectif not stored before), beside those it left unchanged (nb_unchanged):
-- the upload's result says « N nouveaux apprenants, M mis à jour, K inchangés ». Null for the transmissions before.
ALTER TABLE "transmissions" ADD COLUMN "nb_created" integer;