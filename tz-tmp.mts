import { PGlite } from "@electric-sql/pglite";
const c = new PGlite();
await c.exec("set timezone to 'UTC'");
const r = await c.query("select ('2025-03-01T23:30:00Z'::timestamptz at time zone 'Europe/Paris')::date::text as d, to_char(now() at time zone 'Europe/Paris','YYYY-MM-DD') t");
console.log(r.rows);
