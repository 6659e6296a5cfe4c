import { withIsolatedStores } from "../support/isolated-stores";

// Each test file gets a fresh database of its own and this suite's Redis db.
export const REDIS_DB = Number(process.env.TEST_REDIS_DB ?? 13);
withIsolatedStores("holdcart_it", REDIS_DB);
