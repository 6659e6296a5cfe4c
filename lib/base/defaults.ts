/**
 * Where the store looks when nothing is configured: the local servers of the README. One place,
 * read by the configuration, the dev launcher and drizzle-kit; no `server-only`, so the last two
 * can import it.
 */
export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/holdcart";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0";
