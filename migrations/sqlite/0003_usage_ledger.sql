CREATE TABLE `usage_ledger` (
	`id` integer PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`org_id` text NOT NULL,
	`product` text NOT NULL,
	`kind` text NOT NULL,
	`value` integer NOT NULL,
	`delta` integer NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`level_after` integer NOT NULL,
	`headroom_after` integer,
	`binding_kind` text,
	`binding_id` text,
	`key` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_ledger_claimed_key` ON `usage_ledger` (`workspace_id`,`key`) WHERE "usage_ledger"."outcome" = 'accepted' AND "usage_ledger"."key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `usage_ledger_workspace_at` ON `usage_ledger` (`workspace_id`,`at`);