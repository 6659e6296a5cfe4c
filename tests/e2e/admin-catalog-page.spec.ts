import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { ADMIN_TOKEN, servers } from "../../playwright.config";

// The operator's catalog on /admin (issue 27): a product created in sizes with an uploaded
// picture, on sale in the shop at once; the same without JavaScript. Every product made here is
// archived at the end, so the other files' catalog (its count) is as seeded.

const main = `http://localhost:${servers.main.port}`;

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function signIn(page: Page): Promise<void> {
  await page.goto(`${main}/admin`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Operator view" })).toBeVisible();
}

const newProductForm = (page: Page) => page.getByRole("form", { name: "New product" });
const entry = (page: Page, slug: string) => page.getByTestId(`catalog-${slug}`);

/** Fills and sends the "New product" form. */
async function createProduct(
  page: Page,
  product: { name: string; slug: string; price: string; variants: string; limit?: string },
): Promise<Locator> {
  const form = newProductForm(page);
  await form.getByLabel("Name", { exact: true }).fill(product.name);
  await form.getByLabel("Slug").fill(product.slug);
  await form.getByLabel("Price (USD)").fill(product.price);
  await form.getByLabel("Description").fill(`${product.name}, made in an end-to-end test.`);
  await form.getByLabel("Upload a picture").setInputFiles({ name: "picture.png", mimeType: "image/png", buffer: PNG });
  await form.getByLabel("Options and stock, one per line").fill(product.variants);
  if (product.limit) await form.getByLabel("Limit per shopper").fill(product.limit);
  await form.getByRole("button", { name: "Create product" }).click();
  await expect(newProductForm(page).getByRole("status").last()).toHaveText(
    new RegExp(`^Created ${product.name} at /products/${product.slug}`),
  );
  return entry(page, product.slug);
}

/** The product's picture on its page has loaded. */
async function expectPictureLoaded(page: Page, name: string): Promise<void> {
  const picture = page.getByRole("img", { name, exact: true }).first();
  await expect(picture).toHaveAttribute("src", /^\/images\/[0-9a-f-]{36}$/);
  await expect
    .poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
}

async function archive(page: Page, slug: string, name: string): Promise<void> {
  await entry(page, slug)
    .getByRole("button", { name: `Archive ${name}` })
    .click();
  await expect(entry(page, slug).getByTestId("catalog-status")).toHaveText("Archived");
}

test("the operator creates a product in 3 sizes with a picture; shoppers hold its last Small and join its line", async ({
  browser,
}) => {
  const operator = await browser.newContext();
  const page = await operator.newPage();
  await signIn(page);
  const id = unique();
  const name = `Trail Sock ${id}`;
  const slug = `e2e-trail-sock-${id}`;
  const created = await createProduct(page, {
    name,
    slug,
    price: "12.50",
    variants: "Small: 1\nMedium: 3\nLarge: 2",
    limit: "2",
  });
  await expect(created.getByTestId("catalog-status")).toHaveText("On sale");
  await expect(created.getByTestId("catalog-variant")).toHaveText([
    "Small: 1 available",
    "Medium: 3 available",
    "Large: 2 available",
  ]);
  await expect(created).toContainText("$12.50");

  // In the shop at once: listed, with its sizes and its picture.
  const first = await browser.newContext();
  const holder = await first.newPage();
  await holder.goto(`${main}/`);
  await expect(holder.getByRole("link", { name })).toBeVisible();
  await holder.goto(`${main}/products/${slug}`);
  await expect(holder.getByRole("heading", { level: 1, name })).toBeVisible();
  await expectPictureLoaded(holder, name);
  const sizes = holder.getByRole("group", { name: "Size" });
  await expect(sizes.getByRole("radio")).toHaveCount(3);
  await sizes.getByRole("radio", { name: /Small/ }).check();
  await expect(holder.getByTestId("stock")).toContainText("Small: Only 1 left");
  await holder.getByRole("button", { name: `Add ${name} — Small to cart` }).click();
  await expect(holder.getByRole("button", { name: "Cart, 1 item" })).toBeVisible();

  // A second shopper sees Small held, the others on sale, and joins Small's line.
  const second = await browser.newContext();
  const shopper = await second.newPage();
  await shopper.goto(`${main}/products/${slug}`);
  const theirSizes = shopper.getByRole("group", { name: "Size" });
  await expect(theirSizes.locator("label", { hasText: "Small" })).toContainText("The last one is in a shopper's cart");
  await expect(theirSizes.locator("label", { hasText: "Medium" })).toContainText(/3 left/);
  await expect(theirSizes.locator("label", { hasText: "Large" })).toContainText(/2 left/);
  await theirSizes.getByRole("radio", { name: /Small/ }).check();
  await expect(shopper.getByTestId("stock")).toContainText("Small: The last one is in a shopper's cart");
  await shopper.getByRole("button", { name: /Join the line/ }).click();
  await expect(shopper.getByTestId("in-line")).toContainText("You're 1st in line");

  // The operator's list follows; archived, the product leaves the shop (the hold runs out as any).
  await page.reload();
  await expect(entry(page, slug).getByTestId("catalog-variant").first()).toHaveText(
    "Small: 0 available · 1 in carts · 1 waiting",
  );
  // Edited: a new price, and a size added.
  await entry(page, slug).getByText(`Edit ${name}`).click();
  const edit = page.getByRole("form", { name: `Edit ${name}` });
  await edit.getByLabel("Price (USD)").fill("14");
  await edit.getByRole("button", { name: `Save ${name}` }).click();
  await expect(edit.getByRole("status").last()).toHaveText(`Saved ${name}.`);
  await expect(entry(page, slug)).toContainText("$14.00");
  const add = entry(page, slug).getByRole("group", { name: `Add a size or colour to ${name}` });
  await add.getByLabel("Option").fill("XL");
  await add.getByLabel("Stock").fill("4");
  await add.getByRole("button", { name: "Add option" }).click();
  await expect(entry(page, slug).getByTestId("catalog-variant").last()).toHaveText("XL: 4 available");
  await shopper.goto(`${main}/products/${slug}`);
  await expect(shopper.getByRole("group", { name: "Size" }).getByRole("radio")).toHaveCount(4);

  await archive(page, slug, name);
  await holder.goto(`${main}/`);
  await expect(holder.getByRole("link", { name })).toHaveCount(0);
  await Promise.all([operator.close(), first.close(), second.close()]);
});

test("without JavaScript: the operator creates a product sold as one thing, with a picture, and archives it", async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page);
  const id = unique();
  const name = `Plain Mug ${id}`;
  const slug = `e2e-plain-mug-${id}`;
  const created = await createProduct(page, { name, slug, price: "9", variants: "5" });
  await expect(created.getByTestId("catalog-variant")).toHaveText(["5 available"]);
  await expect(created).toContainText("$9.00");

  const shop = await context.newPage();
  await shop.goto(`${main}/products/${slug}`);
  await expect(shop.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(shop.getByRole("group", { name: "Size" })).toHaveCount(0);
  await expectPictureLoaded(shop, name);

  // A refused form says why and keeps what was typed.
  const form = newProductForm(page);
  await form.getByLabel("Name", { exact: true }).fill("Twin Mug");
  await form.getByLabel("Slug").fill(slug);
  await form.getByLabel("Price (USD)").fill("9");
  await form.getByLabel("Options and stock, one per line").fill("5");
  await form.getByRole("button", { name: "Create product" }).click();
  await expect(newProductForm(page).getByRole("status").last()).toContainText(`The slug "${slug}" is taken`);
  await expect(newProductForm(page).getByLabel("Name", { exact: true })).toHaveValue("Twin Mug");

  await archive(page, slug, name);
  await context.close();
});

test("without JavaScript: the operator creates a product in 3 sizes; one shopper holds the last Small, another sees it held and joins its line", async ({
  browser,
}) => {
  const operator = await browser.newContext({ javaScriptEnabled: false });
  const page = await operator.newPage();
  await signIn(page);
  const id = unique();
  const name = `Plain Cap ${id}`;
  const slug = `e2e-plain-cap-${id}`;
  const created = await createProduct(page, { name, slug, price: "19", variants: "Small: 1\nMedium: 2\nLarge: 2" });
  await expect(created.getByTestId("catalog-variant")).toHaveText([
    "Small: 1 available",
    "Medium: 2 available",
    "Large: 2 available",
  ]);

  // Shoppers without JavaScript: a size is chosen with the group's button, then added or waited for.
  const choose = async (shop: Page, option: string) => {
    await shop.goto(`${main}/products/${slug}`);
    await shop
      .getByRole("group", { name: "Size" })
      .getByRole("radio", { name: new RegExp(option) })
      .check();
    await shop.getByRole("button", { name: "Show this size" }).click();
  };
  const first = await browser.newContext({ javaScriptEnabled: false });
  const holder = await first.newPage();
  await choose(holder, "Small");
  await expectPictureLoaded(holder, name);
  await holder.getByRole("button", { name: `Add ${name} — Small to cart` }).click();
  await expect(holder).toHaveURL(`${main}/cart`);
  await expect(holder.getByTestId("flash")).toContainText(`Added 1 × ${name} — Small`);

  const second = await browser.newContext({ javaScriptEnabled: false });
  const waiter = await second.newPage();
  await choose(waiter, "Small");
  const sizes = waiter.getByRole("group", { name: "Size" });
  await expect(sizes.locator("label", { hasText: "Small" })).toContainText("The last one is in a shopper's cart");
  await expect(sizes.locator("label", { hasText: "Medium" })).toContainText("2 left");
  await waiter.getByRole("button", { name: new RegExp(`^Join the line for ${name} — Small`) }).click();
  await expect(waiter.getByTestId("flash")).toHaveText(`You joined the line for the ${name} — Small.`);
  await expect(waiter.getByTestId("in-line")).toContainText("You're 1st in line");
  // The page waits for the offer by itself, and comes back to the size it waits for.
  const small = new URL(waiter.url()).searchParams.get("variant");
  expect(small).toMatch(/^\d+$/);
  await expect(waiter.locator('meta[http-equiv="refresh"]')).toHaveAttribute(
    "content",
    `2; url=/waitlist/wait?back=${encodeURIComponent(`/products/${slug}?variant=${small}`)}`,
  );

  await archive(page, slug, name);
  for (const context of [operator, first, second]) await context.close();
});

async function auditAt(browser: Browser, viewport: { width: number; height: number }, file: string) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await signIn(page);
  const catalog = page.getByRole("region", { name: "Catalog" });
  await catalog.scrollIntoViewIfNeeded();
  // One product's edit form open, as the operator would have it.
  await catalog.getByText("Edit Trail Running Shoe").click();
  const { violations } = await new AxeBuilder({ page })
    .include("#catalog")
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  // What the operator sees: the new product form, then an entry with its edit form open.
  await page.getByRole("heading", { name: "Catalog" }).evaluate((h) => h.scrollIntoView());
  await page.screenshot({ path: test.info().outputPath(`${file}-form.png`) });
  await catalog.getByTestId("catalog-trail-running-shoe").evaluate((e) => e.scrollIntoView());
  await page.screenshot({ path: test.info().outputPath(`${file}-entry.png`) });
  await context.close();
}

test("the operator's catalog has no serious or critical violation, on a phone too", async ({ browser }) => {
  await auditAt(browser, { width: 1280, height: 900 }, "catalog-1280");
  await auditAt(browser, { width: 390, height: 844 }, "catalog-390");
});

test("a picture near the limit is taken; one that is not an image, or too large, is refused in the form", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  const form = newProductForm(page);
  const id = unique();
  const fill = async (slug: string) => {
    await form.getByLabel("Name", { exact: true }).fill(`Poster ${id}`);
    await form.getByLabel("Slug").fill(slug);
    await form.getByLabel("Price (USD)").fill("20");
    await form.getByLabel("Options and stock, one per line").fill("2");
  };
  const answer = () => newProductForm(page).getByRole("status").last();

  // Named .png, but text: the server reads its bytes and refuses it; nothing is created.
  await fill(`e2e-poster-${id}`);
  await form
    .getByLabel("Upload a picture")
    .setInputFiles({ name: "poster.png", mimeType: "image/png", buffer: Buffer.from("<html>not a picture</html>") });
  await form.getByRole("button", { name: "Create product" }).click();
  await expect(answer()).toContainText("must be a PNG, JPEG, WebP or GIF");
  expect((await page.request.get(`${main}/api/products/e2e-poster-${id}`)).status()).toBe(404);

  // Too large: the form says so before sending anything.
  const upload = newProductForm(page).getByLabel("Upload a picture");
  await upload.setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: Buffer.alloc(2 * 1024 * 1024, 1) });
  await expect(newProductForm(page)).toContainText("This file is 2048 KB: at most 900 KB.");
  await expect(upload).toHaveAttribute("aria-invalid", "true");

  // 880 KB (a PNG with bytes after its end), through the production server's door and proxy.
  const near = Buffer.concat([PNG, Buffer.alloc(880 * 1024 - PNG.length, 7)]);
  await upload.setInputFiles({ name: "near.png", mimeType: "image/png", buffer: near });
  await newProductForm(page).getByRole("button", { name: "Create product" }).click();
  await expect(answer()).toContainText(`Created Poster ${id}`);
  const { product } = (await (await page.request.get(`${main}/api/products/e2e-poster-${id}`)).json()) as {
    product: { imageUrl: string };
  };
  const served = await page.request.get(`${main}${product.imageUrl}`);
  expect(served.headers()["content-type"]).toBe("image/png");
  expect((await served.body()).length).toBe(near.length);
  await archive(page, `e2e-poster-${id}`, `Poster ${id}`);
  await context.close();
});
