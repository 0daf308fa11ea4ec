CREATE TABLE `payment_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` text NOT NULL,
	`invoice_id` text NOT NULL,
	`run` text NOT NULL,
	`payment_method_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_payment_id` text,
	`outcome` text NOT NULL,
	`decline_code` text,
	`message` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `payment_attempts_invoice` ON `payment_attempts` (`invoice_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `payment_attempts_key` ON `payment_attempts` (`idempotency_key`);--> statement-breakpoint
CREATE TABLE `payment_methods` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`account_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_id` text NOT NULL,
	`source` text NOT NULL,
	`brand` text NOT NULL,
	`last4` text NOT NULL,
	`exp_month` integer NOT NULL,
	`exp_year` integer NOT NULL,
	`is_default` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `billing_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `payment_methods_account` ON `payment_methods` (`account_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `payment_methods_provider_id` ON `payment_methods` (`account_id`,`provider_id`);--> statement-breakpoint
ALTER TABLE `billing_accounts` ADD `provider_customer_id` text;