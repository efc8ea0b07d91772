CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"detail" jsonb,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "evidence" (
	"run_id" text NOT NULL,
	"payer_account_id" text NOT NULL,
	"partner_id" text NOT NULL,
	"collected_at" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "evidence_run_id_payer_account_id_pk" PRIMARY KEY("run_id","payer_account_id")
);
--> statement-breakpoint
CREATE TABLE "export_schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"cron" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"format" text NOT NULL,
	"scope" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"retention_days" integer DEFAULT 90 NOT NULL,
	"delivery" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"webhook_secret" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_run_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "exports" (
	"id" text PRIMARY KEY NOT NULL,
	"schedule_id" text,
	"format" text NOT NULL,
	"scope" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"partner_id" text,
	"status" text NOT NULL,
	"file_name" text,
	"content_type" text,
	"size_bytes" integer,
	"content" "bytea",
	"sha256" text,
	"error" text,
	"deliveries" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"partner_id" text NOT NULL,
	"payer_account_id" text NOT NULL,
	"control_id" text NOT NULL,
	"resource" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"message" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"suppression_id" text
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payers" (
	"account_id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"role_arn" text NOT NULL,
	"external_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_access_ok_at" timestamp with time zone,
	"last_access_error" text
);
--> statement-breakpoint
CREATE TABLE "run_payers" (
	"run_id" text NOT NULL,
	"payer_account_id" text NOT NULL,
	"partner_id" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	"call_stats" jsonb,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "run_payers_run_id_payer_account_id_pk" PRIMARY KEY("run_id","payer_account_id")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" text,
	"total" integer DEFAULT 0 NOT NULL,
	"collected" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"summary" jsonb,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"id" integer PRIMARY KEY NOT NULL,
	"data" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"run_id" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"score" integer NOT NULL,
	"grade" text NOT NULL,
	"counts" jsonb NOT NULL,
	"critical_failures" jsonb NOT NULL,
	"locked_out" boolean NOT NULL,
	"monthly_spend" double precision,
	"changes" jsonb NOT NULL,
	"previous_snapshot_id" text
);
--> statement-breakpoint
CREATE TABLE "suppressions" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"control_id" text NOT NULL,
	"resource" text DEFAULT '' NOT NULL,
	"reason" text NOT NULL,
	"approver" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"partner_id" text,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	"disabled" boolean DEFAULT false NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence" ADD CONSTRAINT "evidence_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payers" ADD CONSTRAINT "payers_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_payers" ADD CONSTRAINT "run_payers_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "evidence_partner_idx" ON "evidence" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "exports_created_idx" ON "exports" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "findings_run_partner_idx" ON "findings" USING btree ("run_id","partner_id");--> statement-breakpoint
CREATE INDEX "findings_partner_control_idx" ON "findings" USING btree ("partner_id","control_id");--> statement-breakpoint
CREATE INDEX "findings_control_status_idx" ON "findings" USING btree ("run_id","control_id","status");--> statement-breakpoint
CREATE INDEX "payers_partner_idx" ON "payers" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "run_payers_partner_idx" ON "run_payers" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "runs_created_idx" ON "runs" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "snapshots_partner_run_idx" ON "snapshots" USING btree ("partner_id","run_id");--> statement-breakpoint
CREATE INDEX "snapshots_partner_taken_idx" ON "snapshots" USING btree ("partner_id","taken_at");--> statement-breakpoint
CREATE INDEX "suppressions_partner_idx" ON "suppressions" USING btree ("partner_id");