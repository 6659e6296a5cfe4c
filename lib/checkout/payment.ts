import "server-only";

export type PaymentRequest = { orderId: string; totalCents: number; email: string };
export type PaymentResult = { status: "not_required" | "captured"; reference: string | null };

/**
 * Where a payment provider plugs in. This shop takes no payment yet, so it accepts every order.
 * A real provider would authorize before `placeOrder`'s transaction (so a declined card holds
 * nothing back) and capture here, after the order is committed.
 */
export async function collectPayment(request: PaymentRequest): Promise<PaymentResult> {
  void request;
  return { status: "not_required", reference: null };
}
