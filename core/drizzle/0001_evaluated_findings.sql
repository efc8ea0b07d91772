ALTER TABLE "evidence" ADD COLUMN "findings" jsonb;--> statement-breakpoint
ALTER TABLE "evidence" ADD COLUMN "evaluated_with" text;