import Link from "next/link";
import { CartButton } from "@/components/cart/cart-button";
import { HoldTimer } from "@/components/cart/countdown";
import { HoldWarning } from "@/components/cart/hold-notices";

/** The header of every page: while the cart holds anything, its countdown (and warning) too. */
export function SiteHeader() {
  return (
    <header className="sticky top-0 z-10 border-b border-stone-200 bg-white/95 backdrop-blur">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-2 px-4 py-3">
        <Link href="/" className="text-xl font-bold tracking-tight text-stone-900">
          Holdcart
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 sm:gap-2">
          <Link href="/" className="rounded-md px-2 py-2 text-stone-700 hover:bg-stone-100 sm:px-3">
            Shop
          </Link>
          <HoldTimer />
          <CartButton />
        </nav>
      </div>
      <HoldWarning />
    </header>
  );
}
