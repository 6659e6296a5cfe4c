import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addToCart } from "@/lib/cart/mutations";
import { db } from "@/lib/db/client";
import { recordFigures } from "../support/figures";
import { invariantViolations } from "../support/invariants";
import { countersOf, createProduct, deadlinesPassed } from "../support/ledger";
import { WorkerProcess, type LogLine } from "../../scripts/harness/worker-process";
import { setTestConfig } from "../support/config";
import { waitFor } from "../support/wait-for";

setTestConfig({ CART_TTL_SECONDS: "2" });
const SWEEP_MS = 500;
const CARTS = 2_000;

const activeAmong = async (ids: string[]) => {
  const [row] = await db().execute<{ n: number }>(
    sql`select count(*)::int as n from carts where state = 'active' and id in ${ids}`,
  );
  return row?.n ?? 0;
};

describe("the worker dies in the middle of releasing", () => {
  it("SIGKILL mid-release, then a restart: every cart released exactly once, the ledger conserved", async () => {
    const productId = await createProduct(10 * CARTS);
    const cartIds: string[] = [];
    for (let i = 0; i < CARTS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          addToCart({ cartId: null, clientIp: "198.51.100.30" }, productId, 1 + ((i + j) % 3)),
        ),
      );
      cartIds.push(...batch.map((b) => b.cartId));
    }
    const held = (await countersOf(productId)).reserved;
    await waitFor(() => deadlinesPassed(cartIds), { timeout: 30_000, what: "every cart to be due" });

    const first = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }, { production: true });
    await first.started();
    await first.waitFor((lines) => lines.filter((l) => l.event === "release").length >= 50, 20_000);
    await first.kill();
    const byFirst = first.releases().length;

    const second = new WorkerProcess({ SWEEP_INTERVAL_MS: String(SWEEP_MS) }, { production: true });
    try {
      await second.started();
      await waitFor(async () => (await activeAmong(cartIds)) === 0, {
        timeout: 30_000,
        interval: 200,
        what: "every cart released after the restart",
      });
    } finally {
      await second.stop();
    }
    const releases: LogLine[] = [...first.releases(), ...second.releases()];
    const perCart = new Map<string, number>();
    for (const r of releases) perCart.set(String(r.cart), (perCart.get(String(r.cart)) ?? 0) + 1);

    expect(await activeAmong(cartIds)).toBe(0);
    expect([...perCart.values()].filter((n) => n > 1)).toEqual([]);
    // A SIGKILLed process can lose log lines it had not flushed, so the logs only bound the units;
    // the ledger below is the exact proof (a double release would break its CHECK constraints).
    expect(releases.reduce((s, r) => s + Number(r.units), 0)).toBeLessThanOrEqual(held);
    expect(await countersOf(productId)).toEqual({ onHand: 10 * CARTS, available: 10 * CARTS, reserved: 0, sold: 0 });
    expect(await invariantViolations(SWEEP_MS)).toEqual([]);
    recordFigures("worker SIGKILL mid-release", {
      carts: CARTS,
      unitsHeld: held,
      releasedBeforeKill: byFirst,
      releasedAfterRestart: second.releases().length,
      faultsInjected: 1,
      violations: 0,
    });
  });
});
