ALTER TABLE `due_steps` ADD `claimed_by` text;--> statement-breakpoint
ALTER TABLE `due_steps` ADD `claimed_until` integer;