CREATE TABLE `usage_rejection_bindings` (
	`org_id` text NOT NULL,
	`product` text NOT NULL,
	`hour` integer NOT NULL,
	`binding_kind` text NOT NULL,
	`binding_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`org_id`, `product`, `hour`, `binding_kind`, `binding_id`)
);
--> statement-breakpoint
CREATE INDEX `usage_rejection_bindings_workspace_hour` ON `usage_rejection_bindings` (`workspace_id`,`hour`);