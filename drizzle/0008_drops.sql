CREATE TABLE "draw_entries" (
	"product_id" integer NOT NULL,
	"release_at" timestamp with time zone NOT NULL,
	"rank" integer NOT NULL,
	"entry_id" bigint NOT NULL,
	"waiter_id" uuid NOT NULL,
	"client_key" varchar(64) NOT NULL,
	"joined_at" timestamp with time zone NOT NULL,
	"quantity" integer NOT NULL,
	"offer_cart_id" uuid,
	"offered_units" integer,
	CONSTRAINT "draw_entries_product_id_release_at_rank_pk" PRIMARY KEY("product_id","release_at","rank")
);
--> statement-breakpoint
DROP INDEX "waitlist_entries_line_idx";--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "release_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "drawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "opened_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD COLUMN "draw_rank" integer;--> statement-breakpoint
ALTER TABLE "draw_entries" ADD CONSTRAINT "draw_entries_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "draw_entries_entry_idx" ON "draw_entries" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "waitlist_entries_line_idx" ON "waitlist_entries" USING btree ("product_id","draw_rank","joined_at","id") WHERE "waitlist_entries"."offer_cart_id" is null;--> statement-breakpoint

-- Drops (invariant 11). A product with a release time cannot be held before it: change_lines
-- refuses adds with not_released until the drop has opened, and join_line lets anyone enter its
-- line then (one entry per client), whatever is in stock. At the release a worker calls draw_drop
-- (the entrants' random order, recorded in draw_entries) and then open_drop until the line has
-- been offered what it could, in batches (offer_to_line: hand_off_freed's body, in the line's
-- order: the draw's ranks first, then arrival). Freed units of a drop that has not opened stay
-- available for the draw (hand_off_freed skips it). Each function below that 0007 defined is its
-- text with only that changed.
CREATE OR REPLACE FUNCTION offer_to_line(product_ids integer[], settings jsonb, max_offers integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  offer_ttl integer := (settings->>'offerTtlSeconds')::integer;
  max_qty integer := (settings->>'maxQtyPerLine')::integer;
  max_units integer := (settings->>'maxUnitsPerCart')::integer;
  max_lines integer := (settings->>'maxLines')::integer;
  hold_limits boolean := (settings->>'holdLimits')::boolean;
  offers jsonb := '[]';
  dropped boolean;
  w record;
  left_units integer;
  held_product integer;
  held_total integer;
  units integer;
  offer_cart uuid;
  made integer := 0;
  max_extensions integer := coalesce((settings->>'maxHoldExtensions')::integer, 2147483647);
  freed_by uuid[] := string_to_array(nullif(current_setting('holdcart.freed_by_carts', true), ''), ',')::uuid[];
  passed_clients text[] := '{}';
  passed_waiters uuid[] := '{}';
BEGIN
  -- Invariant 8: units a client's own hold just gave up never go back to it, under any of its
  -- identities. The statement that freed them names its carts (holdcart.freed_by_carts, for this
  -- transaction): their clients (their waiters, with the per-client caps off, when every client is
  -- one address) are passed over this time and keep their places for units freed by others.
  IF freed_by IS NOT NULL THEN
    PERFORM set_config('holdcart.freed_by_carts', '', true);
    SELECT coalesce(array_agg(DISTINCT client_key) FILTER (WHERE client_key <> ''), '{}'),
           coalesce(array_agg(DISTINCT waiter_id) FILTER (WHERE waiter_id IS NOT NULL), '{}')
      INTO passed_clients, passed_waiters
      FROM carts WHERE id = ANY(freed_by);
    IF NOT hold_limits THEN passed_clients := '{}'; END IF;
  END IF;
  FOR pass IN 1..100 LOOP
    dropped := false;
    FOR w IN
      SELECT e.id, e.product_id, e.waiter_id, e.client_key, e.quantity, e.draw_rank
        FROM inventory i
        CROSS JOIN LATERAL (
          SELECT id, product_id, waiter_id, client_key, quantity, joined_at, draw_rank FROM waitlist_entries
           WHERE product_id = i.product_id AND offer_cart_id IS NULL
             AND NOT client_key = ANY(passed_clients) AND NOT waiter_id = ANY(passed_waiters)
           ORDER BY draw_rank, joined_at, id
           LIMIT least(i.available, max_offers - made)) e
       WHERE i.product_id = ANY(product_ids) AND i.available > 0
       ORDER BY e.product_id, e.draw_rank, e.joined_at, e.id
    LOOP
      EXIT WHEN made >= max_offers;
      SELECT available INTO left_units FROM inventory WHERE product_id = w.product_id;
      CONTINUE WHEN left_units <= 0;
      -- Invariant 9: what the waiter's client holds (per-client caps off: the waiter's own carts).
      -- Two statements, so each finds its carts by its own index.
      IF hold_limits THEN
        SELECT coalesce(sum(r.quantity) FILTER (WHERE r.product_id = w.product_id), 0)::integer,
               coalesce(sum(r.quantity), 0)::integer
          INTO held_product, held_total
          FROM carts c JOIN reservations r ON r.cart_id = c.id
         WHERE c.state = 'active' AND c.client_key = w.client_key AND c.client_key <> '';
      ELSE
        SELECT coalesce(sum(r.quantity) FILTER (WHERE r.product_id = w.product_id), 0)::integer,
               coalesce(sum(r.quantity), 0)::integer
          INTO held_product, held_total
          FROM carts c JOIN reservations r ON r.cart_id = c.id
         WHERE c.state = 'active' AND c.waiter_id = w.waiter_id;
      END IF;
      units := least(w.quantity, left_units, shopper_share(w.product_id, max_qty) - held_product,
                     max_units - held_total);
      IF units <= 0 THEN
        DELETE FROM waitlist_entries WHERE id = w.id;
        dropped := true;
        CONTINUE;
      END IF;

      -- Into the waiter's live cart when it has one; a later deadline given that way counts as one of
      -- the cart's extensions, and a cart with none left is passed by (the offer gets a cart of its
      -- own), so no path keeps a cart past MAX_HOLD_EXTENSIONS.
      offer_cart := NULL;
      UPDATE carts SET extensions_used = extensions_used
                         + CASE WHEN now() + make_interval(secs => offer_ttl) > expires_at THEN 1 ELSE 0 END,
                       expires_at = greatest(expires_at, now() + make_interval(secs => offer_ttl)),
                       version = version + 1
       WHERE id = (SELECT c.id FROM carts c
                    WHERE c.waiter_id = w.waiter_id AND c.state = 'active' AND c.expires_at > now()
                      AND (c.extensions_used < max_extensions OR c.expires_at >= now() + make_interval(secs => offer_ttl))
                      AND NOT EXISTS (
                        SELECT 1 FROM reservations r
                          JOIN waitlist_entries x ON x.product_id = r.product_id AND x.offer_cart_id IS NULL
                         WHERE r.cart_id = c.id)
                      AND (SELECT count(*) FROM reservations r
                            WHERE r.cart_id = c.id AND r.product_id <> w.product_id) < max_lines
                    ORDER BY c.created_at DESC LIMIT 1
                    FOR UPDATE OF c SKIP LOCKED)
      RETURNING id INTO offer_cart;
      IF offer_cart IS NULL THEN
        offer_cart := gen_random_uuid();
        INSERT INTO carts (id, client_key, waiter_id, expires_at)
        VALUES (offer_cart, w.client_key, w.waiter_id, now() + make_interval(secs => offer_ttl));
      END IF;

      UPDATE inventory SET available = available - units, reserved = reserved + units
       WHERE product_id = w.product_id AND available >= units;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'hand-off of product % found fewer units than it counted', w.product_id;
      END IF;
      INSERT INTO reservations (cart_id, product_id, quantity) VALUES (offer_cart, w.product_id, units)
      ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = reservations.quantity + excluded.quantity;
      UPDATE waitlist_entries SET offer_cart_id = offer_cart, offered_units = units WHERE id = w.id;
      IF w.draw_rank IS NOT NULL THEN
        UPDATE draw_entries SET offer_cart_id = offer_cart, offered_units = units WHERE entry_id = w.id;
      END IF;
      made := made + 1;
      offers := offers || jsonb_build_object('entryId', w.id::text, 'productId', w.product_id,
                                             'waiterId', w.waiter_id, 'cartId', offer_cart, 'units', units);
    END LOOP;
    EXIT WHEN NOT dropped OR made >= max_offers;
  END LOOP;
  RETURN offers;
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION hand_off_freed(product_ids integer[], settings jsonb) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT offer_to_line(
    ARRAY(SELECT id FROM products WHERE id = ANY(product_ids) AND (release_at IS NULL OR opened_at IS NOT NULL)),
    settings, 2147483647)
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION change_lines(product integer, requests jsonb, settings jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  cart_ttl integer := (settings->>'cartTtlSeconds')::integer;
  max_qty integer := (settings->>'maxQtyPerLine')::integer;
  max_lines integer := (settings->>'maxLines')::integer;
  max_units integer := (settings->>'maxUnitsPerCart')::integer;
  hold_limits boolean := (settings->>'holdLimits')::boolean;
  existing uuid[];
  carts_by_id jsonb;
  lines_by_cart jsonb;
  clients text[] := '{}';
  holdings jsonb := '{}';
  stock_available integer;
  stock_reserved integer;
  has_line boolean;
  locked_at timestamptz;
  available integer;
  for_sale integer;
  freed integer := 0;
  outcomes jsonb := '[]';
  r jsonb;
  cart jsonb;
  client text;
  holding jsonb;
  lines jsonb;
  line_units integer;
  current_qty integer;
  target integer;
  more integer;
  refusal jsonb;
  created_ids uuid[] := '{}';
  created_clients text[] := '{}';
  kept_ids uuid[] := '{}';
  kept_targets integer[] := '{}';
  emptied_ids uuid[] := '{}';
  net integer;
  written integer;
  declined_units integer := 0;
  offers jsonb := '[]';
  share integer;
  release_time timestamptz;
  not_open boolean;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  SELECT coalesce(array_agg(DISTINCT (x->>'cartId')::uuid), '{}') INTO existing
    FROM jsonb_array_elements(requests) x WHERE x->>'newFor' IS NULL;

  -- Every mutation of a cart locks its row first and bumps its version (Redis writes carry it).
  WITH locked AS (
    UPDATE carts c SET version = c.version + 1
      FROM (SELECT id FROM carts WHERE id = ANY(existing) ORDER BY id FOR UPDATE) l
     WHERE c.id = l.id
    RETURNING c.id, c.version, c.client_key, c.extensions_used, c.expires_at,
              c.state = 'active' AND c.expires_at > now() AS live)
  SELECT coalesce(jsonb_object_agg(id, jsonb_build_object(
           'version', version, 'clientKey', client_key, 'extensionsUsed', extensions_used, 'live', live,
           'expiresAtMs', (extract(epoch FROM expires_at) * 1000)::float8,
           'ttlMs', floor(extract(epoch FROM expires_at - now()) * 1000)::integer)), '{}')
    INTO carts_by_id FROM locked;
  -- A statement of its own, after the locks: it sees every change committed before them.
  SELECT coalesce(jsonb_object_agg(cart_id, l), '{}') INTO lines_by_cart FROM (
    SELECT cart_id, jsonb_agg(jsonb_build_object('productId', product_id, 'quantity', quantity) ORDER BY product_id) l
      FROM reservations WHERE cart_id = ANY(existing) GROUP BY cart_id) x;

  IF hold_limits THEN
    -- Carts from before clients were recorded have no key: they are not counted together.
    SELECT coalesce(array_agg(DISTINCT k), '{}') INTO clients FROM (
      SELECT coalesce(x->>'newFor', carts_by_id->((x->>'cartId')::uuid::text)->>'clientKey') AS k
        FROM jsonb_array_elements(requests) x) ks
     WHERE k IS NOT NULL AND k <> '';
    -- Invariant 9: each client's holds queue here until commit, so holds in flight add up.
    -- Advisory locks are keyed (namespace, key); namespace 9 is "a client's holds" (join_line too).
    PERFORM count(pg_advisory_xact_lock(9, h))
       FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(clients) k ORDER BY 1) ordered;
    SELECT coalesce(jsonb_object_agg(client_key, jsonb_build_object('product', p, 'total', t)), '{}') INTO holdings
      FROM (SELECT c.client_key,
                   coalesce(sum(s.quantity) FILTER (WHERE s.product_id = product), 0)::integer AS p,
                   coalesce(sum(s.quantity), 0)::integer AS t
              FROM carts c JOIN reservations s ON s.cart_id = c.id
             WHERE c.client_key = ANY(clients) AND c.state = 'active' AND c.expires_at > now()
             GROUP BY c.client_key) h;
  END IF;

  -- The hot row, last: locked from here to the end of this statement, which commits it.
  SELECT i.available, i.reserved INTO stock_available, stock_reserved
    FROM inventory i WHERE i.product_id = product FOR UPDATE;
  IF NOT FOUND THEN
    SELECT jsonb_agg(jsonb_build_object('ok', false, 'code', 'unknown_product', 'details', '{}'::jsonb))
      INTO outcomes FROM jsonb_array_elements(requests);
    RETURN jsonb_build_object('outcomes', outcomes, 'availableAfter', null, 'declinedUnits', 0,
                              'offers', '[]'::jsonb, 'lockMs', 0);
  END IF;
  locked_at := clock_timestamp();
  share := shopper_share(product, max_qty);
  -- A drop nobody may hold yet (invariant 11): before its release, and until its draw's offers are made.
  SELECT p.release_at, p.release_at IS NOT NULL AND p.opened_at IS NULL INTO release_time, not_open
    FROM products p WHERE p.id = product;
  -- Read under the row lock: nobody joins or leaves the line until this commits.
  has_line := EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.product_id = product AND w.offer_cart_id IS NULL);

  available := stock_available;
  -- What adds may take. With shoppers in line, units this batch frees are theirs (invariant 8):
  -- they go to the line below, never to a later request of the batch.
  for_sale := stock_available;
  FOR r IN SELECT value FROM jsonb_array_elements(requests) LOOP
    refusal := NULL;
    client := r->>'newFor';
    cart := CASE WHEN client IS NULL THEN carts_by_id->((r->>'cartId')::uuid::text) END;
    IF client IS NULL THEN client := cart->>'clientKey'; END IF;
    lines := coalesce(lines_by_cart->((r->>'cartId')::uuid::text), '[]');
    SELECT coalesce(sum((l->>'quantity')::integer) FILTER (WHERE (l->>'productId')::integer = product), 0),
           coalesce(sum((l->>'quantity')::integer), 0)
      INTO current_qty, line_units FROM jsonb_array_elements(lines) l;
    target := CASE r->>'mode'
                WHEN 'add' THEN current_qty + (r->>'quantity')::integer
                WHEN 'set' THEN (r->>'quantity')::integer
                ELSE greatest(0, current_qty - (r->>'quantity')::integer) END;
    more := target - current_qty;
    holding := CASE WHEN hold_limits AND client IS NOT NULL AND client <> '' THEN holdings->client END;
    IF holding IS NULL AND hold_limits AND client IS NOT NULL AND client <> '' THEN
      holding := '{"product": 0, "total": 0}';
    END IF;

    IF r->>'newFor' IS NULL AND NOT coalesce((cart->>'live')::boolean, false) THEN
      refusal := jsonb_build_object('code', 'cart_expired', 'details', '{}'::jsonb);
    ELSIF more > 0 AND not_open THEN
      refusal := jsonb_build_object('code', 'not_released', 'details',
                   jsonb_build_object('releaseAtMs', (extract(epoch FROM release_time) * 1000)::float8));
    -- What one cart may hold (cart_limit).
    ELSIF target > max_qty THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxQtyPerLine', max_qty));
    ELSIF current_qty = 0 AND target > 0 AND jsonb_array_length(lines) >= max_lines THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxLines', max_lines));
    ELSIF target > current_qty AND line_units - current_qty + target > max_units THEN
      refusal := jsonb_build_object('code', 'cart_limit', 'details', jsonb_build_object('maxUnitsPerCart', max_units));
    -- What one client may hold across its carts (hold_limit, invariant 9): of this product its
    -- per-shopper limit; with the per-client caps off, what one cart may hold of it.
    ELSIF more > 0 AND holding IS NOT NULL AND (holding->>'product')::integer + more > share THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', (holding->>'product')::integer, 'perShopperLimit', share));
    ELSIF more > 0 AND holding IS NULL AND target > share THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', current_qty, 'perShopperLimit', share));
    ELSIF more > 0 AND holding IS NOT NULL AND (holding->>'total')::integer + more > max_units THEN
      refusal := jsonb_build_object('code', 'hold_limit', 'details',
                   jsonb_build_object('held', (holding->>'total')::integer, 'maxUnitsPerClient', max_units));
    ELSIF more > for_sale THEN
      refusal := jsonb_build_object('code', 'insufficient_stock', 'details',
                   jsonb_build_object('available', for_sale, 'reserved', stock_reserved + stock_available - available,
                                      'mine', current_qty));
    END IF;

    IF refusal IS NOT NULL THEN
      outcomes := outcomes || jsonb_build_array(jsonb_build_object('ok', false) || refusal);
      CONTINUE;
    END IF;

    available := available - more;
    for_sale := for_sale - CASE WHEN has_line THEN greatest(0, more) ELSE more END;
    freed := freed + greatest(0, -more);
    IF holding IS NOT NULL THEN
      holdings := holdings || jsonb_build_object(client, jsonb_build_object(
                    'product', (holding->>'product')::integer + more, 'total', (holding->>'total')::integer + more));
    END IF;
    IF r->>'newFor' IS NOT NULL THEN
      created_ids := created_ids || (r->>'cartId')::uuid;
      created_clients := created_clients || (r->>'newFor');
    END IF;
    IF target > 0 THEN
      kept_ids := kept_ids || (r->>'cartId')::uuid;
      kept_targets := kept_targets || target;
    ELSIF r->>'newFor' IS NULL THEN
      emptied_ids := emptied_ids || (r->>'cartId')::uuid;
    END IF;
    outcomes := outcomes || jsonb_build_object(
      'ok', true, 'previousQuantity', current_qty, 'lineQuantity', target, 'availableAfter', available,
      'lines', lines, 'cart', cart);
  END LOOP;

  net := stock_available - available;
  IF cardinality(created_ids) + cardinality(kept_ids) + cardinality(emptied_ids) = 0 AND net = 0 THEN
    RETURN jsonb_build_object('outcomes', outcomes, 'availableAfter', null, 'declinedUnits', 0,
                              'offers', '[]'::jsonb, 'lockMs', extract(epoch FROM clock_timestamp() - locked_at) * 1000);
  END IF;

  WITH new_carts AS (
         INSERT INTO carts (id, client_key, expires_at)
         SELECT id, k, now() + make_interval(secs => cart_ttl) FROM unnest(created_ids, created_clients) AS n(id, k)),
       kept AS (
         INSERT INTO reservations (cart_id, product_id, quantity)
         SELECT id, product, q FROM unnest(kept_ids, kept_targets) AS k(id, q)
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = excluded.quantity),
       emptied AS (
         DELETE FROM reservations WHERE product_id = product AND cart_id = ANY(emptied_ids)),
       declined AS (
         -- An offer removed from the cart is declined: its place in line ends (invariant 8).
         DELETE FROM waitlist_entries WHERE product_id = product AND offer_cart_id = ANY(emptied_ids)
         RETURNING offered_units)
  SELECT coalesce(sum(offered_units), 0)::integer INTO declined_units FROM declined;

  UPDATE inventory SET available = inventory.available - net, reserved = reserved + net
   WHERE product_id = product AND inventory.available >= net
  RETURNING inventory.available INTO written;
  IF written IS DISTINCT FROM available THEN
    RAISE EXCEPTION 'inventory of product % moved under its row lock (% <> %)', product, written, available;
  END IF;
  -- Units given back (a smaller line, a removed one, an undo) go to the line first (invariant 8).
  IF has_line AND freed > 0 THEN
    -- Units these carts gave up never go back to their clients through the line (invariant 8).
    PERFORM set_config('holdcart.freed_by_carts', array_to_string(existing || created_ids, ','), true);
    offers := hand_off_freed(ARRAY[product], settings);
  END IF;

  RETURN jsonb_build_object(
    'outcomes', outcomes,
    'availableAfter', CASE WHEN net = 0 THEN NULL ELSE available END,
    'declinedUnits', declined_units,
    'offers', offers,
    'newCart', jsonb_build_object(
      'expiresAtMs', (extract(epoch FROM now() + make_interval(secs => cart_ttl)) * 1000)::float8,
      'ttlMs', floor(cart_ttl * 1000)::integer),
    'lockMs', extract(epoch FROM clock_timestamp() - locked_at) * 1000);
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION join_line(for_product integer, for_waiter uuid, for_client text, units_wanted integer,
                                     waiter_cart uuid, capped boolean, max_qty integer, max_lines integer)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  stock integer;
  held_units integer;
  waiting_units integer;
  lines_waited integer;
  entry bigint;
  share integer;
  release_time timestamptz;
  not_open boolean;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  IF waiter_cart IS NOT NULL THEN
    UPDATE carts SET waiter_id = for_waiter
     WHERE id = waiter_cart AND state = 'active' AND expires_at > now() AND waiter_id IS DISTINCT FROM for_waiter;
  END IF;
  IF capped THEN
    PERFORM pg_advisory_xact_lock(9, hashtext(for_client)); -- namespace 9: a client's holds (change_lines)
  END IF;
  SELECT available INTO stock FROM inventory WHERE product_id = for_product FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('code', 'unknown_product', 'details', '{}'::jsonb);
  END IF;
  SELECT p.release_at, p.release_at IS NOT NULL AND p.opened_at IS NULL INTO release_time, not_open
    FROM products p WHERE p.id = for_product;
  -- Before a drop opens its line is the draw's entry list, whatever is in stock (invariant 11).
  IF stock >= units_wanted AND NOT not_open THEN
    RETURN jsonb_build_object('code', 'in_stock', 'details', jsonb_build_object('available', stock));
  END IF;
  -- With the per-client caps off: the waiter's own carts hold none of it.
  IF NOT capped AND EXISTS (
       SELECT 1 FROM carts c JOIN reservations r ON r.cart_id = c.id
        WHERE c.waiter_id = for_waiter AND c.state = 'active' AND r.product_id = for_product) THEN
    RETURN jsonb_build_object('code', 'already_holding', 'details', '{}'::jsonb);
  END IF;
  IF capped THEN
    SELECT coalesce(sum(r.quantity), 0)::integer INTO held_units
      FROM carts c JOIN reservations r ON r.cart_id = c.id
     WHERE c.client_key = for_client AND c.state = 'active' AND r.product_id = for_product;
    SELECT coalesce(sum(w.quantity) FILTER (WHERE w.product_id = for_product AND w.offer_cart_id IS NULL), 0)::integer,
           count(*)::integer
      INTO waiting_units, lines_waited
      FROM waitlist_entries w WHERE w.client_key = for_client;
    -- Nobody waits in line for units it holds (invariant 8): those would come back to it.
    IF held_units > 0 THEN
      RETURN jsonb_build_object('code', 'already_holding', 'details', jsonb_build_object('held', held_units));
    END IF;
    -- A drop's line holds one entry per client, however many waiter cookies it brings (invariant 11).
    IF release_time IS NOT NULL AND EXISTS (
         SELECT 1 FROM waitlist_entries w WHERE w.product_id = for_product AND w.client_key = for_client) THEN
      RETURN jsonb_build_object('code', 'already_waiting', 'details', jsonb_build_object('draw', 1));
    END IF;
    share := shopper_share(for_product, max_qty);
    IF held_units + waiting_units + units_wanted > share THEN
      RETURN jsonb_build_object('code', 'hold_limit', 'details', jsonb_build_object(
        'held', held_units, 'waiting', waiting_units, 'perShopperLimit', share));
    END IF;
    IF lines_waited >= max_lines THEN
      RETURN jsonb_build_object('code', 'hold_limit', 'details', jsonb_build_object(
        'lines', lines_waited, 'maxLines', max_lines));
    END IF;
  END IF;
  INSERT INTO waitlist_entries (product_id, waiter_id, client_key, quantity)
  VALUES (for_product, for_waiter, for_client, units_wanted)
  ON CONFLICT (product_id, waiter_id) DO NOTHING
  RETURNING id INTO entry;
  IF entry IS NULL THEN
    RETURN jsonb_build_object('code', 'already_waiting', 'details', '{}'::jsonb);
  END IF;
  RETURN jsonb_build_object('entryId', entry::text);
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION draw_drop(product integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  release_time timestamptz;
  drawn timestamptz;
  entrants integer;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  -- Under the product's row lock, like every change of its line: however many workers call this
  -- at the release, one draws and the others find it drawn.
  PERFORM 1 FROM inventory WHERE product_id = product FOR UPDATE;
  SELECT release_at, drawn_at INTO release_time, drawn FROM products WHERE id = product;
  IF release_time IS NULL OR release_time > now() OR drawn IS NOT NULL THEN
    RETURN jsonb_build_object('drawn', false);
  END IF;
  -- A uniformly random order: gen_random_uuid() draws 122 bits from the server's cryptographic
  -- random source (pg_strong_random) per entry, so no order is likelier than another.
  WITH ranked AS (
         SELECT id, row_number() OVER (ORDER BY gen_random_uuid())::integer AS rank
           FROM waitlist_entries
          WHERE product_id = product AND joined_at < release_time AND offer_cart_id IS NULL),
       drawn_entries AS (
         UPDATE waitlist_entries w SET draw_rank = r.rank FROM ranked r WHERE w.id = r.id
         RETURNING w.id, w.waiter_id, w.client_key, w.joined_at, w.quantity, w.draw_rank)
  INSERT INTO draw_entries (product_id, release_at, rank, entry_id, waiter_id, client_key, joined_at, quantity)
  SELECT product, release_time, draw_rank, id, waiter_id, client_key, joined_at, quantity FROM drawn_entries;
  GET DIAGNOSTICS entrants = ROW_COUNT;
  UPDATE products SET drawn_at = clock_timestamp() WHERE id = product;
  RETURN jsonb_build_object('drawn', true, 'entrants', entrants);
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION open_drop(product integer, settings jsonb, batch integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  drawn timestamptz;
  opened timestamptz;
  offers jsonb;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  PERFORM 1 FROM inventory WHERE product_id = product FOR UPDATE;
  SELECT drawn_at, opened_at INTO drawn, opened FROM products WHERE id = product;
  IF drawn IS NULL OR opened IS NOT NULL THEN
    RETURN jsonb_build_object('offers', '[]'::jsonb, 'opened', opened IS NOT NULL);
  END IF;
  -- The next `batch` of the line, in the draw's order (offer_to_line), as offers (invariant 8).
  offers := offer_to_line(ARRAY[product], settings, batch);
  -- Fewer than a batch: the units or the line ran out, and the line has had what it could. From
  -- now on anyone may add what is left, and units that come back go to the line as always.
  IF jsonb_array_length(offers) < batch THEN
    UPDATE products SET opened_at = clock_timestamp() WHERE id = product;
  END IF;
  RETURN jsonb_build_object('offers', offers, 'opened', jsonb_array_length(offers) < batch);
END
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION release_carts(cart_ids uuid[], sweep_limit integer, ended_by text, early boolean, settings jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  chosen uuid[] := cart_ids;
  ended jsonb;
  ended_ids uuid[];
  product_ids integer[];
  units_by_cart jsonb;
  passed integer;
  offers jsonb := '[]';
  changes jsonb;
  locked_at timestamptz;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  IF sweep_limit IS NOT NULL THEN
    SELECT coalesce(array_agg(id), '{}') INTO chosen FROM (
      SELECT id FROM carts WHERE state = 'active' AND expires_at <= now()
       ORDER BY expires_at LIMIT sweep_limit FOR UPDATE SKIP LOCKED) due;
  END IF;

  WITH e AS (
    UPDATE carts c SET state = 'expired', ended_at = now(), version = c.version + 1, release_path = ended_by
      FROM (SELECT id FROM carts WHERE id = ANY(chosen) ORDER BY id FOR UPDATE) l
     WHERE c.id = l.id AND c.state = 'active' AND (early OR c.expires_at <= now())
    RETURNING c.id, floor(extract(epoch FROM now() - c.expires_at) * 1000)::integer AS lag_ms)
  SELECT coalesce(array_agg(id), '{}'), coalesce(jsonb_agg(jsonb_build_object('cartId', id, 'lagMs', lag_ms)), '[]')
    INTO ended_ids, ended FROM e;
  IF cardinality(ended_ids) = 0 THEN
    RETURN jsonb_build_object('released', '[]'::jsonb, 'changes', '[]'::jsonb, 'offers', '[]'::jsonb,
                              'offersPassed', 0, 'lockMs', null);
  END IF;

  PERFORM 1 FROM inventory
   WHERE product_id IN (SELECT product_id FROM reservations WHERE cart_id = ANY(ended_ids)
                        UNION
                        SELECT product_id FROM waitlist_entries WHERE offer_cart_id = ANY(ended_ids))
   ORDER BY product_id FOR UPDATE;
  locked_at := clock_timestamp();

  -- The lines go and the carts remember them (the shopper is told what went back); an offer
  -- among them ends unclaimed, its place in line given up, its units on to the next in line.
  WITH gone AS (
         DELETE FROM reservations WHERE cart_id = ANY(ended_ids) RETURNING cart_id, product_id, quantity),
       remembered AS (
         UPDATE carts c SET released_lines = x.lines
           FROM (SELECT cart_id, jsonb_agg(jsonb_build_object('product_id', product_id, 'quantity', quantity)
                                           ORDER BY product_id) AS lines
                   FROM gone GROUP BY cart_id) x
          WHERE c.id = x.cart_id),
       passed_offers AS (
         DELETE FROM waitlist_entries WHERE offer_cart_id = ANY(ended_ids) RETURNING offered_units),
       per_product AS (SELECT product_id, sum(quantity)::integer AS units FROM gone GROUP BY product_id),
       returned AS (
         UPDATE inventory i SET available = i.available + p.units, reserved = i.reserved - p.units
           FROM per_product p WHERE i.product_id = p.product_id)
  SELECT (SELECT coalesce(sum(offered_units), 0)::integer FROM passed_offers),
         (SELECT coalesce(array_agg(product_id ORDER BY product_id), '{}') FROM per_product),
         (SELECT coalesce(jsonb_object_agg(cart_id, units), '{}')
            FROM (SELECT cart_id, sum(quantity)::integer AS units FROM gone GROUP BY cart_id) c)
    INTO passed, product_ids, units_by_cart;

  IF cardinality(product_ids) > 0 THEN
    -- Units these carts gave up never go back to their clients through the line (invariant 8).
    PERFORM set_config('holdcart.freed_by_carts', array_to_string(ended_ids, ','), true);
    offers := hand_off_freed(product_ids, settings);
  END IF;
  SELECT coalesce(jsonb_agg(jsonb_build_object('productId', product_id, 'available', available)
                            ORDER BY product_id), '[]')
    INTO changes FROM inventory WHERE product_id = ANY(product_ids);

  RETURN jsonb_build_object(
    'released', (SELECT jsonb_agg(r || jsonb_build_object('units', coalesce((units_by_cart->>(r->>'cartId'))::integer, 0)))
                   FROM jsonb_array_elements(ended) r),
    'changes', changes,
    'offers', offers,
    'offersPassed', passed,
    'lockMs', extract(epoch FROM clock_timestamp() - locked_at) * 1000);
END
$$;
