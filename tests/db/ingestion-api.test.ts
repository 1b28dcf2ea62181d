/**
 * POST /api/v3/dossiers-apprenants and GET …/test over HTTP, against the built app and a real database:
 * authentication, answers, storage, merge rules, idempotency, scope, malformed bodies, concurrency.
 * Needs `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { revokeApiKey } from "../../app/ingestion/api-keys.server";
import { computeParcours } from "../../app/statut/engine";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { linkEffectifsToFormations } from "../../app/referentiel/link-formations.server";
import { erreursRecurrentes, historiqueTransmissions, transmissionsDuJour } from "../../app/cfa/transmissions.server";
import { parisDay } from "../../app/shared/jours-paris.server";
import { purgeIngestion } from "../../app/ingestion/jobs.server";
import { couverture } from "../../app/indicateurs/couverture.server";
import { arrayParam } from "../../db/client.server";
import { dossier, effectifsOf, insertOrganisme, keyFor, post, relate, siretOf, uaiOf, type TestOrganisme } from "./ingestion-fixtures";
import { NATIONAL } from "../../app/auth/policy.server";

process.env.API_RATE_PER_SECOND = "10000";
process.env.API_RATE_BURST = "10000";
process.env.API_AUTH_FAILURES_MAX = "1000"; // this file fails authentication on purpose, from one IP

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let cfa: TestOrganisme; // responsable_formateur, has a formateur
let formateur: TestOrganisme; // formateur of cfa
let autre: TestOrganisme; // unrelated organisme
let keyCfa: string;
let keyFormateur: string;
let keyAutre: string;

beforeAll(async () => {
  t = await createTestDatabase({ territories: false });
  app = await serveApp(t.database);
  cfa = await insertOrganisme(t.database, 1);
  formateur = await insertOrganisme(t.database, 2, "formateur");
  autre = await insertOrganisme(t.database, 3);
  await relate(t.database, formateur, cfa);
  keyCfa = await keyFor(t.database, cfa);
  keyFormateur = await keyFor(t.database, formateur);
  keyAutre = await keyFor(t.database, autre);
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function reset() {
  await t.database.rows(sql`delete from effectifs`);
  await t.database.rows(sql`delete from transmissions`);
}

describe("authentication", () => {
  it("GET /test answers 200 {msg: ok} for a valid key, with its organisme", async () => {
    const res = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: { Authorization: `Bearer ${keyCfa}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ msg: "ok", organisme: { siret: cfa.siret, uai: cfa.uai } });
  });

  it.each([
    ["missing", undefined, 401, /Clé d'API manquante/],
    ["empty", "", 401, /Clé d'API manquante/],
    ["not Bearer", `Basic ${Buffer.from("a:b").toString("base64")}`, 401, /mal formé/],
    ["Bearer without key", "Bearer", 401, /mal formé/],
    ["malformed key", "Bearer abc", 401, /Clé d'API mal formée/],
    ["unknown key", `Bearer tdba_${"A".repeat(43)}`, 401, /Clé d'API inconnue/],
  ])("%s Authorization (%s) → %s with a French message", async (_label, header, status, message) => {
    const headers: Record<string, string> = header === undefined ? {} : { Authorization: header };
    for (const res of [
      await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers }),
      await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants`, { method: "POST", headers, body: "[]" }),
    ]) {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      const body = await res.json();
      expect(body.error).toBe("unauthorized");
      expect(body.message).toMatch(message);
    }
  });

  it("a replaced or revoked key → 403 saying so", async () => {
    const o = await insertOrganisme(t.database, 40);
    const first = await keyFor(t.database, o);
    const second = await keyFor(t.database, o);
    let res = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: { Authorization: `Bearer ${first}` } });
    expect(res.status).toBe(403);
    expect((await res.json()).message).toMatch(/révoquée le .*remplacée par une nouvelle clé/);
    res = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: { Authorization: `Bearer ${second}` } });
    expect(res.status).toBe(200);
    await revokeApiKey(t.database, o.id);
    const r = await post(app.baseUrl, second, []);
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/révoquée à la demande/);
  });

  it("stores only the key's hash and records its last use", async () => {
    const rows = await t.database.rows<{ key_hash: string; prefix: string; last_used_at: unknown }>(
      sql`select key_hash, prefix, last_used_at from organisme_api_keys where organisme_id = ${cfa.id} and revoked_at is null`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].key_hash).not.toContain(keyCfa.slice(5));
    expect(keyCfa.startsWith(rows[0].prefix)).toBe(true);
    expect(rows[0].last_used_at).not.toBeNull();
  });

  it("GET on the POST endpoint → 405", async () => {
    const res = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants`, { headers: { Authorization: `Bearer ${keyCfa}` } });
    expect(res.status).toBe(405);
  });
});

describe("malformed bodies → 400/413 with a message, never a 500", () => {
  it.each([
    ["not JSON", "{not json", /^JSON invalide : erreur de syntaxe ligne 1, colonne 2 : « n » n'est pas attendu à cet endroit\. Le corps/],
    ["cut short", '[{"nom_apprenant": "x"', /^JSON invalide : le texte s'arrête avant la fin/],
    ["an object", JSON.stringify({ nom_apprenant: "x" }), /tableau JSON.*Reçu : un objet\.$/],
    ["a string", JSON.stringify("hello"), /tableau JSON.*Reçu : une chaîne de caractères\.$/],
    ["null", "null", /tableau JSON/],
    ["a number", "42", /tableau JSON.*Reçu : un nombre\.$/],
    ["empty body", "", /Corps de la requête vide/],
    ["invalid UTF-8", new Uint8Array([0x5b, 0xff, 0xfe, 0x5d]), /UTF-8/],
  ])("%s → 400", async (_label, raw, message) => {
    const res = await post(app.baseUrl, keyCfa, null, { raw });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("bad_request");
    expect(res.body.message).toMatch(message);
  });

  it("a UTF-8 body with a byte order mark, or with characters outside the BMP, is read as JSON", async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("[]")]);
    expect((await post(app.baseUrl, keyCfa, null, { raw: bom })).status).toBe(200);
    const emoji = new TextEncoder().encode(JSON.stringify([{ nom_apprenant: "Zoé 🙂" }]));
    const res = await post(app.baseUrl, keyCfa, null, { raw: emoji });
    expect(res.status).toBe(200);
    expect(res.body.data[0].status).toBe("error");
  });

  it("a truncated UTF-8 sequence → 400", async () => {
    const res = await post(app.baseUrl, keyCfa, null, { raw: new Uint8Array([0x5b, 0x22, 0xc3, 0x22, 0x5d]) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/UTF-8/);
  });

  it("more than 2000 items → 400", async () => {
    const res = await post(app.baseUrl, keyCfa, Array.from({ length: 2001 }, () => ({})));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/2\u202f001 reçus, 2\u202f000 au plus/);
    // 2000 items are taken; the summary writes its numbers as the rest of the service does
    const full = await post(app.baseUrl, keyCfa, Array.from({ length: 2000 }, () => ({})));
    expect(full.status).toBe(200);
    expect(full.body.message).toBe("2\u202f000 dossiers reçus : 0 enregistré, 2\u202f000 refusés.");
  });

  it("a body over 10 MB → 413 with a French JSON message", async () => {
    const big = JSON.stringify([{ nom_apprenant: "x".repeat(11 * 1024 * 1024) }]);
    const res = await post(app.baseUrl, keyCfa, null, { raw: big });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe("payload_too_large");
    expect(res.body.message).toMatch(/trop volumineux : 10 Mo au plus/);
  });

  it("a body over 10 MB sent without Content-Length (chunked) → 413", async () => {
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('["'));
        if (sent >= 12) {
          controller.enqueue(new TextEncoder().encode('"]'));
          controller.close();
          return;
        }
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants`, {
      method: "POST",
      headers: { Authorization: `Bearer ${keyCfa}`, "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("a request refused as a whole is recorded as a transmission of its organisme, with why; an authentication failure is not", async () => {
    await reset();
    const transmissionTimes = () =>
      t.database.rows(sql`select first_transmission_at::text f, last_transmission_at::text l from organismes where id = ${cfa.id}`);
    const before = await transmissionTimes();
    const refused: [string, string | Uint8Array, number, RegExp][] = [
      ["not an array", JSON.stringify({ a: 1 }), 400, /tableau JSON.*Reçu : un objet\.$/],
      ["cut short", "[{", 400, /^JSON invalide/],
      ["2001 items", JSON.stringify(Array.from({ length: 2001 }, () => ({}))), 400, /2\u202f001 reçus, 2\u202f000 au plus/],
      ["over 10 MB", JSON.stringify([{ nom_apprenant: "x".repeat(11 * 1024 * 1024) }]), 413, /trop volumineux : 10 Mo au plus/],
    ];
    for (const [label, raw, status, message] of refused) {
      const res = await post(app.baseUrl, keyCfa, null, { raw, headers: { "X-ERP": "Ypareo" } });
      expect(res.status, label).toBe(status);
      const [row] = await t.database.rows<Record<string, any>>(sql`select * from transmissions order by id desc limit 1`);
      expect(row, label).toMatchObject({ organisme_id: cfa.id, source: "API", erp: "Ypareo", nb_items: 0, nb_accepted: 0, nb_rejected: 0 });
      // the reason on the transmission itself, not among the per-item errors (purged after 30 days)
      expect(row, label).toMatchObject({ refus_statut_http: status, refus_message: res.body.message, errors: null });
      expect(res.body.message, label).toMatch(message);
    }
    // no key, an unknown key: no organisme, nothing recorded
    expect((await post(app.baseUrl, null, null, { raw: "{" })).status).toBe(401);
    expect((await post(app.baseUrl, `tdba_${"A".repeat(43)}`, null, { raw: "{" })).status).toBe(401);
    const [n] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from transmissions`);
    expect(n.n).toBe(refused.length);
    // a refused request is not a transmission of data: the organisme's transmission times are not touched
    expect(await transmissionTimes()).toEqual(before);

    // the CFA space shows each refusal with its reason and what to do, never as a rejected dossier
    const jour = parisDay();
    const detail = await transmissionsDuJour(t.database, cfa.id, jour);
    expect(detail.transmissions).toHaveLength(refused.length);
    expect(detail.refuses).toEqual([]);
    expect(detail.resume).toEqual([]);
    for (const tr of detail.transmissions) {
      expect(tr.refus).not.toBeNull();
      expect(tr.refus!.explication).toMatch(/^Aucun dossier de cet envoi n'a été enregistré\./);
    }
    const tooMany = detail.transmissions.find((tr) => /2\u202f001 reçus/.test(tr.refus!.message))!;
    expect(tooMany.refus!.explication).toMatch(/découper ses envois/);
    const historique = await historiqueTransmissions(t.database, cfa.id);
    expect(historique.jours[0]).toMatchObject({ jour, transmissions: refused.length, recus: 0, refuses: 0, envoisRefuses: refused.length, erps: ["Ypareo"] });
    expect(historique.total.envoisRefuses).toBe(refused.length);
    expect(await erreursRecurrentes(t.database, cfa.id)).toEqual([]);

    // 31 days later, the per-item errors purged: each refusal is still shown with its reason and what to do
    const later = new Date(Date.now() + 31 * 86_400_000);
    await purgeIngestion(t.database, later);
    const purged = await transmissionsDuJour(t.database, cfa.id, jour);
    expect(purged.transmissions.map((tr) => tr.refus)).toEqual(detail.transmissions.map((tr) => tr.refus));
    expect(purged.transmissions.every((tr) => tr.refus !== null && !tr.detailPurge)).toBe(true);
    const plusTard = await historiqueTransmissions(t.database, cfa.id, { now: later, jours: 60 });
    expect(plusTard.jours.find((j) => j.jour === jour)).toMatchObject({ envoisRefuses: refused.length, detailDisponible: true });
  });

  it("NUL characters and lone surrogates in texts are stored without them, never a 500", async () => {
    await reset();
    const res = await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { id_erp_apprenant: "nul\u0000id", nom_apprenant: "Nom\u0000", adresse_apprenant: "x\ud800y" }),
      dossier(cfa, cfa, { id_erp_apprenant: "bad", nom_apprenant: "Z\u0000", date_de_naissance_apprenant: "x\u0000" }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: any) => d.status)).toEqual(["ok", "error"]);
    const [e] = await t.database.rows<Record<string, any>>(sql`select id_erp_apprenant, nom, adresse from effectifs`);
    expect(e).toEqual({ id_erp_apprenant: "nulid", nom: "Nom", adresse: "x\ufffdy" });
    const [tr] = await t.database.rows<Record<string, any>>(sql`select errors from transmissions`);
    expect(tr.errors[0].nom).toBe("Z");
    // a value of NUL characters alone is empty: a required field is then missing, not stored empty
    const onlyNul = await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "\u0000\u0000", nom_apprenant: "\u0000" })]);
    expect(onlyNul.body.data[0].status).toBe("error");
    expect(onlyNul.body.data[0].validation_errors.map((e: any) => e.path[0]).sort()).toEqual(["id_erp_apprenant", "nom_apprenant"]);
    expect(await effectifsOf(t.database)).toHaveLength(1);
  });

  it("a NUL character in a contract's cause de rupture is stored without it", async () => {
    await reset();
    const res = await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, {
        id_erp_apprenant: "rupture-nul",
        contrat_date_debut: "2024-09-02",
        contrat_date_rupture: "2025-01-15",
        cause_rupture_contrat: "démission\u0000",
      }),
    ]);
    expect(res.body.data[0].status).toBe("ok");
    const [c] = await t.database.rows<{ cause_rupture: string }>(sql`select cause_rupture from contrats`);
    expect(c.cause_rupture).toBe("démission");
  });

  it("items that are not objects are per-item errors; an empty array is accepted", async () => {
    const res = await post(app.baseUrl, keyCfa, [null, 42, "x", [], { }]);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(5);
    for (const item of res.body.data) expect(item.status).toBe("error");
    expect(res.body.data[0].validation_errors[0].message).toMatch(/objet JSON/);
    expect(res.body.data[4].validation_errors.length).toBeGreaterThanOrEqual(12);
    const empty = await post(app.baseUrl, keyCfa, []);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ status: "OK", nb_dossiers: 0, data: [] });
  });
});

describe("storage", () => {
  it("stores a valid dossier with every normalisation, its contracts, statut history and parcours; never the NIR", async () => {
    await reset();
    const NIR = "1060375112042";
    const item = dossier(formateur, cfa, {
      id_erp_apprenant: 42,
      annee_scolaire: "2024/2025",
      nom_apprenant: "  Lenôtre ",
      date_de_naissance_apprenant: "2006-03-28T00:00:00.000Z",
      etablissement_formateur_uai: ` ${formateur.uai.toLowerCase()} `,
      etablissement_formateur_siret: `${formateur.siret.slice(0, 3)} ${formateur.siret.slice(3, 6)}.${formateur.siret.slice(6, 9)}-${formateur.siret.slice(9)}`,
      etablissement_responsable_siret: Number(cfa.siret),
      code_postal_apprenant: "1000",
      code_postal_de_naissance_apprenant: 6000,
      code_commune_insee_apprenant: "2a004",
      code_commune_insee_de_naissance_apprenant: 1004,
      formation_rncp: "35316",
      formation_cfd: "50022141",
      sexe_apprenant: "H",
      tel_apprenant: "06 12 34 56 78",
      rqth_apprenant: "oui",
      date_rqth_apprenant: "2020-05-10",
      ine_apprenant: " 1234567890a ",
      email_contact: "gaston@exemple.fr",
      type_cfa: 1,
      derniere_situation: "1003",
      dernier_organisme_uai: "44",
      duree_theorique_formation: 2,
      annee_formation: "1",
      formation_presentielle: "true",
      obtention_diplome_formation: 0,
      libelle_court_formation: "CAP PATISSIER",
      nir_apprenant: NIR,
      siret_employeur: "782 988 325 00018",
      contrat_date_debut_2: "2025-09-01",
      contrat_date_rupture_2: "2025-12-15",
      cause_rupture_contrat_2: "démission",
      // a NIR written inside a free text: masked, the rest kept
      adresse_apprenant: "3 rue X, sécu 1 06 03 75 112 042 15",
      cause_exclusion_formation: `NIR ${NIR} à retirer`,
      etablissement_lieu_de_formation_uai: "0330012j",
      etablissement_lieu_de_formation_code_postal: "3300",
      champ_inconnu: "ignoré",
    });
    const res = await post(app.baseUrl, keyCfa, [item], { headers: { "X-ERP": "Ypareo" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "OK",
      nb_dossiers: 1,
      nb_ok: 1,
      nb_erreurs: 0,
      data: [{ id_erp_apprenant: "42", status: "ok", validation_errors: [] }],
    });
    expect(res.body.message).toBe("1 dossier reçu : 1 enregistré, 0 refusé.");

    const [e] = await t.database.rows<Record<string, any>>(sql`
      select e.*, e.date_de_naissance::text as ddn, e.date_rqth::text as drqth from effectifs e`);
    expect(e).toMatchObject({
      organisme_formateur_id: formateur.id,
      organisme_responsable_id: cfa.id,
      annee_scolaire: "2024-2025",
      id_erp_apprenant: "42",
      nom: "Lenôtre",
      ddn: "2006-03-28",
      code_postal: "01000",
      code_postal_naissance: "06000",
      code_commune_insee: "2A004",
      code_commune_insee_naissance: "01004",
      formation_rncp: "RNCP35316",
      formation_cfd: "50022141",
      sexe: "M",
      telephone: "0612345678",
      rqth: true,
      drqth: "2020-05-10",
      ine: "1234567890A",
      type_cfa: "01",
      derniere_situation: "1003",
      dernier_organisme_uai: "44",
      duree_theorique_mois: 24,
      annee_formation: 1,
      formation_presentielle: true,
      obtention_diplome: false,
      lieu_uai: "0330012J",
      lieu_code_postal: "03300",
      nir_fourni: true,
      statut_apprenant: 3,
      source: "API",
      adresse: "3 rue X, sécu [NIR masqué]",
      cause_exclusion_formation: "NIR [NIR masqué] à retirer",
    });
    expect(JSON.stringify(e)).not.toContain(NIR);
    const contrats = await t.database.rows<Record<string, any>>(
      sql`select rang, siret_employeur, date_debut::text d, date_fin::text f, date_rupture::text r, cause_rupture from contrats order by rang`,
    );
    expect(contrats).toEqual([
      { rang: 1, siret_employeur: "78298832500018", d: "2024-09-02", f: "2026-08-31", r: null, cause_rupture: null },
      { rang: 2, siret_employeur: null, d: "2025-09-01", f: null, r: "2025-12-15", cause_rupture: "démission" },
    ]);
    const parcours = e.parcours as { date: string; statut: string }[];
    expect(parcours[0]).toEqual({ date: "2024-09-02", statut: "APPRENTI" });
    const history = await t.database.rows(sql`select statut_apprenant from effectif_statuts_erp`);
    expect(history).toEqual([{ statut_apprenant: 3 }]);

    // the transmission is recorded, the organismes marked
    const [tr] = await t.database.rows<Record<string, any>>(sql`select * from transmissions`);
    expect(tr).toMatchObject({ organisme_id: cfa.id, source: "API", erp: "Ypareo", nb_items: 1, nb_accepted: 1, nb_rejected: 0, errors: null });
    expect(JSON.stringify(tr)).not.toContain(NIR);
    const marked = await t.database.rows<Record<string, any>>(
      sql`select id, mode_transmission, erp, first_transmission_at is not null as first, last_transmission_at is not null as last
          from organismes where id in (${cfa.id}, ${formateur.id}) order by id`,
    );
    for (const o of marked) expect(o).toMatchObject({ mode_transmission: "API", erp: "Ypareo", first: true, last: true });
  });

  it("partial batch: valid items are stored, each invalid item lists all its problems, in input order", async () => {
    await reset();
    const items = [
      dossier(cfa, cfa, { id_erp_apprenant: "A" }),
      dossier(cfa, cfa, {
        id_erp_apprenant: "B",
        nom_apprenant: "",
        date_de_naissance_apprenant: "31/12/2005",
        etablissement_formateur_uai: "0751234A",
        code_postal_apprenant: "ABCDE",
        contrat_date_debut: null,
        contrat_date_fin: "2025-01-01",
        date_fin_formation: "2024-01-01",
        nir_apprenant: "2990199999999",
      }),
      dossier(cfa, cfa, { id_erp_apprenant: "C" }),
    ];
    const res = await post(app.baseUrl, keyCfa, items, { query: "?erp=Gesti" });
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: any) => [d.id_erp_apprenant, d.status])).toEqual([
      ["A", "ok"],
      ["B", "error"],
      ["C", "ok"],
    ]);
    const errors = res.body.data[1].validation_errors as { path: string[]; message: string }[];
    const byField = Object.fromEntries(errors.map((e) => [e.path[0], e.message]));
    expect(byField.nom_apprenant).toMatch(/^nom_apprenant : champ obligatoire/);
    expect(byField.date_de_naissance_apprenant).toMatch(/AAAA-MM-JJ.*31\/12\/2005/);
    expect(byField.etablissement_formateur_uai).toMatch(/UAI attendu/);
    expect(byField.code_postal_apprenant).toMatch(/code postal attendu/);
    expect(byField.contrat_date_fin).toMatch(/sans contrat_date_debut/);
    expect(byField.date_fin_formation).toMatch(/postérieure à date_entree_formation/);
    expect(JSON.stringify(res.body)).not.toContain("2990199999999");
    expect((await effectifsOf(t.database)).map((e) => e.id_erp_apprenant)).toEqual(["A", "C"]);
    const [tr] = await t.database.rows<Record<string, any>>(sql`select * from transmissions`);
    expect(tr).toMatchObject({ erp: "Gesti", nb_items: 3, nb_accepted: 2, nb_rejected: 1 });
    expect(tr.errors).toHaveLength(1);
    expect(tr.errors[0]).toMatchObject({ index: 1, id_erp_apprenant: "B" });
    expect(tr.errors[0].errors).toHaveLength(errors.length);
    expect(JSON.stringify(tr.errors)).not.toContain("2990199999999");
  });

  it("the same payload twice gives the same state and no duplicate", async () => {
    await reset();
    const items = [
      dossier(cfa, cfa, { id_erp_apprenant: "A", contrat_date_debut_2: "2025-09-01" }),
      dossier(formateur, cfa, { id_erp_apprenant: "A" }), // same id, other formateur: another effectif
      dossier(cfa, cfa, { id_erp_apprenant: "A", annee_scolaire: "2025-2026" }), // other year: another effectif
    ];
    const snapshot = async () => ({
      effectifs: await t.database.rows(sql`
        select id, organisme_formateur_id, annee_scolaire, id_erp_apprenant, nom, statut_apprenant, parcours from effectifs order by id`),
      contrats: await t.database.rows(sql`select effectif_id, rang, date_debut::text from contrats order by effectif_id, rang`),
      statuts: await t.database.rows(sql`select effectif_id, statut_apprenant from effectif_statuts_erp order by id`),
    });
    expect((await post(app.baseUrl, keyCfa, items)).body.nb_ok).toBe(3);
    const first = await snapshot();
    expect((await post(app.baseUrl, keyCfa, items)).body.nb_ok).toBe(3);
    const second = await snapshot();
    expect(second).toEqual(first);
    expect(first.effectifs).toHaveLength(3);
    expect(first.contrats).toHaveLength(4);
    expect(first.statuts).toHaveLength(3);
  });

  it("a resend identical to the stored dossier writes nothing; a changed field, contract or source is written", async () => {
    await reset();
    const items = [
      dossier(cfa, cfa, { id_erp_apprenant: "A" }),
      dossier(cfa, cfa, { id_erp_apprenant: "B", contrat_date_rupture: "2025-01-15", cause_rupture_contrat: "démission" }),
      dossier(formateur, cfa, { id_erp_apprenant: "C", email_contact: "c@exemple.fr" }),
    ];
    // xmin changes with every write of a row: equal xmin, untouched row
    const rows = () =>
      t.database.rows<Record<string, any>>(sql`
        select id_erp_apprenant id, xmin::text as version, updated_at, last_transmission_id, empreinte,
               (select count(*)::int from effectif_statuts_erp s where s.effectif_id = e.id) as statuts,
               (select string_agg(c.xmin::text, ',' order by c.rang) from contrats c where c.effectif_id = e.id) as contrats
        from effectifs e order by id_erp_apprenant`);
    const periodes = () => t.database.rows(sql`select p.*, p.xmin::text as version from statut_periodes p order by effectif_id, debut`);

    const first = await post(app.baseUrl, keyCfa, items);
    expect(first.body).toMatchObject({ nb_ok: 3, nb_inchanges: 0, nb_nouveaux: 3 });
    const stored = await rows();
    const storedPeriodes = await periodes();
    expect(stored.every((r) => typeof r.empreinte === "string" && r.empreinte.length > 0)).toBe(true);

    const again = await post(app.baseUrl, keyCfa, items);
    expect(again.body).toMatchObject({ nb_ok: 3, nb_erreurs: 0, nb_inchanges: 3, nb_nouveaux: 0 });
    expect(again.body.message).toMatch(/3 enregistrés \(dont 3 inchangés depuis l'envoi précédent\)/);
    expect(again.body.data.map((d: { status: string }) => d.status)).toEqual(["ok", "ok", "ok"]);
    expect(await rows()).toEqual(stored);
    expect(await periodes()).toEqual(storedPeriodes);
    // the transmission itself is recorded, with every dossier accepted
    const transmissions = await t.database.rows<Record<string, any>>(
      sql`select nb_items, nb_accepted, nb_unchanged, nb_rejected from transmissions order by id`,
    );
    expect(transmissions).toEqual([
      { nb_items: 3, nb_accepted: 3, nb_unchanged: 0, nb_rejected: 0 },
      { nb_items: 3, nb_accepted: 3, nb_unchanged: 3, nb_rejected: 0 },
    ]);

    // one field of A, one contract date of B: those two are written, C is not
    const changed = [
      dossier(cfa, cfa, { id_erp_apprenant: "A", tel_apprenant: "0611111111" }),
      dossier(cfa, cfa, { id_erp_apprenant: "B", contrat_date_rupture: "2025-02-15", cause_rupture_contrat: "démission" }),
      items[2],
    ];
    const third = await post(app.baseUrl, keyCfa, changed);
    expect(third.body).toMatchObject({ nb_ok: 3, nb_inchanges: 1 });
    const after = await rows();
    expect(after[0].version).not.toBe(stored[0].version);
    expect(after[0].empreinte).not.toBe(stored[0].empreinte);
    expect(after[1].version).not.toBe(stored[1].version);
    expect(after[1].contrats).not.toBe(stored[1].contrats);
    expect(after[2]).toEqual(stored[2]);
    const [b] = await t.database.rows<Record<string, any>>(
      sql`select c.date_rupture::text r from contrats c join effectifs e on e.id = c.effectif_id where e.id_erp_apprenant = 'B'`,
    );
    expect(b.r).toBe("2025-02-15");

    // the same dossiers from a file are written once (the source is part of the fingerprint), then unchanged
    const fichier = await ingestDossiers(t.database, changed, { organismeId: cfa.id, source: "FICHIER" });
    expect(fichier).toMatchObject({ nbAccepted: 3, nbInchanges: 0 });
    const fichierAgain = await ingestDossiers(t.database, changed, { organismeId: cfa.id, source: "FICHIER" });
    expect(fichierAgain).toMatchObject({ nbAccepted: 3, nbInchanges: 3, effectifIds: [] });
    const [{ sources }] = await t.database.rows<{ sources: string }>(sql`select string_agg(distinct source, ',') sources from effectifs`);
    expect(sources).toBe("FICHIER");
  });

  it("a learner another writer changed (catalogue link) is written again by an identical resend", async () => {
    await reset();
    const item = dossier(cfa, cfa, { id_erp_apprenant: "R", formation_cfd: "99999999", formation_rncp: "RNCP99999" });
    expect((await post(app.baseUrl, keyCfa, [item])).body.nb_inchanges).toBe(0);
    const [formation] = await t.database.rows<{ id: number }>(
      sql`insert into formations (cfd, rncp, intitule_long, niveau) values ('99999998', 'RNCP99999', 'Formation de test', 3) returning id`,
    );
    try {
      const linked = await linkEffectifsToFormations(t.database);
      expect(linked.parRncp).toBe(1);
      const [e] = await t.database.rows<Record<string, any>>(sql`select formation_id, empreinte from effectifs`);
      expect(e).toEqual({ formation_id: formation.id, empreinte: null });
      // the resend is not taken for unchanged: the pipeline's merge applies again, as without a fingerprint
      const resend = await post(app.baseUrl, keyCfa, [item]);
      expect(resend.body.nb_inchanges).toBe(0);
      const [after] = await t.database.rows<Record<string, any>>(sql`select empreinte, formation_id from effectifs`);
      expect(after.empreinte).toEqual(expect.any(String));
      // its CFD unknown, the resend keeps the formation of its RNCP code (it was unlinked again before)
      expect(after.formation_id).toBe(formation.id);
      expect((await post(app.baseUrl, keyCfa, [item])).body.nb_inchanges).toBe(1);
    } finally {
      await t.database.rows(sql`delete from effectifs`);
      await t.database.rows(sql`delete from formations where id = ${formation.id}`);
    }
  });

  it("a dossier with an RNCP code and no CFD is linked at once to the one formation carrying that code, its niveau in the figures", async () => {
    await reset();
    const [formation] = await t.database.rows<{ id: number }>(
      sql`insert into formations (cfd, rncp, intitule_long, niveau) values ('36099901', 'RNCP36720', 'Titre de test', 6) returning id`,
    );
    const [autre] = await t.database.rows<{ id: number }>(
      sql`insert into formations (cfd, rncp, intitule_long, niveau) values ('40099902', 'RNCP40001', 'Bac pro de test', 4) returning id`,
    );
    const formationOf = async (id: string) =>
      (await t.database.rows<{ formation_id: number | null; niveaux: string | null }>(sql`
        select e.formation_id, (select string_agg(distinct p.niveau::text, ',') from statut_periodes p where p.effectif_id = e.id) niveaux
        from effectifs e where id_erp_apprenant = ${id}`))[0];
    try {
      // the RNCP code as ERPs send it, without its prefix
      const res = await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "RNCP-seul", formation_cfd: null, formation_rncp: "36720" })]);
      expect(res.body.nb_ok).toBe(1);
      expect(await formationOf("RNCP-seul")).toEqual({ formation_id: formation.id, niveaux: "6" });
      // a resend without any code keeps it; a known CFD sent later gives the CFD's formation
      await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "RNCP-seul", formation_cfd: null, formation_rncp: null })]);
      expect((await formationOf("RNCP-seul"))!.formation_id).toBe(formation.id);
      await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "RNCP-seul", formation_cfd: "40099902", formation_rncp: null })]);
      expect(await formationOf("RNCP-seul")).toEqual({ formation_id: autre.id, niveaux: "4" });
      // the CFD stored, an RNCP code sent alone does not move the learner away from its CFD's formation
      await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "RNCP-seul", formation_cfd: null, formation_rncp: "36720" })]);
      expect((await formationOf("RNCP-seul"))!.formation_id).toBe(autre.id);
      // a code two formations carry designates none
      await t.database.rows(sql`update formations set rncp = 'RNCP36720' where id = ${autre.id}`);
      await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "RNCP-ambigu", formation_cfd: null, formation_rncp: "RNCP36720" })]);
      expect((await formationOf("RNCP-ambigu"))!.formation_id).toBeNull();
    } finally {
      await t.database.rows(sql`delete from effectifs`);
      await t.database.rows(sql`delete from formations where id in (${formation.id}, ${autre.id})`);
    }
  });

  it("merge: an empty value never erases, the contracts sent replace the stored ones, none sent keeps them", async () => {
    await reset();
    await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, {
        email_contact: "a@exemple.fr",
        tel_apprenant: "0612345678",
        date_exclusion_formation: "2025-03-01",
        contrat_date_debut_2: "2025-09-01",
      }),
    ]);
    await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, {
        nom_apprenant: "Nouveau-Nom",
        email_contact: "",
        tel_apprenant: null,
        date_exclusion_formation: undefined,
        contrat_date_debut: "2024-10-01",
        contrat_date_fin: null,
        statut_apprenant: 0,
        date_metier_mise_a_jour_statut: "2025-03-01",
      }),
    ]);
    let [e] = await t.database.rows<Record<string, any>>(
      sql`select id, nom, email, telephone, date_exclusion_formation::text ex, statut_apprenant from effectifs`,
    );
    expect(e).toMatchObject({ nom: "Nouveau-Nom", email: "a@exemple.fr", telephone: "0612345678", ex: "2025-03-01", statut_apprenant: 0 });
    let contrats = await t.database.rows(sql`select rang, date_debut::text d, date_fin::text f from contrats`);
    expect(contrats).toEqual([{ rang: 1, d: "2024-10-01", f: null }]);
    // the ERP's statut history keeps both statuts
    const history = await t.database.rows(sql`select statut_apprenant s from effectif_statuts_erp order by id`);
    expect(history).toEqual([{ s: 3 }, { s: 0 }]);
    // no contract sent: the stored ones stay
    const noContract = dossier(cfa, cfa, {});
    delete noContract.contrat_date_debut;
    delete noContract.contrat_date_fin;
    delete noContract.siret_employeur;
    await post(app.baseUrl, keyCfa, [noContract]);
    contrats = await t.database.rows(sql`select rang, date_debut::text d from contrats`);
    expect(contrats).toEqual([{ rang: 1, d: "2024-10-01" }]);
    [e] = await t.database.rows<Record<string, any>>(sql`select count(*)::int n from effectifs`);
    expect(e.n).toBe(1);
    // the stored parcours is the one of the merged row (kept exclusion and contract), not of the last dossier alone
    [e] = await t.database.rows<Record<string, any>>(sql`select parcours from effectifs`);
    expect(e.parcours).toEqual(
      computeParcours({
        date_entree_formation: "2024-09-02",
        date_fin_formation: "2026-06-30",
        date_exclusion_formation: "2025-03-01",
        contrats: [{ date_debut: "2024-10-01", date_fin: null, date_rupture: null }],
      }),
    );
    expect(e.parcours.map((p: { statut: string }) => p.statut)).toEqual(["INSCRIT", "APPRENTI", "ABANDON"]);
  });

  it("the lieu de formation: by its UAI/SIRET pair, else by its SIRET when one organisme alone has it", async () => {
    await reset();
    // `autre` has a UAI in the référentiel; a lieu without UAI has none
    const [sansUai] = await t.database.rows<{ id: number }>(
      sql`insert into organismes (siret, nature, raison_sociale) values (${siretOf(77)}, 'lieu', 'Lieu sans UAI') returning id`,
    );
    try {
      const lieu = async (id: string, siret: string, uai: string | null) => {
        await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: id, etablissement_lieu_de_formation_siret: siret, etablissement_lieu_de_formation_uai: uai })]);
        return (await t.database.rows<{ l: number | null }>(sql`select organisme_lieu_id l from effectifs where id_erp_apprenant = ${id}`))[0].l;
      };
      expect(await lieu("L-paire", autre.siret, autre.uai)).toBe(autre.id);
      expect(await lieu("L-siret-seul", autre.siret, null)).toBe(autre.id);
      expect(await lieu("L-uai-en-trop", siretOf(77), cfa.uai)).toBe(sansUai.id);
      expect(await lieu("L-inconnu", siretOf(78), null)).toBeNull();
    } finally {
      await t.database.rows(sql`delete from effectifs`);
      await t.database.rows(sql`delete from organismes where id = ${sansUai.id}`);
    }
  });

  it("the ERP's statut is the one of the latest business date: an older one sent late goes to the history only", async () => {
    await reset();
    const envoi = (statut: number, date: string | null, id = "ERP-ORDRE") =>
      post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: id, statut_apprenant: statut, date_metier_mise_a_jour_statut: date })]);
    const stored = async (id = "ERP-ORDRE") =>
      (await t.database.rows<{ s: number; d: string }>(
        sql`select statut_apprenant s, to_char(date_metier_mise_a_jour_statut at time zone 'UTC', 'YYYY-MM-DD') d from effectifs where id_erp_apprenant = ${id}`,
      ))[0];
    await envoi(3, "2024-09-10");
    await envoi(2, "2024-09-02");
    expect(await stored()).toEqual({ s: 3, d: "2024-09-10" });
    await envoi(0, "2024-10-01");
    expect(await stored()).toEqual({ s: 0, d: "2024-10-01" });
    const history = await t.database.rows(
      sql`select s.statut_apprenant s from effectif_statuts_erp s join effectifs e on e.id = s.effectif_id where e.id_erp_apprenant = 'ERP-ORDRE' order by s.id`,
    );
    expect(history).toEqual([{ s: 3 }, { s: 2 }, { s: 0 }]);
    // the same late statut within one batch, after the later one
    await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { id_erp_apprenant: "ERP-LOT", statut_apprenant: 3, date_metier_mise_a_jour_statut: "2024-09-10" }),
      dossier(cfa, cfa, { id_erp_apprenant: "ERP-LOT", statut_apprenant: 2, date_metier_mise_a_jour_statut: "2024-09-02" }),
    ]);
    expect(await stored("ERP-LOT")).toEqual({ s: 3, d: "2024-09-10" });
  });

  it("two items of one batch for the same learner are merged as two successive sends would be", async () => {
    await reset();
    const res = await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { id_erp_apprenant: "DUP-1", nom_apprenant: "Premier", email_contact: "first@x.fr", statut_apprenant: 2, date_metier_mise_a_jour_statut: "2024-06-15" }),
      dossier(cfa, cfa, { id_erp_apprenant: "AUTRE", nom_apprenant: "Autre" }),
      dossier(cfa, cfa, {
        id_erp_apprenant: "DUP-1",
        nom_apprenant: "Dernier",
        tel_apprenant: "0611111111",
        email_contact: "",
        contrat_date_debut: undefined,
        contrat_date_fin: undefined,
        siret_employeur: undefined,
      }),
    ]);
    expect(res.status).toBe(200);
    // one answer per item, in input order; the earlier item says it was merged with the later one
    expect(res.body.data.map((d: any) => [d.id_erp_apprenant, d.status])).toEqual([["DUP-1", "ok"], ["AUTRE", "ok"], ["DUP-1", "ok"]]);
    expect(res.body.data[0].message).toMatch(/Même apprenant que le dossier n° 3 du même envoi.*fusionnés comme deux envois successifs/);
    expect(res.body.data[1].message).toBeUndefined();
    expect(res.body.data[2].message).toBeUndefined();
    expect(res.body).toMatchObject({ nb_dossiers: 3, nb_ok: 3, nb_erreurs: 0 });
    const rows = await effectifsOf(t.database);
    const dup = rows.find((r) => r.id_erp_apprenant === "DUP-1")!;
    expect(rows).toHaveLength(2);
    // later non-empty values win, an empty one never erases an earlier one; the contracts of the first are kept
    // (the second sends none)
    expect(dup).toMatchObject({ nom: "Dernier", email: "first@x.fr", telephone: "0611111111", statut_apprenant: 3 });
    const contrats = await t.database.rows(sql`select rang, date_debut::text d from contrats where effectif_id = ${dup.id}`);
    expect(contrats).toEqual([{ rang: 1, d: "2024-09-02" }]);
    // the ERP statut history keeps both statuts received
    const history = await t.database.rows(
      sql`select statut_apprenant s from effectif_statuts_erp where effectif_id = ${dup.id} order by statut_apprenant`,
    );
    expect(history).toEqual([{ s: 2 }, { s: 3 }]);

    // the same as two requests, one after the other, on another learner
    await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "SEQ-1", nom_apprenant: "Premier", email_contact: "first@x.fr", statut_apprenant: 2, date_metier_mise_a_jour_statut: "2024-06-15" })]);
    await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { id_erp_apprenant: "SEQ-1", nom_apprenant: "Dernier", tel_apprenant: "0611111111", email_contact: "", contrat_date_debut: undefined, contrat_date_fin: undefined, siret_employeur: undefined }),
    ]);
    const columns = (r: Record<string, any>) => {
      const { id: _i, id_erp_apprenant: _k, created_at: _c, updated_at: _u, last_transmission_id: _l, empreinte: _e, ...rest } = r;
      return rest;
    };
    const seq = (await effectifsOf(t.database)).find((r) => r.id_erp_apprenant === "SEQ-1")!;
    expect(columns(dup)).toEqual(columns(seq));

    // the same batch again: unchanged (the fingerprint is the merged dossier's), nothing rewritten
    const again = await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { id_erp_apprenant: "DUP-1", nom_apprenant: "Premier", email_contact: "first@x.fr", statut_apprenant: 2, date_metier_mise_a_jour_statut: "2024-06-15" }),
      dossier(cfa, cfa, { id_erp_apprenant: "AUTRE", nom_apprenant: "Autre" }),
      dossier(cfa, cfa, { id_erp_apprenant: "DUP-1", nom_apprenant: "Dernier", tel_apprenant: "0611111111", email_contact: "", contrat_date_debut: undefined, contrat_date_fin: undefined, siret_employeur: undefined }),
    ]);
    expect(again.body.nb_inchanges).toBe(3);
    const [after] = await t.database.rows<Record<string, any>>(sql`select updated_at from effectifs where id = ${dup.id}`);
    expect(after.updated_at).toEqual(dup.updated_at);
  });

  it("merged items of one batch: a later CFD, lieu or exclusion date decides, an absent one keeps the earlier; the parcours is the merged one's", async () => {
    await reset();
    await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { id_erp_apprenant: "DUP-2", date_exclusion_formation: "2025-03-01", formation_cfd: "50022141", contrat_date_debut: "2024-10-01" }),
      dossier(cfa, cfa, { id_erp_apprenant: "DUP-2", formation_cfd: null, date_exclusion_formation: null, contrat_date_debut: undefined, contrat_date_fin: undefined, siret_employeur: undefined }),
    ]);
    const [e] = await t.database.rows<Record<string, any>>(
      sql`select formation_cfd, date_exclusion_formation::text ex, parcours from effectifs where id_erp_apprenant = 'DUP-2'`,
    );
    expect(e).toMatchObject({ formation_cfd: "50022141", ex: "2025-03-01" });
    expect(e.parcours).toEqual(
      computeParcours({
        date_entree_formation: "2024-09-02",
        date_fin_formation: "2026-06-30",
        date_exclusion_formation: "2025-03-01",
        contrats: [{ date_debut: "2024-10-01", date_fin: "2026-08-31", date_rupture: null }],
      }),
    );
  });
});

describe("organismes and scope", () => {
  it("unknown UAI/SIRET pair → per-item error naming the pair and what to do", async () => {
    await reset();
    const unknownSiret = siretOf(999);
    const res = await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { etablissement_formateur_siret: unknownSiret }),
      dossier(cfa, cfa, { id_erp_apprenant: "2", etablissement_responsable_uai: uaiOf(998) }),
    ]);
    expect(res.body.data[0].status).toBe("error");
    const m0 = res.body.data[0].validation_errors[0];
    expect(m0.path).toEqual(["etablissement_formateur_uai"]);
    expect(m0.message).toContain(`UAI ${cfa.uai} / SIRET ${unknownSiret}`);
    expect(m0.message).toMatch(/inconnu du référentiel.*cet UAI y est connu avec le SIRET.*demandez l'ajout/);
    const m1 = res.body.data[1].validation_errors[0];
    expect(m1.message).toMatch(/établissement responsable inconnu/);
    expect(m1.message).toContain(`ce SIRET y est connu avec l'UAI ${cfa.uai}`);
    expect(await effectifsOf(t.database)).toHaveLength(0);
  });

  it("an invalid item also gets its organisme errors: every problem is answered at once", async () => {
    await reset();
    const res = await post(app.baseUrl, keyCfa, [
      dossier(cfa, cfa, { date_de_naissance_apprenant: "31/02/2006", etablissement_formateur_siret: siretOf(999) }),
      dossier(autre, autre, { id_erp_apprenant: "", etablissement_formateur_uai: ` ${autre.uai.toLowerCase()} ` }),
      // a code that is itself invalid is answered by the validation alone
      dossier(cfa, cfa, { date_de_naissance_apprenant: "x", etablissement_formateur_uai: "123" }),
    ]);
    const paths = res.body.data.map((d: any) => d.validation_errors.map((e: any) => e.path[0] ?? "(dossier)"));
    expect(paths).toEqual([
      ["date_de_naissance_apprenant", "etablissement_formateur_uai"],
      ["id_erp_apprenant", "(dossier)"],
      ["date_de_naissance_apprenant", "etablissement_formateur_uai"],
    ]);
    expect(res.body.data[0].validation_errors[1].message).toMatch(/établissement formateur inconnu du référentiel/);
    expect(res.body.data[1].validation_errors[1].message).toMatch(/hors du périmètre de CFA de test n° 1/);
    expect(res.body.data[2].validation_errors[1].message).not.toMatch(/référentiel/);
  });

  it("a key writes only its own dossiers and its formateurs'", async () => {
    await reset();
    const items = [
      dossier(cfa, cfa, { id_erp_apprenant: "own" }),
      dossier(formateur, cfa, { id_erp_apprenant: "formateur-of-cfa" }),
      dossier(autre, autre, { id_erp_apprenant: "other-cfa" }),
      dossier(formateur, autre, { id_erp_apprenant: "formateur-for-other" }),
    ];
    const asCfa = await post(app.baseUrl, keyCfa, items);
    expect(asCfa.body.data.map((d: any) => d.status)).toEqual(["ok", "ok", "error", "error"]);
    expect(asCfa.body.data[2].validation_errors[0].message).toMatch(/hors du périmètre de CFA de test n° 1/);
    expect(asCfa.body.data[2].validation_errors[0].path).toEqual([]);
    // its formateur is in scope, but the référentiel does not make `autre` one of that formateur's responsables: the
    // key would file the learner under `autre`, which would then see it in its space (decision 024)
    expect(asCfa.body.data[3].validation_errors).toEqual([
      {
        path: ["etablissement_responsable_uai"],
        message: expect.stringMatching(
          /l'établissement responsable CFA de test n° 3 .* n'est pas, d'après le référentiel des organismes, un responsable de l'établissement formateur .* hors du périmètre de CFA de test n° 1/,
        ),
      },
    ]);
    // the transmission counts for the sender and for its formateur whose learners it sent (coverage); not for `autre`,
    // merely named responsable of item 3 by cfa (decision 022)
    const concernes = await t.database.rows<{ organisme_id: number }>(
      sql`select organisme_id from transmission_organismes where transmission_id = ${asCfa.body.transmission_id} order by 1`,
    );
    expect(concernes.map((r) => r.organisme_id)).toEqual([cfa.id, formateur.id].sort((a, b) => a - b));

    const asFormateur = await post(app.baseUrl, keyFormateur, items);
    // the formateur is neither the responsable nor a formateur of `cfa`… but it is the formateur of items 1 and 3; it
    // may name `cfa`, its responsable in the référentiel, not `autre`
    expect(asFormateur.body.data.map((d: any) => d.status)).toEqual(["error", "ok", "error", "error"]);
    expect(asFormateur.body.data[3].validation_errors[0].path).toEqual(["etablissement_responsable_uai"]);

    // naming itself responsable, a key may write for a formateur the référentiel does not link to it (decision 014)
    const asAutre = await post(app.baseUrl, keyAutre, items);
    expect(asAutre.body.data.map((d: any) => d.status)).toEqual(["error", "error", "ok", "ok"]);
    // nothing was filed under `autre` by another key
    const sousAutre = await t.database.rows<{ id_erp_apprenant: string }>(
      sql`select id_erp_apprenant from effectifs where organisme_responsable_id = ${autre.id} order by 1`,
    );
    expect(sousAutre.map((e) => e.id_erp_apprenant)).toEqual(["formateur-for-other", "other-cfa"]);
  });

  it("naming itself responsable, a key may create a learner of another formateur but not take over an existing one", async () => {
    await reset();
    await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "A1", nom_apprenant: "Martin", email_contact: "a1@exemple.fr" })]);
    const before = await effectifsOf(t.database);
    // `autre` sends cfa's learner A1 as its own responsable: it would then see A1 (and its contacts) in its space
    const res = await post(app.baseUrl, keyAutre, [
      dossier(cfa, autre, { id_erp_apprenant: "A1", nom_apprenant: "X" }),
      dossier(cfa, autre, { id_erp_apprenant: "A2" }),
    ]);
    expect(res.body.data.map((d: any) => d.status)).toEqual(["error", "ok"]);
    expect(res.body.data[0].validation_errors).toEqual([
      {
        path: ["id_erp_apprenant"],
        message: expect.stringMatching(/« A1 ».*déjà enregistré pour 2024-2025 avec un autre établissement responsable : hors du périmètre de CFA de test n° 3/),
      },
    ]);
    const after = await effectifsOf(t.database);
    expect(after.find((e) => e.id_erp_apprenant === "A1")).toEqual(before.find((e) => e.id_erp_apprenant === "A1"));
    expect(after.find((e) => e.id_erp_apprenant === "A2")?.organisme_responsable_id).toBe(autre.id);
    // the learner's own responsable (and its formateur) still update it, and `autre` updates the one it created
    expect((await post(app.baseUrl, keyCfa, [dossier(cfa, cfa, { id_erp_apprenant: "A1", nom_apprenant: "Martine" })])).body.nb_ok).toBe(1);
    expect((await post(app.baseUrl, keyAutre, [dossier(cfa, autre, { id_erp_apprenant: "A2", nom_apprenant: "Y" })])).body.nb_ok).toBe(1);
    const final = await effectifsOf(t.database);
    expect(final.map((e) => [e.id_erp_apprenant, e.nom])).toEqual([["A1", "Martine"], ["A2", "Y"]]);
  });
});

describe("who counts as transmitting (coverage and freshness, decision 022)", () => {
  const transmissionOf = async (o: TestOrganisme) =>
    (
      await t.database.rows<{ first: unknown; last: unknown; mode: string | null; erp: string | null }>(
        sql`select first_transmission_at as first, last_transmission_at as last, mode_transmission as mode, erp from organismes where id = ${o.id}`,
      )
    )[0];
  const jamaisTransmis = { first: null, last: null, mode: null, erp: null };
  const effacer = (...os: TestOrganisme[]) =>
    t.database.rows(sql`update organismes set first_transmission_at = null, last_transmission_at = null, mode_transmission = null, erp = null
                        where id = any(${arrayParam(os.map((o) => o.id))}::int[])`);

  it("a CFA named formateur by another CFA's key (its responsable) has not transmitted: the dossier is stored, the CFA stays « jamais »", async () => {
    await reset();
    // an unrelated CFA that never transmitted, not a formateur of cfa in the référentiel
    const lyon = await insertOrganisme(t.database, 41);
    await effacer(cfa, formateur, autre);
    const res = await post(
      app.baseUrl,
      keyCfa,
      [dossier(lyon, cfa, { id_erp_apprenant: "LYON-1" }), dossier(formateur, cfa, { id_erp_apprenant: "F-1" })],
      { headers: { "X-ERP": "test" } },
    );
    // accepted by design (issue 3, decision 014): the responsable is the key's organisme
    expect(res.body.data.map((d: any) => d.status)).toEqual(["ok", "ok"]);
    const stored = await effectifsOf(t.database);
    expect(stored.find((e) => e.id_erp_apprenant === "LYON-1")).toMatchObject({ organisme_formateur_id: lyon.id, organisme_responsable_id: cfa.id });
    // the sender and its formateur (by the référentiel) transmitted; lyon did not
    expect(await transmissionOf(lyon)).toEqual(jamaisTransmis);
    expect(await transmissionOf(cfa)).toMatchObject({ mode: "API", erp: "test", first: expect.anything(), last: expect.anything() });
    expect(await transmissionOf(formateur)).toMatchObject({ mode: "API", erp: "test", last: expect.anything() });
    const concernes = await t.database.rows<{ organisme_id: number }>(
      sql`select organisme_id from transmission_organismes where transmission_id = ${res.body.transmission_id} order by 1`,
    );
    expect(concernes.map((r) => r.organisme_id)).toEqual([cfa.id, formateur.id].sort((a, b) => a - b));
    // the same at a past date: cfa's send of 2025-03-10 for lyon and its formateur
    await ingestDossiers(t.database, [dossier(lyon, cfa, { id_erp_apprenant: "LYON-2" }), dossier(formateur, cfa, { id_erp_apprenant: "F-0" })], {
      organismeId: cfa.id,
      source: "API",
      erp: "test",
      now: new Date("2025-03-10T08:00:00Z"),
    });
    expect(await transmissionOf(lyon)).toEqual(jamaisTransmis);
    const past = await couverture(t.database, { scope: NATIONAL, date: "2025-03-31", now: new Date(), filters: { organisme: [formateur.siret] } });
    expect(past).toMatchObject({ organismes: 1, transmis: 1, fraicheur: { vieillissante: 1 } });
    // coverage, today and at a past date alike: lyon never transmitted, the formateur did (through its responsable)
    const today = new Date().toISOString().slice(0, 10);
    for (const date of [today, "2025-03-31"]) {
      expect(await couverture(t.database, { scope: NATIONAL, date, filters: { organisme: [lyon.siret] } })).toMatchObject({
        organismes: 1,
        transmis: 0,
        tauxCouverture: 0,
        fraicheur: { jamais: 1 },
      });
    }
    const f = await couverture(t.database, { scope: NATIONAL, date: today, filters: { organisme: [formateur.siret] } });
    expect(f).toMatchObject({ organismes: 1, transmis: 1, fraicheur: { recente: 1, jamais: 0 } });
  });

  it("a formateur sending its own learners does not make its responsable a transmitter", async () => {
    await reset();
    await effacer(cfa, formateur);
    const res = await post(app.baseUrl, keyFormateur, [dossier(formateur, cfa, { id_erp_apprenant: "F-2" })]);
    expect(res.body.nb_ok).toBe(1);
    expect(await transmissionOf(formateur)).toMatchObject({ mode: "API", last: expect.anything() });
    expect(await transmissionOf(cfa)).toEqual(jamaisTransmis);
  });
});

describe("concurrency", () => {
  it("concurrent posts on the same learners never lose an update nor create a duplicate", async () => {
    await reset();
    const learners = Array.from({ length: 50 }, (_, i) => `L${i}`);
    const batch = (n: number) =>
      learners.map((id, i) =>
        dossier(cfa, cfa, {
          id_erp_apprenant: id,
          // every request sets its own field; the last writer's nom wins
          nom_apprenant: `Nom-${n}`,
          ...(n === 0 ? { email_contact: `l${i}@exemple.fr` } : {}),
          ...(n === 1 ? { tel_apprenant: "0612345678" } : {}),
          ...(n === 2 ? { ine_apprenant: "1234567890A" } : {}),
          ...(n === 3 ? { adresse_apprenant: "1 rue X" } : {}),
          // reverse order in half of the requests: the pipeline sorts them
          contrat_date_debut: `2024-09-0${n + 1}`,
        }),
      );
    const bodies = [0, 1, 2, 3, 4, 5].map((n) => (n % 2 ? batch(n).reverse() : batch(n)));
    const responses = await Promise.all(bodies.map((b) => post(app.baseUrl, keyCfa, b)));
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.body.nb_ok).toBe(50);
    }
    const rows = await t.database.rows<Record<string, any>>(
      sql`select id_erp_apprenant, email, telephone, ine, adresse, (select count(*)::int from contrats c where c.effectif_id = e.id) nc
          from effectifs e order by id_erp_apprenant`,
    );
    expect(rows).toHaveLength(50);
    for (const r of rows) {
      expect(r.email).toMatch(/@exemple\.fr$/);
      expect(r.telephone).toBe("0612345678");
      expect(r.ine).toBe("1234567890A");
      expect(r.adresse).toBe("1 rue X");
      expect(r.nc).toBe(1);
    }
  });
});
