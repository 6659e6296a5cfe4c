/**
 * One product's stock as the live stock stream sends it, a list of these per `data:` message.
 * Shared by the server and the browser (no `server-only`): add a field here and both see it.
 */
export type StockChange = { productId: number; available: number };
