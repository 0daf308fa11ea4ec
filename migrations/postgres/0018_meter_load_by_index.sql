-- wsb_meter_load (0017) with its claimed keys looked up through their index whatever the ledger's
-- statistics say. On a ledger whose statistics were taken while it was small (a new database before
-- autovacuum's first analyze), each report's key was looked up by scanning every accepted keyed row
-- of the workspace: 12 ms a report at 1,000 rows, growing with the ledger. Now each distinct key is
-- one probe of the claimed-key index (workspace_id, key). The rest is 0017's, unchanged.
CREATE OR REPLACE FUNCTION "wsb_meter_load"(p jsonb) RETURNS text LANGUAGE plpgsql
-- No parallel workers: starting them costs more than the scans they would share.
SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
  ws text := p->>'ws';
  bulk boolean := coalesce((p->>'bulk')::boolean, false);
  ver bigint;
  wanted text[];
  names text[];
  folds text[];
  ids text[] := ARRAY(SELECT jsonb_array_elements_text(p->'ids'));
  known text[] := ARRAY(SELECT jsonb_array_elements_text(p->'known'));
  keys text[] := ARRAY(SELECT jsonb_array_elements_text(p->'keys'));
  mine xid[] := ARRAY(SELECT x::xid FROM jsonb_array_elements_text(p->'mine') x);
  org_ids text[] := '{}';
  new_ids text[] := '{}';
  pool_ids text[];
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
  pool_lock text := CASE WHEN bulk THEN '' ELSE 'ORDER BY u.pool_id, u.product FOR UPDATE' END;
  counter_lock text := CASE WHEN bulk THEN '' ELSE 'ORDER BY u.org_id, u.product FOR UPDATE' END;
BEGIN
  IF bulk THEN
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
  names := ARRAY(SELECT lower(x) FROM jsonb_array_elements_text(p->'names') x);
  IF cardinality(ids) > 0 OR cardinality(names) > 0 THEN
    folds := CASE WHEN (p->>'scan')::boolean THEN ARRAY(SELECT jsonb_array_elements_text(p->'folds')) END;
    WITH RECURSIVE hit AS (
      SELECT o.id FROM organizations o WHERE o.workspace_id = ws AND o.id IN (SELECT unnest(ids))
      UNION SELECT o.id FROM organizations o WHERE o.workspace_id = ws AND lower(o.name) IN (SELECT unnest(names))
      UNION SELECT o.id FROM organizations o WHERE folds IS NOT NULL AND o.workspace_id = ws AND (o.name ~ '[^\x01-\x7f]' OR lower(o.name COLLATE "C") = ANY(folds))
    ), chain AS (
      SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o WHERE o.id IN (SELECT id FROM hit)
      UNION SELECT o.id, o.name, o.parent_id, o.seq FROM organizations o JOIN chain c ON o.id = c.parent_id
    )
    SELECT json_agg(json_build_array(id, name, parent_id) ORDER BY seq)::text, coalesce(array_agg(id), '{}') INTO orgs, new_ids FROM chain;
  END IF;
  -- In key order where rows are locked (the order every batch locks them in).
  org_ids := CASE WHEN bulk THEN known || new_ids ELSE ARRAY(SELECT DISTINCT x FROM unnest(known || new_ids) x ORDER BY x) END;
  SELECT json_agg(json_build_array(a.id, a.organization_id) ORDER BY a.id)::text INTO accounts
    FROM billing_accounts a WHERE a.workspace_id = ws AND a.organization_id IN (SELECT unnest(new_ids));
  IF (p->>'mode') = 'assigned' THEN
    pool_ids := ARRAY(SELECT a.id FROM billing_accounts a WHERE a.workspace_id = ws AND a.organization_id IN (SELECT unnest(org_ids)) ORDER BY a.id);
  ELSE
    pool_ids := CASE WHEN cardinality(org_ids) > 0 THEN ARRAY[ws] ELSE '{}' END;
  END IF;
  -- Planned at each call (EXECUTE), with the arrays' sizes known: a kept plan could be one made for a handful of rows.
  -- Every list of ids is joined as IN (SELECT unnest(…)), never = ANY(…): for = ANY of a constant array the planner
  -- estimates each element against the column's statistics, 60 ms for 10,000 ids.
  EXECUTE format($q$WITH r AS (SELECT u.*, u.xmin AS x FROM pool_usage u WHERE u.pool_id IN (SELECT unnest($1)) AND u.product = ANY($2) %s)
    SELECT string_agg('[' || to_json(pool_id)::text || ',' || to_json(product)::text || ',' || used || ',' || coalesce(roll_hour::text, 'null') || ',' || peak || ',' || accepted
      || ',' || rejected_capacity || ',' || rejected_limit || ',' || rejected_other || ',' || coalesce(roll_capacity::text, 'null') || ']', ',')
    FROM r WHERE NOT (x = ANY($3))$q$, pool_lock) INTO pools USING pool_ids, wanted, mine;
  EXECUTE format($q$WITH r AS (SELECT u.*, u.xmin AS x FROM usage_levels u WHERE u.org_id IN (SELECT unnest($1)) AND u.product = ANY($2) %s)
    SELECT string_agg('[' || to_json(org_id)::text || ',' || to_json(product)::text || ',' || level || ',' || subtree || ',' || coalesce(roll_hour::text, 'null') || ',' || peak
      || ',' || accepted || ',' || rejected_capacity || ',' || rejected_limit || ',' || rejected_other || ',' || sub_peak || ',' || sub_accepted || ',' || sub_rejected_capacity
      || ',' || sub_rejected_limit || ',' || sub_rejected_other || ',' || coalesce(roll_limit::text, 'null') || ',' || coalesce(roll_capacity::text, 'null') || ']', ',')
    FROM r WHERE NOT (x = ANY($3))$q$, counter_lock) INTO counters USING org_ids, wanted, mine;
  SELECT json_agg(json_build_array(c.account_id, c.product, c.quantity) ORDER BY c.account_id, c.product)::text INTO capacity FROM (
    SELECT s.account_id, i.product, sum(i.quantity)::bigint AS quantity
    FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
    WHERE s.workspace_id = ws AND s.status IN ('trialing', 'active', 'past_due') AND ((p->>'mode') <> 'assigned' OR s.account_id IN (SELECT unnest(pool_ids)))
    GROUP BY s.account_id, i.product) c;
  EXECUTE $q$SELECT json_agg(json_build_array(l.org_id, l.product, l."limit") ORDER BY l.org_id, l.product)::text FROM org_limits l WHERE l.org_id IN (SELECT unnest($1))$q$
    INTO limits USING org_ids;
  SELECT json_agg(json_build_array(id, scope_kind, scope_id, product, percent, armed) ORDER BY scope_id, product, percent)::text INTO alerts
    FROM usage_alerts WHERE workspace_id = ws;
  -- One probe of the claimed-key index per distinct key, whatever the ledger's statistics say: LIMIT 1 (a key is
  -- claimed once) keeps the subquery from being flattened into a join the planner could run as a scan of the
  -- workspace's whole ledger, as it did when the statistics were taken on an empty ledger.
  EXECUTE $q$SELECT json_agg(json_build_array(l.id, l.org_id, l.product, l.kind, l.value, l.delta, l.level_after, l.headroom_after, l.binding_kind, l.binding_id, l.at, l.key))::text
    FROM (SELECT DISTINCT unnest($2) AS key) k CROSS JOIN LATERAL (SELECT * FROM usage_ledger u
      WHERE u.workspace_id = $1 AND u.key = k.key AND u.key IS NOT NULL AND u.outcome = 'accepted' LIMIT 1) l$q$ INTO claimed USING ws, keys;
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
