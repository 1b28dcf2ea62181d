/**
 * Outgoing e-mail through SMTP (configured by SMTP_URL), against a small fake SMTP server; and the development
 * fallback that writes the e-mail to the log.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buildMessage, mailOutbox, sendMail, smtpConfig } from "../../app/auth/mail.server";

interface Received {
  commands: string[];
  data: string;
}

let server: net.Server;
let port: number;
const sessions: Received[] = [];

beforeAll(async () => {
  server = net.createServer((socket) => {
    const received: Received = { commands: [], data: "" };
    sessions.push(received);
    let buffer = "";
    let inData = false;
    socket.write("220 faux-smtp ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      if (inData) {
        const end = buffer.indexOf("\r\n.\r\n");
        if (end < 0) return;
        received.data = buffer.slice(0, end);
        buffer = buffer.slice(end + 5);
        inData = false;
        socket.write("250 2.0.0 accepté\r\n");
      }
      let index: number;
      while (!inData && (index = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        received.commands.push(line);
        if (/^EHLO/i.test(line)) socket.write("250-faux-smtp\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
        else if (/^AUTH PLAIN/i.test(line)) socket.write("235 2.7.0 ok\r\n");
        else if (/^MAIL FROM/i.test(line) || /^RCPT TO/i.test(line)) socket.write("250 ok\r\n");
        else if (/^DATA/i.test(line)) {
          inData = true;
          socket.write("354 allez-y\r\n");
        } else if (/^QUIT/i.test(line)) {
          socket.write("221 au revoir\r\n");
          socket.end();
        } else socket.write("502 inconnu\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  delete process.env.SMTP_URL;
  delete process.env.MAIL_FROM;
  vi.restoreAllMocks();
});

describe("SMTP", () => {
  it("reads SMTP_URL or SMTP_HOST…", () => {
    expect(smtpConfig({ SMTP_URL: "smtps://u%40x:p%2Fw@mail.example:2465" } as unknown as NodeJS.ProcessEnv)).toMatchObject({
      host: "mail.example",
      port: 2465,
      secure: true,
      user: "u@x",
      password: "p/w",
    });
    expect(smtpConfig({ SMTP_HOST: "relais", SMTP_PORT: "465" } as unknown as NodeJS.ProcessEnv)).toMatchObject({ host: "relais", port: 465, secure: true });
    expect(smtpConfig({} as unknown as NodeJS.ProcessEnv)).toBeNull();
  });

  it("sends a UTF-8 message with AUTH PLAIN, MAIL, RCPT, DATA", async () => {
    process.env.SMTP_URL = `smtp://robot:secret@127.0.0.1:${port}`;
    process.env.MAIL_FROM = "Tableau de bord <ne-pas-repondre@apprentissage.example>";
    await sendMail({ to: "agent@dreets.fr", subject: "Réinitialisation de votre mot de passe", text: "Bonjour,\n.ligne qui commence par un point\nLien : https://x/y" });
    const session = sessions.at(-1)!;
    expect(session.commands).toEqual([
      "EHLO tableau-de-bord",
      `AUTH PLAIN ${Buffer.from("\0robot\0secret").toString("base64")}`,
      "MAIL FROM:<ne-pas-repondre@apprentissage.example>",
      "RCPT TO:<agent@dreets.fr>",
      "DATA",
      "QUIT",
    ]);
    expect(session.data).toContain("Subject: =?UTF-8?B?");
    expect(session.data).toContain("Content-Type: text/plain; charset=utf-8");
    const body = Buffer.from(session.data.split("\r\n\r\n")[1].replace(/\r\n/g, ""), "base64").toString("utf8");
    expect(body).toBe("Bonjour,\r\n.ligne qui commence par un point\r\nLien : https://x/y");
  });

  it("an unreachable server is an error with a French message, not a crash", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.SMTP_URL = `smtp://127.0.0.1:${closedPort}`;
    vi.spyOn(console, "error").mockImplementation(() => {});
    await expect(sendMail({ to: "x@y.fr", subject: "s", text: "t" })).rejects.toThrow("L'e-mail n'a pas pu être envoyé. Réessayez dans quelques minutes.");
  });
});

describe("without SMTP", () => {
  it("writes the e-mail to the log outside production, and keeps it in the outbox", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await sendMail({ to: "a@b.fr", subject: "Invitation", text: "Lien : http://localhost/invitation/abc" });
    expect(log.mock.calls.flat().join("\n")).toContain("http://localhost/invitation/abc");
    expect(mailOutbox().at(-1)).toMatchObject({ to: "a@b.fr", subject: "Invitation" });
  });

  it("in production, only says that it was not sent", async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      await sendMail({ to: "a@b.fr", subject: "Invitation", text: "Lien : http://localhost/invitation/secret" });
      expect(warn.mock.calls.flat().join("\n")).toContain("SMTP non configuré");
      expect([...warn.mock.calls, ...log.mock.calls].flat().join("\n")).not.toContain("secret");
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it("builds headers that survive any subject", () => {
    const message = buildMessage("Équipe <a@b.fr>", { to: "c@d.fr", subject: "Plain subject", text: "x" }, new Date("2025-01-02T03:04:05Z"));
    expect(message).toContain("From: =?UTF-8?B?w4lxdWlwZQ==?= <a@b.fr>");
    expect(message).toContain("Subject: Plain subject");
    expect(message).toContain("Date: Thu, 02 Jan 2025 03:04:05 +0000");
  });
});
