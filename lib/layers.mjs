/**
 * The rooms of lib/, from the ground up (docs/architecture.md). A room may import the rooms
 * before it in this list and never one after it, so no two rooms import each other and every
 * import points down. `npm run lint` enforces it (eslint.config.mjs): an import against the
 * order fails with a message naming both rooms.
 */
export const LAYERS = [
  // The base: configuration, logging, ids, errors, timeouts, signing, the metrics registry.
  ["base"],
  // The stores.
  ["db", "redis"],
  // The hold core: all that runs in or around a ledger transaction on the stock.
  ["hold"],
  // The features that compose it, each on those before it.
  ["catalog", "cart", "waitlist", "shopper", "drops", "checkout"],
  // Read models and transports.
  ["ledger", "streams", "http", "pages", "metrics", "admin"],
];

const ROOMS = LAYERS.flat();

/** import/no-restricted-paths zones: each room is kept from every room after it. */
export function layerZones() {
  return ROOMS.slice(0, -1).map((room, i) => ({
    target: `./lib/${room}`,
    from: ROOMS.slice(i + 1).map((above) => `./lib/${above}`),
    message: `lib/ in layers (docs/architecture.md): lib/${room} sits below ${ROOMS.slice(i + 1).join(", ")} and may not import them. Move the shared part down, or the caller up.`,
  }));
}
