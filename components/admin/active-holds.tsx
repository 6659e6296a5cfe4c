"use client";

import { useActionState, useEffect, useRef } from "react";
import { formatRemaining } from "@/components/cart/countdown-format";
import type { DashboardSnapshot } from "@/lib/admin/dashboard-types";
import { releaseHoldAction, type FormState } from "./actions";
import { busy } from "@/components/busy";
import { ColumnHeads } from "./column-heads";

/** "2 × Wool Beanie, 1 × Enamel Camp Mug". */
export const describeItems = (items: readonly { name: string; quantity: number }[]) =>
  items.map((i) => `${i.quantity} × ${i.name}`).join(", ");

/**
 * The active holds, soonest deadline first, each with "Release" to end it by hand. A released
 * hold's row leaves with the next snapshot, so what the release did is said once for the whole
 * table, and the focus moves to the table's heading instead of falling to the page's body.
 */
export function ActiveHolds({ holds }: { holds: DashboardSnapshot["holds"] }) {
  const [state, action, pending] = useActionState<FormState, FormData>(releaseHoldAction, {});
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (state.note) heading.current?.focus();
  }, [state]);
  const total = holds.active + holds.overdue;
  return (
    <section aria-labelledby="holds-heading" className="space-y-3">
      <h2 id="holds-heading" ref={heading} tabIndex={-1} className="text-xl font-semibold">
        Active holds{" "}
        <span className="text-base font-normal text-stone-600">
          ({total}
          {holds.shown.length < total ? `, the first ${holds.shown.length} shown` : ""})
        </span>
      </h2>
      <p role="status" className={`text-sm empty:hidden ${state.error ? "text-red-700" : "text-stone-700"}`}>
        {state.error ?? state.note ?? ""}
      </p>
      {holds.shown.length === 0 ? (
        <p className="text-stone-600">No cart holds anything right now.</p>
      ) : (
        <div className="relative max-h-80 overflow-auto rounded-lg border border-stone-200 bg-white">
          <table className="w-full text-left text-sm tabular-nums" data-testid="holds">
            <thead className="sticky top-0 bg-stone-100 text-stone-700">
              <ColumnHeads names={["Cart", "Holds", "Deadline", "Extensions used"]}>
                <th scope="col" className="sticky right-0 bg-stone-100 px-3 py-2">
                  <span className="sr-only">End by hand</span>
                </th>
              </ColumnHeads>
            </thead>
            <tbody>
              {holds.shown.map((h) => (
                <tr key={h.cart} className="border-t border-stone-100">
                  <td className="px-3 py-1.5 font-mono">{h.cart}</td>
                  <td className="px-3 py-1.5">{h.items.length === 0 ? "nothing" : describeItems(h.items)}</td>
                  <td className={`px-3 py-1.5 ${h.ttlMs <= 0 ? "font-semibold text-red-700" : ""}`}>
                    {h.ttlMs <= 0 ? `overdue ${formatRemaining(-h.ttlMs)}` : formatRemaining(h.ttlMs)}
                  </td>
                  <td className="px-3 py-1.5">{h.extensionsUsed}</td>
                  <td className="sticky right-0 bg-white px-3 py-1.5">
                    <form action={action}>
                      <input type="hidden" name="cart" value={h.cart} />
                      <button
                        type="submit"
                        {...busy(pending)}
                        aria-label={`Release hold ${h.cart}`}
                        className="rounded-md border border-stone-300 bg-white px-2 py-1 text-sm font-medium hover:bg-red-50 hover:text-red-800 aria-disabled:opacity-60"
                      >
                        Release
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
