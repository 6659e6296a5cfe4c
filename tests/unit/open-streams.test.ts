import { afterEach, describe, expect, it } from "vitest";
import { endEveryStream, trackStream } from "@/lib/streams/open-streams";

// The registry lives on globalThis (the web server's and Next's bundles share it): each test starts afresh.
afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for("holdcart.openStreams")];
});

describe("the streams a stopping web server ends", () => {
  it("ends every open one, not one that ended by itself", () => {
    const ended: string[] = [];
    trackStream(() => ended.push("a"));
    const untrackB = trackStream(() => ended.push("b"));
    untrackB(); // b ended by itself
    expect(endEveryStream()).toBe(1);
    expect(ended).toEqual(["a"]);
  });

  it("once stopping, ends one that opens right after it registers (a page reconnecting on a kept-alive connection)", async () => {
    endEveryStream();
    const ended: string[] = [];
    const untrack = trackStream(() => ended.push("late"));
    expect(ended).toEqual([]); // not inside trackStream: the stream has not finished opening
    await Promise.resolve();
    expect(ended).toEqual(["late"]);
    untrack(); // harmless
  });
});
