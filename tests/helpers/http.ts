/** HTTP helpers of the route tests: a page's text, a form post whose body never ends. */
import http from "node:http";

/** The text of a page, tags removed and entities decoded (enough to look for a French message). */
export function texte(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ");
}

/**
 * POSTs `debut` then 256 Ko of "x" under a Content-Length of `declared` bytes, never the rest: the answer the server
 * gives before the body is all sent (status 0 and "pas de réponse avant la fin de l'envoi" after 15 s), and the
 * bytes sent.
 */
export function postSansFin(
  url: URL,
  headers: Record<string, string>,
  debut: Buffer,
  declared: number,
): Promise<{ status: number; body: string; sent: number }> {
  let sent = 0;
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { ...headers, "content-length": String(declared) } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body, sent });
          req.destroy();
        });
      },
    );
    req.on("error", () => {});
    setTimeout(() => {
      req.destroy();
      resolve({ status: 0, body: "pas de réponse avant la fin de l'envoi", sent });
    }, 15_000);
    req.write(debut);
    sent += debut.length;
    const chunk = Buffer.alloc(64 * 1024, "x");
    for (let i = 0; i < 4; i++) {
      req.write(chunk);
      sent += chunk.length;
    }
  });
}
