import type { ShopError } from "@/lib/base/shop-error";

/** The code of the ShopError `fn` throws, or null when it throws nothing. */
export function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (e) {
    return (e as ShopError).code;
  }
  return null;
}

/** What a shopper is told when `fn` refuses: the ShopError's code, message and details; null when it does not. */
export function refusalOf(
  fn: () => unknown,
): { code: string; message: string; details: Record<string, unknown> } | null {
  try {
    fn();
  } catch (e) {
    const { code, message, details } = e as ShopError;
    return { code, message, details };
  }
  return null;
}
