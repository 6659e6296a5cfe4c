import "server-only";
import { cookies } from "next/headers";
import { mayView, ORDERS_COOKIE, withOrder } from "../checkout/order-access";
import { cookieOptions } from "./cookie-options";

const THIRTY_DAYS = 30 * 24 * 3600;

/** Lets this browser (and only it) open the order's confirmation page. */
export async function rememberOrder(orderId: string): Promise<void> {
  const jar = await cookies();
  jar.set(ORDERS_COOKIE, withOrder(jar.get(ORDERS_COOKIE)?.value, orderId), cookieOptions(THIRTY_DAYS));
}

export async function mayViewOrder(orderId: string): Promise<boolean> {
  return mayView((await cookies()).get(ORDERS_COOKIE)?.value, orderId);
}
