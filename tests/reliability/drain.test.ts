import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { pg } from "@/lib/db/client";
import { countersOf, createProduct } from "../support/ledger";
import { childrenRunning } from "../../scripts/harness/process-stats";
import { WebProcess } from "../../scripts/harness/web-process";
import { freePort } from "../../scripts/harness/redis-server";
import { waitFor } from "../support/wait-for";
import { recordFigures } from "../support/figures";

// Stopping and crashing without losing requests: a web process told to stop (SIGTERM) answers every
// request it has begun and refuses new connections, and under `npm start` a worker that dies is
// started again while the web goes on answering.

const ROOT = path.resolve(import.meta.dirname, "../..");
const OPEN = { HOLD_LIMITS: "off", NEW_CARTS_PER_IP_PER_MINUTE: "0", RATE_LIMIT_PER_SECOND: "0" };

/** A POST whose headers and first half of the body are sent now, and the rest on `finish()`. */
function halfSent(port: number, target: string, body: string) {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  const cut = Math.floor(body.length / 2);
  const sent = new Promise<void>((resolve) =>
    socket.once("connect", () => {
      socket.write(
        `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, cut)}`,
        () => resolve(),
      );
    }),
  );
  const answer = new Promise<{ status: number | null; error: string | null }>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (status) {
        resolve({ status: Number(status[1]), error: null });
        socket.destroy();
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve({ status: null, error: error.code ?? error.message }));
    socket.on("close", () => resolve({ status: null, error: "closed unanswered" }));
  });
  // The rest of the body, the connection left open (a client that half-closes gets no answer).
  return { sent, answer, finish: () => socket.write(body.slice(cut)) };
}

const exitOf = (pid: number) =>
  waitFor(
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    { timeout: 15_000, interval: 100, what: `process ${pid} to exit` },
  );

describe("stopping and crashing without losing requests", () => {
  it("SIGTERM: every request in flight is answered, new connections are refused, and the web exits", async () => {
    const productId = await createProduct(100);
    const web = new WebProcess(OPEN);
    await web.start();
    const body = JSON.stringify({ productId, quantity: 1 });
    const inFlight = Array.from({ length: 20 }, () => halfSent(web.port, "/api/cart/items", body));
    await Promise.all(inFlight.map((r) => r.sent));

    const primary = web.pid;
    process.kill(primary, "SIGTERM");
    // Every web process has begun draining.
    await waitFor(() => web.output.join("").split('"event":"web_draining"').length - 1 >= web.concurrency, {
      timeout: 10_000,
      what: "the web processes to drain",
    });
    const refused = await fetch(`${web.url}/api/health/live`).then(
      () => null,
      (error: { cause?: { code?: string } }) => error.cause?.code ?? "error",
    );
    for (const r of inFlight) r.finish();
    const answers = await Promise.all(inFlight.map((r) => r.answer));
    recordFigures("drain", { inFlight: answers.length, answers, refused });

    expect(answers.filter((a) => a.error !== null)).toEqual([]);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(refused).toBe("ECONNREFUSED");
    expect((await countersOf(productId)).reserved).toBe(20);
    await exitOf(primary);
  });

  it("under `npm start`, a worker killed with SIGKILL is started again and the web never stops answering", async () => {
    const port = await freePort();
    const start = spawn(process.execPath, ["dist/start.mjs"], {
      cwd: ROOT,
      env: { ...process.env, ...OPEN, NODE_ENV: "production", PORT: String(port), WEB_CONCURRENCY: "1" },
      stdio: "ignore",
    });
    const url = `http://127.0.0.1:${port}/api/health`;
    // The killed worker may be gone between listing the children and reading its command line.
    const workerPid = () => childrenRunning(start.pid as number, "dist/worker.mjs")[0] ?? null;
    try {
      await waitFor(async () => (await fetch(url).catch(() => null))?.status === 200 && workerPid() !== null, {
        timeout: 30_000,
        what: "npm start to serve, with its worker",
      });
      const first = workerPid() as number;
      process.kill(first, "SIGKILL");

      // Until a new worker runs: the web answers every health check meanwhile.
      const statuses: number[] = [];
      await waitFor(
        async () => {
          statuses.push((await fetch(url).catch(() => null))?.status ?? 0);
          const now = workerPid();
          return now !== null && now !== first;
        },
        { timeout: 20_000, interval: 100, what: "a new worker" },
      );
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(statuses.length).toBeGreaterThan(0);
      // The new worker beats: health hears of it.
      await waitFor(
        async () => {
          const health = (await (await fetch(url)).json()) as { workerLastSeenMs: number | null };
          return health.workerLastSeenMs !== null && health.workerLastSeenMs < 2_000;
        },
        { timeout: 15_000, what: "the new worker's heartbeat" },
      );
    } finally {
      start.kill("SIGTERM");
      await exitOf(start.pid as number);
    }
  });

  it("`npm start` without SESSION_SECRET and ADMIN_TOKEN refuses before it starts anything: an overdue hold stays as it was", async () => {
    const productId = await createProduct(5);
    const { cartId } = await addToCart({ cartId: null, clientIp: "198.51.100.60" }, productId, 2);
    await pg()`update carts set expires_at = now() - interval '5 seconds' where id = ${cartId}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()) };
    for (const key of ["NODE_ENV", "SESSION_SECRET", "ADMIN_TOKEN"]) delete env[key];
    const start = spawn(process.execPath, ["dist/start.mjs"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let said = "";
    start.stderr?.on("data", (c: Buffer) => (said += c.toString()));
    start.stdout?.on("data", (c: Buffer) => (said += c.toString()));
    const code = await new Promise<number | null>((resolve) => start.once("exit", resolve));
    expect(code).toBe(1);
    expect(said).toMatch(/SESSION_SECRET is required in production/);
    expect(said).toMatch(/ADMIN_TOKEN is required in production/);
    // No worker ran: the overdue hold was not released by this start.
    const [cart] = await pg()<{ state: string }[]>`select state::text from carts where id = ${cartId}`;
    expect(cart?.state).toBe("active");
    expect((await countersOf(productId)).reserved).toBe(2);
  });
});
