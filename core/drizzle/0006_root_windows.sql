CREATE TABLE IF NOT EXISTS "root_access_windows" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"payer_account_id" text NOT NULL,
	"reason" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_by_side" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	CONSTRAINT "root_access_windows_state_check" CHECK ("state" in ('pending', 'approved', 'rejected')),
	CONSTRAINT "root_access_windows_side_check" CHECK ("requested_by_side" in ('partner', 'distributor')),
	CONSTRAINT "root_access_windows_period_check" CHECK ("ends_at" > "starts_at")
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "root_access_windows_partner_idx" ON "root_access_windows" USING btree ("partner_id","requested_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "root_access_windows_payer_idx" ON "root_access_windows" USING btree ("payer_account_id","state","ends_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "root_access_windows_state_idx" ON "root_access_windows" USING btree ("state","requested_at");
