CREATE TABLE `tax_rates` (
	`workspace_id` text NOT NULL,
	`country` text NOT NULL,
	`region` text NOT NULL,
	`rate_milli` integer NOT NULL,
	`name` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `country`, `region`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `workspaces` ADD `seller` text;--> statement-breakpoint
ALTER TABLE `billing_accounts` ADD `region` text;--> statement-breakpoint
ALTER TABLE `billing_accounts` ADD `tax_exempt` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `billing_accounts` ADD `invoice_prefix` text;--> statement-breakpoint
CREATE UNIQUE INDEX `billing_accounts_invoice_prefix` ON `billing_accounts` (`workspace_id`,`invoice_prefix`);--> statement-breakpoint
ALTER TABLE `invoices` ADD `display_number` text;--> statement-breakpoint
ALTER TABLE `invoices` ADD `due_at` integer;--> statement-breakpoint
ALTER TABLE `invoices` ADD `snapshot` text;--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_display_number` ON `invoices` (`workspace_id`,`display_number`);