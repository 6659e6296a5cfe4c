import "server-only";
import { config, ConfigError } from "./config";

// Imported once at server start (instrumentation.ts): one line per configuration problem, then exit.
try {
  config();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
