import "server-only";
import { KnownUntil } from "./known-until";

// However sure we are, ask the database again after this long: a drop the operator moved
// earlier costs a shopper at most this much of a wrong "not yet".
const HORIZON_MS = 1_000;
// Near its release a drop is always asked about: this process's clock may be a little off the
// database's, whose clock opens the drop.
const NEAR_RELEASE_MS = 5_000;

// On globalThis, like the sold-out flags: the door (lib/http/door/door.ts) answers the adds the
// routes' refusals taught, and the two are bundled apart. The fact is the release (epoch ms).
const globalForKnown = globalThis as unknown as { __holdcartUnreleased?: KnownUntil<number> };
const until = (globalForKnown.__holdcartUnreleased ??= new KnownUntil<number>());

/**
 * Drops not yet open (invariant 11), as this process's refusals learnt them, so the thousands of
 * adds a drop's crowd sends before its release need not each reach the database: a product the
 * ledger refused with `not_released` is known so for HORIZON_MS, and never within NEAR_RELEASE_MS
 * of its release, when the ledger decides again.
 */
export const unreleased = {
  /** Whether any product is known unreleased now. */
  anyKnown(): boolean {
    return until.any();
  },

  /** Null unless known not yet released; then its release time (epoch ms). */
  known(productId: number): number | null {
    return until.get(productId);
  },

  /** The ledger refused an add of the product: its drop opens at `releaseAtMs`. */
  refused(productId: number, releaseAtMs: number): void {
    const known = Math.min(HORIZON_MS, releaseAtMs - Date.now() - NEAR_RELEASE_MS);
    if (known > 0) until.set(productId, performance.now() + known, releaseAtMs);
  },
};
