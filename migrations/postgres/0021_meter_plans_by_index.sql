-- The metering functions keep their plans for the session (0020: force_generic_plan), made once
-- from the tables as they were at that moment. On a new database the ledger is empty, a sequential
-- scan of it costs nothing, and a long-lived session (wsb serve's writer) kept scanning the whole
-- ledger for each claimed key as it grew. A small batch's statements all read through a key:
-- sequential scans are priced out for them, whatever the tables held when the plans were made.
-- wsb_meter_load is 0020's with that setting, turned back on for a bulk batch (planned per call).
CREATE OR REPLACE FUNCTION "wsb_meter_load"(p jsonb) RETURNS text LANGUAGE plpgsql
-- No parallel workers: starting them costs more than the scans they would share.
-- A small batch's statements run the plans kept for the session (a custom plan, made at each call, would
-- be chosen again and again where it is estimated a little cheaper); a bulk batch sets its own, which ends with the call.
SET max_parallel_workers_per_gather = 0 SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  ws text := p->>'ws';
  bulk boolean := coalesce((p->>'bulk')::boolean, false);
  ver bigint;
  wanted text[];
  names text[];
  folds text[];
  ids text[] := '{}';
  known text[] := ARRAY(SELECT jsonb_array_elements_text(p->'known'));
  keys text[] := ARRAY(SELECT jsonb_array_elements_text(p->'keys'));
  mine xid[] := ARRAY(SELECT x::xid FROM jsonb_array_elements_text(p->'mine') x);
  org_ids text[] := '{}';
  new_ids text[] := '{}';
  pool_ids text[];
  pool_keys text[] := '{}';
  pool_products text[] := '{}';
  org_keys text[] := '{}';
  org_products text[] := '{}';
  orgs text;
  accounts text;
  pools text;
  counters text;
  capacity text;
  limits text;
  alerts text;
  claimed text;
  first_id bigint;
  n bigint := coalesce((p->>'n')::bigint, 0);
BEGIN
  IF bulk THEN
    -- Each statement planned for this batch's arrays: a kept plan could be one made for a handful of rows.
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
    -- It reads thousands of rows at once, where a scan can be the better plan.
    PERFORM set_config('enable_seqscan', 'on', true);
    PERFORM pg_advisory_xact_lock(2004050509, hashtext(ws));
    -- Where a bulk batch's counter rows go (COPY) before one UPDATE applies them: the session's own, emptied at each commit.
    IF to_regclass('pg_temp.wsb_counter_writes') IS NULL THEN
      CREATE TEMP TABLE wsb_counter_writes (org_id text, workspace_id text, product text, level bigint, subtree bigint, roll_hour bigint,
        peak bigint, accepted bigint, rejected_capacity bigint, rejected_limit bigint, rejected_other bigint, sub_peak bigint, sub_accepted bigint,
        sub_rejected_capacity bigint, sub_rejected_limit bigint, sub_rejected_other bigint, roll_limit bigint, roll_capacity bigint, fresh boolean)
        ON COMMIT DELETE ROWS;
    END IF;
  ELSE
    PERFORM pg_advisory_xact_lock_shared(2004050509, hashtext(ws));
  END IF;
  ver := coalesce((SELECT version FROM wsb_tree_versions WHERE workspace_id = ws), 0);
  IF p->>'v' IS NOT NULL AND (p->>'v')::bigint <> ver THEN
    RETURN '{"stale":true,"v":' || ver || '}';
  END IF;
  wanted := ARRAY(SELECT key FROM products WHERE workspace_id = ws AND key IN (SELECT jsonb_array_elements_text(p->'products')) ORDER BY key);
  -- Each array read only when the request has one (a read is a statement of its own; the test is not).
  names := '{}';
  IF jsonb_array_length(p->'names') > 0 THEN names := ARRAY(SELECT lower(x) FROM jsonb_array_elements_text(p->'names') x); END IF;
  IF jsonb_array_length(p->'ids') > 0 THEN ids := ARRAY(SELECT jsonb_array_elements_text(p->'ids')); END IF;
  IF cardinality(ids) > 0 OR cardinality(names) > 0 OR jsonb_array_length(coalesce(p->'paths', '[]')) > 0 THEN
    IF (p->>'scan')::boolean THEN folds := ARRAY(SELECT jsonb_array_elements_text(p->'folds')); END IF;
    WITH RECURSIVE seg AS (
      SELECT r.i AS ref, s.j AS depth, lower(s.x) AS name
      FROM jsonb_array_elements(coalesce(p->'paths', '[]')) WITH ORDINALITY r(a, i), jsonb_array_elements_text(r.a) WITH ORDINALITY s(x, j)
    ), walk AS (
      -- One probe of the name index per level (LATERAL … LIMIT 1: a name is unique at the top and under a parent).
      SELECT s.ref, s.depth, o.* FROM seg s CROSS JOIN LATERAL (SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o
        WHERE o.workspace_id = ws AND o.parent_id IS NULL AND lower(o.name) = s.name LIMIT 1) o WHERE s.depth = 1
      UNION ALL SELECT s.ref, s.depth, o.* FROM walk w JOIN seg s ON s.ref = w.ref AND s.depth = w.depth + 1
        CROSS JOIN LATERAL (SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o WHERE o.parent_id = w.id AND lower(o.name) = s.name LIMIT 1) o
    ), hit AS (
      SELECT w.id, w.name, w.parent_id, w.seq FROM walk w
      UNION SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o WHERE o.workspace_id = ws AND o.id IN (SELECT unnest(ids))
      UNION SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o WHERE o.workspace_id = ws AND lower(o.name) IN (SELECT unnest(names))
      UNION SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o
        WHERE folds IS NOT NULL AND o.workspace_id = ws AND (o.name ~ '[^\x01-\x7f]' OR lower(o.name COLLATE "C") = ANY(folds))
    ), chain AS (
      SELECT * FROM hit
      -- Each parent through the primary key, whatever the estimate of the chain's size.
      UNION SELECT o.* FROM chain c CROSS JOIN LATERAL (SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o WHERE o.id = c.parent_id LIMIT 1) o
    )
    SELECT json_agg(json_build_array(id, name, parent_id) ORDER BY seq)::text, coalesce(array_agg(id), '{}') INTO orgs, new_ids FROM chain;
  END IF;
  -- In key order where rows are locked (the order every batch locks them in).
  org_ids := CASE WHEN bulk THEN known || new_ids ELSE ARRAY(SELECT DISTINCT x FROM unnest(known || new_ids) x ORDER BY x) END;
  IF cardinality(new_ids) > 0 THEN
    SELECT json_agg(json_build_array(a.id, a.organization_id) ORDER BY a.id)::text INTO accounts
      FROM billing_accounts a WHERE a.workspace_id = ws AND a.organization_id IN (SELECT unnest(new_ids));
  END IF;
  IF (p->>'mode') = 'assigned' THEN
    pool_ids := ARRAY(SELECT a.id FROM billing_accounts a WHERE a.workspace_id = ws AND a.organization_id IN (SELECT unnest(org_ids)) ORDER BY a.id);
  ELSE
    pool_ids := CASE WHEN cardinality(org_ids) > 0 THEN ARRAY[ws] ELSE '{}' END;
  END IF;
  -- A small batch's rows by whole key, (owner, product) pairs in key order, each locked as it is read (one probe of the
  -- primary key, FOR UPDATE: the version read is the current one, after any wait), pools' rows before orgs' rows.
  -- Rows this process wrote last are left out of the answer by the aggregate's FILTER, never by a WHERE: the planner
  -- would push that below the lock, and such a row would not be locked (two batches would then deadlock in their writes).
  IF NOT bulk THEN
    SELECT coalesce(a.k, '{}'), coalesce(a.w, '{}'), coalesce(b.k, '{}'), coalesce(b.w, '{}') INTO pool_keys, pool_products, org_keys, org_products
      FROM (SELECT array_agg(k ORDER BY k, w) AS k, array_agg(w ORDER BY k, w) AS w FROM unnest(pool_ids) k, unnest(wanted) w) a,
        (SELECT array_agg(k ORDER BY k, w) AS k, array_agg(w ORDER BY k, w) AS w FROM unnest(org_ids) k, unnest(wanted) w) b;
  END IF;
  -- A bulk batch's rows unlocked (it holds the workspace), planned for its arrays: a list of ids is joined as
  -- IN (SELECT unnest(…)), never = ANY(…), for which the planner estimates each element (60 ms for 10,000 ids).
  SELECT string_agg('[' || to_json(r.pool_id)::text || ',' || to_json(r.product)::text || ',' || r.used || ',' || coalesce(r.roll_hour::text, 'null') || ',' || r.peak || ',' || r.accepted
      || ',' || r.rejected_capacity || ',' || r.rejected_limit || ',' || r.rejected_other || ',' || coalesce(r.roll_capacity::text, 'null') || ']', ',') FILTER (WHERE NOT (r.x = ANY(mine)))
    INTO pools FROM (
      SELECT u.*, u.xmin AS x FROM pool_usage u WHERE bulk AND u.pool_id IN (SELECT unnest(pool_ids)) AND u.product = ANY(wanted)
      UNION ALL SELECT l.* FROM unnest(pool_keys, pool_products) t(k, w)
        CROSS JOIN LATERAL (SELECT u.*, u.xmin AS x FROM pool_usage u WHERE NOT bulk AND u.pool_id = t.k AND u.product = t.w FOR UPDATE) l
    ) r;
  SELECT string_agg('[' || to_json(r.org_id)::text || ',' || to_json(r.product)::text || ',' || r.level || ',' || r.subtree || ',' || coalesce(r.roll_hour::text, 'null') || ',' || r.peak
      || ',' || r.accepted || ',' || r.rejected_capacity || ',' || r.rejected_limit || ',' || r.rejected_other || ',' || r.sub_peak || ',' || r.sub_accepted || ',' || r.sub_rejected_capacity
      || ',' || r.sub_rejected_limit || ',' || r.sub_rejected_other || ',' || coalesce(r.roll_limit::text, 'null') || ',' || coalesce(r.roll_capacity::text, 'null') || ']', ',') FILTER (WHERE NOT (r.x = ANY(mine)))
    INTO counters FROM (
      SELECT u.*, u.xmin AS x FROM usage_levels u WHERE bulk AND u.org_id IN (SELECT unnest(org_ids)) AND u.product = ANY(wanted)
      UNION ALL SELECT l.* FROM unnest(org_keys, org_products) t(k, w)
        CROSS JOIN LATERAL (SELECT u.*, u.xmin AS x FROM usage_levels u WHERE NOT bulk AND u.org_id = t.k AND u.product = t.w FOR UPDATE) l
    ) r;
  SELECT json_agg(json_build_array(c.account_id, c.product, c.quantity) ORDER BY c.account_id, c.product)::text INTO capacity FROM (
    SELECT s.account_id, i.product, sum(i.quantity)::bigint AS quantity
    FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
    WHERE s.workspace_id = ws AND s.status IN ('trialing', 'active', 'past_due') AND ((p->>'mode') <> 'assigned' OR s.account_id IN (SELECT unnest(pool_ids)))
    GROUP BY s.account_id, i.product) c;
  SELECT json_agg(json_build_array(l.org_id, l.product, l."limit") ORDER BY l.org_id, l.product)::text INTO limits FROM org_limits l WHERE l.org_id IN (SELECT unnest(org_ids));
  SELECT json_agg(json_build_array(id, scope_kind, scope_id, product, percent, armed) ORDER BY scope_id, product, percent)::text INTO alerts
    FROM usage_alerts WHERE workspace_id = ws;
  -- One probe of the claimed-key index per distinct key, whatever the ledger's statistics say: LIMIT 1 (a key is
  -- claimed once) keeps the subquery from being flattened into a join the planner could run as a scan of the
  -- workspace's whole ledger, as it did when the statistics were taken on an empty ledger.
  IF cardinality(keys) > 0 THEN
    SELECT json_agg(json_build_array(l.id, l.org_id, l.product, l.kind, l.value, l.delta, l.level_after, l.headroom_after, l.binding_kind, l.binding_id, l.at, l.key))::text INTO claimed
      FROM (SELECT DISTINCT unnest(keys) AS key) k CROSS JOIN LATERAL (SELECT * FROM usage_ledger u
        WHERE u.workspace_id = ws AND u.key = k.key AND u.key IS NOT NULL AND u.outcome = 'accepted' LIMIT 1) l;
  END IF;
  IF n > 0 THEN
    PERFORM pg_advisory_lock(2004050505, 0);
    first_id := nextval('usage_ledger_id_seq'::regclass);
    IF n > 1 THEN PERFORM setval('usage_ledger_id_seq'::regclass, first_id + n - 1); END IF;
    PERFORM pg_advisory_unlock(2004050505, 0);
  END IF;
  RETURN '{"v":' || ver || ',"x":' || pg_current_xact_id()::text || ',"orgs":' || coalesce(orgs, '[]') || ',"accounts":' || coalesce(accounts, '[]')
    || ',"products":' || to_json(wanted)::text || ',"pools":[' || coalesce(pools, '') || '],"counters":[' || coalesce(counters, '') || ']'
    || ',"capacity":' || coalesce(capacity, '[]') || ',"limits":' || coalesce(limits, '[]') || ',"alerts":' || coalesce(alerts, '[]')
    || ',"claimed":' || coalesce(claimed, '[]') || ',"first":' || coalesce(first_id::text, 'null') || '}';
END
$$;
--> statement-breakpoint
ALTER FUNCTION "wsb_meter_write"(jsonb) SET enable_seqscan = off;
