/**
 * The ingestion pipeline shared by the API v3 (source API) and the file upload (source FICHIER):
 *
 *   validate every item (dossier-schema) → resolve the organismes of the batch in one query → check the
 *   transmitting organisme's scope → merge the items of one learner (as successive sends would) → sort by identity
 *   key → one transaction:
 *   fingerprints read (a dossier identical to the stored one is left out), transmission row, set-based upsert of
 *   the effectifs, contracts replaced, ERP statut history, statut refresh → after the commit, mark the organismes'
 *   transmission times. Once committed the batch is a success: a failure of the marking is logged and made good
 *   later by `reparerMarquages` (decision 032).
 *
 * Rules (domain.md, "The feed the ERPs already speak"):
 * - Identity of an effectif: (organisme formateur, année scolaire, id_erp_apprenant).
 * - Merge on resend: an empty value never erases a stored one (`coalesce(excluded.col, effectifs.col)`); the
 *   contracts sent replace the stored ones. A dossier sent WITHOUT any contract keeps the stored contracts (an
 *   empty list is an empty value). Each column's rule (`Merge`) is written once and applied both by the upsert
 *   (SQL, against the stored row) and to several items of one batch for the same learner (JS, `mergeItems`): the
 *   batch then stores what sending those items one request after the other would have stored.
 * - Unchanged resend: a dossier whose fingerprint (`empreinte`: source, written values, contracts) is the stored
 *   one writes nothing at all; it is counted (`nbInchanges`, `transmissions.nb_unchanged`). Decision 009.
 * - Batches go to PostgreSQL as typed column arrays read by `unnest` (far cheaper to parse than JSON records).
 * - The NIR is never stored: only `nir_fourni` (once true, it stays true).
 * - The ERP's statut history: one `effectif_statuts_erp` row per distinct (statut, date de mise à jour) received.
 * - Scope: the transmitting organisme may write the dossiers whose responsable or formateur is itself or one of
 *   its formateurs (organisme_relations); any other dossier is a per-item error.
 * - Coverage and freshness (decision 022): a transmission counts for its sender and for the organismes its dossiers
 *   name of which the référentiel makes the sender the responsable, never for another organisme a dossier names
 *   (`transmission_organismes`, then first/last transmission, mode and ERP of exactly those organismes). An
 *   upload changes an organisme's mode and ERP only without an API transmission in the last JOURS_MODE_API days.
 * - Concurrency: the upsert locks the batch's effectifs in identity-key order (no deadlock between requests on the
 *   same learners) and `on conflict do update` re-reads the latest row (no lost update, no duplicate); the whole
 *   transaction is retried on a deadlock or serialization failure.
 */
import { hash } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { validateDossier, type DossierV3, type ValidationError } from "./dossier-schema.server";
import { signalerModification } from "../indicateurs/modifications.server";
import { formatDate } from "../ui/format";
import { isValidSiret, isValidUai, normalizeSiret, normalizeUai } from "../referentiel/codes";
import { parcoursOfDossier, refreshStatuts } from "./parcours.server";
import { LOCK_TIMEOUT_ECRITURES_MS, arrayParam, execRows, unnestArrays, type Executor } from "../../db/client.server";
import type { EffectifNouveau } from "../statut/storage.server";
import { isRetryableDbError, jsonParam, storableText } from "./sql.server";
import { JOURS_MODE_API } from "./mode-transmission";
import { contientNir } from "./mapping";
import { refusDEcritureDuDossier } from "../auth/policy.server";
import { journaliserErreur } from "../shared/erreurs-base.server";

/** The organismes' marking after a batch waits at most this long for a lock (ms): the answer never hangs on it. */
export const MARQUAGE_LOCK_TIMEOUT_MS = 5000;
/** `reparerMarquages` looks at the transmissions of this many days (its job runs hourly and a minute after start). */
export const MARQUAGE_REPARATION_JOURS = 30;

export type IngestSource = "API" | "FICHIER";

/** A per-item error; `fields` (internal, not sent by the API) lists every field the error concerns. */
export interface ItemError extends ValidationError {
  fields?: string[];
}

export interface ItemResult {
  id_erp_apprenant: string | null;
  status: "ok" | "error";
  validation_errors: ValidationError[];
  /** Information about an accepted item (e.g. merged with a later item of the same batch). */
  message?: string;
}

export interface CheckedItem {
  index: number;
  id_erp_apprenant: string | null;
  dossier: DossierV3 | null;
  errors: ItemError[];
  formateurId?: number;
  responsableId?: number;
  lieuId?: number | null;
  formationId?: number | null;
  /** Département of the formateur and niveau of the catalogue formation (the periods of a new effectif). */
  formateurDepartement?: string | null;
  formationNiveau?: number | null;
  /**
   * Several items of the batch for this learner, merged (`mergeItems`): the column values to write (COLUMNS order)
   * and the ERP statuts received (distinct (statut, date) pairs, in the order sent), instead of the dossier's own.
   */
  fusion?: { values: unknown[]; statuts: [statut: number, date: string | null][]; items: number };
}

export interface IngestOptions {
  /** The transmitting organisme: the API key's, or the one chosen on the upload page. */
  organismeId: number;
  source: IngestSource;
  erp?: string | null;
  fileName?: string | null;
  /** Row numbers to report in the stored errors (upload: the file's line numbers), by item index. */
  lignes?: number[];
  /** Errors of items known before the pipeline (upload: its rows' conversion), by item index: see `checkDossiers`. */
  itemErrors?: KnownItemErrors;
  /** Set "now" (tests). */
  now?: Date;
  /** Timings of the steps (benchmarks). */
  trace?: (step: string, ms: number) => void;
  /**
   * Run at the end of the batch transaction, with its transmission: what must be committed with the dossiers or not
   * at all (the upload links its record to the transmission). A throw rolls the whole batch back.
   */
  inTransaction?: (tx: Executor, transmissionId: number) => Promise<void>;
}

export interface IngestResult {
  transmissionId: number;
  nbItems: number;
  nbAccepted: number;
  nbRejected: number;
  results: ItemResult[];
  /** Effectifs inserted or updated (distinct). */
  effectifIds: number[];
  /** Accepted dossiers identical to what was stored (same fingerprint, decision 009): nothing was written for them. */
  nbInchanges: number;
  /** Effectifs created (learners not stored before); the other `effectifIds` were updated. */
  nbCrees: number;
}

export interface OrganismeRef {
  id: number;
  siret: string;
  uai: string | null;
  raison_sociale: string;
  departement_code?: string | null;
}

// ----------------------------------------------------------------------------------------------- checking

/**
 * Errors of items found before the pipeline, by item index: an upload's conversion of its rows (a date as typed, an
 * id that cannot be formed, a row repeating an earlier row's learner). Per-item errors like the pipeline's own.
 */
export type KnownItemErrors = ReadonlyMap<number, readonly ItemError[]>;

/** An item's errors with the known ones: those say better what is wrong with their field, and replace its others. */
function withKnownErrors(errors: ItemError[], known: readonly ItemError[]): ItemError[] {
  const explained = new Set(known.map((e) => e.path.join(".")));
  return [...errors.filter((e) => !explained.has(e.path.join("."))), ...known];
}

function pairLabel(uai: string, siret: string) {
  return `UAI ${uai} / SIRET ${siret}`;
}

function describeOrganisme(o: OrganismeRef): string {
  return `${o.raison_sociale} (${o.uai ? `UAI ${o.uai}, ` : ""}SIRET ${o.siret})`;
}

/** What to do about an établissement unknown to the référentiel, in the words of the source (an ERP's feed, a file). */
function referentielHelp(source: IngestSource): string {
  const ou = source === "FICHIER" ? "dans votre fichier" : "dans votre ERP";
  const renvoi = source === "FICHIER" ? "puis déposez à nouveau le fichier." : "puis renvoyez ce dossier.";
  return (
    `Vérifiez l'UAI et le SIRET saisis ${ou} ; s'ils sont exacts, demandez l'ajout ou la correction de ` +
    "l'organisme dans le référentiel des organismes (Catalogue / Référentiel national des organismes de formation) " +
    renvoi
  );
}

function unknownPairError(
  role: "formateur" | "responsable",
  uai: string,
  siret: string,
  known: OrganismeRef[],
  source: IngestSource,
): ItemError {
  const uaiField = `etablissement_${role}_uai`;
  const siretField = `etablissement_${role}_siret`;
  const hints: string[] = [];
  const sameSiret = known.filter((o) => o.siret === siret);
  const sameUai = known.filter((o) => o.uai === uai);
  if (sameSiret.length) {
    const uais = sameSiret.map((o) => o.uai ?? "sans UAI").join(", ");
    hints.push(`ce SIRET y est connu avec l'UAI ${uais}`);
  }
  if (sameUai.length) hints.push(`cet UAI y est connu avec le SIRET ${sameUai.map((o) => o.siret).join(", ")}`);
  const hint = hints.length ? ` (${hints.join(" ; ")})` : "";
  return {
    path: [uaiField],
    fields: [uaiField, siretField],
    message:
      `${uaiField} / ${siretField} : établissement ${role} inconnu du référentiel des organismes : aucun organisme ` +
      `avec le couple ${pairLabel(uai, siret)}${hint}. ${referentielHelp(source)}`,
  };
}

function scopeError(transmitting: OrganismeRef | undefined, formateur: OrganismeRef, responsable: OrganismeRef): ItemError {
  const who = transmitting ? describeOrganisme(transmitting) : "l'organisme transmetteur";
  return {
    path: [],
    fields: ["etablissement_formateur_uai", "etablissement_formateur_siret", "etablissement_responsable_uai", "etablissement_responsable_siret"],
    message:
      `dossier : hors du périmètre de ${who} : ni l'établissement formateur ${describeOrganisme(formateur)} ni ` +
      `l'établissement responsable ${describeOrganisme(responsable)} ne sont cet organisme ou l'un de ses formateurs. ` +
      "Un organisme ne peut transmettre que ses propres apprenants et ceux de ses formateurs : transmettez ce dossier " +
      "avec la clé d'API de l'organisme concerné, ou faites déclarer le lien formateur → responsable dans le référentiel.",
  };
}

/**
 * A dossier in the key's scope only through its formateur names a responsable that is outside that scope: the
 * référentiel must make it one of the formateur's responsables, else any key could file its learners under
 * another CFA (which would then see them, with their contacts, in its space, and count them). Decision 024.
 */
function responsableNonRelieError(transmitting: OrganismeRef | undefined, formateur: OrganismeRef, responsable: OrganismeRef): ItemError {
  const who = transmitting ? describeOrganisme(transmitting) : "l'organisme transmetteur";
  return {
    path: ["etablissement_responsable_uai"],
    fields: ["etablissement_responsable_uai", "etablissement_responsable_siret"],
    message:
      `etablissement_responsable_uai / etablissement_responsable_siret : l'établissement responsable ${describeOrganisme(responsable)} ` +
      `n'est pas, d'après le référentiel des organismes, un responsable de l'établissement formateur ${describeOrganisme(formateur)}, ` +
      `et il est hors du périmètre de ${who}. Vérifiez l'UAI et le SIRET du responsable dans votre ERP ; si ce lien formateur → ` +
      "responsable existe, faites-le déclarer dans le référentiel, ou faites transmettre ce dossier avec la clé d'API de " +
      "l'établissement responsable.",
  };
}

const UNSTORABLE = /[\u0000\ud800-\udfff]/;

/**
 * PostgreSQL text cannot hold NUL characters nor lone surrogates: they are dropped / replaced (U+FFFD) in the item's
 * values BEFORE validation (rarely needed: a copy only then), so that a value made of NUL characters alone is empty,
 * hence missing, instead of passing as present and being stored empty.
 */
function storableItem(item: unknown): unknown {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
  let copy: Record<string, unknown> | null = null;
  for (const key in item) {
    const value = (item as Record<string, unknown>)[key];
    if (typeof value === "string" && UNSTORABLE.test(value)) (copy ??= { ...(item as Record<string, unknown>) })[key] = storableText(value);
  }
  return copy ?? item;
}

type Etablissements = Pick<
  DossierV3,
  "etablissement_formateur_uai" | "etablissement_formateur_siret" | "etablissement_responsable_uai" | "etablissement_responsable_siret"
>;

/** The establishments of an invalid item, normalised as the schema does, when the four codes are valid (else null). */
function etablissementsBruts(item: unknown): Etablissements | null {
  if (item === null || typeof item !== "object" || Array.isArray(item)) return null;
  const raw = item as Record<string, unknown>;
  const code = (key: keyof Etablissements, normalize: (v: string) => string, valid: (v: string) => boolean) => {
    const value = raw[key];
    if (typeof value !== "string" && typeof value !== "number") return null;
    const normalized = normalize(String(value));
    return valid(normalized) ? normalized : null;
  };
  const e = {
    etablissement_formateur_uai: code("etablissement_formateur_uai", normalizeUai, isValidUai),
    etablissement_formateur_siret: code("etablissement_formateur_siret", normalizeSiret, isValidSiret),
    etablissement_responsable_uai: code("etablissement_responsable_uai", normalizeUai, isValidUai),
    etablissement_responsable_siret: code("etablissement_responsable_siret", normalizeSiret, isValidSiret),
  };
  return Object.values(e).every((v) => v !== null) ? (e as Etablissements) : null;
}

/**
 * Validates the items, resolves their organismes (one query), formations (one query) and checks the scope of
 * the transmitting organisme. No write.
 *
 * `itemErrors`: errors known before (see KnownItemErrors). An item with any is rejected, valid or not, its id kept;
 * they come after its other errors, in place of those of the same field.
 */
export async function checkDossiers(
  executor: Executor,
  items: unknown[],
  organismeId: number,
  itemErrors?: KnownItemErrors,
  /** Who sends: the messages say where the values were typed (the ERP, the file). */
  source: IngestSource = "API",
): Promise<CheckedItem[]> {
  /** The establishments of each item: a valid dossier's, or an invalid item's when its four codes are valid. */
  const pairs: (Etablissements | null)[] = [];
  const checked: CheckedItem[] = items.map((item, index) => {
    const v = validateDossier(storableItem(item));
    if (!v.ok) {
      pairs[index] = etablissementsBruts(item);
      return { index, id_erp_apprenant: v.id_erp_apprenant, dossier: null, errors: v.errors };
    }
    pairs[index] = v.dossier;
    // rejected for an error known before: checked as an invalid item (its establishments, no dossier to store)
    const dossier = itemErrors?.get(index)?.length ? null : v.dossier;
    return { index, id_erp_apprenant: v.dossier.id_erp_apprenant, dossier, errors: [] };
  });

  const sirets = new Set<string>();
  const uais = new Set<string>();
  const cfds = new Set<string>();
  const rncps = new Set<string>();
  for (const e of pairs) {
    if (!e) continue;
    sirets.add(e.etablissement_formateur_siret).add(e.etablissement_responsable_siret);
    uais.add(e.etablissement_formateur_uai).add(e.etablissement_responsable_uai);
  }
  for (const { dossier: d } of checked) {
    if (d?.etablissement_lieu_de_formation_siret) sirets.add(d.etablissement_lieu_de_formation_siret);
    if (d?.formation_cfd) cfds.add(d.formation_cfd);
    if (d?.formation_rncp) rncps.add(d.formation_rncp);
  }

  const [organismes, scope, formations, formationsRncp] = await Promise.all([
    execRows<OrganismeRef>(
      executor,
      sql`select id, siret, uai, raison_sociale, departement_code from organismes
          where siret = any(${arrayParam([...sirets])}::text[])
             or uai = any(${arrayParam([...uais])}::text[])
             or id = ${organismeId}`,
    ),
    execRows<{ id: number }>(
      executor,
      sql`select formateur_id as id from organisme_relations where responsable_id = ${organismeId}`,
    ),
    cfds.size
      ? execRows<{ id: number; cfd: string; niveau: number | null }>(
          executor,
          sql`select id, cfd, niveau from formations where cfd = any(${arrayParam([...cfds])}::text[])`,
        )
      : Promise.resolve([]),
    // without a known CFD, the formation that alone carries the RNCP code (as linkEffectifsToFormations links)
    rncps.size
      ? execRows<{ id: number; rncp: string; niveau: number | null }>(
          executor,
          sql`select min(id) as id, rncp, min(niveau) as niveau from formations where rncp = any(${arrayParam([...rncps])}::text[])
              group by rncp having count(*) = 1`,
        )
      : Promise.resolve([]),
  ]);

  const byPair = new Map<string, OrganismeRef>();
  const bySiret = new Map<string, OrganismeRef[]>();
  const byUai = new Map<string, OrganismeRef[]>();
  for (const o of organismes) {
    byPair.set(`${o.siret}|${o.uai ?? ""}`, o);
    bySiret.set(o.siret, [...(bySiret.get(o.siret) ?? []), o]);
    if (o.uai) byUai.set(o.uai, [...(byUai.get(o.uai) ?? []), o]);
  }
  const transmitting = organismes.find((o) => o.id === organismeId);
  const allowed = new Set<number>([organismeId, ...scope.map((r) => r.id)]);
  const formationByCfd = new Map(formations.map((f) => [f.cfd, f]));
  const formationByRncp = new Map(formationsRncp.map((f) => [f.rncp, f]));
  const etablissements = pairs.map((e) =>
    e
      ? {
          formateur: byPair.get(`${e.etablissement_formateur_siret}|${e.etablissement_formateur_uai}`),
          responsable: byPair.get(`${e.etablissement_responsable_siret}|${e.etablissement_responsable_uai}`),
        }
      : null,
  );
  const relies = await liensDuReferentiel(executor, etablissements, allowed);

  for (const c of checked) {
    const e = pairs[c.index];
    if (!e) continue;
    // an invalid item gets these errors too: every problem of an item is answered at once
    const { formateur, responsable } = etablissements[c.index]!;
    const known = (uai: string, siret: string) => [...(bySiret.get(siret) ?? []), ...(byUai.get(uai) ?? [])];
    if (!formateur) {
      c.errors.push(
        unknownPairError("formateur", e.etablissement_formateur_uai, e.etablissement_formateur_siret,
          known(e.etablissement_formateur_uai, e.etablissement_formateur_siret), source),
      );
    }
    if (!responsable) {
      c.errors.push(
        unknownPairError("responsable", e.etablissement_responsable_uai, e.etablissement_responsable_siret,
          known(e.etablissement_responsable_uai, e.etablissement_responsable_siret), source),
      );
    }
    if (formateur && responsable) {
      const refus = refusDEcritureDuDossier(allowed, formateur.id, responsable.id, relies.has(`${formateur.id}|${responsable.id}`));
      if (refus === "hors_perimetre") c.errors.push(scopeError(transmitting, formateur, responsable));
      else if (refus === "responsable_non_relie") c.errors.push(responsableNonRelieError(transmitting, formateur, responsable));
    }
    const d = c.dossier;
    if (!d) continue;
    if (c.errors.length) {
      c.dossier = null;
      continue;
    }
    c.formateurId = formateur!.id;
    c.responsableId = responsable!.id;
    const lieuSiret = d.etablissement_lieu_de_formation_siret;
    // the lieu by its pair, else by its SIRET when one organisme alone has it (a lieu is often sent without its UAI)
    const lieuSeul = lieuSiret ? bySiret.get(lieuSiret) : undefined;
    c.lieuId = lieuSiret
      ? (byPair.get(`${lieuSiret}|${d.etablissement_lieu_de_formation_uai ?? ""}`)?.id ?? (lieuSeul?.length === 1 ? lieuSeul[0].id : null))
      : null;
    const formation =
      (d.formation_cfd ? formationByCfd.get(d.formation_cfd) : undefined) ?? (d.formation_rncp ? formationByRncp.get(d.formation_rncp) : undefined);
    c.formationId = formation?.id ?? null;
    c.formationNiveau = formation?.niveau ?? null;
    c.formateurDepartement = formateur!.departement_code ?? null;
  }
  await refuseArchived(executor, checked);
  await refuseOutOfScopeExisting(executor, checked, organismeId, allowed, transmitting);
  if (itemErrors) {
    for (const c of checked) {
      const known = itemErrors.get(c.index);
      if (known?.length) c.errors = withKnownErrors(c.errors, known);
    }
  }
  return checked;
}

/**
 * The (formateur, responsable) pairs of the référentiel (organisme_relations) among the items in scope only through
 * their formateur: one indexed query, only when the batch has such items ("formateur id|responsable id").
 */
async function liensDuReferentiel(
  executor: Executor,
  etablissements: ({ formateur?: OrganismeRef; responsable?: OrganismeRef } | null)[],
  allowed: Set<number>,
): Promise<Set<string>> {
  const paires = new Map<string, [number, number]>();
  for (const e of etablissements) {
    if (e?.formateur && e.responsable && allowed.has(e.formateur.id) && !allowed.has(e.responsable.id))
      paires.set(`${e.formateur.id}|${e.responsable.id}`, [e.formateur.id, e.responsable.id]);
  }
  if (paires.size === 0) return new Set();
  const liens = await execRows<{ formateur_id: number; responsable_id: number }>(
    executor,
    sql`select r.formateur_id, r.responsable_id
        from unnest(${arrayParam([...paires.values()].map(([f]) => f))}::int[], ${arrayParam([...paires.values()].map(([, r]) => r))}::int[]) as p(f, r)
        join organisme_relations r on r.formateur_id = p.f and r.responsable_id = p.r`,
  );
  return new Set(liens.map((l) => `${l.formateur_id}|${l.responsable_id}`));
}

/**
 * A dossier in scope only through its responsable (its formateur is neither the transmitting organisme nor one of
 * its formateurs) may create a learner, but may modify a stored one only if the transmitting organisme itself is its
 * responsable: the learner is then in its perimeter (decision 017). Its identity key (formateur, année,
 * id_erp_apprenant) would otherwise let any CFA naming itself responsable overwrite another CFA's learner and then
 * read it in its own space — also one whose responsable is merely one of the sender's formateurs (R's key taking over
 * the learner that R's formateur F has at its own formateur G, which R does not see). One indexed query, only when the
 * batch has such dossiers; the upsert repeats the condition (`scopeGuard`) against a concurrent insert.
 */
async function refuseOutOfScopeExisting(
  executor: Executor,
  checked: CheckedItem[],
  organismeId: number,
  allowed: Set<number>,
  transmitting: OrganismeRef | undefined,
): Promise<void> {
  const candidates = checked.filter((c) => c.dossier && c.formateurId !== undefined && !allowed.has(c.formateurId));
  if (candidates.length === 0) return;
  const taken = await execRows<{ organisme_formateur_id: number; annee_scolaire: string; id_erp_apprenant: string }>(
    executor,
    sql`select e.organisme_formateur_id, e.annee_scolaire, e.id_erp_apprenant
        from unnest(${arrayParam(candidates.map((c) => c.formateurId))}::int[], ${arrayParam(candidates.map((c) => c.dossier!.annee_scolaire))}::text[],
                    ${arrayParam(candidates.map((c) => c.dossier!.id_erp_apprenant))}::text[]) as k(f, a, i)
        join effectifs e on e.organisme_formateur_id = k.f and e.annee_scolaire = k.a and e.id_erp_apprenant = k.i
        where e.organisme_responsable_id <> ${organismeId}`,
  );
  if (taken.length === 0) return;
  const keys = new Set(taken.map(rowKey));
  const who = transmitting ? describeOrganisme(transmitting) : "l'organisme transmetteur";
  for (const c of candidates) {
    if (!keys.has(identityKey(c))) continue;
    c.errors.push({
      path: ["id_erp_apprenant"],
      fields: ["id_erp_apprenant", "etablissement_responsable_uai", "etablissement_responsable_siret"],
      message:
        `id_erp_apprenant : l'apprenant « ${c.dossier!.id_erp_apprenant} » de l'établissement formateur (UAI ${c.dossier!.etablissement_formateur_uai}, ` +
        `SIRET ${c.dossier!.etablissement_formateur_siret}) est déjà enregistré pour ${c.dossier!.annee_scolaire} avec un autre établissement ` +
        `responsable : hors du périmètre de ${who}, il ne peut pas être modifié avec cette clé. Vérifiez l'identifiant dans votre ERP ; si ` +
        "l'apprenant a changé d'établissement responsable, c'est l'établissement formateur qui doit transmettre ce dossier.",
    });
    c.dossier = null;
  }
}

/**
 * A learner the CFA deleted or merged into another one in its space (effectifs_archives) is not brought back by
 * the ERP sending it again: the item is refused with what happened and what to do (one indexed query per batch).
 * Only a dossier naming the archived learner's responsable is refused: another organisme's dossier with the same
 * identity key (formateur, année, id) is not that learner, and a CFA deleting a learner it had filed under another
 * formateur must not block that formateur's own dossier, nor tell it when and what it deleted.
 */
async function refuseArchived(executor: Executor, checked: CheckedItem[]): Promise<void> {
  const candidates = checked.filter((c) => c.dossier && c.formateurId !== undefined);
  if (candidates.length === 0) return;
  const archived = await execRows<{
    organisme_formateur_id: number;
    annee_scolaire: string;
    id_erp_apprenant: string;
    organisme_responsable_id: number;
    operation: "suppression" | "fusion";
    created_at: Date | string;
    conserve: string | null;
  }>(
    executor,
    sql`select a.organisme_formateur_id, a.annee_scolaire, a.id_erp_apprenant, a.organisme_responsable_id, a.operation,
               a.created_at, e.id_erp_apprenant as conserve
        from effectifs_archives a left join effectifs e on e.id = a.effectif_conserve_id
        where a.retabli_at is null and a.organisme_formateur_id = any(${arrayParam([...new Set(candidates.map((c) => c.formateurId!))])}::int[])
          and a.id_erp_apprenant = any(${arrayParam([...new Set(candidates.map((c) => c.dossier!.id_erp_apprenant))])}::text[])
        order by a.created_at`,
  );
  if (archived.length === 0) return;
  const byKey = new Map(archived.map((a) => [`${rowKey(a)}|${a.organisme_responsable_id}`, a]));
  for (const c of candidates) {
    const a = byKey.get(`${identityKey(c)}|${c.responsableId}`);
    if (!a) continue;
    const message =
      a.operation === "fusion"
        ? `id_erp_apprenant : ce dossier a été fusionné le ${formatDate(a.created_at)} avec le dossier « ${a.conserve ?? "?"} » du même ` +
          "apprenant dans l'espace CFA du tableau de bord ; il n'est plus importé. Envoyez cet apprenant sous l'identifiant " +
          `« ${a.conserve ?? "conservé"} », ou corrigez l'identifiant dans votre ERP.`
        : `id_erp_apprenant : ce dossier a été supprimé le ${formatDate(a.created_at)} dans l'espace CFA du tableau de bord ; il n'est ` +
          "plus importé. Retirez-le des envois de votre ERP, ou rétablissez-le depuis la page Doublons de l'espace CFA.";
    c.errors.push({ path: ["id_erp_apprenant"], fields: ["id_erp_apprenant"], message });
    c.dossier = null;
  }
}

// ----------------------------------------------------------------------------------------------- writing

type ColumnType = "int" | "smallint" | "text" | "date" | "timestamptz" | "boolean" | "jsonb";

/**
 * How a newer dossier merges a column with an older value, written once for both places it applies: `sql`, the
 * upsert's `set` expression against the stored row (`excluded` = the dossier sent); `value`, the same rule between two
 * items of one batch for the same learner (`older`, `newer`: their column values, COLUMNS order).
 */
interface Merge {
  sql: (column: string) => string;
  value: (older: readonly unknown[], newer: readonly unknown[], j: number) => unknown;
}
/** The newer value, even empty (required fields: never empty). */
const replace: Merge = { sql: (c) => `excluded.${c}`, value: (_, newer, j) => newer[j] ?? null };
/** An empty value never erases a known one. */
const coalesce: Merge = { sql: (c) => `coalesce(excluded.${c}, effectifs.${c})`, value: (older, newer, j) => newer[j] ?? older[j] ?? null };
/** Once true, stays true (nir_fourni). */
const or: Merge = { sql: (c) => `effectifs.${c} or excluded.${c}`, value: (older, newer, j) => older[j] === true || newer[j] === true };
/** A value resolved from another column (`source`): kept when the newer dossier leaves that column empty. */
const keptWithout = (source: string): Merge => ({
  sql: (c) => `case when excluded.${source} is null then effectifs.${c} else excluded.${c} end`,
  value: (older, newer, j) => (newer[COLUMN_INDEX.get(source)!] == null ? (older[j] ?? null) : (newer[j] ?? null)),
});

/**
 * The formation of the catalogue: the one of the CFD sent; without a CFD, the stored one when the learner has a CFD
 * (its formation is the CFD's), else the one of the RNCP code sent; nothing of both sent, the stored one.
 */
const formationMerge: Merge = {
  sql: (c) =>
    `case when excluded.formation_cfd is not null then excluded.${c} when effectifs.formation_cfd is not null then effectifs.${c} ` +
    `when excluded.formation_rncp is not null then excluded.${c} else effectifs.${c} end`,
  value: (older, newer, j) => {
    const cfd = COLUMN_INDEX.get("formation_cfd")!;
    const rncp = COLUMN_INDEX.get("formation_rncp")!;
    if (newer[cfd] != null) return newer[j] ?? null;
    if (older[cfd] != null) return older[j] ?? null;
    return newer[rncp] != null ? (newer[j] ?? null) : (older[j] ?? null);
  },
};

/**
 * The ERP's statut: the one of the latest business date. A dossier sent late with an older statut (an ERP resending
 * an old export) goes to the history (effectif_statuts_erp) but does not replace a statut of a later date; without a
 * date on either side, the newer dossier wins as any value.
 */
const statutErpMerge: Merge = {
  sql: (c) =>
    `case when excluded.${c} is null then effectifs.${c} ` +
    "when excluded.date_metier_mise_a_jour_statut < effectifs.date_metier_mise_a_jour_statut " +
    `and effectifs.${c} is not null then effectifs.${c} else excluded.${c} end`,
  value: (older, newer, j) => {
    const date = COLUMN_INDEX.get("date_metier_mise_a_jour_statut")!;
    if (newer[j] == null) return older[j] ?? null;
    const plusAncien = newer[date] != null && older[date] != null && String(newer[date]) < String(older[date]);
    return plusAncien && older[j] != null ? older[j] : newer[j];
  },
};
/** The latest of the business dates of the ERP's statut. */
const latest: Merge = {
  sql: (c) => `greatest(excluded.${c}, effectifs.${c})`,
  value: (older, newer, j) => (older[j] == null ? (newer[j] ?? null) : newer[j] == null ? older[j] : String(newer[j]) > String(older[j]) ? newer[j] : older[j]),
};

/** effectifs column ← normalised dossier, and how a resend merges with the stored value. */
const COLUMNS: [column: string, type: ColumnType, merge: Merge, get: (c: CheckedItem, d: DossierV3) => unknown][] = [
  ["organisme_formateur_id", "int", replace, (c) => c.formateurId],
  ["organisme_responsable_id", "int", replace, (c) => c.responsableId],
  ["annee_scolaire", "text", replace, (_, d) => d.annee_scolaire],
  ["id_erp_apprenant", "text", replace, (_, d) => d.id_erp_apprenant],
  ["nom", "text", replace, (_, d) => d.nom_apprenant],
  ["prenom", "text", replace, (_, d) => d.prenom_apprenant],
  ["date_de_naissance", "date", replace, (_, d) => d.date_de_naissance_apprenant],
  ["date_inscription_formation", "date", replace, (_, d) => d.date_inscription_formation],
  ["date_entree_formation", "date", replace, (_, d) => d.date_entree_formation],
  ["date_fin_formation", "date", replace, (_, d) => d.date_fin_formation],
  ["ine", "text", coalesce, (_, d) => d.ine_apprenant],
  ["email", "text", coalesce, (_, d) => d.email_contact],
  ["telephone", "text", coalesce, (_, d) => d.tel_apprenant],
  ["adresse", "text", coalesce, (_, d) => d.adresse_apprenant],
  ["code_postal", "text", coalesce, (_, d) => d.code_postal_apprenant],
  ["code_postal_naissance", "text", coalesce, (_, d) => d.code_postal_de_naissance_apprenant],
  ["code_commune_insee", "text", coalesce, (_, d) => d.code_commune_insee_apprenant],
  ["code_commune_insee_naissance", "text", coalesce, (_, d) => d.code_commune_insee_de_naissance_apprenant],
  ["sexe", "text", coalesce, (_, d) => d.sexe_apprenant],
  ["rqth", "boolean", coalesce, (_, d) => d.rqth_apprenant],
  ["date_rqth", "date", coalesce, (_, d) => d.date_rqth_apprenant],
  ["responsable_mail1", "text", coalesce, (_, d) => d.responsable_apprenant_mail1],
  ["responsable_mail2", "text", coalesce, (_, d) => d.responsable_apprenant_mail2],
  ["derniere_situation", "text", coalesce, (_, d) => (d.derniere_situation == null ? null : String(d.derniere_situation))],
  ["dernier_organisme_uai", "text", coalesce, (_, d) => d.dernier_organisme_uai],
  ["type_cfa", "text", coalesce, (_, d) => d.type_cfa],
  ["formation_cfd", "text", coalesce, (_, d) => d.formation_cfd],
  ["formation_rncp", "text", coalesce, (_, d) => d.formation_rncp],
  ["libelle_court_formation", "text", coalesce, (_, d) => d.libelle_court_formation],
  ["annee_formation", "smallint", coalesce, (_, d) => d.annee_formation],
  [
    "duree_theorique_mois",
    "smallint",
    coalesce,
    (_, d) => d.duree_theorique_formation_mois ?? (d.duree_theorique_formation == null ? null : d.duree_theorique_formation * 12),
  ],
  ["formation_presentielle", "boolean", coalesce, (_, d) => d.formation_presentielle],
  ["date_exclusion_formation", "date", coalesce, (_, d) => d.date_exclusion_formation],
  ["cause_exclusion_formation", "text", coalesce, (_, d) => d.cause_exclusion_formation],
  ["obtention_diplome", "boolean", coalesce, (_, d) => d.obtention_diplome_formation],
  ["date_obtention_diplome", "date", coalesce, (_, d) => d.date_obtention_diplome_formation],
  ["referent_handicap_nom", "text", coalesce, (_, d) => d.nom_referent_handicap_formation],
  ["referent_handicap_prenom", "text", coalesce, (_, d) => d.prenom_referent_handicap_formation],
  ["referent_handicap_email", "text", coalesce, (_, d) => d.email_referent_handicap_formation],
  ["lieu_uai", "text", coalesce, (_, d) => d.etablissement_lieu_de_formation_uai],
  ["lieu_siret", "text", coalesce, (_, d) => d.etablissement_lieu_de_formation_siret],
  ["lieu_adresse", "text", coalesce, (_, d) => d.etablissement_lieu_de_formation_adresse],
  ["lieu_code_postal", "text", coalesce, (_, d) => d.etablissement_lieu_de_formation_code_postal],
  ["statut_apprenant", "smallint", statutErpMerge, (_, d) => d.statut_apprenant],
  ["date_metier_mise_a_jour_statut", "timestamptz", latest, (_, d) => d.date_metier_mise_a_jour_statut],
  ["custom_statut_apprenant", "text", coalesce, (_, d) => d.custom_statut_apprenant],
  // resolved from the lieu's SIRET, the CFD (else the RNCP code): no lieu sent keeps the known one; a new CFD decides
  // the formation (even when it is not in the catalogue), see formationMerge
  ["organisme_lieu_id", "int", keptWithout("lieu_siret"), (c) => c.lieuId ?? null],
  ["formation_id", "int", formationMerge, (c) => c.formationId ?? null],
  ["nir_fourni", "boolean", or, (_, d) => d.nir_fourni],
];

/** The identity key's columns. */
const KEY_COLUMNS = ["organisme_formateur_id", "annee_scolaire", "id_erp_apprenant"];

/**
 * The upsert reads the batch as typed column arrays (`unnest`): COLUMNS, then two derived columns. `parcours` is
 * computed from the dossier alone (refreshStatutStorage rewrites it when the merged row differs); `empreinte` is
 * the dossier's fingerprint: a stored row with the same one is neither updated nor returned (decision 009).
 */
const UPSERT_SQL = (() => {
  const cols = [...COLUMNS.map(([c]) => c), "parcours", "empreinte"];
  const updates = COLUMNS.filter(([c]) => !KEY_COLUMNS.includes(c)).map(([c, , merge]) => `${c} = ${merge.sql(c)}`);
  return {
    head: `insert into effectifs (${cols.join(", ")}, source, last_transmission_id, created_at, updated_at)
           select ${cols.map((c) => `r.${c}`).join(", ")}, `,
    types: [...COLUMNS.map(([, t]) => t), "jsonb", "text"] as ColumnType[],
    alias: `r(${cols.join(", ")})`,
    conflict: `on conflict (organisme_formateur_id, annee_scolaire, id_erp_apprenant) do update set
           ${updates.join(",\n           ")},
           parcours = excluded.parcours, empreinte = excluded.empreinte,
           source = excluded.source, last_transmission_id = excluded.last_transmission_id, updated_at = excluded.updated_at
           where effectifs.empreinte is distinct from excluded.empreinte`,
    returning: `returning id, organisme_formateur_id, annee_scolaire, id_erp_apprenant, (xmax = 0) as inserted`,
  };
})();

/**
 * One of the organismes `ids` (a list of SQL id expressions, comma-separated) is in an organisme's scope: that
 * organisme or one of its formateurs (organisme_relations).
 */
function dansLePerimetre(organismeId: number, ids: SQL): SQL {
  return sql`(${organismeId} in (${ids})
    or exists (select 1 from organisme_relations rel where rel.responsable_id = ${organismeId} and rel.formateur_id in (${ids})))`;
}

/**
 * The stored learner that an upsert updates is in the transmitting organisme's perimeter (decision 017): its formateur
 * is that organisme or one of its formateurs, or that organisme itself is its responsable. Checked by
 * `refuseOutOfScopeExisting` before the write, repeated here for a learner inserted by another organisme in between
 * (then left as it is, and not returned).
 */
function scopeGuard(organismeId: number): SQL {
  return sql`(effectifs.organisme_responsable_id = ${organismeId} or ${dansLePerimetre(organismeId, sql`effectifs.organisme_formateur_id`)})`;
}

/** Index of each COLUMNS entry by column name; the derived columns follow COLUMNS. */
const COLUMN_INDEX = new Map(COLUMNS.map(([c], j) => [c, j]));
const PARCOURS = COLUMNS.length;
const EMPREINTE = COLUMNS.length + 1;
const IDENTITE = KEY_COLUMNS.map((c) => COLUMN_INDEX.get(c)!);

/**
 * The fingerprint of a dossier as the upsert would write it: the source, every column value (parcours is derived
 * from them) and the contracts. Equal fingerprints mean that writing the dossier again would change nothing.
 */
function empreinte(source: IngestSource, values: unknown[], contrats: DossierV3["contrats"], fusion?: CheckedItem["fusion"]): string {
  // merged items: their ERP statuts too (each is kept in the history); a single dossier's fingerprint is unchanged
  return hash("sha1", JSON.stringify(fusion ? [source, values, contrats, fusion.statuts] : [source, values, contrats]), "base64");
}

/** The column values (COLUMNS order) that the upsert writes for a dossier, merged ones included. */
function columnValues(c: CheckedItem): unknown[] {
  if (c.fusion) return c.fusion.values;
  const d = c.dossier!;
  return COLUMNS.map(([, , , get]) => get(c, d) ?? null);
}

/**
 * Items of one batch for the same learner (same identity key), in input order, merged into one as if each had been
 * sent in its own request after the previous one: every column by its `Merge` rule (a later non-empty value wins, an
 * empty one never erases an earlier one), the contracts of the latest item that sends some, every ERP statut
 * received (the history keeps each). The merged item's dossier is the last one's with those contracts and the merged
 * exclusion date (its parcours, for a new effectif).
 */
function mergeItems(items: readonly CheckedItem[]): CheckedItem {
  let values = columnValues(items[0]);
  let contrats = items[0].dossier!.contrats;
  const statuts = new Map<string, [number, string | null]>();
  for (const c of items) {
    if (c !== items[0]) {
      const newer = columnValues(c);
      values = COLUMNS.map(([, , merge], j) => merge.value(values, newer, j));
      if (c.dossier!.contrats.length) contrats = c.dossier!.contrats;
    }
    const d = c.dossier!;
    if (d.statut_apprenant !== null && d.statut_apprenant !== undefined) {
      const date = d.date_metier_mise_a_jour_statut ?? null;
      statuts.set(JSON.stringify([d.statut_apprenant, date]), [d.statut_apprenant, date]);
    }
  }
  const last = items[items.length - 1];
  const col = (name: string) => values[COLUMN_INDEX.get(name)!];
  const formationId = col("formation_id") as number | null;
  return {
    ...last,
    dossier: { ...last.dossier!, contrats, date_exclusion_formation: col("date_exclusion_formation") as string | null },
    responsableId: col("organisme_responsable_id") as number,
    lieuId: col("organisme_lieu_id") as number | null,
    formationId,
    // the niveau of the formation kept (the same formation id has the same niveau)
    formationNiveau: formationId === null ? null : ([...items].reverse().find((c) => c.formationId === formationId)?.formationNiveau ?? null),
    fusion: { values, statuts: [...statuts.values()], items: items.length },
  };
}

/** A new effectif as the upsert wrote it (row `i` of the column arrays): what the refresh would read back. */
function effectifNouveau(id: number, columns: unknown[][], i: number, c: CheckedItem): EffectifNouveau {
  const col = <T>(name: string) => (columns[COLUMN_INDEX.get(name)!][i] ?? null) as T;
  return {
    id,
    annee_scolaire: col("annee_scolaire"),
    date_de_naissance: col("date_de_naissance"),
    date_entree_formation: col("date_entree_formation"),
    date_fin_formation: col("date_fin_formation"),
    date_exclusion_formation: col("date_exclusion_formation"),
    organisme_formateur_id: col("organisme_formateur_id"),
    organisme_responsable_id: col("organisme_responsable_id"),
    formation_id: col("formation_id"),
    formation_cfd: col("formation_cfd"),
    annee_formation: col("annee_formation"),
    sexe: col("sexe"),
    rqth: col("rqth"),
    date_rqth: col("date_rqth"),
    parcours: columns[PARCOURS][i] as EffectifNouveau["parcours"],
    departement_code: c.formateurDepartement ?? null,
    niveau: c.formationNiveau ?? null,
    contrats: c.dossier!.contrats,
  };
}

/** The identity key of a stored row (effectifs, effectifs_archives)… */
function rowKey(r: { organisme_formateur_id: number; annee_scolaire: string; id_erp_apprenant: string }): string {
  return `${r.organisme_formateur_id}\u0000${r.annee_scolaire}\u0000${r.id_erp_apprenant}`;
}

/** …and of a checked dossier, to match them. */
function identityKey(c: CheckedItem): string {
  const d = c.dossier!;
  return rowKey({ organisme_formateur_id: c.formateurId!, annee_scolaire: d.annee_scolaire, id_erp_apprenant: d.id_erp_apprenant });
}

function compareIdentity(a: CheckedItem, b: CheckedItem): number {
  if (a.formateurId !== b.formateurId) return a.formateurId! - b.formateurId!;
  const da = a.dossier!;
  const db = b.dossier!;
  if (da.annee_scolaire !== db.annee_scolaire) return da.annee_scolaire < db.annee_scolaire ? -1 : 1;
  return da.id_erp_apprenant < db.id_erp_apprenant ? -1 : da.id_erp_apprenant > db.id_erp_apprenant ? 1 : 0;
}

function storedErrors(checked: CheckedItem[], items: unknown[], lignes?: number[]) {
  return checked
    .filter((c) => c.errors.length)
    .map((c) => {
      const raw = items[c.index] as Record<string, unknown> | null;
      // kept 30 days and shown in the CFA space: a name that holds a NIR (refused for it) is not kept
      const text = (v: unknown) => (typeof v === "string" && !contientNir(v) ? v.slice(0, 255) : null);
      const isObject = raw !== null && typeof raw === "object" && !Array.isArray(raw);
      return {
        index: c.index,
        ...(lignes ? { ligne: lignes[c.index] ?? null } : {}),
        id_erp_apprenant: c.id_erp_apprenant,
        nom: isObject ? text(raw.nom_apprenant) : null,
        prenom: isObject ? text(raw.prenom_apprenant) : null,
        errors: c.errors.map(({ path, message }) => ({ path, message })),
      };
    });
}

/**
 * The learners of a batch for the follow-up of refusals (decision 033): the ids refused, and the ids accepted that
 * no item of the batch refuses (the same id may be refused for another année scolaire: still to fix).
 */
interface SuiviDesRefus {
  refuses: string[];
  acceptes: string[];
}

function suiviDesRefus(checked: CheckedItem[]): SuiviDesRefus {
  const refuses = new Set<string>();
  const acceptes = new Set<string>();
  for (const c of checked) {
    const id = c.id_erp_apprenant && storableText(c.id_erp_apprenant.trim());
    if (id) (c.errors.length ? refuses : acceptes).add(id);
  }
  for (const id of refuses) acceptes.delete(id);
  return { refuses: [...refuses].sort(), acceptes: [...acceptes].sort() };
}

/**
 * In the batch's transaction: the ids refused become (or stay) the organisme's refusals to fix, at this transmission;
 * the ids accepted are fixed. Keys in order (concurrent batches of an organisme lock them in the same order).
 */
async function suivreLesRefus(tx: Executor, organismeId: number, transmissionId: number, now: string, refus: SuiviDesRefus) {
  if (refus.acceptes.length) {
    await tx.execute(sql`delete from dossiers_refuses where organisme_id = ${organismeId} and id_erp_apprenant = any(${arrayParam(refus.acceptes)}::text[])`);
  }
  if (refus.refuses.length) {
    await tx.execute(sql`
      insert into dossiers_refuses (organisme_id, id_erp_apprenant, transmission_id, received_at)
      select ${organismeId}, i, ${transmissionId}, ${now}::timestamptz from unnest(${arrayParam(refus.refuses)}::text[]) as i order by i
      on conflict (organisme_id, id_erp_apprenant) do update set transmission_id = excluded.transmission_id, received_at = excluded.received_at`);
  }
}

interface Written {
  transmissionId: number;
  /** The transmission's received_at: the time its organismes are marked with. */
  receivedAt: Date;
  /** Effectifs inserted or updated. */
  effectifIds: number[];
  /** Dossiers whose stored effectif already had their fingerprint: nothing written. */
  inchanges: number;
  /** Effectifs inserted (the upsert's `xmax = 0`). */
  crees: number;
}

async function writeBatch(
  tx: Executor,
  unique: CheckedItem[],
  options: IngestOptions,
  transmission: { nbItems: number; nbAccepted: number; nbRejected: number; errors: unknown[]; refus: SuiviDesRefus },
): Promise<Written> {
  const now = (options.now ?? new Date()).toISOString();
  let mark = performance.now();
  const lap = (step: string) => {
    if (!options.trace) return;
    const at = performance.now();
    options.trace(step, at - mark);
    mark = at;
  };
  // Column arrays of the upsert (COLUMNS, parcours, empreinte), row i = unique[i]; the parcours comes later.
  let aEcrire = unique;
  let columns: unknown[][] = UPSERT_SQL.types.map(() => new Array(unique.length));
  const values = new Array<unknown>(COLUMNS.length);
  unique.forEach((c, i) => {
    const d = c.dossier!;
    const row = c.fusion?.values;
    for (let j = 0; j < COLUMNS.length; j++) {
      const value = row ? row[j] : (COLUMNS[j][3](c, d) ?? null);
      values[j] = value;
      columns[j][i] = value;
    }
    columns[EMPREINTE][i] = empreinte(options.source, values, d.contrats, c.fusion);
  });
  // The stored fingerprints of the batch's learners (one indexed read, no lock): a dossier identical to the stored
  // one is left out of every write. A learner that a concurrent request changes after this read keeps that
  // request's version, as if this one had come first; the upsert also skips a row that a concurrent request has
  // meanwhile brought to the fingerprint sent (decision 009).
  const stockees = unique.length === 0 ? [] : await execRows<{ organisme_formateur_id: number; annee_scolaire: string; id_erp_apprenant: string; empreinte: string }>(
    tx,
    sql`select e.organisme_formateur_id, e.annee_scolaire, e.id_erp_apprenant, e.empreinte
        from ${unnestArrays(IDENTITE.map((j) => columns[j]), IDENTITE.map((j) => COLUMNS[j][1]))} as k(f, a, i)
        join effectifs e on e.organisme_formateur_id = k.f and e.annee_scolaire = k.a and e.id_erp_apprenant = k.i
        where e.empreinte is not null`,
  );
  if (stockees.length) {
    const empreinteStockee = new Map(stockees.map((r) => [rowKey(r), r.empreinte]));
    const lignes = unique.flatMap((c, i) => (empreinteStockee.get(identityKey(c)) === columns[EMPREINTE][i] ? [] : [i]));
    if (lignes.length < unique.length) {
      aEcrire = lignes.map((i) => unique[i]);
      columns = columns.map((column) => lignes.map((i) => column[i]));
    }
  }
  // counted in items received: merged items of one learner count each
  const weight = (c: CheckedItem) => c.fusion?.items ?? 1;
  let inchanges = 0;
  for (const c of unique) inchanges += weight(c);
  for (const c of aEcrire) inchanges -= weight(c);
  lap("tx:empreintes");
  // the transmission, and the organismes it counts for (coverage and freshness, decision 022): the sender, and the
  // organismes its dossiers name of which the référentiel makes the sender the responsable (its formateurs). Another
  // organisme a dossier names (the responsable of a formateur that sends, a formateur the référentiel does not link
  // to the sender) has not transmitted: the dossier is stored, that organisme's coverage and freshness do not move.
  const concernes = new Set<number>([options.organismeId]);
  for (const c of unique) concernes.add(c.formateurId!).add(c.responsableId!);
  const [t] = await execRows<{ id: number }>(
    tx,
    sql`with t as (
          insert into transmissions (organisme_id, source, erp, file_name, received_at, nb_items, nb_accepted, nb_rejected, nb_unchanged, nb_created, errors)
          values (${options.organismeId}, ${options.source}, ${options.erp ?? null}, ${options.fileName?.replace(/\u0000/g, "") ?? null}, ${now}::timestamptz,
                  ${transmission.nbItems}, ${transmission.nbAccepted}, ${transmission.nbRejected}, ${inchanges}, 0,
                  ${transmission.errors.length ? jsonParam(transmission.errors) : null}::jsonb)
          returning id, received_at),
        organismes as (
          insert into transmission_organismes (organisme_id, transmission_id, received_at)
          select o, t.id, t.received_at from t, unnest(${arrayParam([...concernes])}::int[]) as o
          where ${dansLePerimetre(options.organismeId, sql`o`)})
        select id from t`,
  );
  await suivreLesRefus(tx, options.organismeId, t.id, now, transmission.refus);
  lap("tx:transmission");
  if (aEcrire.length === 0) return { transmissionId: t.id, receivedAt: new Date(now), effectifIds: [], inchanges, crees: 0 };
  aEcrire.forEach((c, i) => (columns[PARCOURS][i] = parcoursOfDossier(c.dossier!)));
  const returned = await execRows<{
    id: number;
    organisme_formateur_id: number;
    annee_scolaire: string;
    id_erp_apprenant: string;
    inserted: boolean;
  }>(
    tx,
    sql`${sql.raw(UPSERT_SQL.head)} ${options.source}, ${t.id}::int, ${now}::timestamptz, ${now}::timestamptz
        from ${unnestArrays(columns, UPSERT_SQL.types)} as ${sql.raw(UPSERT_SQL.alias)}
        order by r.organisme_formateur_id, r.annee_scolaire collate "C", r.id_erp_apprenant collate "C"
        ${sql.raw(UPSERT_SQL.conflict)} and ${scopeGuard(options.organismeId)}
        ${sql.raw(UPSERT_SQL.returning)}`,
  );
  lap("tx:upsert");
  const idByKey = new Map(returned.map((r) => [rowKey(r), r.id]));
  const insertedIds = new Set(returned.filter((r) => r.inserted).map((r) => r.id));
  const effectifIds: number[] = [];
  /** Updated effectifs whose contracts are replaced (a new effectif has none to delete). */
  const withContrats: number[] = [];
  const contrats: unknown[][] = [[], [], [], [], [], [], []];
  /** ERP statuts of updated effectifs (kept when not already in the history) and of new ones (no history yet). */
  const statuts: unknown[][] = [[], [], []];
  const statutsNouveaux: unknown[][] = [[], [], []];
  /** Inserted effectifs, as written: the statut refresh does not read them back. */
  const nouveaux: EffectifNouveau[] = [];
  let inchangesEntreTemps = 0;
  aEcrire.forEach((c, i) => {
    const id = idByKey.get(identityKey(c));
    if (id === undefined) {
      // not returned: a concurrent request has stored the same fingerprint since the read above, or (rare) another
      // organisme has created this learner meanwhile, out of the transmitting one's scope (scopeGuard)
      inchangesEntreTemps += weight(c);
      return;
    }
    effectifIds.push(id);
    const d = c.dossier!;
    const inserted = insertedIds.has(id);
    if (inserted) nouveaux.push(effectifNouveau(id, columns, i, c));
    if (d.contrats.length) {
      if (!inserted) withContrats.push(id);
      d.contrats.forEach((k, rang) =>
        pushRow(contrats, id, rang + 1, k.siret_employeur, k.date_debut, k.date_fin, k.date_rupture, k.cause_rupture),
      );
    }
    if (c.fusion) {
      for (const [statut, date] of c.fusion.statuts) pushRow(inserted ? statutsNouveaux : statuts, id, statut, date);
    } else if (d.statut_apprenant !== null && d.statut_apprenant !== undefined) {
      pushRow(inserted ? statutsNouveaux : statuts, id, d.statut_apprenant, d.date_metier_mise_a_jour_statut ?? null);
    }
  });

  lap("tx:prepare");
  if (withContrats.length) {
    await tx.execute(sql`delete from contrats where effectif_id = any(${arrayParam(withContrats)}::int[])`);
  }
  if (contrats[0].length) {
    await tx.execute(sql`
      insert into contrats (effectif_id, rang, siret_employeur, date_debut, date_fin, date_rupture, cause_rupture)
      select * from ${unnestArrays(contrats, CONTRAT_TYPES)}`);
  }
  lap("tx:contrats");
  if (statuts[0].length) {
    await tx.execute(sql`
      insert into effectif_statuts_erp (effectif_id, statut_apprenant, date_metier_mise_a_jour_statut, received_at)
      select r.effectif_id, r.statut, r.date, ${now}::timestamptz
      from ${unnestArrays(statuts, STATUT_TYPES)} as r(effectif_id, statut, date)
      where not exists (
        select 1 from effectif_statuts_erp s
        where s.effectif_id = r.effectif_id and s.statut_apprenant = r.statut
          and s.date_metier_mise_a_jour_statut is not distinct from r.date)`);
  }
  if (statutsNouveaux[0].length) {
    await tx.execute(sql`
      insert into effectif_statuts_erp (effectif_id, statut_apprenant, date_metier_mise_a_jour_statut, received_at)
      select r.effectif_id, r.statut, r.date, ${now}::timestamptz
      from ${unnestArrays(statutsNouveaux, STATUT_TYPES)} as r(effectif_id, statut, date)`);
  }
  lap("tx:statuts");
  if (effectifIds.length) await refreshStatuts(tx, effectifIds, nouveaux);
  lap("tx:refresh");
  // known after the upsert only: one statement for the batch
  if (inchangesEntreTemps || insertedIds.size) {
    await tx.execute(
      sql`update transmissions set nb_unchanged = nb_unchanged + ${inchangesEntreTemps}, nb_created = ${insertedIds.size} where id = ${t.id}`,
    );
  }
  return { transmissionId: t.id, receivedAt: new Date(now), effectifIds, inchanges: inchanges + inchangesEntreTemps, crees: insertedIds.size };
}

const CONTRAT_TYPES: ColumnType[] = ["int", "smallint", "text", "date", "date", "date", "text"];
const STATUT_TYPES: ColumnType[] = ["int", "smallint", "timestamptz"];

/** Appends one row to column arrays. */
function pushRow(columns: unknown[][], ...row: unknown[]): void {
  for (let j = 0; j < row.length; j++) columns[j].push(row[j] ?? null);
}

/**
 * Marks the first/last transmission, mode and ERP of the organismes the transmission counts for (those recorded in
 * `transmission_organismes`: the sender and its formateurs named by the dossiers, decision 022), after the batch
 * transaction has committed, in a short transaction of its own: the batch holds no lock on the (hot) organismes rows,
 * so that concurrent sends of one organisme are not serialised. It waits at most MARQUAGE_LOCK_TIMEOUT_MS for a
 * lock. Its failure does not undo the committed batch: `ingestDossiers` logs it and `reparerMarquages` makes it
 * good later (decision 032).
 *
 * Mode and ERP describe how the organisme's data usually arrive: an API transmission sets mode API and its ERP; a
 * file upload records its software on the transmission only, and sets mode FICHIER (and its software) only when the
 * organisme has received no API transmission in the last JOURS_MODE_API days: a CFA whose ERP sends every night and
 * that uploads a file once keeps « API, ERP SC Form ».
 */
async function markTransmission(
  database: Database,
  transmissionId: number,
  options: Pick<IngestOptions, "source" | "erp" | "now">,
): Promise<void> {
  const now = (options.now ?? new Date()).toISOString();
  const erp = options.erp ?? null;
  // the channel of this transmission becomes the organisme's: always for the API, for a file only without recent API
  const canal =
    options.source === "API"
      ? sql`true`
      : sql`not exists (
          select 1 from transmission_organismes l join transmissions x on x.id = l.transmission_id
          where l.organisme_id = organismes.id and x.source = 'API' and x.id <> ${transmissionId}
            and l.received_at > ${now}::timestamptz - make_interval(days => ${JOURS_MODE_API})
            and l.received_at <= ${now}::timestamptz)`;
  const plusRecente = sql`(last_transmission_at is null or last_transmission_at <= ${now}::timestamptz)`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await database.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = ${MARQUAGE_LOCK_TIMEOUT_MS}`));
        await tx.execute(sql`
        update organismes set
          first_transmission_at = least(coalesce(first_transmission_at, ${now}::timestamptz), ${now}::timestamptz),
          last_transmission_at = greatest(coalesce(last_transmission_at, ${now}::timestamptz), ${now}::timestamptz),
          -- mode and ERP: those of the latest transmission (one marked late, by the repair or after a slower
          -- commit, does not overwrite a newer one's)
          mode_transmission = case when ${canal} and ${plusRecente} then ${options.source} else mode_transmission end,
          erp = case when ${canal} and ${plusRecente} then coalesce(${erp}, erp) else erp end
        where id in (select organisme_id from transmission_organismes where transmission_id = ${transmissionId})`);
      });
      return;
    } catch (error) {
      if (!isRetryableDbError(error) || attempt === 2) throw error;
    }
  }
}

/**
 * Ingests a batch: every item gets a result (same order as `items`). Valid items are stored even when others
 * fail, in one transaction. Throws only on a database failure.
 */
export async function ingestDossiers(database: Database, items: unknown[], options: IngestOptions): Promise<IngestResult> {
  const trace = options.trace;
  let t0 = performance.now();
  const checked = await checkDossiers(database.db as unknown as Executor, items, options.organismeId, options.itemErrors, options.source);
  trace?.("check", performance.now() - t0);

  // Items of the same learner (identity key) are merged as successive sends would be; every item is answered, in
  // input order, the earlier ones with a message naming the next item of that learner.
  const byKey = new Map<string, CheckedItem[]>();
  for (const c of checked) {
    if (!c.dossier) continue;
    const key = identityKey(c);
    const group = byKey.get(key);
    if (group) group.push(c);
    else byKey.set(key, [c]);
  }
  const mergedWith = new Map<number, number>();
  const unique: CheckedItem[] = [];
  for (const group of byKey.values()) {
    if (group.length === 1) {
      unique.push(group[0]);
      continue;
    }
    for (let k = 0; k < group.length - 1; k++) mergedWith.set(group[k].index, group[k + 1].index);
    unique.push(mergeItems(group));
  }
  unique.sort(compareIdentity);

  const results: ItemResult[] = checked.map((c) => {
    if (c.errors.length) {
      return {
        id_erp_apprenant: c.id_erp_apprenant,
        status: "error",
        validation_errors: c.errors.map(({ path, message }) => ({ path, message })),
      };
    }
    const later = mergedWith.get(c.index);
    return later === undefined
      ? { id_erp_apprenant: c.id_erp_apprenant, status: "ok", validation_errors: [] }
      : {
          id_erp_apprenant: c.id_erp_apprenant,
          status: "ok",
          validation_errors: [],
          message:
            `Même apprenant que le dossier n° ${later + 1} du même envoi (même établissement formateur, année scolaire et ` +
            `id_erp_apprenant) : les deux sont fusionnés comme deux envois successifs. Les valeurs du dossier n° ${later + 1} ` +
            "l'emportent ; ses champs vides gardent les valeurs de ce dossier-ci, et ses contrats, s'il en envoie, remplacent ceux de ce dossier-ci.",
        };
  });
  const nbRejected = checked.filter((c) => c.errors.length).length;
  const nbAccepted = checked.length - nbRejected;
  const errors = storedErrors(checked, items, options.lignes);
  const refus = suiviDesRefus(checked);

  let written: Written | undefined;
  t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      written = await database.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = ${LOCK_TIMEOUT_ECRITURES_MS}`));
        const w = await writeBatch(tx as unknown as Executor, unique, options, { nbItems: items.length, nbAccepted, nbRejected, errors, refus });
        if (options.inTransaction) await options.inTransaction(tx as unknown as Executor, w.transmissionId);
        return w;
      });
      break;
    } catch (error) {
      if (!isRetryableDbError(error) || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1) + Math.random() * 50));
    }
  }

  trace?.("transaction", performance.now() - t0);
  t0 = performance.now();
  // Committed: from here on, nothing may turn the answer into a failure (the sender would be told that nothing was
  // saved, and send again). The organismes' marking is made good by `reparerMarquages`; the dashboards' cache
  // empties itself within its maximum duration (decisions 006 and 032).
  try {
    // at the transmission's own time: the repair finds nothing to do after a normal send
    await markTransmission(database, written.transmissionId, { ...options, now: written.receivedAt });
    // the coverage and freshness of the dashboards read the transmission times written just above
    await signalerModification(database.db);
  } catch (error) {
    journaliserErreur(
      `[ingestion] transmission n° ${written.transmissionId} enregistrée ; marquage des organismes reporté à la réparation périodique`,
      error,
    );
  }
  trace?.("organismes", performance.now() - t0);

  return {
    transmissionId: written.transmissionId,
    nbItems: items.length,
    nbAccepted,
    nbRejected,
    results,
    effectifIds: [...new Set(written.effectifIds)],
    nbInchanges: written.inchanges,
    nbCrees: written.crees,
  };
}

/**
 * Makes good the marking of organismes skipped after a committed batch (`markTransmission` failed: lock timeout,
 * connection lost, process stopped in between; decision 032): every transmission of the last
 * MARQUAGE_REPARATION_JOURS days received after the last transmission time of an organismes it counts for is
 * marked again, oldest first, at its own reception time (first/last transmission, mode and ERP as if marked then;
 * marking twice changes nothing); a first transmission time later than a transmission counted for the organisme is
 * brought back to it. Returns the number of transmissions marked again plus of first times corrected; empties the
 * dashboards' cache when there are any. Run by the ingestion's scheduled jobs.
 */
export async function reparerMarquages(database: Database, now: Date = new Date()): Promise<number> {
  const oubliees = await database.rows<{ id: number; source: IngestSource; erp: string | null; received_at: string }>(sql`
    select x.id, x.source, x.erp, x.received_at::text as received_at
    from transmissions x
    where x.received_at > ${now.toISOString()}::timestamptz - make_interval(days => ${MARQUAGE_REPARATION_JOURS})
      and exists (
        select 1 from transmission_organismes l join organismes o on o.id = l.organisme_id
        where l.transmission_id = x.id and (o.last_transmission_at is null or o.last_transmission_at < x.received_at))
    order by x.received_at, x.id`);
  let marquees = 0;
  for (const x of oubliees) {
    // one transmission that keeps failing (a row held by a lock) does not stop the others' repair
    try {
      await markTransmission(database, x.id, { source: x.source, erp: x.erp, now: new Date(x.received_at) });
      marquees++;
    } catch (error) {
      journaliserErreur(`[ingestion] réparation du marquage de la transmission n° ${x.id} en échec`, error);
    }
  }
  // a skipped first transmission followed by a marked one: the first transmission time only goes back
  const premieres = await database.rows<{ id: number }>(sql`
    update organismes o set first_transmission_at = m.premiere
    from (select l.organisme_id, min(x.received_at) as premiere
          from transmissions x join transmission_organismes l on l.transmission_id = x.id
          where x.received_at > ${now.toISOString()}::timestamptz - make_interval(days => ${MARQUAGE_REPARATION_JOURS})
          group by l.organisme_id) m
    where o.id = m.organisme_id and o.first_transmission_at > m.premiere
    returning o.id`);
  if (marquees || premieres.length) await signalerModification(database.db);
  return marquees + premieres.length;
}
