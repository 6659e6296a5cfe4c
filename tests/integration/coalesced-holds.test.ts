import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { holdBatchStats } from "@/lib/hold/change-queue";
import { addToCart, emptyCart, setLineQuantity } from "@/lib/cart/mutations";
import { soldOut } from "@/lib/hold/sold-out";
import { ShopError } from "@/lib/base/shop-error";
import { config } from "@/lib/base/config";
import { batchConnections, pg } from "@/lib/db/client";
import { describeError } from "@/lib/http/error-response";
import { backdateCart, countersOf, createProduct, ledgerViolations } from "../support/ledger";
import { setTestConfig } from "../support/config";

// Per-client caps on: the mixed batch includes a client at its cap.
setTestConfig({ HOLD_LIMITS: "on" });

const outcome = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => "held",
    (e: unknown) => (e instanceof ShopError ? e.code : `status ${describeError(e).status}`),
  );

describe("coalesced holds: correct, not fast", () => {
  it("1,000 shoppers at once for 10 units go through a few batches and get exactly 10 holds", async () => {
    const productId = await createProduct(10);
    const before = { ...holdBatchStats };
    const outcomes = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        outcome(addToCart({ cartId: null, clientIp: `10.1.${i >> 8}.${i & 255}` }, productId, 1)),
      ),
    );
    expect(outcomes.filter((o) => o === "held")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "insufficient_stock")).toHaveLength(990);
    expect(await countersOf(productId)).toEqual({ onHand: 10, available: 0, reserved: 10, sold: 0 });
    expect(await ledgerViolations()).toEqual([]);
    // They shared statements: far fewer batches than requests reached the database.
    const batches = holdBatchStats.batches - before.batches;
    const requests = holdBatchStats.requests - before.requests;
    expect(requests).toBeGreaterThanOrEqual(10);
    expect(batches).toBeLessThan(requests / 5);
  });

  /**
   * The same shop, twice: requests for three products sent one after another, then the same
   * requests all at once (so they share batches). Each must get the same answer, and the ledger
   * must end the same.
   */
  it("a batch mixing products, quantities, new and existing carts, an overdue holder and a client at its cap answers each request as alone", async () => {
    let run = 0;
    async function shop() {
      run += 1;
      const client = (n: number) => `203.0.${run}.${n}`; // each run its own shoppers
      const a = await createProduct(6);
      const b = await createProduct(3);
      const c = await createProduct(20);
      const d = await createProduct(20);
      const x = await addToCart({ cartId: null, clientIp: client(1) }, a, 2); // A: 4 left
      const y = await addToCart({ cartId: null, clientIp: client(2) }, b, 3); // B: 0 left...
      await backdateCart(y.cartId); // ...held by a cart whose time is up, not yet released
      const z = await addToCart({ cartId: null, clientIp: client(3) }, c, 10); // at its cap for C
      await addToCart({ cartId: z.cartId, clientIp: client(3) }, d, 5);
      // Requests whose answers do not depend on which of them reaches the database first (at
      // once, the order in which they arrive is not the order in which they were sent).
      const requests: (() => Promise<unknown>)[] = [
        () => addToCart({ cartId: null, clientIp: client(4) }, a, 3), // A: 3 of the 4
        () => addToCart({ cartId: x.cartId, clientIp: client(1) }, a, 5), // X wants 7: never 5 left
        () => addToCart({ cartId: null, clientIp: client(5) }, a, 1), // A: the last one
        () => addToCart({ cartId: null, clientIp: client(6) }, b, 2), // frees Y's 3, then holds 2
        () => addToCart({ cartId: null, clientIp: client(3) }, c, 1), // past the client's cap for C
        () => setLineQuantity(z.cartId, d, 2), // gives 3 of D back
        () => addToCart({ cartId: null, clientIp: client(7) }, c, 11), // past a line's limit
        () => addToCart({ cartId: null, clientIp: client(8) }, 2_000_000_000, 1), // no such product
        () => addToCart({ cartId: z.cartId, clientIp: client(3) }, b, 1), // B: the third freed unit
      ];
      return { products: [a, b, c, d], requests };
    }

    const alone = await shop();
    const aloneOutcomes: string[] = [];
    for (const request of alone.requests) aloneOutcomes.push(await outcome(request()));

    const together = await shop();
    const before = { ...holdBatchStats };
    const togetherOutcomes = await Promise.all(together.requests.map((request) => outcome(request())));

    expect(aloneOutcomes).toEqual([
      "held",
      "insufficient_stock",
      "held",
      "held",
      "hold_limit",
      "held",
      "cart_limit",
      "unknown_product",
      "held",
    ]);
    expect(togetherOutcomes).toEqual(aloneOutcomes);
    // Some of them shared a batch (a lone request runs at once; those behind it wait together).
    expect(holdBatchStats.requests - before.requests).toBeGreaterThan(holdBatchStats.batches - before.batches);
    const counters = (ids: number[]) => Promise.all(ids.map(countersOf));
    expect(await counters(together.products)).toEqual(await counters(alone.products));
    expect(await ledgerViolations()).toEqual([]);
  });

  it("sold out: refusals stop reaching the database until the stock feed says a unit is back", async () => {
    const productId = await createProduct(1);
    const holder = await addToCart({ cartId: null, clientIp: "10.3.0.1" }, productId, 1);
    const ask = (n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          outcome(addToCart({ cartId: null, clientIp: `10.3.1.${i}` }, productId, 1)),
        ),
      );
    expect(new Set(await ask(20))).toEqual(new Set(["insufficient_stock"]));
    expect(soldOut.known(productId)).toMatchObject({ reserved: 1 }); // known, and the one unit is in a cart

    const batches = holdBatchStats.batches;
    expect(new Set(await ask(100))).toEqual(new Set(["insufficient_stock"]));
    expect(holdBatchStats.batches).toBe(batches); // answered without a statement

    await emptyCart(holder.cartId); // the unit comes back, and the release says so on the feed
    while (soldOut.known(productId)) await new Promise((r) => setTimeout(r, 10));
    expect(await ask(1)).toEqual(["held"]);
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a refusal costs one statement when no hold is overdue, and frees the overdue one when there is", async () => {
    const productId = await createProduct(1);
    const holder = await addToCart({ cartId: null, clientIp: "10.4.0.1" }, productId, 1);
    soldOut.forget(productId);

    // Nothing overdue: the batch that refuses also says when the next hold ends. No second try,
    // and the product is known sold out from that answer alone.
    const before = holdBatchStats.batches;
    expect(await outcome(addToCart({ cartId: null, clientIp: "10.4.0.2" }, productId, 1))).toBe("insufficient_stock");
    expect(holdBatchStats.batches - before).toBe(1);
    expect(soldOut.known(productId)).toMatchObject({ reserved: 1 });

    // The hold's time is up but nobody has released it: the refusal says so, the overdue hold is
    // freed and the add asked once more (invariant 7: an expired hold never refuses a sale).
    soldOut.forget(productId);
    await backdateCart(holder.cartId);
    const again = holdBatchStats.batches;
    expect(await outcome(addToCart({ cartId: null, clientIp: "10.4.0.3" }, productId, 1))).toBe("held");
    expect(holdBatchStats.batches - again).toBe(2);
    expect(await countersOf(productId)).toEqual({ onHand: 1, available: 0, reserved: 1, sold: 0 });
    expect(await ledgerViolations()).toEqual([]);
  });

  it("a hold is decided while every other connection of the process is busy: batches never queue behind reads", async () => {
    const productId = await createProduct(5);
    const { databasePoolMax } = config();
    const others = databasePoolMax - batchConnections(databasePoolMax);
    let readsDone = false;
    // Every connection of the general pool sleeps, and one more read queues behind them.
    const reads = Promise.all(Array.from({ length: others + 1 }, () => pg()`select pg_sleep(1)`)).then(() => {
      readsDone = true;
    });
    expect(await outcome(addToCart({ cartId: null, clientIp: "10.5.0.1" }, productId, 1))).toBe("held");
    expect(readsDone).toBe(false);
    await reads;
    expect(await countersOf(productId)).toEqual({ onHand: 5, available: 4, reserved: 1, sold: 0 });
  });

  it("a Postgres connection killed mid-batch fails that batch's requests with 503 and leaves the ledger exact", async () => {
    const productId = await createProduct(100);
    // A session of the test's own holds the product's row, so batches stop at its lock.
    const admin = postgres(process.env.DATABASE_URL as string, { max: 2, onnotice: () => {} });
    const blocker = await admin.reserve();
    try {
      await blocker`begin`;
      await blocker`select 1 from inventory where product_id = ${productId} for update`;
      const shoppers = (n: number) =>
        Array.from({ length: n }, (_, i) =>
          outcome(addToCart({ cartId: null, clientIp: `10.2.0.${i}` }, productId, 1)),
        );
      const [first] = shoppers(1); // a batch of its own...
      const queued = shoppers(10); // ...and ten behind it, which become the next batch

      const killed: number[] = [];
      const killNextWaitingBatch = async () => {
        for (;;) {
          // A backend being terminated can still be listed for a moment: never pick it twice.
          const [waiting] = await admin<{ pid: number }[]>`
            select pid from pg_stat_activity
             where datname = current_database() and application_name = 'holdcart' and wait_event_type = 'Lock'
               and not (pid = any(${killed}::int[]))`;
          if (waiting) {
            killed.push(waiting.pid);
            await admin`select pg_terminate_backend(${waiting.pid})`;
            return;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await killNextWaitingBatch();
      await killNextWaitingBatch();
      expect(await first).toBe("status 503");
      expect(await Promise.all(queued)).toEqual(Array(10).fill("status 503"));
      await blocker`rollback`;

      expect(await countersOf(productId)).toEqual({ onHand: 100, available: 100, reserved: 0, sold: 0 });
      expect(await Promise.all(shoppers(5))).toEqual(Array(5).fill("held"));
      expect(await countersOf(productId)).toMatchObject({ available: 95, reserved: 5 });
      expect(await ledgerViolations()).toEqual([]);
    } finally {
      blocker.release();
      await admin.end({ timeout: 5 });
    }
  });
});
