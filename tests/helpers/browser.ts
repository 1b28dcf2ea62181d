/**
 * Browser tests: Debian's chromium driven by playwright-core, against the built app served in-process on a
 * random port with a real test database. Screenshots go to test-results/.
 */
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { Database } from "../../db/client.server";
import { startServer } from "../../server";
import { seedDemo } from "../../app/demo/seed.server";
import { ensureDemoAccounts } from "../../app/auth/demo-accounts.server";
import { ensureDemoTransmissions } from "../../app/cfa/demo-transmissions.server";
import { createSession } from "../../app/auth/session.server";
import { createTestDatabase, type TestDatabase } from "./db";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const RESULTS_DIR = path.resolve("test-results");

/**
 * Whether the browser tests can run here (chromium installed, app built). On CI (`CI` set, as `.ci/run` does) a
 * missing browser or build is an error, never a silent skip.
 */
export function browserAvailable(): boolean {
  const chromiumFound = fs.existsSync(CHROMIUM_PATH);
  const built = fs.existsSync(path.resolve("build/index.js"));
  if (process.env.CI && (!chromiumFound || !built)) {
    throw new Error(`Tests navigateur impossibles sur la CI : ${!chromiumFound ? `chromium absent (${CHROMIUM_PATH})` : "application non construite (build/index.js)"}.`);
  }
  return chromiumFound && built;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A test database holding a small demo dataset, with the demo accounts and the demo CFA's transmissions. */
export async function demoTestDatabase(options: { seed: number; today: string; effectifs?: number }): Promise<TestDatabase> {
  const t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: options.effectifs ?? 3000, seed: options.seed, today: options.today });
  await ensureDemoAccounts(t.database);
  await ensureDemoTransmissions(t.database, options.today);
  return t;
}

/** A French browser context, signed in as `userId` (a real session, its cookie) or anonymous without one. */
export async function browserContext(
  browser: Browser,
  app: { baseUrl: string },
  session?: { database: Database; userId: number },
  options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } | null } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 }, ...options });
  if (session) {
    const cookie = (await createSession(session.database, session.userId, new Request("http://localhost/"))).split(";")[0];
    const equals = cookie.indexOf("=");
    await context.addCookies([{ name: cookie.slice(0, equals), value: cookie.slice(equals + 1), url: app.baseUrl }]);
  }
  return context;
}

export async function serveApp(database: Database): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = await startServer(database, 0);
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page; returns the serious and critical violations (and the moderate ones with `moderate`). */
export async function seriousAxeViolations(page: Page, options: { moderate?: boolean } = {}): Promise<AxeViolation[]> {
  const source = fs.readFileSync(path.resolve("node_modules/axe-core/axe.min.js"), "utf8");
  // evaluated by the driver, not added as a <script>: the page's content security policy would block it (decision 042)
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical" || (options.moderate && v.impact === "moderate"));
}

/** Collects console errors and uncaught exceptions of a page. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    // "Failed to load resource" does not say which one: its address is the message's location
    if (m.type() === "error") errors.push(m.location().url && /^Failed to load resource/.test(m.text()) ? `${m.text()} (${m.location().url})` : m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}
