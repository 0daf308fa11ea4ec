CREATE TABLE "payment_provider_status" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"key_rejected_at" bigint,
	"status" bigint,
	"message" text
);
--> statement-breakpoint
CREATE TABLE "stripe_webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text,
	"type" text NOT NULL,
	"object_id" text,
	"created" bigint NOT NULL,
	"applied" boolean NOT NULL,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing_accounts" ADD COLUMN "gone_provider_customer_id" text;--> statement-breakpoint
ALTER TABLE "payment_methods" ADD COLUMN "mandate_id" text;--> statement-breakpoint
ALTER TABLE "payment_provider_status" ADD CONSTRAINT "payment_provider_status_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_webhook_events_object" ON "stripe_webhook_events" USING btree ("object_id");--> statement-breakpoint
-- A SEPA debit has no brand: rows saved with the bank code as their brand (37040044) name it no more.
UPDATE "payment_methods" SET "brand" = 'sepa_debit' WHERE "type" = 'sepa_debit';
