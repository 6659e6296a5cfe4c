-- Variants (sizes, colours) as the unit of stock. A product sold as one thing stays a row with its
-- own inventory, holds and lines: it is its own single variant, so an existing store's ledger is
-- untouched. A product offered in variants is a row without stock whose variants are rows naming
-- it in parent_id, each with its choice in option and its own inventory, holds, lines, waiting
-- line, per-shopper limit and release: change_lines, join_line and the releases already work per
-- row of stock, so every invariant holds per variant.
ALTER TABLE "products" ADD COLUMN "parent_id" integer;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "option" text;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_parent_id_products_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "products_parent_id_idx" ON "products" USING btree ("parent_id");--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_variant_option_unique" UNIQUE("parent_id","option");--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_variant_option" CHECK (("products"."parent_id" is null) = ("products"."option" is null));