import "server-only";
import { config } from "../base/config";

/**
 * The options of every cookie the store sets: httpOnly (no script reads them), Secure in
 * production, for the whole site. `strict` for the operator's cookie, so no other site can make
 * an operator's browser use it; `lax` for shoppers', so a link into the shop keeps their cart.
 */
export function cookieOptions(maxAgeSeconds: number, sameSite: "lax" | "strict" = "lax") {
  return {
    httpOnly: true,
    sameSite,
    path: "/",
    secure: config().nodeEnv === "production",
    maxAge: Math.max(0, Math.ceil(maxAgeSeconds)),
  };
}

/**
 * The Set-Cookie line of a cookie with `options`, written as Next writes it for `cookies().set`
 * (same attributes, same order): for the door, which answers without Next.
 */
export function setCookieLine(name: string, value: string, options: ReturnType<typeof cookieOptions>): string {
  const expires = new Date(Date.now() + options.maxAge * 1_000).toUTCString();
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Expires=${expires}`,
    `Max-Age=${options.maxAge}`,
    ...(options.secure ? ["Secure"] : []),
    ...(options.httpOnly ? ["HttpOnly"] : []),
    `SameSite=${options.sameSite}`,
  ].join("; ");
}
