import type { Metadata } from "next";
import type { ReactNode } from "react";
import { CartStoreProvider } from "@/components/cart/cart-store";
import { SiteHeader } from "@/components/layout/site-header";
import { EMPTY_CART } from "@/lib/cart/cart-view";
import { getCart } from "@/lib/cart/read";
import { currentCartId } from "@/lib/http/cart-session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Holdcart", template: "%s · Holdcart" },
  description: "A small shop whose cart holds your items for you while you decide.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The header badge needs the cart; a Redis outage must not take the whole page down with it.
  const cart = await getCart(await currentCartId()).catch(() => EMPTY_CART);
  return (
    <html lang="en">
      <body className="min-h-screen bg-stone-50 font-sans text-stone-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-20 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        <CartStoreProvider cart={cart}>
          <SiteHeader />
          <main id="main" className="mx-auto max-w-6xl px-4 py-8">
            {children}
          </main>
        </CartStoreProvider>
        <footer className="border-t border-stone-200 py-6 text-center text-sm text-stone-500">
          Items in your cart are held for you for a limited time.
        </footer>
      </body>
    </html>
  );
}
