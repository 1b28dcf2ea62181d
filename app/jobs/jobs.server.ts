/**
 * The server's scheduled jobs: ingestion purges and key expiry (hourly), and the daily aggregates of the
 * indicators (today's and tomorrow's, built ahead so no dashboard query waits for them).
 */
import type { Database } from "../../db/client.server";
import { startIngestionJobs } from "../ingestion/jobs.server";
import { preparerJours } from "../statut/storage.server";

const HOUR = 60 * 60 * 1000;

export function startJobs(database: Database): () => void {
  const stopIngestion = startIngestionJobs(database);
  let running = false;
  const prepare = async () => {
    if (running) return;
    running = true;
    try {
      await preparerJours(database);
    } catch (error) {
      console.error("[indicateurs] préparation des agrégats du jour en échec :", error instanceof Error ? error.message : error);
    } finally {
      running = false;
    }
  };
  void prepare();
  const timer = setInterval(prepare, HOUR);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopIngestion();
  };
}
