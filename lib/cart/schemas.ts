import { z } from "zod";

/** Body shapes of the cart API; bounds come from the configuration at call time. */
export const quantitySchema = (max: number, min = 1) =>
  z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const addItemSchema = (maxQty: number) =>
  z.strictObject({
    productId: z.number({ error: "must be a number" }).int("must be a whole number").min(1).max(2_147_483_647),
    quantity: quantitySchema(maxQty),
  });

export const setQuantitySchema = (maxQty: number) => z.strictObject({ quantity: quantitySchema(maxQty, 0) });
