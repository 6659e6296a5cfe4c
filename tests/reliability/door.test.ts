import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countersOf, createProduct } from "../support/ledger";
import { scrape, value } from "../support/prometheus";
import { rawRequest, type RawResponse } from "../support/raw-client";
import { cpuMsOf } from "../../scripts/harness/process-stats";
import { loopbackAddress, openStockStream } from "../../scripts/harness/stock-streams";
import { freePort } from "../../scripts/harness/redis-server";
import { WebProcess } from "../../scripts/harness/web-process";
import { waitFor } from "../support/wait-for";
import { OVER_RATE_ANSWER_DELAY_MS } from "../../lib/http/door/refusal";

// The door (docs/design.md, Security): what it refuses is answered before Next runs.
const RATE = { RATE_LIMIT_PER_SECOND: "2", RATE_LIMIT_BURST: "10" };
const TIMEOUTS = { HEADERS_TIMEOUT_MS: "2000", REQUEST_TIMEOUT_MS: "3000" };
const CONNECTIONS = "4";
const env = { ...RATE, ...TIMEOUTS, MAX_CONNECTIONS_PER_CLIENT: CONNECTIONS, WEB_CONCURRENCY: "2" };
// Two web processes of one store (its Redis and Postgres): two instances behind a balancer.
const web = new WebProcess(env);
const other = new WebProcess(env);

beforeAll(() => Promise.all([web.start(), other.start()]));
afterAll(() => Promise.all([web.stop(), other.stop()]));

let clients = 0;
/** Another shopper's machine: a loopback address no other test used. */
const newClient = () => loopbackAddress(300 + clients++);

const add = (url: string, productId: number, from: string) =>
  rawRequest(`${url}/api/cart/items`, { method: "POST", body: { productId, quantity: 1 }, from });

/**
 * `count` requests from one client, as fast as it can over as many connections as the door lets
 * one client hold (keep-alive, so each lane reuses its connection).
 */
async function hammer(count: number, send: () => Promise<RawResponse>): Promise<RawResponse[]> {
  const answers: RawResponse[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: Number(CONNECTIONS) }, async () => {
      for (; sent < count; sent += 1) answers.push(await send());
    }),
  );
  return answers;
}

function expectRateLimited(response: RawResponse): void {
  expect(response.status).toBe(429);
  expect(JSON.parse(response.body).error.code).toBe("rate_limited");
  const retryAfter = Number(response.headers["retry-after"]);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`).toBe(true);
}

/** A socket that sends nothing on its own, and when it was closed by the server. */
function openSocket(url: string, from: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress: from });
    const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now())));
    socket.once("connect", () => resolve({ socket, closed }));
    socket.once("error", reject);
  });
}

describe("the door", () => {
  it("a bot adding in a loop is refused with 429 rate_limited and Retry-After, and its refused adds hold nothing", async () => {
    const productId = await createProduct(100);
    const bot = newClient();
    const started = Date.now();
    const answers = await hammer(40, () => add(web.url, productId, bot));
    const seconds = Math.ceil((Date.now() - started) / 1_000);
    const held = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(held.length + refused.length).toBe(answers.length);
    // The burst, and what the bucket refilled while the 40 were answered (each refusal is held
    // back OVER_RATE_ANSWER_DELAY_MS): RATE_LIMIT_PER_SECOND in each second begun, and the rest
    // of the burst in each refill period begun (lib/http/door/rate-limit.ts).
    const [perSecond, burst] = [Number(RATE.RATE_LIMIT_PER_SECOND), Number(RATE.RATE_LIMIT_BURST)];
    const refill = Math.ceil(burst / perSecond);
    expect(held.length).toBeGreaterThanOrEqual(burst);
    expect(held.length).toBeLessThanOrEqual(
      perSecond * (seconds + 1) + (burst - perSecond) * (Math.ceil(seconds / refill) + 1),
    );
    expect(refused.length).toBeGreaterThan(0);
    refused.forEach(expectRateLimited);
    // Each add that ran made a cart holding one unit; the refused ones never reached the route.
    expect((await countersOf(productId)).reserved).toBe(held.length);
    // Meanwhile another shopper adds as usual.
    expect((await add(web.url, productId, newClient())).status).toBe(200);
  });

  it("a client that spent its budget on one web process is refused by the other (one budget), each refusal held back", async () => {
    const bot = newClient();
    const live = (url: string) => rawRequest(`${url}/api/health/live`, { from: bot });
    // The whole burst from the first process, one after another (each admitted answers at once).
    for (let i = 0; i < Number(RATE.RATE_LIMIT_BURST); i += 1) expect((await live(web.url)).status).toBe(200);
    // At once, as many as the client may hold connections to a process, to the other.
    const timed = async () => {
      const asked = performance.now();
      const response = await live(other.url);
      return { response, ms: performance.now() - asked };
    };
    const elsewhere = await Promise.all(Array.from({ length: Number(CONNECTIONS) }, timed));
    // On its own budget the other process would admit all 4; a second that begins meanwhile refills 2.
    const refused = elsewhere.filter((a) => a.response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const { response, ms } of refused) {
      expectRateLimited(response);
      // Answered only after a moment, so that a loop cannot spin on its refusals.
      expect(ms).toBeGreaterThanOrEqual(OVER_RATE_ANSWER_DELAY_MS - 5);
    }
  });

  it("a client sending its headers a byte a second is closed after HEADERS_TIMEOUT_MS, while others are served", async () => {
    const { socket, closed } = await openSocket(web.url, newClient());
    const request = "GET /api/health/live HTTP/1.1\r\nHost: shop\r\nX-Slow: ".padEnd(200, "a");
    let sent = 0;
    const opened = Date.now();
    socket.write(request[sent++] ?? "G");
    const trickle = setInterval(() => socket.write(request[sent++ % request.length] ?? "a"), 1_000);
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await rawRequest(`${web.url}/api/health/live`, { from: newClient() })).status).toBe(200);
      const closedAfter = (await closed) - opened;
      expect(closedAfter).toBeGreaterThanOrEqual(Number(TIMEOUTS.HEADERS_TIMEOUT_MS) - 100);
      // Timed-out sockets are looked for every second.
      expect(closedAfter).toBeLessThan(Number(TIMEOUTS.HEADERS_TIMEOUT_MS) + 2_500);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it("a stock stream stays open past REQUEST_TIMEOUT_MS: it bounds receiving a request, not the answer", async () => {
    const productId = await createProduct(5);
    const stream = await openStockStream(web.url, [productId], { localAddress: newClient() });
    expect(stream.response.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, Number(TIMEOUTS.REQUEST_TIMEOUT_MS) + 2_000));
    expect(stream.closed).toBe(false);
    stream.close();
  });

  it(`a client holding ${CONNECTIONS} connections to a process has the next one closed, while another client is served`, async () => {
    const hog = newClient();
    // One process alone, so every connection lands on the same cap.
    const single = new WebProcess({ ...env, WEB_CONCURRENCY: "1" });
    await single.start();
    try {
      const held = await Promise.all(Array.from({ length: Number(CONNECTIONS) }, () => openSocket(single.url, hog)));
      const over = await openSocket(single.url, hog);
      const refusedAt = await Promise.race([over.closed, new Promise<number>((r) => setTimeout(() => r(0), 3_000))]);
      expect(refusedAt, "the connection over the cap is closed").toBeGreaterThan(0);
      expect((await rawRequest(`${single.url}/api/health/live`, { from: newClient() })).status).toBe(200);
      // One of the hog's connections ends: it may open another and be served.
      held[0]?.socket.destroy();
      await held[0]?.closed;
      await new Promise((r) => setTimeout(r, 200));
      expect((await rawRequest(`${single.url}/api/health/live`, { from: hog })).status).toBe(200);
      held.forEach(({ socket }) => socket.destroy());
    } finally {
      await single.stop();
    }
  });

  it("with Redis down the door counts in memory: shoppers are served, a hammering client is still refused, never a 500", async () => {
    const down = new WebProcess({ ...env, WEB_CONCURRENCY: "1", REDIS_URL: `redis://127.0.0.1:${await freePort()}/0` });
    await down.start();
    try {
      expect((await rawRequest(`${down.url}/api/health/live`, { from: newClient() })).status).toBe(200);
      const bot = newClient();
      const answers = await hammer(20, () => rawRequest(`${down.url}/api/health/live`, { from: bot }));
      expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
      answers.filter((a) => a.status === 429).forEach(expectRateLimited);
      expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(5);
    } finally {
      await down.stop();
    }
  });
});

describe("every core (WEB_CONCURRENCY=2)", () => {
  it("both web processes serve the same pages and the same cart", async () => {
    const productId = await createProduct(10);
    const shopper = newClient();
    const added = await add(web.url, productId, shopper);
    expect(added.status).toBe(200);
    const cookie = (added.headers["set-cookie"] as string[])[0]?.split(";")[0] ?? "";
    const [first, second] = web.servingPids();
    expect(second).toBeDefined();
    const cpuBefore = [cpuMsOf(first as number), cpuMsOf(second as number)];
    // Which process accepts a new connection is the kernel's choice (scripts/shared-port.ts): new
    // clients read the cart, 20 at a time, until each process has answered some (its CPU time,
    // counted by the kernel in 10 ms ticks, has moved on).
    const readsFromNewClients = async () => {
      const reads = await Promise.all(
        Array.from({ length: 20 }, () => rawRequest(`${web.url}/api/cart`, { headers: { cookie }, from: newClient() })),
      );
      for (const read of reads) {
        expect(read.status).toBe(200);
        expect(JSON.parse(read.body).cart.items).toMatchObject([{ productId, quantity: 1 }]);
      }
      return (
        cpuMsOf(first as number) > (cpuBefore[0] as number) && cpuMsOf(second as number) > (cpuBefore[1] as number)
      );
    };
    await waitFor(readsFromNewClients, { timeout: 30_000, interval: 0, what: "both web processes to answer reads" });
    const pages = await Promise.all(Array.from({ length: 4 }, () => rawRequest(`${web.url}/`, { from: newClient() })));
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(pages.map((p) => /<title>[^<]*<\/title>/.exec(p.body)?.[0])).size).toBe(1);
  });

  it("/api/metrics counts every process's open streams, whichever process answers the scrape", async () => {
    const productId = await createProduct(3);
    const streams = await Promise.all(
      Array.from({ length: 6 }, () => openStockStream(web.url, [productId], { localAddress: newClient() })),
    );
    try {
      expect(streams.map((s) => s.response.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      const auth = { authorization: `Bearer ${process.env.ADMIN_TOKEN}` };
      for (let i = 0; i < 4; i += 1) {
        expect(value(await scrape(`${web.url}/api/metrics`, auth), "holdcart_open_streams")).toBe(6);
      }
    } finally {
      streams.forEach((s) => s.close());
    }
  });

  it("a web process that dies is started again, and the store keeps answering meanwhile", async () => {
    const [victim] = web.servingPids();
    process.kill(victim as number, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    expect((await rawRequest(`${web.url}/api/health/live`, { from: newClient() })).status).toBe(200);
    const deadline = Date.now() + 15_000;
    while (web.servingPids().filter((pid) => pid !== victim).length < 2) {
      if (Date.now() > deadline) throw new Error(`no web process replaced ${victim}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The new one serves once it listens.
    await new Promise((r) => setTimeout(r, 3_000));
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => rawRequest(`${web.url}/api/health/live`, { from: newClient() })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });
});
