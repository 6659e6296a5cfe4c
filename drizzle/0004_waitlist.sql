CREATE TABLE "waitlist_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"product_id" integer NOT NULL,
	"waiter_id" uuid NOT NULL,
	"client_key" varchar(64) DEFAULT '' NOT NULL,
	"quantity" integer NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"offer_cart_id" uuid,
	"offered_units" integer,
	CONSTRAINT "waitlist_entries_quantity_positive" CHECK ("waitlist_entries"."quantity" > 0),
	CONSTRAINT "waitlist_entries_offer_complete" CHECK (("waitlist_entries"."offer_cart_id" is null) = ("waitlist_entries"."offered_units" is null) and coalesce("waitlist_entries"."offered_units", 1) > 0)
);
--> statement-breakpoint
ALTER TABLE "carts" ADD COLUMN "waiter_id" uuid;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_offer_cart_id_carts_id_fk" FOREIGN KEY ("offer_cart_id") REFERENCES "public"."carts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "waitlist_entries_product_waiter_idx" ON "waitlist_entries" USING btree ("product_id","waiter_id");--> statement-breakpoint
CREATE INDEX "waitlist_entries_line_idx" ON "waitlist_entries" USING btree ("product_id","joined_at","id") WHERE "waitlist_entries"."offer_cart_id" is null;--> statement-breakpoint
CREATE INDEX "waitlist_entries_offer_cart_idx" ON "waitlist_entries" USING btree ("offer_cart_id") WHERE "waitlist_entries"."offer_cart_id" is not null;--> statement-breakpoint
CREATE INDEX "waitlist_entries_client_key_idx" ON "waitlist_entries" USING btree ("client_key");--> statement-breakpoint
CREATE INDEX "carts_active_waiter_id_idx" ON "carts" USING btree ("waiter_id") WHERE "carts"."state" = 'active' and "carts"."waiter_id" is not null;