/**
 * Checks on a server action's request body that Next's action handler answers with a 500: it
 * fails while decoding the arguments, after it has settled on that status. They run in
 * proxy.ts before Next decodes anything, and know only what React's reply format needs to
 * decode at all; what passes is still decoded by Next and validated by the action itself.
 *
 * A reply is a set of JSON rows: the whole body when it is text, or the numbered fields of a
 * multipart body ("0" is the arguments, the others are values it refers to as "$<id>",
 * "$@<id>", "$Q<id>"...). A form posted without JavaScript carries the rows as
 * `$ACTION_<n>:<id>` fields.
 */

/** Next's default `serverActions.bodySizeLimit` (1 MB), set explicitly in next.config.ts. */
export const MAX_ACTION_BODY_BYTES = 1024 * 1024;

/**
 * How deeply arrays and objects may nest in an action's arguments. Ours take numbers and a
 * form; React's reply decoder recurses once per level and overflows the stack in the thousands.
 */
export const MAX_ACTION_NESTING = 32;

export type ActionBodyProblem = "malformed" | "too_deep";

/** The deepest nesting of arrays and objects in a JSON text, strings skipped. */
export function jsonNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return deepest;
}

// Values React writes inside a row: an escaped "$", undefined, NaN, ±Infinity, -0, a bigint,
// a date, a temporary reference (a value that stays on the client).
const INLINE_VALUE = /^\$(\$|undefined$|NaN$|Infinity$|-Infinity$|-0$|n-?\d+$|D|T$)/;
// A form's fields, found by prefix rather than by row.
const FORM_FIELDS = /^\$K[0-9a-f]+$/;
// A reference to another row, by its hex id (and a path inside it).
const ROW_REFERENCE = /^\$[@hQWiBAOoUSsLlGgMmVRrXx]?([0-9a-f]+)(:|$)/;

/** Every string in a parsed JSON value (depth is already bounded). */
function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (value && typeof value === "object") for (const item of Object.values(value)) yield* stringsIn(item);
}

/**
 * What is wrong with one reply (its rows by id), or null. `root` says what row 0 is: the
 * argument list of a fetch action, or (a form's) the bound action.
 */
export function replyProblem(rows: Map<number, string>, root: "arguments" | "bound action"): ActionBodyProblem | null {
  if (!rows.has(0)) return "malformed";
  for (const [id, text] of rows) {
    if (jsonNesting(text) > MAX_ACTION_NESTING) return "too_deep";
    let value: unknown;
    try {
      value = JSON.parse(text); // V8 parses iteratively: no stack to overflow here
    } catch {
      return "malformed";
    }
    if (id === 0 && root === "arguments" && !Array.isArray(value)) return "malformed";
    for (const s of stringsIn(value)) {
      if (s[0] !== "$" || INLINE_VALUE.test(s) || FORM_FIELDS.test(s)) continue;
      const target = ROW_REFERENCE.exec(s)?.[1];
      if (target === undefined || !rows.has(parseInt(target, 16))) return "malformed";
    }
  }
  return null;
}

/** What is wrong with a fetch action's text body (a reply of one row), or null. */
export const textBodyProblem = (body: string): ActionBodyProblem | null =>
  replyProblem(new Map([[0, body]]), "arguments");

/**
 * What is wrong with a multipart action body, or null: a fetch action's numbered rows, or each
 * `$ACTION_<n>:` group of a form posted without JavaScript. The shopper's own form fields
 * ("1_email") and files are values, not rows, and are left to the action.
 */
export function formBodyProblem(form: FormData): ActionBodyProblem | null {
  const replies = new Map<string, Map<number, string>>();
  for (const [name, value] of form) {
    const row = /^(\$ACTION_\d+:)?(\d+)$/.exec(name);
    if (!row) continue;
    const prefix = row[1] ?? "";
    const rows = replies.get(prefix) ?? new Map<number, string>();
    rows.set(Number(row[2]), typeof value === "string" ? value : "null");
    replies.set(prefix, rows);
  }
  for (const [prefix, rows] of replies) {
    const problem = replyProblem(rows, prefix === "" ? "arguments" : "bound action");
    if (problem) return problem;
  }
  return null;
}
