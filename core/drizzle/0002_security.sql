ALTER TABLE "suppressions" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "suppressions" ADD COLUMN "second_approver" text;--> statement-breakpoint
UPDATE "suppressions" SET "approved_at" = "created_at" WHERE "approved_at" IS NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "parent_token_id" text;--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "exports_partner_idx" ON "exports" USING btree ("partner_id");--> statement-breakpoint
UPDATE "api_tokens" SET "expires_at" = "created_at" + interval '90 days' WHERE "expires_at" IS NULL;