import type { Database } from "../db/client.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    database: Database;
    /** The client's IP address (per-IP throttling). */
    clientIp?: string | null;
  }
}

export {};

declare module "@codegouvfr/react-dsfr/spa" {
  interface RegisterLink {
    Link: typeof import("@remix-run/react").Link;
  }
}
