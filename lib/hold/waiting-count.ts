import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { waitlistEntries } from "../db/schema";

/** Shoppers still waiting in line for the product in `productId` (a Drizzle column), as a subquery. */
export const waitingFor = (productId: AnyPgColumn): SQL<number> =>
  sql<number>`(select count(*)::int from ${waitlistEntries}
    where ${waitlistEntries.productId} = ${productId} and ${waitlistEntries.offerCartId} is null)`;
