/**
 * The ledger's tables (drizzle-kit reads this file: drizzle.config.ts), one file per concern under
 * ./tables/: the catalog and its stock, carts and their reservations, the waiting lines and
 * draws, orders, the workers' heartbeats. The migrations in drizzle/ are the database's truth.
 */
export * from "./tables/catalog";
export * from "./tables/carts";
export * from "./tables/waiting-line";
export * from "./tables/orders";
export * from "./tables/workers";
export * from "./tables/images";
