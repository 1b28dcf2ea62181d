/**
 * Outgoing e-mail. SMTP is configured by environment:
 *   SMTP_URL=smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465 (implicit TLS),
 *   or SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_SECURE=1; MAIL_FROM (sender address).
 * Without SMTP, in development and tests, the e-mail is written to the log (its links included); in production
 * only its recipient and subject are, with a warning. The last messages are also kept in memory for tests.
 */
import net from "node:net";
import tls from "node:tls";
import { randomBytes } from "node:crypto";
import { runtimeNodeEnv } from "./env.server";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

const OUTBOX_KEY = Symbol.for("tdb.mail.outbox");

/** Messages sent by this process (last 50), shared by every copy of this module (app bundle and tests). */
export function mailOutbox(): Mail[] {
  const g = globalThis as unknown as Record<symbol, Mail[]>;
  g[OUTBOX_KEY] ??= [];
  return g[OUTBOX_KEY];
}

export function smtpConfig(env: NodeJS.ProcessEnv = process.env): SmtpConfig | null {
  const from = env.MAIL_FROM ?? "Tableau de bord de l'apprentissage <ne-pas-repondre@apprentissage.local>";
  if (env.SMTP_URL) {
    const url = new URL(env.SMTP_URL);
    const secure = url.protocol === "smtps:";
    return {
      host: url.hostname,
      port: Number(url.port || (secure ? 465 : 587)),
      secure,
      user: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      from,
    };
  }
  if (env.SMTP_HOST) {
    const secure = env.SMTP_SECURE === "1" || env.SMTP_PORT === "465";
    return {
      host: env.SMTP_HOST,
      port: Number(env.SMTP_PORT || (secure ? 465 : 587)),
      secure,
      user: env.SMTP_USER || undefined,
      password: env.SMTP_PASSWORD || undefined,
      from,
    };
  }
  return null;
}

export async function sendMail(mail: Mail): Promise<void> {
  const outbox = mailOutbox();
  outbox.push(mail);
  if (outbox.length > 50) outbox.splice(0, outbox.length - 50);
  const config = smtpConfig();
  if (!config) {
    if (runtimeNodeEnv() === "production" && process.env.DEMO !== "1") {
      console.warn(`[e-mail] SMTP non configuré (SMTP_URL ou SMTP_HOST) : message « ${mail.subject} » pour ${mail.to} non envoyé.`);
    } else {
      console.log(`[e-mail] À : ${mail.to}\n[e-mail] Objet : ${mail.subject}\n${mail.text}\n[e-mail] ---`);
    }
    return;
  }
  try {
    await smtpSend(config, mail);
  } catch (error) {
    console.error(`[e-mail] Échec de l'envoi de « ${mail.subject} » à ${mail.to} : ${error instanceof Error ? error.message : error}`);
    throw new Error("L'e-mail n'a pas pu être envoyé. Réessayez dans quelques minutes.");
  }
}

/**
 * Sends an e-mail without making the request wait for it: for the answers that must not tell whether an account
 * exists (sign-up request, forgotten password), whose time would otherwise say whether an e-mail went out. A failure
 * is logged by `sendMail`; the visitor's answer is the same either way.
 */
export function sendMailInBackground(mail: Mail): void {
  sendMail(mail).catch(() => undefined);
}

function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

function addressOf(value: string): string {
  return value.match(/<([^>]+)>/)?.[1] ?? value.trim();
}

function formatFrom(value: string): string {
  const match = value.match(/^(.*)<([^>]+)>\s*$/);
  if (!match) return value;
  const name = match[1].trim().replace(/^"|"$/g, "");
  return `${encodeHeader(name)} <${match[2]}>`;
}

export function buildMessage(from: string, mail: Mail, date = new Date()): string {
  const domain = addressOf(from).split("@")[1] ?? "localhost";
  const body = Buffer.from(mail.text.replace(/\r?\n/g, "\r\n"), "utf8")
    .toString("base64")
    .replace(/.{76}/g, "$&\r\n");
  return [
    `From: ${formatFrom(from)}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeader(mail.subject)}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${randomBytes(12).toString("hex")}@${domain}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    body,
  ].join("\r\n");
}

/** A small SMTP client: EHLO, STARTTLS when offered, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT. */
export async function smtpSend(config: SmtpConfig, mail: Mail, timeoutMs = 15_000): Promise<void> {
  let socket: net.Socket = config.secure
    ? tls.connect({ host: config.host, port: config.port, servername: config.host })
    : net.connect({ host: config.host, port: config.port });
  socket.setTimeout(timeoutMs);
  let buffer = "";
  let waiting: ((reply: { code: number; lines: string[] }) => void) | null = null;
  let failed: ((error: Error) => void) | null = null;
  const pending: { code: number; lines: string[] }[] = [];
  let lines: string[] = [];

  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let index: number;
    while ((index = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, index).replace(/\r$/, "");
      buffer = buffer.slice(index + 1);
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), lines };
        lines = [];
        if (waiting) {
          const resolve = waiting;
          waiting = null;
          resolve(reply);
        } else pending.push(reply);
      }
    }
  };
  const onError = (error: Error) => failed?.(error);
  const onTimeout = () => {
    failed?.(new Error("délai dépassé"));
    socket.destroy();
  };
  const attach = (s: net.Socket) => {
    s.on("data", onData);
    s.on("error", onError);
    s.on("timeout", onTimeout);
  };
  attach(socket);

  const read = () =>
    new Promise<{ code: number; lines: string[] }>((resolve, reject) => {
      const next = pending.shift();
      if (next) return resolve(next);
      waiting = resolve;
      failed = reject;
    });
  const command = async (line: string, expected: number[], shown = line) => {
    socket.write(`${line}\r\n`);
    const reply = await read();
    if (!expected.includes(reply.code)) throw new Error(`le serveur SMTP a répondu ${reply.code} à « ${shown} » : ${reply.lines.join(" ")}`);
    return reply;
  };

  try {
    const greeting = await read();
    if (greeting.code !== 220) throw new Error(`accueil SMTP inattendu : ${greeting.lines.join(" ")}`);
    let ehlo = await command("EHLO tableau-de-bord", [250]);
    if (!config.secure && ehlo.lines.some((l) => /STARTTLS/i.test(l))) {
      await command("STARTTLS", [220]);
      socket.removeAllListeners("data");
      socket.removeAllListeners("timeout");
      socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const secured = tls.connect({ socket, servername: config.host }, () => resolve(secured));
        secured.once("error", reject);
      });
      socket.setTimeout(timeoutMs);
      attach(socket);
      ehlo = await command("EHLO tableau-de-bord", [250]);
    }
    if (config.user) {
      const auth = ehlo.lines.find((l) => /AUTH/i.test(l)) ?? "";
      if (/PLAIN/i.test(auth) || !/LOGIN/i.test(auth)) {
        const plain = Buffer.from(`\0${config.user}\0${config.password ?? ""}`).toString("base64");
        await command(`AUTH PLAIN ${plain}`, [235], "AUTH PLAIN ***");
      } else {
        await command("AUTH LOGIN", [334]);
        await command(Buffer.from(config.user).toString("base64"), [334], "***");
        await command(Buffer.from(config.password ?? "").toString("base64"), [235], "***");
      }
    }
    await command(`MAIL FROM:<${addressOf(config.from)}>`, [250]);
    await command(`RCPT TO:<${addressOf(mail.to)}>`, [250, 251]);
    await command("DATA", [354]);
    const message = buildMessage(config.from, mail).replace(/^\./gm, "..");
    await command(`${message}\r\n.`, [250], "(message)");
    await command("QUIT", [221]).catch(() => undefined);
  } finally {
    socket.end();
    socket.destroy();
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
let warnedNoPublicUrl = false;

/**
 * The base URL of links in e-mails: PUBLIC_URL. Without it, the request's origin only when it is this machine (the
 * local demonstration): the Host header is the client's to write, and a reset link sent to a user must not point to
 * a host an attacker chose. Anything else gives http://localhost:PORT and a warning in the log.
 */
export function publicBaseUrl(request: Request): string {
  const configured = process.env.PUBLIC_URL?.replace(/\/+$/, "");
  if (configured) return configured;
  const origin = new URL(request.url);
  if (LOCAL_HOSTS.has(origin.hostname)) return origin.origin;
  if (!warnedNoPublicUrl) {
    warnedNoPublicUrl = true;
    console.warn(`PUBLIC_URL n'est pas définie : les liens des e-mails pointent vers http://localhost (requête reçue pour ${origin.host}).`);
  }
  return `http://localhost:${process.env.PORT ?? 3000}`;
}
