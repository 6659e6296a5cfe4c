import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordFigures } from "../support/figures";
import { loopbackAddress } from "../../scripts/harness/stock-streams";
import { WebProcess } from "../../scripts/harness/web-process";
import { waitFor } from "../support/wait-for";

// Bodies that never finish arriving cost the web almost nothing: a declared length past what any
// route takes is refused before the body is read, a body of no declared length is refused, and
// the rest are bounded by the largest body a route takes and closed after REQUEST_TIMEOUT_MS.
const web = new WebProcess({ REQUEST_TIMEOUT_MS: "6000", HEADERS_TIMEOUT_MS: "3000", RATE_LIMIT_PER_SECOND: "0" });
const MB = 1024 * 1024;
beforeAll(() => web.start());
afterAll(() => web.stop());

/** Sends a server action's headers declaring `declared` bytes and then `send` bytes of it, from `from`. */
function upload(from: string, headers: Record<string, string>, send: number) {
  const socket: Socket = connect({ host: "127.0.0.1", port: web.port, localAddress: from });
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("error", () => {});
  const sent = new Promise<void>((resolve) =>
    socket.once("connect", () => {
      const head = Object.entries({ host: `127.0.0.1:${web.port}`, ...headers })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("");
      socket.write(`POST / HTTP/1.1\r\n${head}\r\n`);
      socket.write(Buffer.alloc(send, "a"), () => resolve());
    }),
  );
  return { sent, closed, status: () => /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? null, socket };
}

const action = (declared: number) => ({
  "next-action": "0".repeat(40),
  "content-type": "multipart/form-data; boundary=x",
  "content-length": String(declared),
});
const rssMb = () =>
  web.servingPids().reduce((sum, pid) => {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return sum + Number(kb ?? 0) / 1024;
  }, 0);

describe("stalled request bodies", () => {
  it("a body declared past the limit is refused before it is read (413), one of no declared length too (411)", async () => {
    const big = upload(loopbackAddress(700), action(50 * MB), 64 * 1024);
    await big.sent;
    await waitFor(() => big.status() !== null, { timeout: 5_000, what: "the 413" });
    expect(big.status()).toBe("413");
    await big.closed; // and the connection is closed: nothing more of it is read

    const chunked = upload(
      loopbackAddress(701),
      {
        "next-action": "0".repeat(40),
        "content-type": "multipart/form-data; boundary=x",
        "transfer-encoding": "chunked",
      },
      0,
    );
    await waitFor(() => chunked.status() !== null, { timeout: 5_000, what: "the 411" });
    expect(chunked.status()).toBe("411");
  });

  it("100 uploads stalled just under the limit: the web's memory grows by at most their bodies, others are served, and each is closed after REQUEST_TIMEOUT_MS", async () => {
    const before = rssMb();
    const stalled = Array.from({ length: 100 }, (_, i) => upload(loopbackAddress(710 + i), action(MB), MB - 4096));
    await Promise.all(stalled.map((s) => s.sent));
    // While they hang: the store answers everyone else.
    const health = await fetch(`${web.url}/api/health/live`);
    expect(health.status).toBe(200);
    const peak = rssMb();
    const growthMb = Math.round(peak - before);
    // Each closed by the server once REQUEST_TIMEOUT_MS (6 s) has passed without the whole body.
    await Promise.all(stalled.map((s) => s.closed));
    recordFigures("stalled-bodies", {
      uploads: 100,
      declaredMb: 1,
      beforeMb: Math.round(before),
      peakMb: Math.round(peak),
      growthMb,
    });
    // The bound: 1 MB (the largest body a route takes) per stalled upload, and the sockets' own buffers.
    expect(growthMb).toBeLessThan(100 + 100);
    expect(stalled.every((s) => s.status() === null || s.status() === "408")).toBe(true);
  });
});
