import { config } from "../lib/base/config";
import { migrateDatabase } from "../lib/db/migrate";
import { runCli } from "./cli";

runCli(async () => {
  const { databaseUrl } = config();
  await migrateDatabase(databaseUrl);
  console.log(`[db] migrations applied to ${new URL(databaseUrl).pathname.slice(1)}`);
});
