"use client";

import { useActionState } from "react";
import { releaseHoldAction, type FormState } from "./actions";
import { busy } from "@/components/busy";

/** "Release" on one active hold: its units go to the line first, then back to stock. */
export function ReleaseHoldForm({ cart }: { cart: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(releaseHoldAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-1">
      <input type="hidden" name="cart" value={cart} />
      <button
        type="submit"
        {...busy(pending)}
        aria-label={`Release hold ${cart}`}
        className="rounded-md border border-stone-300 bg-white px-2 py-1 text-sm font-medium hover:bg-red-50 hover:text-red-800 aria-disabled:opacity-60"
      >
        Release
      </button>
      <span role="status" className={`text-xs ${state.error ? "text-red-700" : "text-stone-600"}`}>
        {state.error ?? state.note ?? ""}
      </span>
    </form>
  );
}
