import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { countersOf, createProduct } from "../support/ledger";
import { Shopper } from "../support/shopper";
import { waitFor } from "../support/wait-for";

const SWEEP_MS = 500;
const HOLD_SECONDS = 60;
const UNITS = 20;
const PAUSE_MS = 5_000;
/** Invariant 4's bound: a hold's units are back (here: handed to the line) within a sweep + 1 s. */
const BOUND_MS = SWEEP_MS + 1_000;

const env = {
  CART_TTL_SECONDS: String(HOLD_SECONDS),
  OFFER_TTL_SECONDS: "60",
  SWEEP_INTERVAL_MS: String(SWEEP_MS),
};
const web = new WebProcess(env);
const worker = new WorkerProcess(env, { production: true });
afterAll(async () => {
  await web.stop();
  await worker.stop();
});

/** Who ended each of these carts. */
const releasePaths = async (cartIds: string[]) =>
  (await db().execute<{ release_path: string | null }>(sql`select release_path from carts where id in ${cartIds}`)).map(
    (r) => r.release_path,
  );

type Seen = { active: number; offered: boolean; lagMs: number };

/** The holders' carts still active, whether the line got an offer, and how long after their deadline it is now. */
async function look(productId: number, cartIds: string[]): Promise<Seen> {
  const [row] = await db().execute<{ active: number; offered: boolean; lag_ms: number }>(sql`
    select (select count(*)::int from carts where id in ${cartIds} and state = 'active') as active,
           exists (select 1 from waitlist_entries where product_id = ${productId} and offer_cart_id is not null) as offered,
           floor(extract(epoch from clock_timestamp() - (select max(expires_at) from carts where id in ${cartIds})) * 1000)::int
             as lag_ms`);
  if (!row) throw new Error("no answer");
  return { active: row.active, offered: row.offered, lagMs: row.lag_ms };
}

describe("invariant 12: no lock waits on a web process", () => {
  it("a web process frozen for 5 s in the middle of a sold-out drop's adds delays no release and no hand-off", async () => {
    await Promise.all([web.start(), worker.started()]);
    const productId = await createProduct(UNITS);

    // Every unit held, each by its own shopper, for 3 s; one shopper waits in line for one.
    const holders = Array.from({ length: UNITS }, () => new Shopper(web.url));
    for (const holder of holders) expect((await holder.add(productId, 1)).status).toBe(200);
    const waiter = new Shopper(web.url);
    expect((await waiter.join(productId, 1)).status).toBe(201);
    const cartIds = await cartsOfProduct(productId);
    expect(cartIds).toHaveLength(UNITS);

    // Shoppers keep asking for the sold-out product, so the web always has a batch for its row in flight.
    let flooding = true;
    let answered = 0;
    const flood = Array.from({ length: 40 }, async () => {
      while (flooding) {
        await new Shopper(web.url).add(productId, 1).catch(() => null);
        answered += 1;
      }
    });
    await waitFor(() => answered > 200, { timeout: 30_000, what: "the adds to get going" });

    // Frozen at the worst moment we can catch: with a transaction of its own open in Postgres,
    // if it ever leaves one open. Then the holds run out while it is frozen.
    const caughtMidTransaction = await freezeMidTransaction();
    await db().execute(sql`update carts set expires_at = now() + interval '500 milliseconds' where id in ${cartIds}`);
    const resumed = new Promise((r) => setTimeout(r, PAUSE_MS)).then(() => web.signal("SIGCONT"));
    // Seen from outside, on the database's clock: the statement's own timestamps (now()) are its
    // start, not when it committed, and a release waiting for a lock starts on time.
    let seen: Seen | undefined;
    try {
      seen = await waitFor(
        async () => {
          const s = await look(productId, cartIds);
          return s.active === 0 && s.offered ? s : null;
        },
        {
          timeout: 30_000,
          interval: 25,
          what: "every hold to end and the freed unit to be offered to the shopper in line",
        },
      );
    } finally {
      await resumed;
      flooding = false;
      await Promise.all(flood);
    }

    // Its statements lock and commit in one round trip: it never left a transaction open to freeze.
    expect(caughtMidTransaction).toBe(false);
    const paths = await releasePaths(cartIds);
    // Every hold ended by the worker, and its unit handed to the line, within the bound, while
    // the web process was frozen.
    expect(paths).toEqual(cartIds.map(() => expect.stringMatching(/^(event|sweep)$/)));
    expect(seen?.lagMs).toBeLessThanOrEqual(BOUND_MS);
    // Once the line was served, the resumed web sold the other 19 to the shoppers asking.
    expect(await countersOf(productId)).toMatchObject({ onHand: UNITS, sold: 0 });
    expect(await invariantViolations(SWEEP_MS)).toEqual([]);
    recordFigures("web SIGSTOP for 5 s mid-adds (invariant 12)", {
      holds: UNITS,
      addsAnswered: answered,
      deadlineToOfferSeenMs: seen?.lagMs,
      caughtMidTransaction,
    });
  });
});

/**
 * Freezes the web process (SIGSTOP), trying up to 50 times to catch it while one of its
 * transactions is open in Postgres holding a lock or a write (what a frozen process would make
 * everyone else wait for); true when it caught one. Either way it is left frozen.
 */
async function freezeMidTransaction(): Promise<boolean> {
  // Transactions waiting for their client, seen twice 200 ms apart: a COMMIT the process wrote just
  // before it froze is still delivered, so one look could catch a transaction about to end.
  const openTransactions = async () =>
    (
      await db().execute<{ xid: string }>(sql`
        select backend_xid::text as xid from pg_stat_activity
         where datname = current_database() and state like 'idle in transaction%' and backend_xid is not null`)
    ).map((r) => r.xid);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    web.signal("SIGSTOP");
    const first = await openTransactions();
    if (first.length > 0) {
      await new Promise((r) => setTimeout(r, 200));
      const still = await openTransactions();
      if (first.some((xid) => still.includes(xid))) return true;
    }
    web.signal("SIGCONT");
    await new Promise((r) => setTimeout(r, 20));
  }
  web.signal("SIGSTOP");
  return false;
}

/** The carts holding the product. */
const cartsOfProduct = async (productId: number): Promise<string[]> =>
  (
    await db().execute<{ cart_id: string }>(
      sql`select cart_id from reservations where product_id = ${productId} order by cart_id`,
    )
  ).map((r) => r.cart_id);
