import { beforeAll } from "vitest";
import { withIsolatedStores } from "../support/isolated-stores";
import { assertProductionBuild } from "../../scripts/harness/web-process";

// Each file: a fresh database and this suite's Redis db; the servers under test are the
// production build (`npm run build`), started by the scenarios themselves.
export const REDIS_DB = Number(process.env.TEST_RELIABILITY_REDIS_DB ?? 11);
withIsolatedStores("holdcart_rel", REDIS_DB);
beforeAll(() => assertProductionBuild());
