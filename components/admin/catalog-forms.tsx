"use client";

import { useActionState } from "react";
import { busy } from "@/components/busy";
import { addVariantAction, archiveProductAction, type CatalogFormState } from "./catalog-actions";
import { FormAnswer, hintClass, inputClass, labelClass, secondaryButton } from "./product-form";

/** Adds a size or colour, with its stock, to a product offered in variants. */
export function AddVariantForm({ productId, name }: { productId: number; name: string }) {
  const [state, action, pending] = useActionState<CatalogFormState, FormData>(addVariantAction, {});
  const prefix = `add-variant-${productId}`;
  const v = state.values ?? {};
  return (
    <form key={state.at ?? 0} action={action} className="space-y-2">
      <fieldset className="rounded-md border border-stone-200 p-3">
        <legend className="px-1 text-sm font-semibold text-stone-800">Add a size or colour to {name}</legend>
        <input type="hidden" name="productId" value={productId} />
        <div className="flex flex-wrap items-end gap-3">
          <div className="space-y-1">
            <label htmlFor={`${prefix}-option`} className={labelClass}>
              Option
            </label>
            <input
              id={`${prefix}-option`}
              name="option"
              required
              maxLength={100}
              defaultValue={v.option ?? ""}
              className={`${inputClass} w-36`}
            />
          </div>
          <div className="space-y-1">
            <label htmlFor={`${prefix}-stock`} className={labelClass}>
              Stock
            </label>
            <input
              id={`${prefix}-stock`}
              name="stock"
              type="number"
              required
              min={0}
              step={1}
              defaultValue={v.stock ?? ""}
              className={`${inputClass} w-24`}
            />
          </div>
          <button type="submit" {...busy(pending)} className={secondaryButton}>
            Add option
          </button>
        </div>
        <p className={`${hintClass} mt-2`}>More stock of an existing option: Restock, in Stock above.</p>
      </fieldset>
      <FormAnswer id={`${prefix}-answer`} state={state} />
    </form>
  );
}

/** Takes a product off sale (holds already made run out as any hold), or puts it back on sale. */
export function ArchiveForm({ productId, name, archived }: { productId: number; name: string; archived: boolean }) {
  const [state, action, pending] = useActionState<CatalogFormState, FormData>(archiveProductAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="productId" value={productId} />
      <input type="hidden" name="archived" value={archived ? "false" : "true"} />
      <button type="submit" {...busy(pending)} className={secondaryButton}>
        {archived ? `Put ${name} back on sale` : `Archive ${name}`}
      </button>
      <FormAnswer id={`archive-${productId}-answer`} state={state} />
    </form>
  );
}
