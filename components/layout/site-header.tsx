import Link from "next/link";
import { CartButton } from "@/components/cart/cart-button";

export function SiteHeader() {
  return (
    <header className="sticky top-0 z-10 border-b border-stone-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex max-w-6xl items-center justify-between px-4 py-3">
        <Link href="/" className="text-xl font-bold tracking-tight text-stone-900">
          Holdcart
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1">
          <Link href="/" className="rounded-md px-3 py-2 text-stone-700 hover:bg-stone-100">
            Shop
          </Link>
          <Link href="/cart" className="rounded-md px-3 py-2 text-stone-700 hover:bg-stone-100">
            Checkout
          </Link>
          <CartButton />
        </nav>
      </div>
    </header>
  );
}
