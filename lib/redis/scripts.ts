/**
 * Lua scripts: each changes one cart's keys atomically in one round trip. Every script names
 * all its keys in KEYS, and they share the `{cartId}` hash tag (Redis Cluster safe).
 */

/**
 * Writes a cart snapshot (session + lines) unless the cart ended or Redis has a version at or
 * above ARGV[5]: the version itself for a write (an equal one is the same commit), one above it
 * for the reconciler's repair (the same version with wrong content is overwritten).
 * ARGV: version, rest of the session value, session TTL ms, lines TTL ms, keep-from version,
 * then the lines as field/value pairs.
 */
export const WRITE_CART = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local current = redis.call('GET', KEYS[1])
if current then
  local version = tonumber(string.match(current, '^(%d+)'))
  if version and version >= tonumber(ARGV[5]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
if #ARGV > 5 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 6))
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return 1
`;

/** Reads session value, its PTTL, the lines and the ended mark together. */
export const READ_CART = `
return {
  redis.call('GET', KEYS[1]),
  redis.call('PTTL', KEYS[1]),
  redis.call('HGETALL', KEYS[2]),
  redis.call('EXISTS', KEYS[3])
}
`;

/** Drops a cart's keys and leaves a tombstone that makes later WRITE_CARTs no-ops. */
export const END_CART = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * A sliding-window limit: admits an event if fewer than ARGV[2] were admitted in the last ARGV[1]
 * ms, and records it (1). Refused, it answers minus the ms until the oldest admission leaves the
 * window: nobody can be admitted under this key before then. Time comes from Redis, so every web
 * process counts on one clock; the set never holds more than ARGV[2] members. ARGV[3] makes a
 * member unique.
 */
export const ADMIT_IN_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return -math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
`;
