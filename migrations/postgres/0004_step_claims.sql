ALTER TABLE "due_steps" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "due_steps" ADD COLUMN "claimed_until" bigint;