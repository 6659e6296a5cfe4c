/**
 * Replays the audit (bench/drop/audit.ts) to say who held what, and checks, at every committed
 * change rather than at sampled moments, the two rules a drop tests hardest:
 *
 * - Invariant 9, per-client caps: whenever a client's holds grew, the units in its live carts
 *   (active, deadline not yet passed) are at most MAX_QTY_PER_LINE of the product and
 *   MAX_UNITS_PER_CART in all. "Live" is judged at the transaction's first audited change, which
 *   is no earlier than its `now()`, so a cart the store counted is never left out here.
 * - Invariant 8, the line comes first: each offer goes to the earliest entry (by joined_at, id)
 *   still waiting for the product at that moment; and after every transaction that put units
 *   back in `available`, either none are available or nobody waits (the freeing transaction gave
 *   them to the line, so no one else could see them).
 *
 * It also measures the hand-offs: each offer made in a transaction that ended expired holds is
 * timed from the earliest of their deadlines to the offer's own change (both on the database clock).
 */
import type { AuditRow } from "./audit";
import type { Side } from "./addresses";

export type BySide = Record<Side, number>;
const bySide = (): BySide => ({ shopper: 0, bot: 0, other: 0 });

export type History = {
  cartsStarted: BySide;
  /** Units that ever went into carts (every increase of a hold), by whose carts they were. */
  unitsHeld: BySide;
  /** Σ units × seconds in carts not yet released (overdue ones included: nobody else could have them). */
  unitSeconds: BySide;
  /** The most units one side's carts held at once. */
  peakHeld: BySide;
  /** The most units one client of each side held in live carts, over every moment its holds grew. */
  maxHeldByOneClient: BySide;
  capViolations: string[];
  releasesByPath: Record<string, number>;
  line: {
    joins: number;
    /** Entries that left without an offer (gave up, the sale closed, or skipped at their cap). */
    leftWaiting: number;
    offers: number;
    unitsOffered: number;
    offersToBots: number;
    claimed: number;
    unitsClaimed: number;
    /** Offers that ran out with their cart: the units went on to the next in line. */
    lapsed: number;
    declined: number;
    /** Deadline of the expired hold → the offer of its units (ms, database clock). */
    lagMs: number[];
    /** Offers of units someone gave back (a declined offer), not of an expired hold. */
    afterDecline: number;
    orderViolations: string[];
    freedWhileWaiting: string[];
  };
  /** Per waiter id, its first offer: when (database clock) and the deadline of the hold it came from. */
  offers: Map<string, { atMs: number; deadlineMs: number | null }>;
};

type TxInfo = {
  firstAtMs: number;
  lastSeq: number;
  expiredDeadlines: number[];
  expiredCarts: Set<string>;
  checkedOutCarts: Set<string>;
  /** Products whose `available` went up in this transaction, and its value after the last change. */
  freed: Set<number>;
  lastAvailable: Map<number, number>;
  grew: Set<string>;
};

const MAX_MESSAGES = 20;

export function replay(
  rows: readonly AuditRow[],
  sideOf: (clientKey: string) => Side,
  caps: { maxQtyPerLine: number; maxUnitsPerCart: number },
): History {
  // Pass 1: what each cart is (its client never changes) and what each transaction did.
  const cartClient = new Map<string, string>();
  const cartInitialExpiry = new Map<string, number>();
  const txs = new Map<string, TxInfo>();
  for (const r of rows) {
    let tx = txs.get(r.tx);
    if (!tx) {
      tx = {
        firstAtMs: r.atMs,
        lastSeq: r.seq,
        expiredDeadlines: [],
        expiredCarts: new Set(),
        checkedOutCarts: new Set(),
        freed: new Set(),
        lastAvailable: new Map(),
        grew: new Set(),
      };
      txs.set(r.tx, tx);
    }
    tx.firstAtMs = Math.min(tx.firstAtMs, r.atMs);
    tx.lastSeq = Math.max(tx.lastSeq, r.seq);
    if (r.tbl === "carts") {
      if (r.op === "INSERT") {
        cartClient.set(r.cartId, r.clientKey);
        cartInitialExpiry.set(r.cartId, r.expiresMs);
      }
      if (r.oldState === "active" && r.newState === "expired") {
        tx.expiredDeadlines.push(r.expiresMs);
        tx.expiredCarts.add(r.cartId);
      }
      if (r.oldState === "active" && r.newState === "checked_out") tx.checkedOutCarts.add(r.cartId);
    }
    if (r.tbl === "inventory") {
      if (r.newAvailable > r.oldAvailable) tx.freed.add(r.productId);
      tx.lastAvailable.set(r.productId, r.newAvailable);
    }
  }

  const h: History = {
    cartsStarted: bySide(),
    unitsHeld: bySide(),
    unitSeconds: bySide(),
    peakHeld: bySide(),
    maxHeldByOneClient: bySide(),
    capViolations: [],
    releasesByPath: {},
    line: {
      joins: 0,
      leftWaiting: 0,
      offers: 0,
      unitsOffered: 0,
      offersToBots: 0,
      claimed: 0,
      unitsClaimed: 0,
      lapsed: 0,
      declined: 0,
      lagMs: [],
      afterDecline: 0,
      orderViolations: [],
      freedWhileWaiting: [],
    },
    offers: new Map(),
  };
  const note = (list: string[], message: string) => {
    if (list.length < MAX_MESSAGES) list.push(message);
    else if (list.length === MAX_MESSAGES) list.push("…");
  };

  // Pass 2: the replay, in sequence order.
  const state = new Map<string, string>(); // cart → state (absent: active, as inserted)
  const expiry = new Map<string, number>(); // cart → deadline now
  const holds = new Map<string, Map<number, { qty: number; since: number }>>(); // cart → product → units
  const cartsOf = new Map<string, Set<string>>(); // client → its carts with holds
  const held = bySide();
  type Waiting = { productId: number; joinedUs: bigint; id: bigint; rank: number | null };
  const waiting = new Map<string, Waiting>();
  const offered = new Map<string, { cart: string; units: number }>();
  // The line's order (drizzle/0008_drops.sql): a drop's drawn ranks first, then arrival.
  const before = (a: Waiting, b: Waiting) => {
    if (a.rank !== b.rank) return b.rank === null || (a.rank !== null && a.rank < b.rank);
    return a.joinedUs < b.joinedUs || (a.joinedUs === b.joinedUs && a.id < b.id);
  };

  for (const r of rows) {
    const tx = txs.get(r.tx) as TxInfo;
    switch (r.tbl) {
      case "carts":
        if (r.op === "INSERT") h.cartsStarted[sideOf(r.clientKey)] += 1;
        state.set(r.cartId, r.newState);
        expiry.set(r.cartId, r.expiresMs);
        if (r.oldState === "active" && r.newState === "expired" && r.releasePath) {
          h.releasesByPath[r.releasePath] = (h.releasesByPath[r.releasePath] ?? 0) + 1;
        }
        break;
      case "reservations": {
        const client = cartClient.get(r.cartId) ?? "";
        const side = sideOf(client);
        const lines = holds.get(r.cartId) ?? new Map<number, { qty: number; since: number }>();
        holds.set(r.cartId, lines);
        const hold = lines.get(r.productId) ?? { qty: 0, since: r.atMs };
        h.unitSeconds[side] += (hold.qty * Math.max(0, r.atMs - hold.since)) / 1_000;
        const delta = r.newQty - hold.qty;
        if (delta > 0) {
          h.unitsHeld[side] += delta;
          tx.grew.add(client);
        }
        held[side] += delta;
        h.peakHeld[side] = Math.max(h.peakHeld[side], held[side]);
        lines.set(r.productId, { qty: r.newQty, since: r.atMs });
        if (!cartsOf.has(client)) cartsOf.set(client, new Set());
        cartsOf.get(client)?.add(r.cartId);
        break;
      }
      case "waitlist_entries": {
        const entry: Waiting = {
          productId: r.productId,
          joinedUs: r.joinedUs,
          id: BigInt(r.entryId),
          rank: r.drawRank,
        };
        if (r.op === "INSERT") {
          h.line.joins += 1;
          waiting.set(r.entryId, entry);
        } else if (r.op === "UPDATE" && r.oldOfferCart === null && r.newOfferCart === null) {
          if (waiting.has(r.entryId)) waiting.set(r.entryId, entry); // drawn: its rank is its place now
        } else if (r.op === "UPDATE" && r.oldOfferCart === null && r.newOfferCart !== null) {
          for (const [id, other] of waiting) {
            if (id !== r.entryId && other.productId === r.productId && before(other, entry)) {
              note(
                h.line.orderViolations,
                `entry ${r.entryId} was offered ${r.offeredUnits} unit(s) at seq ${r.seq} while entry ${id}, ahead of it, still waited`,
              );
            }
          }
          waiting.delete(r.entryId);
          offered.set(r.entryId, { cart: r.newOfferCart, units: r.offeredUnits ?? 0 });
          h.line.offers += 1;
          h.line.unitsOffered += r.offeredUnits ?? 0;
          if (sideOf(r.clientKey) === "bot") h.line.offersToBots += 1;
          const deadline = tx.expiredDeadlines.length > 0 ? Math.min(...tx.expiredDeadlines) : null;
          if (deadline === null) h.line.afterDecline += 1;
          else h.line.lagMs.push(r.atMs - deadline);
          if (!h.offers.has(r.waiterId)) h.offers.set(r.waiterId, { atMs: r.atMs, deadlineMs: deadline });
        } else if (r.op === "DELETE") {
          if (waiting.delete(r.entryId)) h.line.leftWaiting += 1;
          const offer = offered.get(r.entryId);
          if (offer) {
            offered.delete(r.entryId);
            if (tx.checkedOutCarts.has(offer.cart)) {
              h.line.claimed += 1;
              h.line.unitsClaimed += offer.units;
            } else if (tx.expiredCarts.has(offer.cart)) h.line.lapsed += 1;
            else h.line.declined += 1;
          }
        }
        break;
      }
      case "inventory":
        break;
    }

    if (r.seq !== tx.lastSeq) continue;
    // The transaction's last change: check what it committed.
    for (const client of tx.grew) {
      let live = 0;
      const liveOf = new Map<number, number>();
      for (const cart of cartsOf.get(client) ?? []) {
        const active = (state.get(cart) ?? "active") === "active";
        const deadline = expiry.get(cart) ?? cartInitialExpiry.get(cart) ?? 0;
        if (!active || deadline <= tx.firstAtMs) continue;
        for (const [productId, hold] of holds.get(cart) ?? []) {
          live += hold.qty;
          liveOf.set(productId, (liveOf.get(productId) ?? 0) + hold.qty);
        }
      }
      const most = Math.max(0, ...liveOf.values());
      const side = sideOf(client);
      h.maxHeldByOneClient[side] = Math.max(h.maxHeldByOneClient[side], most);
      if (client !== "" && (most > caps.maxQtyPerLine || live > caps.maxUnitsPerCart)) {
        note(
          h.capViolations,
          `client ${client} held ${most} units of one product (${live} in all) in live carts after transaction ${r.tx}`,
        );
      }
    }
    for (const productId of tx.freed) {
      const available = tx.lastAvailable.get(productId) ?? 0;
      const inLine = [...waiting.values()].filter((w) => w.productId === productId).length;
      if (available > 0 && inLine > 0) {
        note(
          h.line.freedWhileWaiting,
          `transaction ${r.tx} left ${available} unit(s) of product ${productId} available while ${inLine} waited`,
        );
      }
    }
  }
  // Anything still held (there should be nothing once every hold ended) counts up to the last change.
  const lastAt = rows.at(-1)?.atMs ?? 0;
  for (const [cart, lines] of holds) {
    const side = sideOf(cartClient.get(cart) ?? "");
    for (const hold of lines.values()) h.unitSeconds[side] += (hold.qty * Math.max(0, lastAt - hold.since)) / 1_000;
  }
  return h;
}
