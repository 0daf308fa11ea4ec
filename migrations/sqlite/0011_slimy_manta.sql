CREATE TABLE `org_usage_rollups` (
	`org_id` text NOT NULL,
	`product` text NOT NULL,
	`hour` integer NOT NULL,
	`workspace_id` text NOT NULL,
	`level` integer DEFAULT 0 NOT NULL,
	`peak` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`rejected_capacity` integer DEFAULT 0 NOT NULL,
	`rejected_limit` integer DEFAULT 0 NOT NULL,
	`rejected_other` integer DEFAULT 0 NOT NULL,
	`sub_level` integer DEFAULT 0 NOT NULL,
	`sub_peak` integer DEFAULT 0 NOT NULL,
	`sub_accepted` integer DEFAULT 0 NOT NULL,
	`sub_rejected_capacity` integer DEFAULT 0 NOT NULL,
	`sub_rejected_limit` integer DEFAULT 0 NOT NULL,
	`sub_rejected_other` integer DEFAULT 0 NOT NULL,
	`limit` integer,
	`capacity` integer,
	PRIMARY KEY(`org_id`, `product`, `hour`)
);
--> statement-breakpoint
CREATE INDEX `org_usage_rollups_workspace_hour` ON `org_usage_rollups` (`workspace_id`,`hour`);--> statement-breakpoint
CREATE TABLE `pool_usage_rollups` (
	`pool_id` text NOT NULL,
	`product` text NOT NULL,
	`hour` integer NOT NULL,
	`workspace_id` text NOT NULL,
	`level` integer DEFAULT 0 NOT NULL,
	`peak` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`rejected_capacity` integer DEFAULT 0 NOT NULL,
	`rejected_limit` integer DEFAULT 0 NOT NULL,
	`rejected_other` integer DEFAULT 0 NOT NULL,
	`capacity` integer,
	PRIMARY KEY(`pool_id`, `product`, `hour`)
);
--> statement-breakpoint
CREATE TABLE `usage_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`product` text NOT NULL,
	`percent` integer NOT NULL,
	`armed` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_alerts_unique` ON `usage_alerts` (`workspace_id`,`scope_kind`,`scope_id`,`product`,`percent`);--> statement-breakpoint
ALTER TABLE `pool_usage` ADD `roll_hour` integer;--> statement-breakpoint
ALTER TABLE `pool_usage` ADD `peak` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `pool_usage` ADD `accepted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `pool_usage` ADD `rejected_capacity` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `pool_usage` ADD `rejected_limit` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `pool_usage` ADD `rejected_other` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `pool_usage` ADD `roll_capacity` integer;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `roll_hour` integer;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `peak` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `accepted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `rejected_capacity` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `rejected_limit` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `rejected_other` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `sub_peak` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `sub_accepted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `sub_rejected_capacity` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `sub_rejected_limit` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `sub_rejected_other` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `roll_limit` integer;--> statement-breakpoint
ALTER TABLE `usage_levels` ADD `roll_capacity` integer;