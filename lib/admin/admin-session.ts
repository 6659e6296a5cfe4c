import "server-only";
import { cookies } from "next/headers";
import {
  ADMIN_COOKIE,
  ADMIN_SESSION_SECONDS,
  adminCookieOptions,
  newAdminSession,
  verifyAdminSession,
} from "./session";

/** When the caller's admin session ends (ms), or null when it has none (absent, forged, expired). */
export async function currentAdminUntil(): Promise<number | null> {
  return verifyAdminSession((await cookies()).get(ADMIN_COOKIE)?.value);
}

export async function startAdminSession(): Promise<void> {
  (await cookies()).set(ADMIN_COOKIE, newAdminSession().value, adminCookieOptions(ADMIN_SESSION_SECONDS));
}

export async function endAdminSession(): Promise<void> {
  (await cookies()).set(ADMIN_COOKIE, "", adminCookieOptions(0));
}
