import "server-only";
import { notFound } from "next/navigation";

/**
 * The form a server action that takes a form was posted. Pages call these actions with their
 * form's data only; called with anything else (a script sending its own arguments), the action
 * answers 404 (Next turns `notFound()` into that status), never a 500 from reading a field of
 * something that is not a form.
 */
export function postedForm(form: unknown): FormData {
  if (form instanceof FormData) return form;
  notFound();
}
