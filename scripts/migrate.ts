import { config } from "../lib/base/config";
import { migrateDatabase } from "../lib/db/migrate";
import { databaseName } from "../lib/base/database-url";
import { runCli } from "./cli";

runCli(async () => {
  const { databaseUrl } = config();
  await migrateDatabase(databaseUrl);
  console.log(`[db] migrations applied to ${databaseName(databaseUrl)}`);
});
