import { formatRemaining } from "@/components/cart/countdown-format";

/** At or below this many units left, a shopper is told how scarce it is, and how many are in carts. */
const SCARCE = 5;

export type StockLabelProps = {
  available: number;
  reserved: number;
  /** Ms until the first hold ends (≤ 0: due, not yet released); null when unknown or nothing is held. */
  releaseInMs: number | null;
  /** Units of it in this shopper's own cart (part of `reserved`). */
  mine?: number;
  className?: string;
};

/** The units in carts beside what is left, the reader's own named as theirs. */
function inCarts(units: number, mine: number): string {
  if (mine >= units) return `${units} in your cart`;
  const all = `${units} in ${units === 1 ? "a cart" : "carts"}`;
  return mine > 0 ? `${all}, ${mine} in yours` : all;
}

/**
 * What a shopper can do about a product's stock, in one phrase: "42 left", "Only 2 left · 3 in
 * carts" ("· 1 in your cart" when the one is theirs), "Sold out" (nothing held: it will not come
 * back by itself), or, when every unit is in someone's cart, that it is held and when the first
 * hold ends ("The first hold ends in 4:12.").
 */
export function StockLabel({ available, reserved, releaseInMs, mine = 0, className = "" }: StockLabelProps) {
  if (available > 0) {
    if (available > SCARCE)
      return <span className={`font-medium text-emerald-700 ${className}`}>{available} left</span>;
    return (
      <span className={className}>
        <span className="font-semibold text-amber-700">Only {available} left</span>
        {reserved > 0 && <span className="text-stone-500"> · {inCarts(reserved, mine)}</span>}
      </span>
    );
  }
  if (reserved <= 0) return <span className={`font-medium text-stone-500 ${className}`}>Sold out</span>;

  const others = Math.max(0, reserved - mine);
  if (others === 0) {
    return (
      <span className={`font-medium text-stone-700 ${className}`}>
        {reserved === 1 ? "The last one is in your cart." : `All ${reserved} are in your cart.`}
      </span>
    );
  }
  const one = reserved === 1;
  return (
    <span className={className}>
      <span className="font-medium text-stone-800">
        {one ? "The last one is in a shopper's cart." : `All ${reserved} are in shoppers' carts.`}
      </span>{" "}
      <span className="text-stone-600">
        <ReleaseWhen releaseInMs={releaseInMs} one={one} />
      </span>
    </span>
  );
}

function ReleaseWhen({ releaseInMs, one }: { releaseInMs: number | null; one: boolean }) {
  if (releaseInMs === null) return one ? "It comes back if their hold ends." : "They come back as holds end.";
  const hold = one ? "Their hold" : "The first hold";
  if (releaseInMs <= 0) return `${hold} is ending now…`;
  return (
    <>
      {hold} ends in <span className="font-medium tabular-nums text-stone-800">{formatRemaining(releaseInMs)}</span>.
    </>
  );
}
