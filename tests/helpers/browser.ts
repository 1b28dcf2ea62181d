/**
 * Browser tests: Debian's chromium driven by playwright-core, against the built app served in-process on a
 * random port with a real test database. Screenshots go to test-results/.
 */
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Database } from "../../db/client.server";
import { startServer } from "../../server";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const RESULTS_DIR = path.resolve("test-results");

export function browserAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH) && fs.existsSync(path.resolve("build/index.js"));
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
