import "server-only";

export type Authorization = { status: "not_required" | "authorized"; reference: string | null; totalCents: number };

/**
 * Where a payment provider plugs in. This shop takes no payment yet, so every call succeeds and
 * moves no money. The order of the calls is the provider's: `authorizePayment` before
 * `placeOrder`'s transaction (a declined card places nothing and holds no row lock while the
 * provider answers), `capturePayment` once the order is committed, `voidPayment` when the
 * transaction placed no order (the cart ended, was already checked out, or changed meanwhile).
 */
export async function authorizePayment(request: {
  cartId: string;
  totalCents: number;
  email: string;
}): Promise<Authorization> {
  return { status: "not_required", reference: null, totalCents: request.totalCents };
}

export async function capturePayment(authorization: Authorization, orderId: string): Promise<void> {
  void authorization;
  void orderId;
}

export async function voidPayment(authorization: Authorization): Promise<void> {
  void authorization;
}
