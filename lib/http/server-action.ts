import "server-only";
import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { describeError } from "./error-response";
import { setFlash } from "./flash";
import { postedForm } from "./posted-form";
import { parseInput, type InputProblem } from "./request";
import { sameSitePath } from "./same-site-path";

/**
 * The one adapter between the server actions (components/<feature>/actions.ts) and the domain:
 * an action parses its input with the route's own schema (parseInput, the routes' parse),
 * runs its work, and answers any error as a value worded by the one error map (describeError).
 * A plain-form twin reads its form into the route's body shape (readForm) and answers with a
 * flash and a redirect (answerForm).
 */

/** An action's refusal, as the UI shows it: the API's error, its `available` and `reason` kept. */
export type ActionError = { code: string; message: string; available?: number; reason?: string };

export type ActionResult<T extends object> = ({ ok: true } & T) | { ok: false; error: ActionError };

/** Any error, through the one error map, as an action's refusal. */
export function actionError(error: unknown): ActionError {
  const { code, message, available, reason } = describeError(error).body.error;
  return {
    code,
    message,
    ...(typeof available === "number" ? { available } : {}),
    ...(typeof reason === "string" ? { reason } : {}),
  };
}

/**
 * Runs an action's work; a refusal (or any error) comes back as a value the UI can show.
 * `refresh`: re-render the page after the work (so "N left" reflects the change).
 */
export async function runAction<T extends object>(
  work: () => Promise<T>,
  options: { refresh?: boolean } = {},
): Promise<ActionResult<T>> {
  try {
    const value = await work();
    if (options.refresh) refresh();
    return { ok: true, ...value };
  } catch (error) {
    return { ok: false, error: actionError(error) };
  }
}

/**
 * An action's own wording of an input problem, by code (the API says "quantity: must be at most
 * 10"; a shopper is told what to choose instead). Without one: the schema's message alone.
 */
export type ActionWording = Partial<Record<InputProblem["code"], (problem: InputProblem) => string>>;

/** Parses an action's input with the route's schema; a problem throws a ShopError in the action's wording. */
export function parseAction<S extends z.ZodType>(schema: S, input: unknown, wording: ActionWording = {}): z.infer<S> {
  return parseInput(schema, input, (problem) => wording[problem.code]?.(problem) ?? problem.issue ?? "Invalid input.");
}

/**
 * A posted form's fields in the shape of the route's JSON body. A field is a string: a numeric
 * one becomes a number only when it is one strictly ("3" → 3; "3x", "-1", "" stay strings and a
 * missing one undefined, for the schema to refuse).
 */
export function formBody(form: FormData, fields: { numbers?: readonly string[]; strings?: readonly string[] }) {
  const body: Record<string, unknown> = {};
  for (const name of fields.numbers ?? []) {
    const raw = form.get(name);
    body[name] = typeof raw === "string" && /^\d{1,10}$/.test(raw.trim()) ? Number(raw) : (raw ?? undefined);
  }
  for (const name of fields.strings ?? []) {
    const raw = form.get(name);
    body[name] = typeof raw === "string" ? raw : undefined;
  }
  return body;
}

/** A plain form's fields (formBody) parsed with the route's schema, in the action's wording. */
export function readForm<S extends z.ZodType>(
  schema: S,
  form: FormData,
  fields: { numbers?: readonly string[]; strings?: readonly string[] },
  wording?: ActionWording,
): z.infer<S> {
  return parseAction(schema, formBody(form, fields), wording);
}

/** A same-site path to come back to; anything else (another site, "//evil") means `fallback`. */
export function returnPath(form: FormData, fallback = "/cart"): string {
  return sameSitePath(postedForm(form).get("returnTo"), fallback);
}

/** A plain form's answer: the note (or the refusal) as the next page's flash, and a redirect there. */
export async function answerForm(
  result: { ok: true; note?: string } | { ok: false; error: ActionError },
  to: string,
): Promise<never> {
  if (result.ok) {
    if (result.note) await setFlash({ tone: "success", text: result.note });
  } else await setFlash({ tone: "error", text: result.error.message });
  redirect(to);
}
