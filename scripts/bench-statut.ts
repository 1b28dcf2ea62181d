/**
 * Throughput of the statut engine: `npx tsx scripts/bench-statut.ts [learners]`
 *
 * Typical inputs (formation of 1–3 years, 1–3 contracts, some ruptures and exclusions), the same ones for the
 * interval implementation (app/statut/engine.ts) and for the day-by-day reference, in the same run. Prints
 * learners per second on one core.
 */

import { fromDay, toDay } from "../app/statut/days";
import { computeParcours, dropoutAt, type ContratDates, type StatutInput } from "../app/statut/engine";
import { computeParcoursReference } from "../app/statut/engine.reference";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(42);
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

function typicalInput(): StatutInput {
  const entree = toDay("2023-08-15") + int(0, 800);
  const years = int(1, 3);
  const fin = entree + years * 365 - int(0, 60);
  const contrats: ContratDates[] = [];
  let debut = entree + int(-30, 90);
  for (let n = int(1, 3), i = 0; i < n && debut < fin; i++) {
    const contratFin = Math.min(fin, debut + int(200, years * 365));
    const rupture = random() < 0.25 ? debut + int(30, contratFin - debut) : null;
    contrats.push({
      date_debut: fromDay(debut),
      date_fin: fromDay(contratFin),
      date_rupture: rupture === null ? null : fromDay(rupture),
    });
    debut = (rupture ?? contratFin) + int(1, 120);
  }
  return {
    date_entree_formation: fromDay(entree),
    date_fin_formation: fromDay(fin),
    date_exclusion_formation: random() < 0.05 ? fromDay(entree + int(30, 300)) : null,
    contrats,
  };
}

function bench(label: string, inputs: StatutInput[], compute: (input: StatutInput) => unknown, rounds: number): number {
  let sink = 0;
  // warm-up
  for (let i = 0; i < Math.min(inputs.length, 20_000); i++) sink += (compute(inputs[i]) as unknown[]).length ?? 0;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < inputs.length; i++) {
      const result = compute(inputs[i]);
      if (Array.isArray(result)) sink += result.length;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const perSecond = (inputs.length * rounds) / seconds;
  console.log(
    `${label.padEnd(34)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} learners/s` +
      `  (${(inputs.length * rounds).toLocaleString("en-US")} in ${seconds.toFixed(2)} s, checksum ${sink})`,
  );
  return perSecond;
}

const count = Number(process.argv[2] ?? 200_000);
const inputs = Array.from({ length: count }, typicalInput);
const days = inputs.map((input) => toDay(input.date_fin_formation) - toDay(input.date_entree_formation) + 1);
console.log(
  `${count.toLocaleString("en-US")} typical learners, ${(days.reduce((a, b) => a + b, 0) / count).toFixed(0)} days ` +
    `and ${(inputs.reduce((a, input) => a + input.contrats.length, 0) / count).toFixed(2)} contracts on average`,
);

const referenceInputs = inputs.slice(0, Math.min(count, 20_000));
const interval = bench("computeParcours (intervals)", inputs, computeParcours, 3);
const reference = bench("computeParcoursReference (days)", referenceInputs, computeParcoursReference, 1);
bench("dropoutAt (intervals)", inputs, (input) => [dropoutAt(input, "2025-03-31")], 1);
console.log(`intervals / day-by-day: × ${(interval / reference).toFixed(1)}`);
