import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { activeCarts, createProduct } from "../support/ledger";
import { sleep, total, type StatusCounts } from "../support/load";
import { Shopper } from "../support/shopper";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

setTestConfig({ CART_TTL_SECONDS: "5", OFFER_TTL_SECONDS: "3" });
const SWEEP_MS = 500;
const SHOPPERS = Number(process.env.SOAK_SHOPPERS ?? 200);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);

/** A tiny deterministic random source, so a failing soak can be replayed with SOAK_SEED. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
}

describe("soak", () => {
  it(`${SHOPPERS} shoppers for ${SECONDS} s adding, changing, removing, checking out, abandoning, joining and leaving lines: the ledger holds`, async () => {
    // A few scarce products (they sell out and come back) and some plentiful ones.
    const stocks = [3, 5, 8, 12, 20, 40, 80, 150, 300, 1_000];
    const products = await Promise.all(stocks.map((s) => createProduct(s, 500 + s)));
    const web = new WebProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) });
    const workers = [1, 2].map(() => new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }, { production: true }));
    await Promise.all([web.start(), ...workers.map((w) => w.started())]);
    const seed = Number(process.env.SOAK_SEED ?? Date.now() % 100_000);
    const statuses: StatusCounts = {};
    const actions: Record<string, number> = {};
    const serverErrors: unknown[] = [];
    let unitsHeld = 0;
    // Everyone who joined a line, to leave it at the end (or offers would go round for a while).
    const waiters = new Map<Shopper, Set<number>>();
    const until = Date.now() + SECONDS * 1_000;
    try {
      await Promise.all(
        Array.from({ length: SHOPPERS }, async (_, i) => {
          const rnd = random(seed + i);
          const pick = () => products[Math.floor(rnd() * products.length)] as number;
          let shopper = new Shopper(web.url);
          const lines = new Map<number, number>();
          while (Date.now() < until) {
            const roll = rnd();
            let action: string;
            let result: { status: number; body: unknown };
            if (roll < 0.45 || lines.size === 0) {
              action = "add";
              const productId = pick();
              const qty = 1 + Math.floor(rnd() * 2);
              result = await shopper.add(productId, qty);
              if (result.status === 200) {
                lines.set(productId, (lines.get(productId) ?? 0) + qty);
                unitsHeld += qty;
              } else if (result.status === 409 && rnd() < 0.5) {
                // Sold out or all in carts: wait in line for it (units that come back are offered).
                actions.add = (actions.add ?? 0) + 1;
                statuses[result.status] = (statuses[result.status] ?? 0) + 1;
                action = "join";
                result = await shopper.join(productId, qty);
                if (result.status === 201) waiters.set(shopper, (waiters.get(shopper) ?? new Set()).add(productId));
              }
            } else if (roll < 0.6) {
              action = "change";
              const [productId, current] = [...lines][Math.floor(rnd() * lines.size)] as [number, number];
              const qty = Math.floor(rnd() * 4);
              result = await shopper.set(productId, qty);
              if (result.status === 200) {
                if (qty > current) unitsHeld += qty - current;
                if (qty === 0) lines.delete(productId);
                else lines.set(productId, qty);
              }
            } else if (roll < 0.65 && waiters.get(shopper)?.size) {
              action = "leave";
              const [productId] = [...(waiters.get(shopper) as Set<number>)];
              result = await shopper.leave(productId as number);
              waiters.get(shopper)?.delete(productId as number);
            } else if (roll < 0.7) {
              action = "remove";
              const [productId] = [...lines][Math.floor(rnd() * lines.size)] as [number, number];
              result = await shopper.remove(productId);
              if (result.status === 200) lines.delete(productId);
            } else if (roll < 0.8) {
              action = "checkout";
              result = await shopper.checkout();
              lines.clear();
              shopper = new Shopper(web.url);
            } else if (roll < 0.9) {
              action = "abandon"; // walks away: the hold must come back by itself
              result = await shopper.cart();
              lines.clear();
              shopper = new Shopper(web.url);
            } else {
              action = "read";
              result = await shopper.cart();
            }
            if ([404, 410, 422].includes(result.status)) {
              // The cart expired, or is full: like a shopper, start over.
              lines.clear();
              shopper = new Shopper(web.url);
            }
            actions[action] = (actions[action] ?? 0) + 1;
            statuses[result.status] = (statuses[result.status] ?? 0) + 1;
            if (result.status >= 500) serverErrors.push(result.body);
            await sleep(150 + rnd() * 600);
          }
        }),
      );
      // The shoppers still in line leave (an offer they hold is declined and passes on).
      for (const [waiter, productIds] of waiters) {
        for (const productId of productIds) {
          const left = await waiter.leave(productId);
          statuses[left.status] = (statuses[left.status] ?? 0) + 1;
          if (left.status >= 500) serverErrors.push(left.body);
        }
      }
      // On failure, the web's warnings and errors say which backend call gave out.
      const problems = web.output
        .join("")
        .split("\n")
        .filter((line) => /"level":"(warn|error)"/.test(line));
      expect(serverErrors, problems.slice(-20).join("\n")).toEqual([]);
      // Every allowed status is a deliberate answer of the API.
      expect(Object.keys(statuses).every((s) => ["200", "201", "404", "409", "410", "422"].includes(s))).toBe(true);

      // After the last hold's deadline and a sweep: nothing is held any more, all sold is in orders.
      await waitFor(async () => (await activeCarts()) === 0, {
        timeout: 5_000 + SWEEP_MS + 30_000,
        what: "every hold and offer to end",
      });
      expect(await invariantViolations(SWEEP_MS)).toEqual([]);
      const [ledger] = await db().execute<{ reserved: number; sold: number; active: number }>(sql`
        select (select coalesce(sum(reserved), 0)::int from inventory) as reserved,
               (select coalesce(sum(sold), 0)::int from inventory) as sold,
               (select count(*)::int from carts where state = 'active') as active`);
      expect(ledger).toMatchObject({ reserved: 0, active: 0 });
      recordFigures("soak", {
        seed,
        shoppers: SHOPPERS,
        seconds: SECONDS,
        requests: total(statuses),
        statuses,
        actions,
        unitsHeld,
        unitsSold: ledger?.sold,
        unitsReleased: unitsHeld - (ledger?.sold ?? 0),
        violations: 0,
      });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await web.stop();
    }
  });
});
