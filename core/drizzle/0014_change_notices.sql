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
-- One trigger per table and event (a transition table belongs to one event). Per table: the notice kind, the key
-- column, and whether an insert matters (a new session or user needs no notice: nobody holds it yet).
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    -- What a drill-down is built from (core/src/read-model/drilldown/fingerprint.ts lists the same tables).
    ('partners', 'p', 'id', true),
    ('payers', 'p', 'partner_id', true),
    ('partner_latest', 'p', 'partner_id', true),
    ('partner_history_versions', 'p', 'partner_id', true),
    ('payer_views', 'p', 'partner_id', true),
    ('suppressions', 'p', 'partner_id', true),
    ('root_access_windows', 'p', 'partner_id', true),
    -- The overview's version (0009): moved once per transaction, at commit.
    ('read_versions', 'v', 'scope', false),
    -- What a session resolves to: the session row (logout, expiry sweep) and its user (disabled, role, partner).
    ('sessions', 's', 'id_hash', false),
    ('users', 'u', 'id', false)
  ) AS v(tbl, kind, col, on_insert) LOOP
    IF t.on_insert THEN
      EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION notice_changes(%L, %L)', t.tbl || '_notice_insert', t.tbl, t.kind, t.col);
    END IF;
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION notice_changes(%L, %L)', t.tbl || '_notice_update', t.tbl, t.kind, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION notice_changes(%L, %L)', t.tbl || '_notice_delete', t.tbl, t.kind, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
      FOR EACH STATEMENT EXECUTE FUNCTION notice_changes(%L, %L)', t.tbl || '_notice_truncate', t.tbl, '*', '');
  END LOOP;
END $$;
