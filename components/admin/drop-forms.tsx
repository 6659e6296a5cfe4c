"use client";

import { useActionState, useState } from "react";
import { useInBrowser } from "@/components/product/in-browser";
import { scheduleDropAction, setLimitAction, type FormState } from "./actions";
import { busy } from "@/components/busy";

const inputClass = "rounded-md border border-stone-300 px-2 py-1 text-sm";
const buttonClass =
  "rounded-md border border-stone-300 bg-white px-2 py-1 text-sm font-medium hover:bg-stone-100 aria-disabled:opacity-60";

function Status({ state }: { state: FormState }) {
  return (
    <span role="status" className={`w-full text-xs ${state.error ? "text-red-700" : "text-stone-600"}`}>
      {state.error ?? state.note ?? ""}
    </span>
  );
}

/** A product's limit per shopper; empty for none beyond MAX_QTY_PER_LINE. */
export function LimitForm({ productId, name, limit }: { productId: number; name: string; limit: number | null }) {
  const [state, action, pending] = useActionState<FormState, FormData>(setLimitAction, {});
  const id = `limit-${productId}`;
  return (
    <form action={action} className="flex flex-wrap items-center gap-1">
      <input type="hidden" name="productId" value={productId} />
      <label htmlFor={id} className="sr-only">
        Limit per shopper of {name}
      </label>
      <input
        id={id}
        name="limit"
        type="number"
        min={1}
        step={1}
        defaultValue={limit ?? ""}
        placeholder="none"
        className={`w-16 ${inputClass}`}
      />
      <button
        type="submit"
        {...busy(pending)}
        aria-label={`Set the limit per shopper of ${name}`}
        className={buttonClass}
      >
        Set
      </button>
      <Status state={state} />
    </form>
  );
}

/** "yyyy-MM-ddTHH:mm" of a moment on the browser's clock, as a datetime-local input wants it. */
export const localInputValue = (iso: string) => {
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
};

/**
 * Schedules or moves a product's drop, with the time in the operator's own zone (the browser turns
 * it into an exact time; without JavaScript the time is read as UTC, and the form says so), or
 * opens a scheduled drop now (its entrants are still drawn first).
 */
export function DropForm({
  productId,
  name,
  releaseAt,
  pending: dropPending,
}: {
  productId: number;
  name: string;
  releaseAt: string | null;
  /** Scheduled and not yet opened. */
  pending: boolean;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(scheduleDropAction, {});
  const inBrowser = useInBrowser();
  const id = `drop-${productId}`;
  const zone = inBrowser ? Intl.DateTimeFormat().resolvedOptions().timeZone : "UTC";
  return (
    <form action={action} className="flex flex-wrap items-center gap-1">
      <input type="hidden" name="productId" value={productId} />
      <label htmlFor={id} className="w-full text-xs text-stone-600">
        Opens at ({zone})<span className="sr-only">, drop of {name}</span>
      </label>
      <DropTime
        key={inBrowser ? "local" : "utc"}
        id={id}
        initial={releaseAt && dropPending ? (inBrowser ? localInputValue(releaseAt) : releaseAt.slice(0, 16)) : ""}
        inBrowser={inBrowser}
      />
      <button
        type="submit"
        name="intent"
        value="schedule"
        {...busy(pending)}
        aria-label={`Schedule the drop of ${name}`}
        className={buttonClass}
      >
        {dropPending ? "Move" : "Schedule"}
      </button>
      {dropPending && (
        <button
          type="submit"
          name="intent"
          value="open"
          {...busy(pending)}
          aria-label={`Open the drop of ${name} now`}
          className={buttonClass}
        >
          Open now
        </button>
      )}
      <Status state={state} />
    </form>
  );
}

/**
 * The time field, and the exact time it means: in the browser, the local time turned into an ISO
 * time (sent as `releaseAtIso`); rendered by the server, the field holds UTC and no ISO is sent.
 */
export function DropTime({ id, initial, inBrowser }: { id: string; initial: string; inBrowser: boolean }) {
  const [value, setValue] = useState(initial);
  const exact = inBrowser && value ? new Date(value) : null;
  return (
    <>
      <input
        type="hidden"
        name="releaseAtIso"
        value={exact && !Number.isNaN(exact.getTime()) ? exact.toISOString() : ""}
      />
      <input
        id={id}
        name="releaseAt"
        type="datetime-local"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        className={inputClass}
      />
    </>
  );
}
