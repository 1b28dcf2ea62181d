/**
 * A cache of the indicator results the dashboards ask for, per database: the same national page is asked by every
 * visitor, and its breakdowns by organisme and by formation cost 50–100 ms each on 3 million effectifs (more under
 * filters that the aggregates do not cover).
 *
 * - **Emptied on every write**: the cache listens to the database's "figures changed" notification
 *   (app/indicateurs/modifications.server.ts), which every writer sends in its transaction and PostgreSQL delivers
 *   at commit. What was posted is therefore on the dashboard as soon as it is committed, in every process. A
 *   computation started before the notification is not kept.
 * - As a safety net (a notification lost while the listening connection was re-established), an entry is fresh for
 *   `TABLEAUX_CACHE_SECONDES` seconds (default 60; 0 turns the cache off). Past that and up to 10 times that, it is
 *   still served while one recomputation runs in the background (stale-while-revalidate).
 * - Identical requests in flight share one computation; a failure is not kept. If the database cannot LISTEN, the
 *   cache stays off (figures are never served stale for want of a notification).
 */
import type { Database } from "../../db/client.server";
import { CANAL_MODIFICATIONS } from "../indicateurs/modifications.server";

const MAX_ENTREES = 500;
const PERIME_APRES = 10;

interface Entree {
  /** When the value was asked for (ms). */
  depuis: number;
  valeur: Promise<unknown>;
  /** A background recomputation is running. */
  rafraichit?: boolean;
}

const caches = new WeakMap<Database, Map<string, Entree>>();
/** The LISTEN of each database: resolves to true once listening, false when it cannot. */
const ecoutes = new WeakMap<Database, Promise<boolean>>();

function ecouter(database: Database): Promise<boolean> {
  let ecoute = ecoutes.get(database);
  if (!ecoute) {
    ecoute = database
      .listen(CANAL_MODIFICATIONS, () => viderCache(database))
      .then(
        () => true,
        () => false,
      );
    ecoutes.set(database, ecoute);
  }
  return ecoute;
}

export function dureeCache(): number {
  const s = Number(process.env.TABLEAUX_CACHE_SECONDES ?? 60);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 0;
}

export async function enCache<T>(database: Database, cle: unknown, calcul: () => Promise<T>): Promise<T> {
  const duree = dureeCache();
  if (duree === 0 || !(await ecouter(database))) return calcul();
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new Map()));
  const key = JSON.stringify(cle);
  const now = Date.now();
  const hit = cache.get(key);
  const lancer = (): Entree => {
    const entree: Entree = { depuis: Date.now(), valeur: calcul() };
    entree.valeur.catch(() => {
      if (cache!.get(key) === entree) cache!.delete(key);
    });
    return entree;
  };
  if (hit && now - hit.depuis < duree * PERIME_APRES) {
    cache.delete(key);
    cache.set(key, hit);
    if (now - hit.depuis >= duree && !hit.rafraichit) {
      hit.rafraichit = true;
      const suivante = lancer();
      suivante.valeur.then(
        () => {
          if (cache!.get(key) === hit) cache!.set(key, suivante);
        },
        () => {
          hit.rafraichit = false;
        },
      );
    }
    return hit.valeur as Promise<T>;
  }
  const entree = lancer();
  cache.set(key, entree);
  if (cache.size > MAX_ENTREES) {
    for (const k of cache.keys()) {
      if (cache.size <= MAX_ENTREES) break;
      cache.delete(k);
    }
  }
  return entree.valeur as Promise<T>;
}

/** Empties the cache of a database (on a notification; after a bulk load). */
export function viderCache(database: Database): void {
  caches.delete(database);
}
