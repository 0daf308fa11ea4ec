-- The counter rows metering rewrites on every report (usage levels, pool usage and their hourly
-- rollups) keep half of each page free, so that a row's new version fits on its own page: the update
-- is then HOT (no index entry) and the versions it leaves behind are pruned in place the next time
-- the page is written. Full pages sent every new version to the end of the table, which grew until
-- autovacuum ran: 58 MB for 10,100 counter rows after 300,000 imported reports, and every
-- `usage report --by org` read all of it.
ALTER TABLE "usage_levels" SET (fillfactor = 50);--> statement-breakpoint
ALTER TABLE "pool_usage" SET (fillfactor = 50);--> statement-breakpoint
ALTER TABLE "org_usage_rollups" SET (fillfactor = 50);--> statement-breakpoint
ALTER TABLE "pool_usage_rollups" SET (fillfactor = 50);
