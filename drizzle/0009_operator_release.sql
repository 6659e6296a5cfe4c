-- A hold an operator ends by hand at /admin is recorded as released by the path "operator", and
-- the operator's list of recent orders reads them newest first by an index.
ALTER TABLE "carts" DROP CONSTRAINT "carts_release_path_known";--> statement-breakpoint
CREATE INDEX "orders_created_at_idx" ON "orders" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "carts" ADD CONSTRAINT "carts_release_path_known" CHECK ("carts"."release_path" is null or "carts"."release_path" in ('event', 'sweep', 'lazy', 'empty', 'compensate', 'operator'));