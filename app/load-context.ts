import type { Database } from "../db/client.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    database: Database;
    /** The client's IP address (per-IP throttling). */
    clientIp?: string | null;
    /** This answer's content-security-policy nonce (server.ts), carried by the page's inline scripts. */
    cspNonce?: string;
  }
}

export {};

declare module "@codegouvfr/react-dsfr/spa" {
  interface RegisterLink {
    Link: typeof import("@remix-run/react").Link;
  }
}
