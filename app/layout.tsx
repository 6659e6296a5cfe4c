import type { Metadata } from "next";
import type { ReactNode } from "react";
import { CartStoreProvider, type HoldSettings } from "@/components/cart/cart-store";
import { HoldEnded } from "@/components/cart/hold-notices";
import { FlashMessage } from "@/components/layout/flash-message";
import { SiteHeader } from "@/components/layout/site-header";
import { NoScriptOfferWait } from "@/components/waitlist/no-script-offer-wait";
import { OfferBanner } from "@/components/waitlist/offer-banner";
import { EMPTY_CART, type HoldState } from "@/lib/hold/cart-types";
import { readHoldState } from "@/lib/shopper/hold-state";
import { MARK_HOLD_READING } from "@/lib/http/shared-render-cookies";
import { config } from "@/lib/base/config";
import { currentCartId } from "@/lib/http/cart-session";
import { readFlash } from "@/lib/http/flash";
import { currentWaiterId } from "@/lib/http/waiter-session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Holdcart", template: "%s · Holdcart" },
  description: "A small shop whose cart holds your items for you while you decide.",
};

const NOTHING: HoldState = { cart: EMPTY_CART, ended: null, waiting: [] };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The header needs the hold; a Redis or Postgres outage must not take the whole page down with it.
  const [cartId, waiterId] = [await currentCartId(), await currentWaiterId()];
  const [hold, flash] = await Promise.all([readHoldState(cartId, waiterId).catch(() => NOTHING), readFlash()]);
  // Maybe the render every shopper shares (lib/pages/): its page may have to read the shopper's hold.
  const renderedForNobody = cartId === null && waiterId === null;
  const { cartTtlSeconds, holdWarningSeconds, maxQtyPerLine } = config();
  const settings: HoldSettings = {
    holdSeconds: cartTtlSeconds,
    warningSeconds: holdWarningSeconds,
    maxQtyPerLine,
  };
  return (
    // The <html> attribute MARK_HOLD_READING may set before hydration is not React's: no warning for it.
    <html lang="en" suppressHydrationWarning>
      <head>{renderedForNobody && <script dangerouslySetInnerHTML={{ __html: MARK_HOLD_READING }} />}</head>
      <body className="flex min-h-screen flex-col bg-stone-50 font-sans text-stone-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-20 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
          Skip to content
        </a>
        <CartStoreProvider state={hold} settings={settings}>
          <SiteHeader />
          <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-4 sm:py-8">
            <FlashMessage flash={flash} />
            <OfferBanner />
            <NoScriptOfferWait />
            <HoldEnded />
            {children}
          </main>
        </CartStoreProvider>
        <footer className="border-t border-stone-200 bg-white py-6 text-center text-sm text-stone-500">
          Items in your cart are held for you for a limited time; then they go back to stock for everyone.
        </footer>
      </body>
    </html>
  );
}
