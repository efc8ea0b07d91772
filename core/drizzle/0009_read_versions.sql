-- A version per read model, bumped in the same transaction as the rows it covers, so an API process can keep what it
-- derived from those rows in memory and re-read them only when the version moved (issue 14). Every writer is covered
-- by the triggers below, not by each writer remembering to bump.
CREATE TABLE "read_versions" (
	"scope" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);--> statement-breakpoint
INSERT INTO "read_versions" ("scope", "version") VALUES ('estate', 1);--> statement-breakpoint
-- Deferred to commit and run once per transaction: the version row is locked only for the instant before commit, so
-- writers never hold it while they wait for anything else (no deadlock with payer jobs or a scoring), and a reader
-- that sees the new version also sees the rows that moved it.
CREATE OR REPLACE FUNCTION "bump_estate_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('payerguard.estate_bumped', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('payerguard.estate_bumped', txid_current()::text, true);
    UPDATE read_versions SET version = version + 1 WHERE scope = 'estate';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- The overview's inputs: partners, their payer account ids (not the payers' last-access times, which every payer job
-- writes), each partner's latest snapshot and the runs' trend points.
CREATE CONSTRAINT TRIGGER "partners_estate_version" AFTER INSERT OR UPDATE OR DELETE ON "partners"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_estate_version();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "payers_estate_version" AFTER INSERT OR DELETE OR UPDATE OF "account_id", "partner_id" ON "payers"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_estate_version();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "partner_latest_estate_version" AFTER INSERT OR UPDATE OR DELETE ON "partner_latest"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_estate_version();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "run_scores_estate_version" AFTER INSERT OR UPDATE OR DELETE ON "run_scores"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_estate_version();
--> statement-breakpoint
-- TRUNCATE fires no row trigger: tests and operators resetting a table must move the version too.
CREATE TRIGGER "partners_estate_version_truncate" AFTER TRUNCATE ON "partners"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_estate_version();--> statement-breakpoint
CREATE TRIGGER "payers_estate_version_truncate" AFTER TRUNCATE ON "payers"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_estate_version();--> statement-breakpoint
CREATE TRIGGER "partner_latest_estate_version_truncate" AFTER TRUNCATE ON "partner_latest"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_estate_version();--> statement-breakpoint
CREATE TRIGGER "run_scores_estate_version_truncate" AFTER TRUNCATE ON "run_scores"
  FOR EACH STATEMENT EXECUTE FUNCTION bump_estate_version();
