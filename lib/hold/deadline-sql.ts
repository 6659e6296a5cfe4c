import "server-only";
import type { PendingQuery, Row, Sql, TransactionSql } from "postgres";

/** A cart's deadline as read by a statement: epoch ms, and ms left. */
export type DeadlineColumns = { expires_at_ms: number; ttl_ms: number };

/**
 * The one place a cart's deadline becomes what the API and Redis need, on the database clock:
 * `expires_at_ms` (the answer's `expiresAt`) and `ttl_ms` (the Redis TTL, the countdown).
 * `at` is the deadline's SQL (`c.expires_at`, `now() + …`), a postgres.js fragment.
 */
export const deadlineColumns = (pg: Sql | TransactionSql, at: PendingQuery<Row[]>) => pg`
  (extract(epoch from ${at}) * 1000)::float8 as expires_at_ms,
  floor(extract(epoch from ${at} - now()) * 1000)::int as ttl_ms`;
