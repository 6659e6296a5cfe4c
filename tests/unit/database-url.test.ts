import { describe, expect, it } from "vitest";
import { databaseHosts, databaseName, withDatabase } from "@/lib/base/database-url";

describe("DATABASE_URL taken apart (one server, or a highly available pair)", () => {
  const pair = "postgres://postgres:s3cret@127.0.0.1:6501,127.0.0.1:6502/holdcart?target_session_attrs=primary";

  it("names the database of a single server's URL and of a multi-host one", () => {
    expect(databaseName("postgres://postgres@127.0.0.1:5432/holdcart_dev")).toBe("holdcart_dev");
    expect(databaseName(pair)).toBe("holdcart");
    expect(databaseName("postgres://127.0.0.1:5432")).toBe("");
    expect(databaseName("postgres://h/caf%C3%A9")).toBe("café");
  });

  it("points the same URL at another database, its hosts and options kept", () => {
    expect(withDatabase(pair, "postgres")).toBe(
      "postgres://postgres:s3cret@127.0.0.1:6501,127.0.0.1:6502/postgres?target_session_attrs=primary",
    );
    expect(withDatabase("postgres://h:5432", "x")).toBe("postgres://h:5432/x");
  });

  it("says where it points without the password", () => {
    expect(databaseHosts(pair)).toBe("127.0.0.1:6501,127.0.0.1:6502");
  });

  it("refuses what is not a URL", () => {
    expect(() => databaseName("holdcart")).toThrow(/not a postgres/);
  });
});
