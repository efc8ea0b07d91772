-- Change notices (issue 14): every commit that changes what a partner's drill-down or a signed-in session reads says
-- so on a channel (NOTIFY, delivered only at commit, in commit order), so an API process can keep those answers in
-- memory and serve them without a read per request (server/src/data/change-feed.ts). Triggers cover every writer, as
-- read_versions does (0009). A payload is a JSON array: ["p", [partner ids]], ["s", [session id hashes]],
-- ["u", [user ids]], ["v", [read_versions scopes]], or ["*"] (anything may have changed: a TRUNCATE, or too many keys for one notice).
-- The channel is named per schema, so estates sharing one database (tests, scratch benches) do not hear each other.
CREATE OR REPLACE FUNCTION "notice_keys"(kind text, keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  channel text := 'payerguard_' || md5(coalesce(current_schema(), ''));
  n int := coalesce(cardinality(keys), 0);
  payload text;
BEGIN
  IF kind = '*' OR n > 1000 THEN
    PERFORM pg_notify(channel, '["*"]');
    RETURN;
  END IF;
  IF n = 0 THEN
    RETURN;
  END IF;
  -- A notice holds at most 8,000 bytes: 50 keys at a time, and "everything" for keys too long to fit (never an error
  -- that would roll back the writer's transaction).
  FOR i IN 0 .. (n - 1) / 50 LOOP
    payload := json_build_array(kind, keys[i * 50 + 1 : i * 50 + 50])::text;
    IF octet_length(payload) > 7900 THEN
      payload := '["*"]';
    END IF;
    PERFORM pg_notify(channel, payload);
  END LOOP;
END $$;--> statement-breakpoint
-- TG_ARGV: the notice kind, and the column naming the key.
CREATE OR REPLACE FUNCTION "notice_changes"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  keys text[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM notice_keys('*', NULL);
  ELSIF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I::text) FROM new_rows', TG_ARGV[1]) INTO keys;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I::text) FROM old_rows', TG_ARGV[1]) INTO keys;
  ELSE
    EXECUTE format('SELECT array_agg(k) FROM (SELECT %I::text AS k FROM new_rows UNION SELECT %I::text FROM old_rows) u',
      TG_ARGV[1], TG_ARGV[1]) INTO keys;
  END IF;
  IF TG_OP <> 'TRUNCATE' THEN
    PERFORM notice_keys(TG_ARGV[0], keys);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- What a drill-down is built from (core/src/read-model/drilldown/fingerprint.ts lists the same tables).
CREATE TRIGGER "partners_notice_insert" AFTER INSERT ON "partners"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'id');--> statement-breakpoint
CREATE TRIGGER "partners_notice_update" AFTER UPDATE ON "partners"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'id');--> statement-breakpoint
CREATE TRIGGER "partners_notice_delete" AFTER DELETE ON "partners"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'id');--> statement-breakpoint
CREATE TRIGGER "partners_notice_truncate" AFTER TRUNCATE ON "partners"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
CREATE TRIGGER "payers_notice_insert" AFTER INSERT ON "payers"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "payers_notice_update" AFTER UPDATE ON "payers"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "payers_notice_delete" AFTER DELETE ON "payers"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "payers_notice_truncate" AFTER TRUNCATE ON "payers"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
CREATE TRIGGER "partner_latest_notice_insert" AFTER INSERT ON "partner_latest"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "partner_latest_notice_update" AFTER UPDATE ON "partner_latest"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "partner_latest_notice_delete" AFTER DELETE ON "partner_latest"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "partner_latest_notice_truncate" AFTER TRUNCATE ON "partner_latest"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
CREATE TRIGGER "partner_history_versions_notice_insert" AFTER INSERT ON "partner_history_versions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "partner_history_versions_notice_update" AFTER UPDATE ON "partner_history_versions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "partner_history_versions_notice_delete" AFTER DELETE ON "partner_history_versions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "partner_history_versions_notice_truncate" AFTER TRUNCATE ON "partner_history_versions"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
CREATE TRIGGER "payer_views_notice_insert" AFTER INSERT ON "payer_views"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "payer_views_notice_update" AFTER UPDATE ON "payer_views"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "payer_views_notice_delete" AFTER DELETE ON "payer_views"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "payer_views_notice_truncate" AFTER TRUNCATE ON "payer_views"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
CREATE TRIGGER "suppressions_notice_insert" AFTER INSERT ON "suppressions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "suppressions_notice_update" AFTER UPDATE ON "suppressions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "suppressions_notice_delete" AFTER DELETE ON "suppressions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "suppressions_notice_truncate" AFTER TRUNCATE ON "suppressions"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
CREATE TRIGGER "root_access_windows_notice_insert" AFTER INSERT ON "root_access_windows"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "root_access_windows_notice_update" AFTER UPDATE ON "root_access_windows"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "root_access_windows_notice_delete" AFTER DELETE ON "root_access_windows"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('p', 'partner_id');--> statement-breakpoint
CREATE TRIGGER "root_access_windows_notice_truncate" AFTER TRUNCATE ON "root_access_windows"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
-- The overview's version (0009): moved once per transaction, at commit.
CREATE TRIGGER "read_versions_notice_update" AFTER UPDATE ON "read_versions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('v', 'scope');--> statement-breakpoint
-- What a session resolves to: the session row (logout, expiry sweep) and its user (disabled, role, partner). A new
-- session or user needs no notice: nobody holds it yet.
CREATE TRIGGER "sessions_notice_update" AFTER UPDATE ON "sessions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('s', 'id_hash');--> statement-breakpoint
CREATE TRIGGER "sessions_notice_delete" AFTER DELETE ON "sessions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('s', 'id_hash');--> statement-breakpoint
CREATE TRIGGER "sessions_notice_truncate" AFTER TRUNCATE ON "sessions"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');--> statement-breakpoint
CREATE TRIGGER "users_notice_update" AFTER UPDATE ON "users"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('u', 'id');--> statement-breakpoint
CREATE TRIGGER "users_notice_delete" AFTER DELETE ON "users"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('u', 'id');--> statement-breakpoint
CREATE TRIGGER "users_notice_truncate" AFTER TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION notice_changes('*', '');
