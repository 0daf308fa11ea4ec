ALTER TABLE "payment_attempts" ADD COLUMN "errors" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD COLUMN "type" text DEFAULT 'card' NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD COLUMN "unusable_at" bigint;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD COLUMN "unusable_reason" text;