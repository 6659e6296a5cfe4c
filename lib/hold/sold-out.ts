import "server-only";
import { pg } from "../db/client";
import { KnownUntil } from "./known-until";
import { onStockChanges } from "./stock-feed";

// However sure we are, ask the database again after this long: a lost stock message (a restock
// elsewhere) costs a shopper at most this much of a wrong "sold out".
const HORIZON_MS = 1_000;

type Known = {
  /** Per product: until when it is known sold out, and how many of its units are in carts. */
  until: KnownUntil<{ reserved: number }>;
  // Bumped by every sign of stock, so an answer that left the database before it cannot set a flag.
  generation: Map<number, number>;
  learning: Map<number, Promise<void>>;
  listening: boolean;
};
// On globalThis, like the stream slots: the door (lib/http/door/door.ts) answers the adds the
// routes' refusals taught, and the two are bundled apart.
const globalForKnown = globalThis as unknown as { __holdcartSoldOut?: Known };
const known = (globalForKnown.__holdcartSoldOut ??= {
  until: new KnownUntil(),
  generation: new Map(),
  learning: new Map(),
  listening: false,
});
const { until, generation, learning } = known;

type Ticket = { asked: number; seen: number };

/** Any process's stock message with units available ends what we knew (a restock, a release). */
function listen(): void {
  if (known.listening) return;
  known.listening = true;
  onStockChanges((changes) => {
    for (const c of changes) if (c.available > 0) soldOut.forget(c.productId);
  });
}

/**
 * Products known to be sold out with no hold due back yet, so a drop's thousands of refusals
 * need not each reach the database. Invariant 7 is kept: a product stays known only until the
 * earliest deadline among its holds (and at most HORIZON_MS), after which a request goes to
 * the database again and frees what is overdue. Any sign of stock (a batch or a stock message
 * with units available) forgets it at once.
 */
export const soldOut = {
  /** Whether any product is known sold out now. */
  anyKnown(): boolean {
    return until.any();
  },

  /** Null unless known sold out; then the units in carts (so "held" is not called "sold"). */
  known(productId: number): { reserved: number } | null {
    return until.get(productId);
  },

  forget(productId: number): void {
    until.delete(productId);
    generation.set(productId, (generation.get(productId) ?? 0) + 1);
  },

  /** A ticket taken before asking the database, so an answer older than a sign of stock is not kept. */
  ticket(productId: number): Ticket {
    return { asked: performance.now(), seen: generation.get(productId) ?? 0 };
  },

  /**
   * A batch refused an add of the product for lack of stock, with nothing available and no hold
   * overdue: it is sold out until its next hold ends (`nextReleaseMs`, null: none held), at most
   * HORIZON_MS, unless a sign of stock came since the ticket.
   */
  refused(productId: number, { asked, seen }: Ticket, reserved: number, nextReleaseMs: number | null): void {
    listen();
    if ((generation.get(productId) ?? 0) !== seen) return;
    const wait = Math.min(nextReleaseMs ?? HORIZON_MS, HORIZON_MS);
    if (wait > 0) until.set(productId, asked + wait, { reserved });
  },

  /**
   * After a refusal for lack of stock that did not say when the next hold ends (a lone new cart,
   * decided without change_lines): asks the database whether, and for how long, it is sold out.
   */
  learn(productId: number): Promise<void> {
    const inFlight = learning.get(productId);
    if (inFlight) return inFlight;
    const ticket = soldOut.ticket(productId);
    const done = pg()<{ available: number; reserved: number; ms_to_next_release: number | null }[]>`
      select i.available, i.reserved,
             (select floor(extract(epoch from min(c.expires_at) - now()) * 1000)::int
                from reservations r join carts c on c.id = r.cart_id
               where r.product_id = i.product_id and c.state = 'active') as ms_to_next_release
        from inventory i where i.product_id = ${productId}`
      .then(([row]) => {
        if (row && row.available === 0) soldOut.refused(productId, ticket, row.reserved, row.ms_to_next_release);
      })
      .catch(() => {}) // only an optimisation: without it, requests ask the database themselves
      .finally(() => learning.delete(productId));
    learning.set(productId, done);
    return done;
  },
};
