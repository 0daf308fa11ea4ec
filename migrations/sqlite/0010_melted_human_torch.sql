ALTER TABLE `payment_attempts` ADD `errors` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `payment_methods` ADD `type` text DEFAULT 'card' NOT NULL;--> statement-breakpoint
ALTER TABLE `payment_methods` ADD `unusable_at` integer;--> statement-breakpoint
ALTER TABLE `payment_methods` ADD `unusable_reason` text;