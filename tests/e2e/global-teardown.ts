import { servers } from "../../playwright.config";
import { dropDatabase, flushRedisDb } from "../support/services";

/** Drop the suite's databases and empty its Redis dbs. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all(Object.values(servers).flatMap((s) => [dropDatabase(s.db), flushRedisDb(s.redisDb)]));
}
