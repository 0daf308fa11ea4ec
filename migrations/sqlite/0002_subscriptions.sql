CREATE TABLE `pool_usage` (
	`pool_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`product` text NOT NULL,
	`used` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`pool_id`, `product`)
);
--> statement-breakpoint
CREATE TABLE `prices` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`product` text NOT NULL,
	`currency` text NOT NULL,
	`interval` text NOT NULL,
	`scheme` text NOT NULL,
	`unit_amount` integer,
	`tiers` text,
	`active` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `prices_active` ON `prices` (`workspace_id`,`product`,`currency`,`interval`) WHERE "prices"."active" = 1;--> statement-breakpoint
CREATE INDEX `prices_product` ON `prices` (`workspace_id`,`product`);--> statement-breakpoint
CREATE TABLE `pending_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription_id` text NOT NULL,
	`account_id` text NOT NULL,
	`product` text NOT NULL,
	`description` text NOT NULL,
	`from_quantity` integer NOT NULL,
	`to_quantity` integer NOT NULL,
	`unit_amount` integer,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`created_at` integer NOT NULL,
	`invoice_id` text,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pending_lines_account` ON `pending_lines` (`account_id`,`invoice_id`);--> statement-breakpoint
CREATE TABLE `scheduled_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription_id` text NOT NULL,
	`kind` text NOT NULL,
	`product` text,
	`quantity` integer,
	`interval` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scheduled_changes_subscription` ON `scheduled_changes` (`subscription_id`);--> statement-breakpoint
CREATE TABLE `subscription_items` (
	`subscription_id` text NOT NULL,
	`product` text NOT NULL,
	`price_id` text NOT NULL,
	`quantity` integer NOT NULL,
	PRIMARY KEY(`subscription_id`, `product`),
	FOREIGN KEY (`subscription_id`) REFERENCES `subscriptions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`account_id` text NOT NULL,
	`status` text NOT NULL,
	`interval` text NOT NULL,
	`currency` text NOT NULL,
	`anchor_at` integer NOT NULL,
	`period_index` integer NOT NULL,
	`current_period_start` integer NOT NULL,
	`current_period_end` integer NOT NULL,
	`trial_start` integer,
	`trial_end` integer,
	`cancel_at_period_end` integer DEFAULT false NOT NULL,
	`canceled_at` integer,
	`cancel_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `billing_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscriptions_account` ON `subscriptions` (`account_id`,`status`);--> statement-breakpoint
CREATE INDEX `subscriptions_due` ON `subscriptions` (`workspace_id`,`status`,`current_period_end`);--> statement-breakpoint
ALTER TABLE `workspaces` ADD `trial_used_at` integer;