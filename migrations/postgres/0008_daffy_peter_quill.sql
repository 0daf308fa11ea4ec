CREATE TABLE "org_usage_rollups" (
	"org_id" text NOT NULL,
	"product" text NOT NULL,
	"hour" bigint NOT NULL,
	"workspace_id" text NOT NULL,
	"level" bigint DEFAULT 0 NOT NULL,
	"peak" bigint DEFAULT 0 NOT NULL,
	"accepted" bigint DEFAULT 0 NOT NULL,
	"rejected_capacity" bigint DEFAULT 0 NOT NULL,
	"rejected_limit" bigint DEFAULT 0 NOT NULL,
	"rejected_other" bigint DEFAULT 0 NOT NULL,
	"sub_level" bigint DEFAULT 0 NOT NULL,
	"sub_peak" bigint DEFAULT 0 NOT NULL,
	"sub_accepted" bigint DEFAULT 0 NOT NULL,
	"sub_rejected_capacity" bigint DEFAULT 0 NOT NULL,
	"sub_rejected_limit" bigint DEFAULT 0 NOT NULL,
	"sub_rejected_other" bigint DEFAULT 0 NOT NULL,
	"limit" bigint,
	"capacity" bigint,
	CONSTRAINT "org_usage_rollups_org_id_product_hour_pk" PRIMARY KEY("org_id","product","hour")
);
--> statement-breakpoint
CREATE TABLE "pool_usage_rollups" (
	"pool_id" text NOT NULL,
	"product" text NOT NULL,
	"hour" bigint NOT NULL,
	"workspace_id" text NOT NULL,
	"level" bigint DEFAULT 0 NOT NULL,
	"peak" bigint DEFAULT 0 NOT NULL,
	"accepted" bigint DEFAULT 0 NOT NULL,
	"rejected_capacity" bigint DEFAULT 0 NOT NULL,
	"rejected_limit" bigint DEFAULT 0 NOT NULL,
	"rejected_other" bigint DEFAULT 0 NOT NULL,
	"capacity" bigint,
	CONSTRAINT "pool_usage_rollups_pool_id_product_hour_pk" PRIMARY KEY("pool_id","product","hour")
);
--> statement-breakpoint
CREATE TABLE "usage_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"scope_kind" text NOT NULL,
	"scope_id" text NOT NULL,
	"product" text NOT NULL,
	"percent" bigint NOT NULL,
	"armed" bigint DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pool_usage" ADD COLUMN "roll_hour" bigint;--> statement-breakpoint
ALTER TABLE "pool_usage" ADD COLUMN "peak" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pool_usage" ADD COLUMN "accepted" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pool_usage" ADD COLUMN "rejected_capacity" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pool_usage" ADD COLUMN "rejected_limit" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pool_usage" ADD COLUMN "rejected_other" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pool_usage" ADD COLUMN "roll_capacity" bigint;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "roll_hour" bigint;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "peak" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "accepted" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "rejected_capacity" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "rejected_limit" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "rejected_other" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "sub_peak" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "sub_accepted" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "sub_rejected_capacity" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "sub_rejected_limit" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "sub_rejected_other" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "roll_limit" bigint;--> statement-breakpoint
ALTER TABLE "usage_levels" ADD COLUMN "roll_capacity" bigint;--> statement-breakpoint
CREATE INDEX "org_usage_rollups_workspace_hour" ON "org_usage_rollups" USING btree ("workspace_id","hour");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_alerts_unique" ON "usage_alerts" USING btree ("workspace_id","scope_kind","scope_id","product","percent");