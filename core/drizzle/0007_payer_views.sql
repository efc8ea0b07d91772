CREATE TABLE IF NOT EXISTS "payer_views" (
	"run_id" text NOT NULL,
	"payer_account_id" text NOT NULL,
	"partner_id" text NOT NULL,
	"schema_version" integer NOT NULL,
	"built_with" text NOT NULL,
	"view" jsonb NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payer_views_run_id_payer_account_id_pk" PRIMARY KEY("run_id","payer_account_id"),
	CONSTRAINT "payer_views_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payer_views_partner_run_idx" ON "payer_views" USING btree ("partner_id","run_id");
