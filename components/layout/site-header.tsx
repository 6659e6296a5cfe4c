import { ShopLink } from "@/components/layout/shop-link";
import { CartButton } from "@/components/cart/cart-button";
import { HoldTimer } from "@/components/cart/countdown";
import { HoldWarning } from "@/components/cart/hold-notices";

/** The header of every page: while the cart holds anything, its countdown (and warning) too. */
export function SiteHeader() {
  return (
    <header className="sticky top-0 z-10 border-b border-stone-200 bg-white/95 backdrop-blur">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-2 px-3 py-1.5 sm:px-4 sm:py-3">
        <ShopLink href="/" className="text-lg font-bold tracking-tight text-stone-900 sm:text-xl">
          Holdcart
        </ShopLink>
        <nav aria-label="Main" className="flex shrink-0 items-center gap-0.5 sm:gap-2">
          <ShopLink href="/" className="rounded-md px-1.5 py-2 text-stone-700 hover:bg-stone-100 sm:px-3">
            Shop
          </ShopLink>
          <HoldTimer />
          <CartButton />
        </nav>
      </div>
      <HoldWarning />
    </header>
  );
}
