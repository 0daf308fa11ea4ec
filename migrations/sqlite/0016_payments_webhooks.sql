CREATE TABLE `payment_provider_status` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`key_rejected_at` integer,
	`status` integer,
	`message` text,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `stripe_webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text,
	`type` text NOT NULL,
	`object_id` text,
	`created` integer NOT NULL,
	`applied` integer NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stripe_webhook_events_object` ON `stripe_webhook_events` (`object_id`);--> statement-breakpoint
ALTER TABLE `billing_accounts` ADD `gone_provider_customer_id` text;--> statement-breakpoint
ALTER TABLE `payment_methods` ADD `mandate_id` text;--> statement-breakpoint
-- A SEPA debit has no brand: rows saved with the bank code as their brand (37040044) name it no more.
UPDATE `payment_methods` SET `brand` = 'sepa_debit' WHERE `type` = 'sepa_debit';
