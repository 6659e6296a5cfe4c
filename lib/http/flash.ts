import "server-only";
import { cookies, headers } from "next/headers";
import { FLASH_COOKIE, FLASH_HEADER } from "./cookie-names";
import { cookieOptions } from "./cookie-options";

/**
 * A one-time message for the page a plain HTML form redirects to ("Added 2 × Wool Beanie"), as
 * pages without JavaScript have no other way to hear how their form went. The action leaves it
 * in a cookie; proxy.ts hands it to the next page load as a header and deletes the cookie, so a
 * reload does not repeat it.
 */
export { FLASH_COOKIE, FLASH_HEADER } from "./cookie-names";

export type Flash = { tone: "success" | "error"; text: string };

const MAX_TEXT = 300;

export async function setFlash(flash: Flash): Promise<void> {
  const value = encodeURIComponent(JSON.stringify({ tone: flash.tone, text: flash.text.slice(0, MAX_TEXT) }));
  (await cookies()).set(FLASH_COOKIE, value, cookieOptions(60));
}

/** The message a form left for this page load, if any (anything malformed is ignored). */
export async function readFlash(): Promise<Flash | null> {
  const raw = (await headers()).get(FLASH_HEADER);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(decodeURIComponent(raw)) as Partial<Flash>;
    if ((parsed.tone === "success" || parsed.tone === "error") && typeof parsed.text === "string") {
      return { tone: parsed.tone, text: parsed.text.slice(0, MAX_TEXT) };
    }
  } catch {
    // a cookie the browser mangled: no message
  }
  return null;
}
