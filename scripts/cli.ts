import { ConfigError } from "../lib/config";

/** Runs a command-line entry point: configuration problems print one line each, exit 1. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
