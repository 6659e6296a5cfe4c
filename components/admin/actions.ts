"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { productIdSchema } from "@/lib/cart/schemas";
import { isAdminToken } from "@/lib/admin/auth";
import { receiveStock } from "@/lib/inventory/restock";
import { describeError } from "@/lib/http/error-response";
import { currentAdminUntil, endAdminSession, startAdminSession } from "@/lib/http/admin-session";

/**
 * The operator's server actions. Each works from a plain form without JavaScript too
 * (useActionState keeps the answer on the re-rendered page). The proxy and Next already refuse
 * cross-site action calls; the session cookie is SameSite=Strict besides.
 */

export type FormState = { error?: string; note?: string };

export async function signInAction(_previous: FormState, form: FormData): Promise<FormState> {
  const token = form.get("token");
  if (typeof token !== "string" || token.length === 0) return { error: "Enter the admin token." };
  if (token.length > 1_024 || !isAdminToken(token)) return { error: "That is not the admin token." };
  await startAdminSession();
  redirect("/admin");
}

export async function signOutAction(): Promise<void> {
  await endAdminSession();
  redirect("/admin");
}

const Restock = z.object({
  productId: z.coerce.number().pipe(productIdSchema),
  add: z.coerce
    .number({ error: "Enter a number of units." })
    .int("Enter a whole number of units.")
    .min(1, "Enter at least 1 unit.")
    .max(1_000_000, "At most 1,000,000 units at a time."),
});

export async function restockAction(_previous: FormState, form: FormData): Promise<FormState> {
  if ((await currentAdminUntil()) === null) return { error: "Your admin session has ended: sign in again." };
  const parsed = Restock.safeParse({ productId: form.get("productId"), add: form.get("add") });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid input." };
  try {
    const product = await receiveStock(parsed.data.productId, parsed.data.add);
    return { note: `Received ${parsed.data.add}: ${product.available} available, ${product.onHand} on hand.` };
  } catch (error) {
    return { error: describeError(error).body.error.message };
  }
}
