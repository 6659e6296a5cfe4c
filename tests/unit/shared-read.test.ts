import { describe, expect, it } from "vitest";
import { sharedRead } from "@/lib/streams/shared-read";

/** A read that answers with the key and how many reads had started, counting them. */
function counted() {
  const started: string[] = [];
  const read = async (key: string) => {
    started.push(key);
    return `${key} #${started.length}`;
  };
  return { started, shared: sharedRead(read, (key: string) => key) };
}

describe("reads shared by the callers of one turn", () => {
  it("callers asking for one key in the same turn share one read; another key reads on its own", async () => {
    const { started, shared } = counted();
    const answers = await Promise.all([shared("a"), shared("a"), shared("b"), shared("a")]);
    expect(answers).toEqual(["a #1", "a #1", "b #2", "a #1"]);
    expect(started).toEqual(["a", "b"]);
  });

  it("a caller who asks once the read has started gets a read of its own, begun after it asked", async () => {
    const { started, shared } = counted();
    const first = shared("a");
    await new Promise((r) => setImmediate(r)); // the first read has begun
    const later = shared("a");
    expect(await first).toBe("a #1");
    expect(await later).toBe("a #2");
    expect(started).toEqual(["a", "a"]);
  });

  it("a failed read fails its callers, and the next caller reads again", async () => {
    let fail = true;
    const shared = sharedRead(
      async (key: string) => {
        if (fail) throw new Error("the database went away");
        return key;
      },
      (key) => key,
    );
    await expect(Promise.all([shared("a"), shared("a")])).rejects.toThrow("the database went away");
    fail = false;
    expect(await shared("a")).toBe("a");
  });
});
