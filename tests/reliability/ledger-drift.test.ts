import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { db } from "@/lib/db/client";
import { countersOf, createProduct } from "../support/ledger";
import { scrape, value } from "../support/prometheus";
import { freePort } from "../../scripts/harness/redis-server";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess, type LogLine } from "../../scripts/harness/worker-process";

// This file's database is its own (tests/reliability/setup.ts) and dropped afterwards: the only
// place where the CHECK constraints may be taken away.
const INTERVAL_MS = 1_000;
const TOKEN = process.env.ADMIN_TOKEN as string;
let web: WebProcess;
let worker: WorkerProcess;
let workerMetrics = "";

beforeAll(async () => {
  const port = await freePort();
  web = new WebProcess();
  worker = new WorkerProcess(
    { RECONCILE_INTERVAL_MS: String(INTERVAL_MS), METRICS_PORT: String(port) },
    { production: true },
  );
  await Promise.all([web.start(), worker.started()]);
  workerMetrics = `http://127.0.0.1:${port}/metrics`;
});
afterAll(async () => {
  await Promise.all([web?.stop(), worker?.stop()]);
});

const health = async () => {
  const response = await fetch(`${web.url}/api/health`);
  return { status: response.status, body: (await response.json()) as { ledger: string | null } };
};

describe("ledger drift", () => {
  it("a counter corrupted behind a dropped CHECK constraint is reported in health, metrics and log, and left as it is", async () => {
    const productId = await createProduct(10);
    await addToCart({ cartId: null, clientIp: "198.51.100.30" }, productId, 2);
    expect((await health()).body.ledger).toBe("ok");

    await db().execute(sql`alter table inventory drop constraint inventory_conserved`);
    await db().execute(sql`update inventory set available = available + 5 where product_id = ${productId}`);
    const corrupted = { onHand: 10, available: 13, reserved: 2, sold: 0 };
    expect(await countersOf(productId)).toEqual(corrupted);

    const driftOf = (l: LogLine) => l.event === "ledger_drift" && l.product === productId;
    await worker.waitFor((lines) => lines.some(driftOf), INTERVAL_MS + 5_000);
    expect(worker.lines.find(driftOf)).toMatchObject({
      ...corrupted,
      held: 2,
      problems: ["not conserved: available 13 + reserved 2 + sold 0 ≠ on hand 10"],
    });

    expect(await health()).toEqual({ status: 200, body: expect.objectContaining({ ledger: "drift" }) });
    const webScrape = await scrape(`${web.url}/api/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(value(webScrape, "holdcart_ledger_drift")).toBe(1);
    expect(value(await scrape(workerMetrics), "holdcart_reconcile_ledger_drift")).toBe(1);

    // Rounds go on reporting it and never "fix" it.
    const seen = worker.lines.filter(driftOf).length;
    await worker.waitFor((lines) => lines.filter(driftOf).length >= seen + 2, INTERVAL_MS * 2 + 5_000);
    expect(await countersOf(productId)).toEqual(corrupted);
  });
});
