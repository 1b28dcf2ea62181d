/**
 * A short-lived cache of the indicator results the dashboards ask for, per database: the same national page is
 * asked by every visitor, and its breakdowns by organisme and by formation cost 50–100 ms each on 3 million
 * effectifs. Entries live `TABLEAUX_CACHE_SECONDES` seconds (default 60; 0 turns the cache off): the figures of a
 * page may lag a write by that much. Identical requests in flight share one computation.
 */
import type { Database } from "../../db/client.server";

const MAX_ENTREES = 500;

interface Entree {
  expire: number;
  valeur: Promise<unknown>;
}

const caches = new WeakMap<Database, Map<string, Entree>>();

export function dureeCache(): number {
  const s = Number(process.env.TABLEAUX_CACHE_SECONDES ?? 60);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 0;
}

export function enCache<T>(database: Database, cle: unknown, calcul: () => Promise<T>): Promise<T> {
  const duree = dureeCache();
  if (duree === 0) return calcul();
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new Map()));
  const key = JSON.stringify(cle);
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expire > now) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.valeur as Promise<T>;
  }
  const valeur = calcul();
  cache.set(key, { expire: now + duree, valeur });
  // A failure is not kept.
  valeur.catch(() => {
    if (cache!.get(key)?.valeur === valeur) cache!.delete(key);
  });
  if (cache.size > MAX_ENTREES) {
    for (const [k, e] of cache) {
      if (cache.size <= MAX_ENTREES && e.expire > now) break;
      cache.delete(k);
    }
  }
  return valeur;
}

/** Empties the cache of a database (tests; after a bulk load). */
export function viderCache(database: Database): void {
  caches.delete(database);
}
