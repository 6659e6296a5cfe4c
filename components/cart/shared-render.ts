"use client";

import { useEffect } from "react";
import type { StoreApi } from "zustand";
import { HOLD_READING_ATTRIBUTE, SCRIPTS_COOKIE } from "@/lib/http/shared-render-cookies";
import type { HoldState } from "@/lib/hold/cart-types";
import type { CartState } from "./cart-store";

/**
 * The browser's half of sharing one render of a page among shoppers who hold something
 * (lib/pages/shared-pages.ts). Once the page's script runs, it says so in a session cookie, so the
 * web server may send this browser the shared render from then on. A page rendered for nobody (no
 * cart, no place in line in its request) that arrived with the server's word to read the hold is
 * marked so before its first paint (MARK_HOLD_READING, app/layout.tsx: its header's count hidden);
 * it asks for the hold (`GET /api/hold`, answered by the web server before Next), and its header,
 * counts and notices are then the shopper's, a round trip after the page.
 */
export function useSharedRenderHold(store: StoreApi<CartState>): void {
  useEffect(() => {
    document.cookie = `${SCRIPTS_COOKIE}=1; path=/; samesite=lax`;
    const page = document.documentElement;
    if (!page.hasAttribute(HOLD_READING_ATTRIBUTE)) return;
    const reading = new AbortController();
    // A read that fails leaves the count hidden: the shared render's 0 would be wrong.
    void readHold(reading.signal).then((hold) => {
      if (!hold) return;
      store.getState().adopt(hold);
      page.removeAttribute(HOLD_READING_ATTRIBUTE);
    });
    return () => reading.abort();
  }, [store]);
}

/** The shopper's hold, or null when it cannot be read now (an outage: the page stays as rendered). */
async function readHold(signal: AbortSignal): Promise<HoldState | null> {
  try {
    const response = await fetch("/api/hold", { signal, cache: "no-store" });
    return response.ok ? ((await response.json()) as HoldState) : null;
  } catch {
    return null; // left the page, or the network failed
  }
}
