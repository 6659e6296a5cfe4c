import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProduct, ledgerViolations } from "../support/ledger";
import { histogramCount, scrape, value, type Scrape } from "../support/prometheus";
import { freePort } from "../../scripts/harness/redis-server";
import { Shopper } from "../support/shopper";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";

// Short holds, so the scripted expiry happens within the test.
const env = { CART_TTL_SECONDS: "3", SWEEP_INTERVAL_MS: "500" };
const TOKEN = process.env.ADMIN_TOKEN as string;
const LAG = "holdcart_release_lag_seconds";

let web: WebProcess;
let worker: WorkerProcess;
let workerMetricsUrl = "";

beforeAll(async () => {
  const metricsPort = await freePort();
  web = new WebProcess(env);
  worker = new WorkerProcess({ ...env, METRICS_PORT: String(metricsPort) }, { production: true });
  await Promise.all([web.start(), worker.started()]);
  await worker.waitFor((lines) => lines.some((l) => l.event === "metrics_listening"));
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
});

afterAll(async () => {
  await Promise.all([web?.stop(), worker?.stop()]);
});

/** What Prometheus would scrape from this deployment: the web's /api/metrics and the worker's. */
async function scrapeBoth(): Promise<{ web: Scrape; worker: Scrape }> {
  const [w, k] = await Promise.all([
    scrape(`${web.url}/api/metrics`, { authorization: `Bearer ${TOKEN}` }),
    scrape(workerMetricsUrl),
  ]);
  return { web: w, worker: k };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("GET /api/metrics", () => {
  it("refuses without the admin token or with a wrong one, and answers Prometheus text with it", async () => {
    expect((await fetch(`${web.url}/api/metrics`)).status).toBe(401);
    const wrong = await fetch(`${web.url}/api/metrics`, { headers: { authorization: "Bearer not-the-token" } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
    const ok = await fetch(`${web.url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);

    const { web: w, worker: k } = await scrapeBoth();
    for (const name of [
      "holdcart_holds_created_total",
      "holdcart_holds_extended_total",
      "holdcart_holds_released_total",
      "holdcart_holds_converted_total",
      "holdcart_offers_made_total",
      "holdcart_offers_claimed_total",
      "holdcart_offers_passed_total",
      "holdcart_active_carts",
      "holdcart_overdue_carts",
      "holdcart_open_streams",
      "holdcart_waiting_shoppers",
      "holdcart_ledger_drift",
      "holdcart_worker_heartbeat_age_seconds",
      LAG,
      "process_cpu_user_seconds_total",
    ]) {
      expect(w.has(name), name).toBe(true);
    }
    expect(w.get(LAG)?.type).toBe("HISTOGRAM");
    for (const name of [
      LAG,
      "holdcart_redis_repairs_total",
      "holdcart_reconcile_runs_total",
      "process_resident_memory_bytes",
    ]) {
      expect(k.has(name), name).toBe(true);
    }
    expect(value(w, "holdcart_ledger_drift")).toBe(0);
  });

  it("moves by exactly a scripted add, an expiry and a checkout", async () => {
    const productId = await createProduct(10);
    const before = await scrapeBoth();
    const lagCount = (s: { web: Scrape; worker: Scrape }) => histogramCount(s.web, LAG) + histogramCount(s.worker, LAG);

    const leaves = new Shopper(web.url);
    expect((await leaves.add(productId, 2)).status).toBe(200);
    const buys = new Shopper(web.url);
    expect((await buys.add(productId, 1)).status).toBe(200);
    expect((await buys.checkout()).status).toBe(201);

    // The first shopper's hold runs out; the worker (event or sweep) puts the 2 units back.
    // Counted in Postgres at its commit, observed by the releasing process just after it.
    await waitFor(
      async () => {
        const now = await scrapeBoth();
        return (
          value(now.web, "holdcart_holds_released_total") > value(before.web, "holdcart_holds_released_total") &&
          lagCount(now) > lagCount(before)
        );
      },
      15_000,
      "the release to be counted and its lag observed",
    );
    const after = await scrapeBoth();
    const delta = (name: string, labels?: Record<string, string>) =>
      value(after.web, name, labels) - value(before.web, name, labels);

    expect(delta("holdcart_holds_created_total")).toBe(2);
    expect(delta("holdcart_holds_converted_total")).toBe(1);
    expect(delta("holdcart_holds_extended_total")).toBe(0);
    expect(delta("holdcart_holds_released_total")).toBe(1);
    expect(
      delta("holdcart_holds_released_total", { path: "event" }) +
        delta("holdcart_holds_released_total", { path: "sweep" }),
    ).toBe(1);
    expect(lagCount(after) - lagCount(before)).toBe(1);
    // It ran out in the worker, so the worker observed its lag: within a sweep interval + 1 s.
    expect(histogramCount(after.worker, LAG) - histogramCount(before.worker, LAG)).toBe(1);
    const lagSum = (s: Scrape) => Number(s.get(LAG)?.metrics.reduce((n, m) => n + Number(m.sum ?? 0), 0));
    expect(lagSum(after.worker) - lagSum(before.worker)).toBeLessThan(1.5);
    expect(value(after.web, "holdcart_active_carts")).toBe(0);
    expect(value(after.web, "holdcart_overdue_carts")).toBe(0);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("the waiting line: a join, the offer made at expiry and its claim move the gauge and the offers' counters by exactly those", async () => {
    const productId = await createProduct(1);
    const before = await scrapeBoth();
    const offers = (s: { web: Scrape; worker: Scrape }, name: string) => value(s.web, name) + value(s.worker, name);

    const holder = new Shopper(web.url);
    expect((await holder.add(productId, 1)).status).toBe(200);
    const waiter = new Shopper(web.url);
    expect((await waiter.join(productId, 1)).status).toBe(201);
    expect(value((await scrapeBoth()).web, "holdcart_waiting_shoppers")).toBe(
      value(before.web, "holdcart_waiting_shoppers") + 1,
    );
    // The hold runs out: the worker hands the unit to the waiter (one offer made, by the worker).
    await waitFor(
      async () =>
        offers(await scrapeBoth(), "holdcart_offers_made_total") > offers(before, "holdcart_offers_made_total"),
      15_000,
      "the offer to be made",
    );
    expect((await waiter.checkout()).status).toBe(201);
    const after = await scrapeBoth();
    expect(offers(after, "holdcart_offers_made_total") - offers(before, "holdcart_offers_made_total")).toBe(1);
    expect(offers(after, "holdcart_offers_claimed_total") - offers(before, "holdcart_offers_claimed_total")).toBe(1);
    expect(offers(after, "holdcart_offers_passed_total") - offers(before, "holdcart_offers_passed_total")).toBe(0);
    expect(value(after.web, "holdcart_waiting_shoppers")).toBe(value(before.web, "holdcart_waiting_shoppers"));
    expect(await ledgerViolations()).toEqual([]);
  });
});
