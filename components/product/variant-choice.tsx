"use client";

import { usePathname, useRouter } from "next/navigation";
import { useTransition } from "react";
import type { RenderedStock } from "./live-stock";
import { LiveStockLabel } from "./live-stock-label";

export type VariantChoiceOption = RenderedStock & { id: number; option: string };

/**
 * A product's variants as a radio group, each with its own live stock ("3 left", "in carts: the
 * first hold ends in 2:10", "sold out"). Choosing one shows its page (`?variant=`): the stock,
 * "Add to cart" and the waiting line below are that variant's. Without JavaScript the group is a
 * form whose button shows the chosen one; with it, choosing is enough.
 */
export function VariantChoice({
  legend,
  variants,
  selected,
}: {
  legend: string;
  variants: VariantChoiceOption[];
  selected: number;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  return (
    // Keyed by the choice: a page rendered for another variant checks its radio.
    <form key={selected} method="get" action={pathname} aria-busy={pending}>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-sm font-semibold text-stone-800">{legend}</legend>
        {variants.map((v) => (
          <label
            key={v.id}
            className="flex min-h-11 cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-stone-300 px-3 py-2 text-sm has-[:checked]:border-stone-900 has-[:checked]:ring-1 has-[:checked]:ring-stone-900 has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-stone-900"
          >
            <input
              type="radio"
              name="variant"
              value={v.id}
              defaultChecked={v.id === selected}
              className="size-4 accent-stone-900"
              onChange={() => startTransition(() => router.replace(`${pathname}?variant=${v.id}`, { scroll: false }))}
            />
            <span className="font-semibold">{v.option}</span>
            <LiveStockLabel productId={v.id} rendered={v} className="text-stone-700" />
          </label>
        ))}
      </fieldset>
      <noscript>
        <button
          type="submit"
          className="mt-2 min-h-11 rounded-md border border-stone-900 px-4 text-sm font-semibold hover:bg-stone-100"
        >
          Show this {legend.toLowerCase()}
        </button>
      </noscript>
    </form>
  );
}
