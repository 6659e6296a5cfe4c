"use client";

import { useActionState, useEffect } from "react";
import { checkoutAction, type CheckoutState } from "@/app/actions/checkout";
import { useCartStoreApi } from "./cart-store";

/** One labelled input with its own error message, tied to it for screen readers. */
function ContactField({
  name,
  label,
  type = "text",
  state,
}: {
  name: "email" | "name";
  label: string;
  type?: string;
  state: CheckoutState;
}) {
  const error = state.fieldErrors?.[name];
  return (
    <>
      <label className="text-sm text-stone-700">
        {label}
        <input
          name={name}
          type={type}
          autoComplete={name}
          required
          defaultValue={state.values?.[name]}
          aria-invalid={!!error}
          aria-describedby={error ? `${name}-error` : undefined}
          className="mt-1 w-full rounded-md border border-stone-300 px-3 py-2 text-stone-900"
        />
      </label>
      {error && (
        <p id={`${name}-error`} className="-mt-3 text-sm text-red-700">
          {error}
        </p>
      )}
    </>
  );
}

/**
 * Contact details and "Place order". If the hold ran out meanwhile, the cart is marked expired:
 * the form gives way to the cart's explanation and a way back to the shop.
 */
export function CheckoutForm() {
  const [state, action, pending] = useActionState<CheckoutState, FormData>(checkoutAction, {});
  const store = useCartStoreApi();
  const expired = state.error?.code === "cart_expired";
  useEffect(() => {
    if (expired) store.getState().markExpired();
  }, [expired, store]);

  return (
    <form action={action} className="flex flex-col gap-4 rounded-xl border border-stone-200 bg-white p-5" noValidate>
      <h2 className="text-lg font-semibold">Checkout</h2>
      <ContactField name="email" label="E-mail" type="email" state={state} />
      <ContactField name="name" label="Name" state={state} />
      <p role="alert" className="text-sm text-red-700 empty:hidden">
        {state.error?.message}
      </p>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-stone-900 px-4 py-3 font-medium text-white hover:bg-stone-700 disabled:bg-stone-400"
      >
        {pending ? "Placing order…" : "Place order"}
      </button>
      <p className="text-xs text-stone-500">No payment is taken in this demo shop.</p>
    </form>
  );
}
