CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`mode` text NOT NULL,
	`clock_mode` text NOT NULL,
	`clock_now` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_name_unique` ON `workspaces` (lower("name"));--> statement-breakpoint
CREATE TABLE `products` (
	`workspace_id` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `key`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `org_limits` (
	`org_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`product` text NOT NULL,
	`limit` integer NOT NULL,
	PRIMARY KEY(`org_id`, `product`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_id`,`product`) REFERENCES `products`(`workspace_id`,`key`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`parent_id` text,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`parent_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `organizations_parent` ON `organizations` (`workspace_id`,`parent_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_top_name` ON `organizations` (`workspace_id`,lower("name")) WHERE "organizations"."parent_id" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_child_name` ON `organizations` (`parent_id`,lower("name")) WHERE "organizations"."parent_id" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `billing_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text,
	`country` text,
	`address` text,
	`tax_id` text,
	`currency` text NOT NULL,
	`tax_rate_milli` integer DEFAULT 0 NOT NULL,
	`organization_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_accounts_name` ON `billing_accounts` (`workspace_id`,lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX `billing_accounts_organization` ON `billing_accounts` (`organization_id`);--> statement-breakpoint
CREATE INDEX `billing_accounts_workspace` ON `billing_accounts` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`refs` text NOT NULL,
	`data` text NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_workspace_at` ON `events` (`workspace_id`,`at`);--> statement-breakpoint
CREATE INDEX `events_workspace_kind` ON `events` (`workspace_id`,`kind`);--> statement-breakpoint
CREATE TABLE `usage_levels` (
	`org_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`product` text NOT NULL,
	`level` integer DEFAULT 0 NOT NULL,
	`subtree` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `product`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
