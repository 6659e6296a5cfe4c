/**
 * The reconciliation's checks, as pure functions over what was read (lib/ledger/reconcile.ts does
 * the reading and the repairs), so each rule is tested on its own.
 */
import type { CartLine, CartSnapshot } from "./cart-types";

/** One product's counters as Postgres has them, and the units its active carts' reservation rows hold. */
export type LedgerRow = {
  productId: number;
  slug: string;
  onHand: number;
  available: number;
  reserved: number;
  sold: number;
  /** Sum of the product's reservation rows in active carts. */
  held: number;
};

export type LedgerDrift = LedgerRow & { problems: string[] };

/**
 * Products whose ledger does not add up. Invariant 1: available + reserved + sold = on hand, none
 * negative (the CHECK constraints make it impossible, so seeing it means they were bypassed or
 * dropped). Invariant 2: reserved = the units held by active carts.
 */
export function ledgerDrift(rows: readonly LedgerRow[]): LedgerDrift[] {
  const drift: LedgerDrift[] = [];
  for (const row of rows) {
    const problems: string[] = [];
    const { onHand, available, reserved, sold, held } = row;
    if (available + reserved + sold !== onHand) {
      problems.push(`not conserved: available ${available} + reserved ${reserved} + sold ${sold} ≠ on hand ${onHand}`);
    }
    const negative = (["onHand", "available", "reserved", "sold"] as const).filter((k) => row[k] < 0);
    if (negative.length > 0) problems.push(`negative: ${negative.map((k) => `${k} ${row[k]}`).join(", ")}`);
    if (reserved !== held) problems.push(`reserved ${reserved} but active carts hold ${held}`);
    if (problems.length > 0) drift.push({ ...row, problems });
  }
  return drift;
}

/** An active cart as the ledger has it: what its Redis keys must say. */
export type LedgerCart = Omit<CartSnapshot, "ttlMs">;

/** A cart's Redis keys as they are: session value, its PTTL, the lines hash (flat), the tombstone. */
export type CachedCart = { session: string | null; pttlMs: number; flatLines: readonly string[]; ended: boolean };

/**
 * How a live cart's Redis keys compare with the ledger:
 * - `agrees`;
 * - `missing`: no session key (Redis lost it, or it was deleted): rebuild;
 * - `stale`: an older version than the ledger's: rebuild;
 * - `lines_differ` / `deadline_differs`: same version, other content (corrupted): rebuild;
 * - `newer`: Redis has a version the read of Postgres predates (a change landed in between): leave it;
 * - `ended`: a tombstone, which only a release or checkout leaves: Postgres is about to say so too.
 */
export type CacheVerdict = "agrees" | "missing" | "stale" | "lines_differ" | "deadline_differs" | "newer" | "ended";

/** The verdicts that the reconciler rebuilds from the ledger. */
export const REBUILT: ReadonlySet<CacheVerdict> = new Set(["missing", "stale", "lines_differ", "deadline_differs"]);

export function compareCart(ledger: LedgerCart, cached: CachedCart): CacheVerdict {
  if (cached.ended) return "ended";
  if (cached.session === null || cached.pttlMs <= 0) return "missing";
  const [version, expiresAtMs] = cached.session.split(":").map(Number);
  if (version === undefined || !Number.isFinite(version)) return "lines_differ";
  if (version > ledger.version) return "newer";
  if (version < ledger.version) return "stale";
  if (expiresAtMs === undefined || Math.abs(expiresAtMs - ledger.expiresAtMs) > 1) return "deadline_differs";
  return sameLines(ledger.lines, cached.flatLines) ? "agrees" : "lines_differ";
}

function sameLines(lines: readonly CartLine[], flat: readonly string[]): boolean {
  if (flat.length !== lines.length * 2) return false;
  const cached = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) cached.set(flat[i] as string, flat[i + 1] as string);
  return lines.every((l) => cached.get(String(l.productId)) === String(l.quantity));
}
