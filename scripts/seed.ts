import { config } from "../lib/base/config";
import { closeDb, db } from "../lib/db/client";
import { seedCatalog } from "../lib/db/seed";
import { runCli } from "./cli";

runCli(async () => {
  config();
  try {
    const added = await seedCatalog(db());
    console.log(added > 0 ? `[db] seeded ${added} products` : "[db] catalog already seeded; nothing changed");
  } finally {
    await closeDb();
  }
});
