ALTER TABLE "carts" ADD COLUMN "release_path" text;--> statement-breakpoint
CREATE INDEX "carts_created_at_idx" ON "carts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "carts_ended_at_idx" ON "carts" USING btree ("ended_at") WHERE "carts"."ended_at" is not null;--> statement-breakpoint
ALTER TABLE "carts" ADD CONSTRAINT "carts_release_path_known" CHECK ("carts"."release_path" is null or "carts"."release_path" in ('event', 'sweep', 'lazy', 'empty', 'compensate'));