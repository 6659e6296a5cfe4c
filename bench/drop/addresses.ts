/**
 * Who is who, by source address. Shoppers leave from 127.0.x.y (the harness's loopbackAddress,
 * as the stream tests do) and bots from 127.2.x.y, so after the sale every cart's `client_key`
 * (the address the store counted it under) says whose it was, and a key from neither range means
 * the store believed a forged X-Forwarded-For.
 */
import { loopbackAddress } from "../../scripts/harness/stock-streams";

export const shopperAddress = (i: number): string => loopbackAddress(i);
export const botAddress = (i: number): string => `127.2.${Math.floor(i / 250)}.${2 + (i % 250)}`;

/** The clients that warm the store up before the sale (bench/drop/warm-up.ts): neither side. */
export const warmUpAddress = (i: number): string => `127.9.${Math.floor(i / 250)}.${2 + (i % 250)}`;
export const isWarmUpAddress = (clientKey: string): boolean => clientKey.startsWith("127.9.");

export type Side = "shopper" | "bot" | "other";

export function sideOf(clientKey: string): Side {
  if (clientKey.startsWith("127.0.") && clientKey !== "127.0.0.1") return "shopper";
  if (clientKey.startsWith("127.2.")) return "bot";
  return "other";
}

/** A value a bot writes into X-Forwarded-For, from a range no loopback client ever has. */
export const forgedAddress = (rnd: () => number): string =>
  `203.0.113.${Math.floor(rnd() * 254) + 1}, 198.51.100.${Math.floor(rnd() * 254) + 1}`;
