-- Latest state read directly, storage that grows with change (issue 14).
-- Content hashes are computed by the database (jsonb's canonical text), so every writer, this migration included,
-- addresses the same content by the same hash.
CREATE OR REPLACE FUNCTION "content_hash"(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex')
$$;--> statement-breakpoint
-- A finding's address: the first 128 bits of its sha256, as a uuid (16 bytes), since a set holds one per finding.
CREATE OR REPLACE FUNCTION "finding_content_hash"(control_id text, resource text, status text, severity text, title text, message text, evidence jsonb, suppression_id text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT substr(content_hash(concat_ws(chr(31), control_id, resource, status, severity, title, message, evidence::text, coalesce(suppression_id, chr(30)))), 1, 32)::uuid
$$;--> statement-breakpoint
-- An evidence document stored once, with what changes on every collection (request ids, the collection time) put
-- back from the run's row: volatile maps a path (keys joined by chr(31)) to its value.
CREATE OR REPLACE FUNCTION "evidence_join"(doc jsonb, volatile jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE k text; v jsonb;
BEGIN
  IF doc IS NULL OR volatile IS NULL THEN RETURN doc; END IF;
  FOR k, v IN SELECT * FROM jsonb_each(volatile) LOOP
    doc := jsonb_set(doc, string_to_array(k, chr(31)), v, true);
  END LOOP;
  RETURN doc;
END $$;--> statement-breakpoint

-- ---------------------------------------------------------------- evidence: documents stored once
CREATE TABLE "evidence_docs" (
	"hash" text PRIMARY KEY NOT NULL,
	"data" jsonb NOT NULL,
	"size_bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
ALTER TABLE "evidence" RENAME TO "evidence_runs";--> statement-breakpoint
ALTER TABLE "evidence_runs" ALTER COLUMN "data" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "evidence_runs" ADD COLUMN "doc_hash" text;--> statement-breakpoint
ALTER TABLE "evidence_runs" ADD COLUMN "volatile" jsonb;--> statement-breakpoint
INSERT INTO "evidence_docs" ("hash", "data", "size_bytes")
  SELECT DISTINCT ON (h) h, data, octet_length(data::text)
  FROM (SELECT content_hash(data::text) AS h, data FROM "evidence_runs" WHERE data IS NOT NULL) x
  ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "evidence_runs" SET "doc_hash" = content_hash(data::text), "data" = NULL WHERE data IS NOT NULL;--> statement-breakpoint
CREATE INDEX "evidence_runs_doc_idx" ON "evidence_runs" USING btree ("doc_hash");--> statement-breakpoint
-- Readers keep reading "evidence" as before: one row per payer per run with the whole document.
CREATE VIEW "evidence" AS
  SELECT r.run_id, r.payer_account_id, r.partner_id, r.collected_at,
         coalesce(r.data, evidence_join(d.data, r.volatile)) AS data, r.findings, r.evaluated_with
  FROM "evidence_runs" r LEFT JOIN "evidence_docs" d ON d.hash = r.doc_hash;--> statement-breakpoint
-- Writers that insert into the view (fixtures, seeds) get the document content-addressed as it is.
CREATE OR REPLACE FUNCTION "evidence_view_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE h text := content_hash(NEW.data::text);
BEGIN
  INSERT INTO evidence_docs (hash, data, size_bytes) VALUES (h, NEW.data, octet_length(NEW.data::text)) ON CONFLICT DO NOTHING;
  INSERT INTO evidence_runs (run_id, payer_account_id, partner_id, collected_at, doc_hash, findings, evaluated_with)
    VALUES (NEW.run_id, NEW.payer_account_id, NEW.partner_id, NEW.collected_at, h, NEW.findings, NEW.evaluated_with);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "evidence_view_insert" INSTEAD OF INSERT ON "evidence" FOR EACH ROW EXECUTE FUNCTION evidence_view_insert();--> statement-breakpoint

-- ---------------------------------------------------------------- findings: contents and per-payer sets stored once
CREATE TABLE "finding_contents" (
	"hash" uuid PRIMARY KEY NOT NULL,
	"control_id" text NOT NULL,
	"resource" text NOT NULL,
	"status" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"message" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"suppression_id" text
);--> statement-breakpoint
CREATE TABLE "finding_sets" (
	"hash" text PRIMARY KEY NOT NULL,
	"items" uuid[] NOT NULL,
	"size" integer NOT NULL
);--> statement-breakpoint
CREATE TABLE "run_findings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL REFERENCES "runs"("id") ON DELETE cascade,
	"partner_id" text NOT NULL,
	"payer_account_id" text NOT NULL,
	"set_hash" text NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "run_findings_run_partner_payer_idx" ON "run_findings" USING btree ("run_id","partner_id","payer_account_id");--> statement-breakpoint
CREATE INDEX "run_findings_partner_idx" ON "run_findings" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "run_findings_set_idx" ON "run_findings" USING btree ("set_hash");--> statement-breakpoint
INSERT INTO "finding_contents"
  SELECT DISTINCT ON (h) h, control_id, resource, status, severity, title, message, evidence, suppression_id
  FROM (SELECT finding_content_hash(control_id, resource, status, severity, title, message, evidence, suppression_id) AS h, * FROM "findings") x
  ON CONFLICT DO NOTHING;--> statement-breakpoint
WITH per AS (
  SELECT run_id, partner_id, payer_account_id, min(id) AS first_id,
         array_agg(finding_content_hash(control_id, resource, status, severity, title, message, evidence, suppression_id) ORDER BY id) AS items
  FROM "findings" GROUP BY run_id, partner_id, payer_account_id
), sets AS (
  INSERT INTO "finding_sets" ("hash", "items", "size")
    SELECT DISTINCT ON (h) h, items, cardinality(items) FROM (SELECT content_hash(array_to_string(items, ',')) AS h, items FROM per) s
    ON CONFLICT DO NOTHING
)
INSERT INTO "run_findings" ("run_id", "partner_id", "payer_account_id", "set_hash")
  SELECT run_id, partner_id, payer_account_id, content_hash(array_to_string(items, ',')) FROM per ORDER BY first_id;--> statement-breakpoint
DROP TABLE "findings";--> statement-breakpoint
-- Readers keep reading "findings": one row per finding per run; id orders a run's findings as they were scored.
CREATE VIEW "findings" AS
  SELECT rf.id * 1000000 + u.ord AS id, rf.run_id, rf.partner_id, rf.payer_account_id, c.control_id, c.resource,
         c.status, c.severity, c.title, c.message, c.evidence, c.suppression_id
  FROM "run_findings" rf
  JOIN "finding_sets" s ON s.hash = rf.set_hash
  CROSS JOIN LATERAL unnest(s.items) WITH ORDINALITY AS u(hash, ord)
  JOIN "finding_contents" c ON c.hash = u.hash;--> statement-breakpoint

-- ---------------------------------------------------------------- latest state and per-run trend rows
CREATE TABLE "partner_latest" (
	"partner_id" text PRIMARY KEY NOT NULL REFERENCES "partners"("id") ON DELETE cascade,
	"snapshot_id" text NOT NULL,
	"run_id" text NOT NULL REFERENCES "runs"("id") ON DELETE cascade,
	"taken_at" timestamp with time zone NOT NULL,
	"score" integer NOT NULL,
	"grade" text NOT NULL,
	"monthly_spend" double precision,
	"locked_out" boolean NOT NULL,
	"critical_count" integer NOT NULL,
	"critical_failures" jsonb NOT NULL,
	"previous_score" integer
);--> statement-breakpoint
CREATE INDEX "partner_latest_score_idx" ON "partner_latest" USING btree ("score","partner_id");--> statement-breakpoint
CREATE INDEX "partner_latest_grade_idx" ON "partner_latest" USING btree ("grade","partner_id");--> statement-breakpoint
CREATE INDEX "partner_latest_spend_idx" ON "partner_latest" USING btree ("monthly_spend","partner_id");--> statement-breakpoint
CREATE INDEX "partner_latest_critical_idx" ON "partner_latest" USING btree ("critical_count","partner_id");--> statement-breakpoint
CREATE INDEX "partner_latest_run_idx" ON "partner_latest" USING btree ("run_id","partner_id");--> statement-breakpoint
CREATE INDEX "partners_name_idx" ON "partners" USING btree (lower("name"),"id");--> statement-breakpoint
INSERT INTO "partner_latest"
  SELECT DISTINCT ON (s.partner_id) s.partner_id, s.id, s.run_id, s.taken_at, s.score, s.grade, s.monthly_spend,
         s.locked_out, jsonb_array_length(s.critical_failures), s.critical_failures, p.score
  FROM "snapshots" s
  JOIN "partners" pa ON pa.id = s.partner_id
  LEFT JOIN "snapshots" p ON p.id = s.previous_snapshot_id
  ORDER BY s.partner_id, s.taken_at DESC, s.id DESC;--> statement-breakpoint
-- Each partner's current findings. The lateral subquery is kept as it is (OFFSET 0): one index probe per partner
-- into run_findings, never a scan of the runs before.
CREATE VIEW "latest_findings" AS
  SELECT rf.id * 1000000 + u.ord AS id, rf.run_id, rf.partner_id, rf.payer_account_id, c.control_id, c.resource,
         c.status, c.severity, c.title, c.message, c.evidence, c.suppression_id
  FROM "partner_latest" pl
  CROSS JOIN LATERAL (
    SELECT r.id, r.run_id, r.partner_id, r.payer_account_id, r.set_hash FROM "run_findings" r
    WHERE r.run_id = pl.run_id AND r.partner_id = pl.partner_id OFFSET 0
  ) rf
  JOIN "finding_sets" s ON s.hash = rf.set_hash
  CROSS JOIN LATERAL unnest(s.items) WITH ORDINALITY AS u(hash, ord)
  JOIN "finding_contents" c ON c.hash = u.hash;--> statement-breakpoint
CREATE TABLE "run_scores" (
	"run_id" text PRIMARY KEY NOT NULL REFERENCES "runs"("id") ON DELETE cascade,
	"scored_at" timestamp with time zone NOT NULL,
	"live" boolean NOT NULL,
	"partners" integer NOT NULL,
	"average_score" double precision NOT NULL,
	"lockouts" integer NOT NULL,
	"spend_at_risk" double precision NOT NULL
);--> statement-breakpoint
CREATE INDEX "run_scores_live_scored_idx" ON "run_scores" USING btree ("live","scored_at");--> statement-breakpoint
INSERT INTO "run_scores"
  SELECT s.run_id, min(s.taken_at), bool_or(r.trigger = 'live-event'), count(*), avg(s.score),
         sum(CASE WHEN s.locked_out THEN 1 ELSE 0 END),
         sum(CASE WHEN s.locked_out OR jsonb_array_length(s.critical_failures) > 0 THEN coalesce(s.monthly_spend, 0) ELSE 0 END)
  FROM "snapshots" s JOIN "runs" r ON r.id = s.run_id
  GROUP BY s.run_id;
