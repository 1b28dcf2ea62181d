DROP INDEX "effectifs_annee_idx";--> statement-breakpoint
DROP INDEX "effectifs_cfd_idx";--> statement-breakpoint
DROP INDEX "effectifs_nom_idx";