"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { productIdSchema } from "@/lib/cart/schemas";
import { isAdminToken } from "@/lib/admin/auth";
import { assertAdminTriesLeft, recordAdminFailure } from "@/lib/admin/auth-failures";
import { clientIp } from "@/lib/http/request";
import { updateProductSettings } from "@/lib/catalog/product-settings";
import { config } from "@/lib/base/config";
import { receiveStock } from "@/lib/admin/restock";
import { releaseHoldByOperator } from "@/lib/admin/release-hold";
import { runAction } from "@/lib/http/server-action";
import { currentAdminUntil, endAdminSession, startAdminSession } from "@/lib/admin/admin-session";
import { postedForm } from "@/lib/http/posted-form";

/**
 * The operator's server actions. Each works from a plain form without JavaScript too
 * (useActionState keeps the answer on the re-rendered page). The proxy and Next already refuse
 * cross-site action calls; the session cookie is SameSite=Strict besides.
 */

export type FormState = { error?: string; note?: string };

/** Sign-in: a wrong token counts against the client's tries (lib/admin/auth-failures.ts). */
export async function signInAction(_previous: FormState, form: FormData): Promise<FormState> {
  postedForm(form); // anything but a form: 404
  const token = form.get("token");
  if (typeof token !== "string" || token.length === 0) return { error: "Enter the admin token." };
  const client = clientIp(await headers());
  const tried = await runAction(async () => {
    await assertAdminTriesLeft(client);
    if (token.length <= 1_024 && isAdminToken(token)) return { valid: true };
    await recordAdminFailure(client, "sign_in");
    return { valid: false };
  });
  if (!tried.ok) return { error: tried.error.message };
  if (!tried.valid) return { error: "That is not the admin token." };
  await startAdminSession();
  redirect("/admin");
}

/** Runs the operator's change: its note, or any error through the one error map (lib/http/server-action.ts). */
async function change(work: () => Promise<string>): Promise<FormState> {
  const result = await runAction(async () => ({ note: await work() }));
  return result.ok ? { note: result.note } : { error: result.error.message };
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
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return { error: "Your admin session has ended: sign in again." };
  const parsed = Restock.safeParse({ productId: form.get("productId"), add: form.get("add") });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid input." };
  return change(async () => {
    const product = await receiveStock(parsed.data.productId, parsed.data.add);
    return `Received ${parsed.data.add}: ${product.available} available, ${product.onHand} on hand.`;
  });
}

const Limit = z.object({
  productId: z.coerce.number().pipe(productIdSchema),
  limit: z
    .string()
    .trim()
    .transform((v) => (v === "" ? null : Number(v)))
    .pipe(
      z
        .number({ error: "Enter a whole number of units, or nothing for no limit." })
        .int("Enter a whole number of units.")
        .min(1, "The limit is at least 1.")
        .nullable(),
    ),
});

/** A product's limit per shopper (invariant 9); empty: none beyond MAX_QTY_PER_LINE. */
export async function setLimitAction(_previous: FormState, form: FormData): Promise<FormState> {
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return { error: "Your admin session has ended: sign in again." };
  const parsed = Limit.safeParse({ productId: form.get("productId"), limit: form.get("limit") ?? "" });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Invalid input." };
  const max = config().maxQtyPerLine;
  if (parsed.data.limit !== null && parsed.data.limit > max) return { error: `The limit is at most ${max}.` };
  return change(async () => {
    const product = await updateProductSettings(parsed.data.productId, { perShopperLimit: parsed.data.limit });
    return `Limit ${product.perShopperLimit} per shopper.`;
  });
}

// The form sends the operator's local time as the browser turned it into an ISO time
// (`releaseAtIso`); without JavaScript only the datetime-local value, read as UTC (the form says so).
const Drop = z.object({
  productId: z.coerce.number().pipe(productIdSchema),
  intent: z.enum(["schedule", "open"]),
  releaseAt: z.string().max(64),
  releaseAtIso: z.string().max(64),
});

/** Schedules or moves a product's drop (invariant 11), or opens a scheduled one now. */
export async function scheduleDropAction(_previous: FormState, form: FormData): Promise<FormState> {
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return { error: "Your admin session has ended: sign in again." };
  const parsed = Drop.safeParse({
    productId: form.get("productId"),
    intent: form.get("intent") ?? "schedule",
    releaseAt: form.get("releaseAt") ?? "",
    releaseAtIso: form.get("releaseAtIso") ?? "",
  });
  if (!parsed.success) return { error: "Invalid input." };
  const { productId, intent, releaseAt, releaseAtIso } = parsed.data;
  let at: Date | null = null;
  if (intent === "schedule") {
    at = new Date(releaseAtIso || (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(releaseAt) ? `${releaseAt}:00Z` : ""));
    if (Number.isNaN(at.getTime())) return { error: "Enter the date and time the drop opens." };
    if (at.getTime() <= Date.now()) return { error: "Choose a time in the future, or open the drop now." };
  }
  return change(async () => {
    await updateProductSettings(productId, { releaseAt: at });
    return at ? `The drop opens at ${at.toISOString().slice(0, 16).replace("T", " ")} UTC.` : "Opening now.";
  });
}

/** Ends a hold by hand, named by the first 8 characters of its cart (lib/admin/release-hold.ts). */
export async function releaseHoldAction(_previous: FormState, form: FormData): Promise<FormState> {
  postedForm(form); // anything but a form: 404
  if ((await currentAdminUntil()) === null) return { error: "Your admin session has ended: sign in again." };
  const cart = form.get("cart");
  if (typeof cart !== "string") return { error: "Invalid input." };
  return change(async () => {
    const released = await releaseHoldByOperator(cart);
    return `Released: ${released.units} unit${released.units === 1 ? "" : "s"} back to the line or to stock.`;
  });
}
