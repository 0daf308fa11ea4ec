CREATE TABLE `account_discounts` (
	`account_id` text PRIMARY KEY NOT NULL,
	`coupon_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`invoices_used` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `billing_accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`percent_off_milli` integer,
	`amount_off` integer,
	`currency` text,
	`duration` text NOT NULL,
	`duration_invoices` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupons_code` ON `coupons` (`workspace_id`,lower("code"));--> statement-breakpoint
CREATE TABLE `credit_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`invoice_id` text,
	`note` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `billing_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `credit_entries_account` ON `credit_entries` (`account_id`);--> statement-breakpoint
CREATE TABLE `due_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`due_at` integer NOT NULL,
	`kind` text NOT NULL,
	`ref_id` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `due_steps_workspace_due` ON `due_steps` (`workspace_id`,`due_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `due_steps_unique` ON `due_steps` (`workspace_id`,`kind`,`ref_id`,`due_at`);--> statement-breakpoint
CREATE TABLE `invoice_lines` (
	`invoice_id` text NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`description` text NOT NULL,
	`product` text,
	`quantity` integer,
	`unit_amount` integer,
	`amount` integer NOT NULL,
	`period_start` integer,
	`period_end` integer,
	PRIMARY KEY(`invoice_id`, `position`),
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`account_id` text NOT NULL,
	`subscription_id` text,
	`number` integer NOT NULL,
	`status` text NOT NULL,
	`reason` text NOT NULL,
	`currency` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`subtotal` integer NOT NULL,
	`discount` integer NOT NULL,
	`tax_rate_milli` integer NOT NULL,
	`tax` integer NOT NULL,
	`total` integer NOT NULL,
	`credit_applied` integer NOT NULL,
	`amount_due` integer NOT NULL,
	`amount_paid` integer DEFAULT 0 NOT NULL,
	`issued_at` integer NOT NULL,
	`paid_at` integer,
	`first_failed_at` integer,
	`attempt_runs` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `billing_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_account_number` ON `invoices` (`account_id`,`number`);--> statement-breakpoint
CREATE INDEX `invoices_workspace` ON `invoices` (`workspace_id`,`issued_at`);--> statement-breakpoint
CREATE INDEX `invoices_subscription` ON `invoices` (`subscription_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	`refs` text NOT NULL,
	`dedupe_key` text NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_dedupe` ON `notifications` (`workspace_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notifications_at` ON `notifications` (`workspace_id`,`at`);--> statement-breakpoint
ALTER TABLE `billing_accounts` ADD `credit_balance` integer DEFAULT 0 NOT NULL;