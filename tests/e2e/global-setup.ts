import { servers } from "../../playwright.config";
import { flushRedisDb } from "../support/services";

/** Start from empty Redis dbs: a crashed earlier run must not leave carts behind. */
export default async function globalSetup(): Promise<void> {
  await Promise.all(Object.values(servers).map((s) => flushRedisDb(s.redisDb)));
}
