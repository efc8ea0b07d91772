-- Finding sets a run stopped pointing at (a re-scored run's replaced rows, a deleted run), noted as they happen, so
-- retention checks those and nothing else: before, every scoring looked for unreferenced sets across all of them,
-- a cost that grew with history. Retention drains this queue under its exclusive lock (evidence/retention.ts).
CREATE TABLE "finding_set_orphans" (
	"hash" text PRIMARY KEY NOT NULL
);--> statement-breakpoint
CREATE OR REPLACE FUNCTION "note_finding_set_orphans"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finding_set_orphans (hash) SELECT DISTINCT set_hash FROM old_rows ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "run_findings_orphans_delete" AFTER DELETE ON "run_findings"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_finding_set_orphans();--> statement-breakpoint
CREATE TRIGGER "run_findings_orphans_update" AFTER UPDATE ON "run_findings"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_finding_set_orphans();--> statement-breakpoint
-- TRUNCATE fires no row trigger and has no transition table: every set becomes a candidate.
CREATE OR REPLACE FUNCTION "note_all_finding_sets"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO finding_set_orphans (hash) SELECT hash FROM finding_sets ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "run_findings_orphans_truncate" AFTER TRUNCATE ON "run_findings"
  FOR EACH STATEMENT EXECUTE FUNCTION note_all_finding_sets();--> statement-breakpoint
-- Sets left unreferenced before this migration are the first candidates.
INSERT INTO "finding_set_orphans" ("hash")
  SELECT s.hash FROM finding_sets s WHERE NOT EXISTS (SELECT 1 FROM run_findings rf WHERE rf.set_hash = s.hash);
