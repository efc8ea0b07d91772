-- Request ids kept compactly (issue 14): each run's evidence row held its AWS request ids as a jsonb map of
-- path -> ids (~3.5 KB a payer a run, most of a day's growth). New rows keep them as uuid[] (16 bytes each) in
-- document order, with the paths and counts (the "layout", the same on most runs) stored once in
-- evidence_request_layouts. Ids that are not lowercase UUIDs stay in `volatile` as before, so every id reads back
-- exactly as collected. Rows written before keep their volatile map; the view reads both.
CREATE TABLE "evidence_request_layouts" (
	"hash" uuid PRIMARY KEY NOT NULL,
	"paths" jsonb NOT NULL
);--> statement-breakpoint
ALTER TABLE "evidence_runs" ADD COLUMN "request_layout" uuid;--> statement-breakpoint
ALTER TABLE "evidence_runs" ADD COLUMN "request_ids" uuid[];--> statement-breakpoint
CREATE INDEX "evidence_runs_layout_idx" ON "evidence_runs" USING btree ("request_layout");--> statement-breakpoint
-- The whole document of one run: the shared document, the run's volatile map, its compact request ids put back at
-- their paths, and (compact rows only, request_ids not null) the collection time from collected_at when volatile
-- does not hold it (the writer leaves it out when it is the canonical ISO text of that instant).
CREATE OR REPLACE FUNCTION "evidence_assemble"(doc jsonb, volatile jsonb, layout jsonb, ids uuid[], collected_at timestamptz) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE k text; n int; pos int := 1;
BEGIN
  IF doc IS NULL THEN RETURN NULL; END IF;
  doc := evidence_join(doc, volatile);
  IF ids IS NULL THEN RETURN doc; END IF;
  IF layout IS NOT NULL THEN
    FOR k, n IN SELECT e->>0, (e->>1)::int FROM jsonb_array_elements(layout) e LOOP
      doc := jsonb_set(doc, string_to_array(k, chr(31)),
        coalesce((SELECT jsonb_agg(x::text ORDER BY o) FROM unnest(ids[pos:pos + n - 1]) WITH ORDINALITY AS u(x, o)), '[]'::jsonb), true);
      pos := pos + n;
    END LOOP;
  END IF;
  IF volatile IS NULL OR NOT volatile ? 'collectedAt' THEN
    doc := jsonb_set(doc, '{collectedAt}', to_jsonb(to_char(collected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), true);
  END IF;
  RETURN doc;
END $$;--> statement-breakpoint
CREATE OR REPLACE VIEW "evidence" AS
  SELECT r.run_id, r.payer_account_id, r.partner_id, r.collected_at,
         coalesce(r.data, evidence_assemble(d.data, r.volatile, l.paths, r.request_ids, r.collected_at)) AS data,
         r.findings, r.evaluated_with
  FROM "evidence_runs" r
  LEFT JOIN "evidence_docs" d ON d.hash = r.doc_hash
  LEFT JOIN "evidence_request_layouts" l ON l.hash = r.request_layout;
--> statement-breakpoint
-- Every day's run updates yesterday's rows of these tables (run_payers from queued to collected, the evaluated-ahead
-- findings dropped from evidence_runs, views and latest rows replaced), leaving about one day of dead rows in tables
-- that hold a year: the default autovacuum trigger (20% dead) would let that pile up for weeks. Vacuum them once a
-- day's worth of rows is dead, so the space is reused by the next run instead of growing the files.
ALTER TABLE "evidence_runs" SET (autovacuum_vacuum_scale_factor = 0.002, autovacuum_vacuum_threshold = 1000, toast.autovacuum_vacuum_scale_factor = 0.002, toast.autovacuum_vacuum_threshold = 1000);--> statement-breakpoint
ALTER TABLE "run_payers" SET (autovacuum_vacuum_scale_factor = 0.002, autovacuum_vacuum_threshold = 1000);--> statement-breakpoint
ALTER TABLE "payer_views" SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 1000);
