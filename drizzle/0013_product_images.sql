-- Product pictures the operator uploads in /admin (issue 27: the operator's catalog), kept in
-- Postgres so that every web instance serves every picture: GET /images/:id answers the bytes
-- with their content type, and a product's image_url names one as /images/<id>. The content type
-- is what the bytes were found to be by their magic bytes (PNG, JPEG, WebP, GIF; never SVG, which
-- can carry scripts), checked in lib/catalog/product-images.ts with the size before anything is
-- stored. A row is never changed: a new picture is a new row, so its address is cached for good.
CREATE TABLE "product_images" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"content_type" text NOT NULL,
	"bytes" bytea NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "product_images_content_type" CHECK ("product_images"."content_type" in ('image/png', 'image/jpeg', 'image/webp', 'image/gif'))
);
