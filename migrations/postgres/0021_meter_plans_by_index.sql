-- The metering functions keep their plans for the session (0020: force_generic_plan), made once
-- from the statistics of that moment. On a new database those are an empty ledger's, where a
-- sequential scan costs nothing, and a long-lived session (wsb serve's writer) kept scanning the
-- whole ledger for each claimed key as it grew. Every statement of both functions reads through a
-- key: sequential scans are priced out, whatever the statistics said when the plan was made.
ALTER FUNCTION "wsb_meter_load"(jsonb) SET enable_seqscan = off;--> statement-breakpoint
ALTER FUNCTION "wsb_meter_write"(jsonb) SET enable_seqscan = off;
