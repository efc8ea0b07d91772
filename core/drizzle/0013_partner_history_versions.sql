-- A version per partner's history (its snapshots), moved by any write to them: the drill-down's fingerprint reads
-- this one row instead of counting the partner's snapshots (one heap row per day of history, so a read that grew
-- with history), and it also sees a snapshot rewritten in place (an older run re-scored), which a count and the
-- newest time did not.
CREATE TABLE "partner_history_versions" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);--> statement-breakpoint
-- Rows are locked in partner order, so two scorings writing overlapping partners wait for each other, never deadlock.
CREATE OR REPLACE FUNCTION "bump_partner_history"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO partner_history_versions (partner_id, version)
      SELECT DISTINCT partner_id, 1 FROM new_rows ORDER BY 1
      ON CONFLICT (partner_id) DO UPDATE SET version = partner_history_versions.version + 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO partner_history_versions (partner_id, version)
      SELECT DISTINCT partner_id, 1 FROM old_rows ORDER BY 1
      ON CONFLICT (partner_id) DO UPDATE SET version = partner_history_versions.version + 1;
  ELSE
    INSERT INTO partner_history_versions (partner_id, version)
      SELECT partner_id, 1 FROM new_rows UNION SELECT partner_id, 1 FROM old_rows ORDER BY 1
      ON CONFLICT (partner_id) DO UPDATE SET version = partner_history_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "snapshots_history_insert" AFTER INSERT ON "snapshots"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_partner_history();--> statement-breakpoint
CREATE TRIGGER "snapshots_history_delete" AFTER DELETE ON "snapshots"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_partner_history();--> statement-breakpoint
CREATE TRIGGER "snapshots_history_update" AFTER UPDATE ON "snapshots"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_partner_history();--> statement-breakpoint
-- TRUNCATE has no transition table: every partner's history is gone, and so are their versions (a missing row reads
-- differently from any row, so every fingerprint moves).
CREATE OR REPLACE FUNCTION "forget_partner_history"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM partner_history_versions;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "snapshots_history_truncate" AFTER TRUNCATE ON "snapshots"
  FOR EACH STATEMENT EXECUTE FUNCTION forget_partner_history();--> statement-breakpoint
INSERT INTO "partner_history_versions" ("partner_id", "version") SELECT DISTINCT "partner_id", 1 FROM "snapshots";
