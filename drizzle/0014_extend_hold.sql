-- Keeping a hold longer is one statement (extend_hold), decided under the same locks as every
-- change of the client's holds, by the clock at the moment of the decision.
--
-- Before, the web ran it as a transaction of three round trips and judged the cart alive by now(),
-- the transaction's start. In a drop of 5,000 shoppers an extension whose transaction began 37 ms
-- before a bot's deadline wrote its new deadline 181 ms later, between turns of a busy web
-- process; meanwhile the same client's new cart had counted the first one as ended (change_lines,
-- by its own later clock) and been allowed 10 units: 20 units held by one client against a cap of
-- 10 (invariant 9). Now the cart's row, then the client's advisory lock
-- (namespace 9, change_lines' order: carts, then clients), then the cart must still be active and
-- unexpired by clock_timestamp(): a cart any change of the client's holds has counted as ended
-- stays ended. The cart's row is held for this one round trip, never across a web process's turns.
CREATE OR REPLACE FUNCTION extend_hold(for_cart uuid, settings jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  cart_ttl integer := (settings->>'cartTtlSeconds')::integer;
  max_extensions integer := (settings->>'maxHoldExtensions')::integer;
  cart carts%ROWTYPE;
  awaited text;
  decided_at timestamptz;
BEGIN
  PERFORM set_config('lock_timeout', '5s', true);
  SELECT * INTO cart FROM carts WHERE id = for_cart FOR UPDATE;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('ok', false, 'code', 'cart_not_found');
  END IF;
  IF (settings->>'holdLimits')::boolean AND coalesce(cart.client_key, '') <> '' THEN
    PERFORM pg_advisory_xact_lock(9, hashtext(cart.client_key));
  END IF;
  decided_at := clock_timestamp();
  IF cart.state <> 'active' OR cart.expires_at <= decided_at THEN
    RETURN jsonb_build_object('ok', false, 'code', 'cart_expired');
  END IF;
  -- A hold is never kept from a shopper in line.
  SELECT p.name INTO awaited
    FROM reservations r JOIN products p ON p.id = r.product_id
   WHERE r.cart_id = for_cart
     AND EXISTS (SELECT 1 FROM waitlist_entries w WHERE w.product_id = r.product_id AND w.offer_cart_id IS NULL)
   ORDER BY r.product_id LIMIT 1;
  IF awaited IS NOT NULL THEN
    RETURN jsonb_build_object('ok', false, 'code', 'extension_refused', 'reason', 'waitlist', 'name', awaited);
  END IF;
  IF cart.extensions_used >= max_extensions THEN
    RETURN jsonb_build_object('ok', false, 'code', 'extension_refused', 'reason', 'limit');
  END IF;

  UPDATE carts
     SET expires_at = greatest(expires_at, decided_at + make_interval(secs => cart_ttl)),
         extensions_used = extensions_used + 1,
         version = version + 1
   WHERE id = for_cart
  RETURNING * INTO cart;
  RETURN jsonb_build_object(
    'ok', true,
    'version', cart.version,
    'extensionsUsed', cart.extensions_used,
    'expiresAtMs', (extract(epoch FROM cart.expires_at) * 1000)::float8,
    'ttlMs', floor(extract(epoch FROM cart.expires_at - clock_timestamp()) * 1000)::integer,
    'lines', (SELECT coalesce(jsonb_agg(jsonb_build_object('productId', product_id, 'quantity', quantity)
                                        ORDER BY product_id), '[]')
                FROM reservations WHERE cart_id = for_cart));
END
$$;
