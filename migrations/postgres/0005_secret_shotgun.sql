CREATE TABLE "tax_rates" (
	"workspace_id" text NOT NULL,
	"country" text NOT NULL,
	"region" text NOT NULL,
	"rate_milli" bigint NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "tax_rates_workspace_id_country_region_pk" PRIMARY KEY("workspace_id","country","region")
);
--> statement-breakpoint
ALTER TABLE "billing_accounts" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "billing_accounts" ADD COLUMN "tax_exempt" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "billing_accounts" ADD COLUMN "invoice_prefix" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "display_number" text;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "due_at" bigint;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "snapshot" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "seller" text;--> statement-breakpoint
ALTER TABLE "tax_rates" ADD CONSTRAINT "tax_rates_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_accounts_invoice_prefix" ON "billing_accounts" USING btree ("workspace_id","invoice_prefix");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_display_number" ON "invoices" USING btree ("workspace_id","display_number");