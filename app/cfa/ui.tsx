/** UI pieces of the CFA space (browser-safe). */
import { useMatches } from "@remix-run/react";
import type { ReactNode } from "react";
import type { Statut } from "../statut/engine";
import { formatNombre } from "../ui/format";
import { BADGES_STATUT, LIBELLES_STATUT } from "./apprenants";

export function pluriel(n: number, singulier: string, plurielForme = `${singulier}s`): string {
  return `${formatNombre(n)} ${n > 1 ? plurielForme : singulier}`;
}

/** "12/03/2025 à 02:14" (Paris time). */
export function formatDateHeure(iso: string | null | undefined): string {
  if (!iso) return "–";
  const parts = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("day")}/${get("month")}/${get("year")} à ${get("hour")}:${get("minute")}`;
}

/** "02:14" (Paris time). */
export function formatHeure(iso: string): string {
  return new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function StatutBadge({ statut }: { statut: Statut | null }) {
  if (!statut) return <span className="fr-text--sm">Hors période</span>;
  return <p className={`fr-badge fr-badge--sm fr-badge--no-icon ${BADGES_STATUT[statut]}`}>{LIBELLES_STATUT[statut]}</p>;
}

/** A headline figure. */
export function Chiffre({ valeur, libelle, detail, testId }: { valeur: ReactNode; libelle: string; detail?: string; testId?: string }) {
  return (
    <div className="fr-tile stat-card" data-testid={testId}>
      <div className="fr-tile__body">
        <p className="fr-tile__title fr-h3 fr-mb-0">{valeur}</p>
        <p className="fr-tile__desc">{libelle}</p>
        {detail ? <p className="fr-tile__detail fr-text--xs">{detail}</p> : null}
      </div>
    </div>
  );
}

/** The organisme's name from the space's layout data (for titles). */
export function useNomEspace(): string {
  const match = useMatches().find((m) => m.id === "routes/cfa.$organismeId");
  return (match?.data as { entete?: { nom: string } } | undefined)?.entete?.nom ?? "";
}

/** Page title of a section of the space. */
export function titreEspace(section: string, matches: { id: string; data?: unknown }[]): string {
  const nom = (matches.find((m) => m.id === "routes/cfa.$organismeId")?.data as { entete?: { nom: string } } | undefined)?.entete?.nom;
  return [section, nom, "Espace CFA - Tableau de bord de l'apprentissage"].filter(Boolean).join(" - ");
}
