"use client";

/**
 * "Quantity" for a form posting `quantity`: a number field from 1 to `max` (MAX_QTY_PER_LINE),
 * or, where the form asks for one unit, a hidden 1.
 */
export function QuantityField({
  id,
  shown,
  value,
  max,
  onChange,
}: {
  id: string;
  shown: boolean;
  value: number;
  max: number;
  onChange: (quantity: number) => void;
}) {
  if (!shown) return <input type="hidden" name="quantity" value={1} />;
  return (
    <label htmlFor={id} className="flex flex-col text-sm font-medium text-stone-700">
      Quantity
      <input
        id={id}
        name="quantity"
        type="number"
        inputMode="numeric"
        min={1}
        max={max}
        value={value}
        onChange={(e) => onChange(Math.min(max, Math.max(1, Math.floor(Number(e.target.value) || 1))))}
        className="mt-1 h-12 w-20 rounded-md border border-stone-300 px-3 text-base text-stone-900"
      />
    </label>
  );
}
