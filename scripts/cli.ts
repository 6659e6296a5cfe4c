import { ConfigError } from "../lib/base/config";
import { loadEnvFiles } from "../lib/base/env-files";

/**
 * Runs a command-line entry point: `.env` files are read first, as Next reads them;
 * configuration problems print one line each, exit 1.
 */
export function runCli(main: () => Promise<void>): void {
  loadEnvFiles();
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
