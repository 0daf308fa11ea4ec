CREATE TABLE "usage_rejection_bindings" (
	"org_id" text NOT NULL,
	"product" text NOT NULL,
	"hour" bigint NOT NULL,
	"binding_kind" text NOT NULL,
	"binding_id" text NOT NULL,
	"workspace_id" text NOT NULL,
	"rejected" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_rejection_bindings_org_id_product_hour_binding_kind_binding_id_pk" PRIMARY KEY("org_id","product","hour","binding_kind","binding_id")
);
--> statement-breakpoint
CREATE INDEX "usage_rejection_bindings_workspace_hour" ON "usage_rejection_bindings" USING btree ("workspace_id","hour");