import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN_TOKEN, servers } from "../../playwright.config";
import { countersOf, expectConserved, inventory } from "./support";

// A drop (invariant 11): the page counts down to the release, shoppers enter the draw, and at the
// release each learns, without reloading, whether the units are held for them or where they are
// in line. On the "hold" server (its worker sweeps every 500 ms), on products its other specs leave alone.
const base = `http://localhost:${servers.hold.port}`;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, origin: base };

async function expectAccessible(page: Page, what: string): Promise<void> {
  // After an action the page is re-rendered and its <title> streams in with the new render (Next's
  // streaming metadata): judged once it is there, as a shopper's tab shows it a moment later.
  await expect(page).toHaveTitle(/\S/);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  expect(grave, what).toEqual([]);
}

/** Moves the product's release to `inMs` from now (the operator's PATCH). */
async function releaseIn(request: APIRequestContext, id: number, inMs: number): Promise<void> {
  const set = await request.patch(`${base}/api/admin/products/${id}`, {
    headers: admin,
    data: { releaseAt: new Date(Date.now() + inMs).toISOString() },
  });
  expect(set.status()).toBe(200);
}

/**
 * Schedules the product's drop ten minutes away, returning its id. The shoppers enter at their own
 * pace, then the test moves the release to a moment away with `releaseIn`: a fixed release time
 * raced the page loads on a busy machine (CI once saw the drop open before the entries were done).
 */
async function scheduleDrop(request: APIRequestContext, slug: string): Promise<number> {
  const { id } = await countersOf(request, slug, base);
  await releaseIn(request, id, 10 * 60_000);
  return id;
}

const drawOf = async (request: APIRequestContext, id: number) =>
  (await (await request.get(`${base}/api/admin/products/${id}/draw`, { headers: admin })).json()) as {
    drawnAt: string | null;
    summary: { entrants: number; offered: number; claimed: number; waiting: number };
    entries: { rank: number; outcome: string }[];
  };

test("two shoppers enter the draw for the last print; at the release one is offered it and the other is told their place, without reload", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const one = await (await browser.newContext({ baseURL: base })).newPage();
  const two = await (await browser.newContext({ baseURL: base })).newPage();
  const id = await scheduleDrop(one.request, "limited-edition-art-print");

  for (const page of [one, two]) {
    await page.goto("/products/limited-edition-art-print");
    await expect(page.getByTestId("drop-countdown")).toContainText(/Drop opens in \d+:\d\d/);
    // Nobody can hold it before the release: no add button, the draw's form instead.
    await expect(page.getByRole("button", { name: /to cart/ })).toHaveCount(0);
    if (page === one) await expectAccessible(page, "product page, before the drop");
    await page.getByRole("button", { name: "Enter the draw for Limited-Edition Art Print" }).click();
    await expect(page.getByTestId("in-draw")).toContainText("You're in the draw for one. Results at");
  }
  await expectAccessible(one, "product page, entered in the draw");
  const refused = await one.request.post("/api/cart/items", { data: { productId: id, quantity: 1 } });
  expect(refused.status()).toBe(409);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("not_released");

  // The release: the draw decides, and each page learns its result on its own.
  await releaseIn(one.request, id, 1_000);
  const winner = await Promise.race(
    [one, two].map((page) =>
      page
        .getByTestId("offers")
        .getByText("The Limited-Edition Art Print you waited for is held for you")
        .waitFor({ timeout: 30_000 })
        .then(() => page),
    ),
  );
  const other = winner === one ? two : one;
  await expect(other.getByTestId("in-line")).toContainText("You're 1st in line");
  await expectAccessible(winner, "product page, won the draw");
  await expectAccessible(other, "product page, in line after the draw");
  const record = await drawOf(one.request, id);
  expect(record.summary).toMatchObject({ entrants: 2, offered: 1, waiting: 1 });

  await winner.getByTestId("offers").getByRole("link", { name: "Check out now" }).click();
  await winner.getByLabel("E-mail").fill("winner@example.com");
  await winner.getByLabel("Name", { exact: true }).fill("Lucky Lee");
  await winner.getByRole("button", { name: "Place order" }).click();
  await expect(winner.getByRole("heading", { name: "Thank you, Lucky Lee!" })).toBeVisible();
  expect((await drawOf(one.request, id)).summary).toMatchObject({ claimed: 1, waiting: 1 });
  expectConserved(await inventory(one.request, base));
});

test("without JavaScript: the countdown is in the page, entering the draw is a form, and the open page shows the offer by itself", async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const page = await (await browser.newContext({ baseURL: base, javaScriptEnabled: false })).newPage();
  const id = await scheduleDrop(page.request, "ceramic-planter");
  await page.goto("/products/ceramic-planter");
  await expect(page.getByTestId("drop-countdown")).toContainText(/Drop opens in \d+:\d\d \(\d+ \w+, \d\d:\d\d UTC\)/);
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Enter the draw for Ceramic Planter" }).click();
  await expect(page.getByTestId("in-draw")).toContainText("You're in the draw for 2. Results at");
  // (axe runs inside the page, so it cannot check a page with JavaScript off: the first test checks these states.)
  await releaseIn(page.request, id, 1_000);

  // No reload by hand: the page's <noscript> refresh waits on the line (GET /waitlist/wait) and
  // comes back to the page at the draw's offer (components/waitlist/no-script-offer-wait.tsx).
  await expect(page.getByTestId("offers")).toContainText("The Ceramic Planter you waited for is held for you (2)", {
    timeout: 30_000,
  });
  expect((await drawOf(page.request, id)).drawnAt).not.toBeNull();
  await page.goto("/cart");
  await page.getByLabel("E-mail").fill("nojs@example.com");
  await page.getByLabel("Name", { exact: true }).fill("Plain Pat");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByRole("heading", { name: "Thank you, Plain Pat!" })).toBeVisible();
  expect((await drawOf(page.request, id)).summary).toMatchObject({ entrants: 1, claimed: 1 });
  expectConserved(await inventory(page.request, base));
});
