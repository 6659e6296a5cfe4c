"use client";

import { useActionState } from "react";
import { restockAction, type FormState } from "./actions";
import { busy } from "@/components/busy";

/** Goods received for one product: on hand and available grow together (the counters arrive live). */
export function RestockForm({ productId, name }: { productId: number; name: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(restockAction, {});
  const id = `restock-${productId}`;
  return (
    <form action={action} className="flex flex-wrap items-center gap-1">
      <input type="hidden" name="productId" value={productId} />
      <label htmlFor={id} className="sr-only">
        Units received of {name}
      </label>
      <input
        id={id}
        name="add"
        type="number"
        min={1}
        max={1_000_000}
        step={1}
        required
        placeholder="+ units"
        className="w-20 rounded-md border border-stone-300 px-2 py-1 text-sm"
      />
      <button
        type="submit"
        {...busy(pending)}
        aria-label={`Restock ${name}`}
        className="rounded-md border border-stone-300 bg-white px-2 py-1 text-sm font-medium hover:bg-stone-100 aria-disabled:opacity-60"
      >
        Restock
      </button>
      <span role="status" className={`w-full text-xs ${state.error ? "text-red-700" : "text-stone-600"}`}>
        {state.error ?? state.note ?? ""}
      </span>
    </form>
  );
}
