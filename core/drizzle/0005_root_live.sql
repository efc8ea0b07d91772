CREATE TABLE "root_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"partner_id" text,
	"event_time" timestamp with time zone NOT NULL,
	"event_name" text NOT NULL,
	"event_source" text NOT NULL,
	"event_type" text NOT NULL,
	"mfa_used" boolean,
	"data" jsonb NOT NULL,
	"envelope" jsonb NOT NULL,
	"message_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rescore_run_id" text,
	"rescore_error" text,
	"alerted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "root_events_account_time_idx" ON "root_events" USING btree ("account_id","event_time");--> statement-breakpoint
CREATE INDEX "root_events_received_idx" ON "root_events" USING btree ("received_at");--> statement-breakpoint
CREATE TABLE "root_event_rejects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"error" text NOT NULL,
	"body" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_channels" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"events" jsonb NOT NULL,
	"secret" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"event" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"partner_id" text,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_channel_id_alert_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_deliveries_channel_dedupe_idx" ON "alert_deliveries" USING btree ("channel_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "alert_deliveries_channel_created_idx" ON "alert_deliveries" USING btree ("channel_id","created_at");
