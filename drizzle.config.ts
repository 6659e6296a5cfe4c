import { defineConfig } from "drizzle-kit";
import { DEFAULT_DATABASE_URL } from "./lib/base/defaults";

export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL },
});
