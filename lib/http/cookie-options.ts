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
