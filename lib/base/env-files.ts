import nextEnv from "@next/env";

/**
 * Reads `.env`, `.env.local` and their per-mode variants into process.env exactly as Next does
 * for the web (a variable already set wins), so every command (dev, start, the worker, migrate,
 * seed) sees the configuration a developer wrote down, not only Next.
 */
export function loadEnvFiles(dir = process.cwd()): void {
  nextEnv.loadEnvConfig(dir, process.env.NODE_ENV !== "production", { info: () => {}, error: console.error });
}
