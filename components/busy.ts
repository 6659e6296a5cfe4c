import type { MouseEvent } from "react";

/**
 * The props of a button whose action is under way, or that cannot act now: it says so
 * (`aria-disabled`, and `aria-busy` while pending) and ignores a press, but it stays focusable.
 * A `disabled` button would drop the focus to the page's body, and a keyboard or screen-reader
 * user would lose their place. Pressing it, by click, key or Enter in its form's field, does
 * nothing: the press's default (submitting the form) is cancelled.
 */
export function busy(pending: boolean, unavailable = false, inBrowser = true) {
  const off = pending || unavailable;
  return {
    "aria-disabled": off || undefined,
    "aria-busy": pending || undefined,
    onClick: off ? (event: MouseEvent) => event.preventDefault() : undefined,
    // Before the page runs (and without JavaScript) nothing cancels a press: a button that cannot
    // act is `disabled` there, as a plain form's would be.
    disabled: (unavailable && !inBrowser) || undefined,
  };
}
