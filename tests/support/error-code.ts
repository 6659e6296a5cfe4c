import type { ShopError } from "@/lib/shop-error";

/** The code of the ShopError `fn` throws, or null when it throws nothing. */
export function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (e) {
    return (e as ShopError).code;
  }
  return null;
}
