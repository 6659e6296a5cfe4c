"use client";

import { useActionState, useEffect, useRef } from "react";
import { refreshHoldAction } from "./actions";
import { useCartStore, useCartStoreApi } from "./cart-store";
import { checkoutAction, type CheckoutState } from "./checkout-action";
import { busy } from "@/components/busy";
import { useInBrowser } from "@/components/product/in-browser";

type Field = "email" | "name";

/** One labelled input with its own error message, tied to it for screen readers. */
function ContactField({
  name,
  label,
  type = "text",
  state,
  autoComplete,
}: {
  name: Field;
  label: string;
  type?: string;
  state: CheckoutState;
  autoComplete: string;
}) {
  const error = state.fieldErrors?.[name];
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={`checkout-${name}`} className="text-sm font-medium text-stone-700">
        {label}
      </label>
      <input
        id={`checkout-${name}`}
        name={name}
        type={type}
        autoComplete={autoComplete}
        required
        defaultValue={state.values?.[name]}
        aria-invalid={!!error}
        aria-describedby={error ? `${name}-error` : undefined}
        className={`h-12 w-full rounded-md border px-3 text-base text-stone-900 ${
          error ? "border-red-600 ring-1 ring-red-600" : "border-stone-300"
        }`}
      />
      {error && (
        <p id={`${name}-error`} className="text-sm font-medium text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Contact details and "Place order", a plain form (it works without JavaScript). If the hold
 * ran out meanwhile, the form stays with what was typed; the page says which items went back
 * and offers to hold them again, after which the order can be placed.
 */
export function CheckoutForm() {
  const [state, action, pending] = useActionState<CheckoutState, FormData>(checkoutAction, {});
  const store = useCartStoreApi();
  const holding = useCartStore((s) => s.cart.items.length > 0);
  const inBrowser = useInBrowser();
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    // After a refusal, focus goes to the first field to fix (or the form's message).
    const invalid = form.current?.querySelector<HTMLElement>("[aria-invalid='true']");
    if (invalid) invalid.focus();
    if (state.error?.code === "cart_expired") {
      void refreshHoldAction().then((r) => r.ok && store.getState().adopt(r.state));
    }
  }, [state, store]);

  return (
    <form
      ref={form}
      id="checkout"
      action={action}
      className="flex h-fit flex-col gap-4 rounded-xl border border-stone-200 bg-white p-5 shadow-sm"
      noValidate
      aria-labelledby="checkout-heading"
    >
      <h2 id="checkout-heading" className="text-lg font-semibold">
        Checkout
      </h2>
      <ContactField name="email" label="E-mail" type="email" autoComplete="email" state={state} />
      <ContactField name="name" label="Name" autoComplete="name" state={state} />
      <p role="alert" className="text-sm font-medium text-red-700 empty:hidden">
        {state.error?.message}
      </p>
      <p role="status" className="text-sm font-medium text-emerald-800 empty:hidden">
        {holding ? state.notice : null}
      </p>
      {!holding && <p className="text-sm text-stone-600">Hold your items again to place the order.</p>}
      <button
        type="submit"
        {...busy(pending, !holding, inBrowser)}
        className="h-12 rounded-md bg-stone-900 px-4 font-semibold text-white hover:bg-stone-700 aria-disabled:cursor-not-allowed aria-disabled:bg-stone-400"
      >
        {pending ? "Placing order…" : "Place order"}
      </button>
      <p className="text-xs text-stone-500">No payment is taken in this demo shop.</p>
    </form>
  );
}
