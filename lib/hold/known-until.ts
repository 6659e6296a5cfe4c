/**
 * What a process knows of some products for a short while (a product sold out, a drop not yet
 * open), each fact with the moment it stops being trusted (performance.now()); a fact past it is
 * dropped when looked at. Kept in a plain Map the caller may put on globalThis, so the web
 * server's door and Next's route bundles, built apart, read the same facts.
 */
export class KnownUntil<V> {
  constructor(private readonly facts: Map<number, { end: number; value: V }> = new Map()) {}

  /** Whether any product has a fact still trusted (a sale has a few products). */
  any(): boolean {
    const now = performance.now();
    for (const [productId, fact] of this.facts) {
      if (now < fact.end) return true;
      this.facts.delete(productId);
    }
    return false;
  }

  /** The product's fact while it is trusted, else null. */
  get(productId: number): V | null {
    const fact = this.facts.get(productId);
    if (fact === undefined) return null;
    if (performance.now() < fact.end) return fact.value;
    this.facts.delete(productId);
    return null;
  }

  /** Trusts `value` of the product until `end` (performance.now()). */
  set(productId: number, end: number, value: V): void {
    this.facts.set(productId, { end, value });
  }

  delete(productId: number): void {
    this.facts.delete(productId);
  }
}
