"use server";

import { redirect } from "next/navigation";
import { holdAgainAction } from "./actions";
import { placeOrder } from "@/lib/checkout/place-order";
import { contactSchema } from "@/lib/checkout/schemas";
import { currentCartId, forgetCart } from "@/lib/http/cart-session";
import { actionError } from "@/lib/http/server-action";
import { rememberOrder } from "@/lib/http/order-session";
import { postedForm } from "@/lib/http/posted-form";
import { setFlash } from "@/lib/http/flash";

export type CheckoutState = {
  error?: { code: string; message: string };
  fieldErrors?: Partial<Record<"email" | "name", string>>;
  values?: { email: string; name: string };
  /** What holding the items again did ("2 units held for you again…"). */
  notice?: string;
};

/** The checkout form's action: validates the contact, places the order, opens its confirmation. */
export async function checkoutAction(_previous: CheckoutState, form: FormData): Promise<CheckoutState> {
  postedForm(form); // anything but a form: 404
  const values = { email: String(form.get("email") ?? ""), name: String(form.get("name") ?? "") };
  // "Hold it again" of an ended hold, pressed on the cart page without JavaScript: it submits this
  // form (components/cart/hold-notices.tsx), so what was typed comes back with the page.
  if (form.get("intent") === "hold-again") {
    const again = await holdAgainAction();
    if (!again.ok) return { values, error: again.error };
    // Nothing could be held: the cart is forgotten and this form is not shown again; the page says so.
    if (again.state.cart.items.length === 0 && again.note) await setFlash({ tone: "error", text: again.note });
    return { values, notice: again.note };
  }
  const parsed = contactSchema.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: CheckoutState["fieldErrors"] = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === "email" || field === "name") && !fieldErrors[field]) fieldErrors[field] = issue.message;
    }
    return { fieldErrors, values };
  }
  let orderId: string;
  try {
    const { order } = await placeOrder(await currentCartId(), parsed.data);
    orderId = order.id;
  } catch (error) {
    // The cart cookie stays on "cart_expired": the page then tells which items the hold released
    // and offers to hold them again, while the form keeps what was typed (values).
    const { code, message } = actionError(error);
    return { error: { code, message }, values };
  }
  await forgetCart();
  await rememberOrder(orderId);
  redirect(`/orders/${orderId}`);
}
