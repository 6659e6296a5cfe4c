import { z } from "zod";

/**
 * Body shapes of the cart API. Bounds come from the configuration, which is fixed for the
 * life of a process, so each shape is built once per bound (building a zod schema on every
 * request cost the add route 6% of its CPU).
 */
function once<T>(build: (max: number) => T): (max: number) => T {
  const built = new Map<number, T>();
  return (max) => {
    let schema = built.get(max);
    if (!schema) built.set(max, (schema = build(max)));
    return schema;
  };
}

/** A product id: a positive integer that Postgres' `integer` column holds. */
export const productIdSchema = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(2_147_483_647, "must be at most 2147483647");

const quantity = (max: number, min: number) =>
  z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** A quantity to hold: 1..max. */
export const quantitySchema = once((max) => quantity(max, 1));

/** A quantity to set a line to: 0 (remove)..max. */
export const lineQuantitySchema = once((max) => quantity(max, 0));

/**
 * What to hold or wait for: `productId` for a product sold as one thing, `variantId` for one of a
 * product's variants (a size, a colour), or both (the variant must be the product's).
 */
export const addItemSchema = once((max) =>
  z
    .strictObject({
      productId: productIdSchema.optional(),
      variantId: productIdSchema.optional(),
      quantity: quantitySchema(max),
    })
    .refine((body) => body.productId !== undefined || body.variantId !== undefined, {
      path: ["productId"],
      message: "required (or variantId)",
    }),
);

export const setQuantitySchema = once((max) => z.strictObject({ quantity: lineQuantitySchema(max) }));
