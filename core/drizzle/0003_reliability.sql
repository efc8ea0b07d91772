ALTER TABLE "runs" ADD COLUMN "queue_prefix" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "requeues" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "recovery_note" text;
