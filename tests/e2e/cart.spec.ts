import { expect, test } from "@playwright/test";
import { countdownSeconds, countersOf, expectConserved, inventory, shownStock } from "./support";

const LAMP = { slug: "brass-desk-lamp", name: "Brass Desk Lamp" };

test("a shopper holds an item: badge, countdown, another shopper sees fewer left, steppers and remove", async ({
  browser,
  request,
}) => {
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  const a = await alice.newPage();
  const b = await bob.newPage();

  await a.goto(`/products/${LAMP.slug}`);
  const before = await shownStock(a);
  expect(before).toBeGreaterThanOrEqual(3);
  await a.getByRole("button", { name: `Add ${LAMP.name} to cart` }).click();
  await expect(a.getByRole("status").filter({ hasText: "Added" })).toBeVisible();
  await expect(a.getByTestId("cart-count")).toHaveText("1");
  await expect(a.getByTestId("stock")).toContainText(`${before - 1} left`);

  // The cart cookie is httpOnly: page scripts cannot read it.
  const cookies = await alice.cookies();
  expect(cookies.find((c) => c.name === "cart")).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  expect(await a.evaluate(() => document.cookie)).not.toContain("cart=");

  await b.goto(`/products/${LAMP.slug}`);
  expect(await shownStock(b)).toBe(before - 1);
  await expect(b.getByTestId("cart-count")).toHaveText("0");

  await a.goto("/cart");
  await expect(a.getByRole("timer")).toBeVisible();
  await expect(a.getByTestId("hold-left")).toContainText("These items are held for you for");
  const first = await countdownSeconds(a);
  expect(first).toBeGreaterThan(60);
  expect(first).toBeLessThanOrEqual(120);
  await expect.poll(() => countdownSeconds(a), { timeout: 5_000 }).toBeLessThan(first);

  await a.getByRole("button", { name: `Add one more ${LAMP.name}` }).click();
  await expect(a.getByTestId(`qty-${LAMP.slug}`)).toHaveText("2");
  await expect.poll(async () => (await countersOf(request, LAMP.slug)).available).toBe(before - 2);
  await b.reload();
  expect(await shownStock(b)).toBe(before - 2);

  await a.getByRole("button", { name: `Remove one ${LAMP.name}` }).click();
  await expect(a.getByTestId(`qty-${LAMP.slug}`)).toHaveText("1");
  await expect.poll(async () => (await countersOf(request, LAMP.slug)).available).toBe(before - 1);

  await a.getByRole("button", { name: `Remove ${LAMP.name} from cart` }).click();
  await expect(a.getByText("Your cart is empty.")).toBeVisible();
  await expect(a.getByTestId("cart-count")).toHaveText("0");
  await b.reload();
  expect(await shownStock(b)).toBe(before);
  expectConserved(await inventory(request));

  await alice.close();
  await bob.close();
});

test("adding more than is left is refused with a message, and the badge rolls back", async ({ page, request }) => {
  await page.goto(`/products/${LAMP.slug}`);
  const left = await shownStock(page);
  await page.getByLabel("Quantity").fill(String(left + 1));
  await page.getByRole("button", { name: `Add ${LAMP.name} to cart` }).click();
  await expect(page.getByRole("status").filter({ hasText: `Only ${left} left.` })).toBeVisible();
  await expect(page.getByTestId("cart-count")).toHaveText("0");
  expect((await countersOf(request, LAMP.slug)).available).toBe(left);
});

test("the slide-over cart opens from the header and lists what is held", async ({ page }) => {
  await page.goto("/");
  const card = page.getByRole("listitem").filter({ hasText: "Canvas Tote Bag" });
  await card.getByRole("button", { name: "Add Canvas Tote Bag to cart" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await page.getByRole("button", { name: "Cart, 1 item" }).click();
  const drawer = page.getByRole("dialog", { name: "Your cart" });
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole("list", { name: "Items in your cart" })).toContainText("Canvas Tote Bag");
  await expect(drawer.getByTestId("hold-left")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();
});

test("holding every unit left, '+' says there is none to add instead of offering one", async ({ page, request }) => {
  const lamp = await countersOf(request, LAMP.slug);
  expect(lamp.available).toBeGreaterThanOrEqual(1);
  const { product } = (await (await page.request.get(`/api/products/${LAMP.slug}`)).json()) as {
    product: { id: number };
  };
  const held = await page.request.post("/api/cart/items", {
    data: { productId: product.id, quantity: lamp.available },
  });
  expect(held.status()).toBe(200);

  await page.goto("/cart");
  const more = page.getByRole("button", { name: `Add one more ${LAMP.name}` });
  // The live stock says none is left: the button stays in place (and focusable) but is unavailable.
  await expect(more).toHaveAttribute("aria-disabled", "true");
  await expect(more).toHaveAttribute("title", "None left to add.");
  let posts = 0;
  page.on("request", (r) => {
    if (r.method() === "POST") posts += 1;
  });
  await more.click({ force: true });
  await page.keyboard.press("Enter"); // the button keeps the focus the click gave it
  await expect(page.getByTestId(`qty-${LAMP.slug}`)).toHaveText(String(lamp.available));
  expect(posts).toBe(0);

  await page.goto(`/products/${LAMP.slug}`);
  await expect(page.getByTestId("stock")).toHaveText(
    lamp.available === 1 ? "The last one is in your cart." : `All ${lamp.available} are in your cart.`,
  );
  await page.goto("/cart");
  await page.getByRole("button", { name: `Remove ${LAMP.name} from cart` }).click();
  await expect(page.getByText("Your cart is empty.")).toBeVisible();
  // The page empties at once (optimistic); the ledger follows when the removal commits.
  await expect.poll(async () => (await countersOf(request, LAMP.slug)).available).toBe(lamp.available);
});
