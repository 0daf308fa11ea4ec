CREATE INDEX `subscriptions_workspace` ON `subscriptions` (`workspace_id`);--> statement-breakpoint
CREATE INDEX `invoices_account_issued` ON `invoices` (`account_id`,`issued_at`);