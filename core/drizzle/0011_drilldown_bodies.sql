-- Each partner's drill-down as the API answers it (issue 14): built once after a run is scored, and by the API when it
-- finds none that is current, so a page nobody has opened since the run is one indexed read, not a build. A body is
-- served only while `fingerprint` (the xmin of every row it was built from, see read-model/drilldown/fingerprint.ts)
-- still matches, `format` is this release's (control texts, payer-view shape) and `valid_until` (the first moment the
-- clock alone changes it: a suppression expiring, a root-access window opening or lapsing) has not passed. One row per
-- partner and variant (staff see spend, partner viewers never do): it is replaced, never added to, so it does not
-- grow with history; it goes with its partner. The body is kept gzipped, as browsers take it (Content-Encoding: gzip),
-- so serving it is a copy of ~10 KB, not a decompression and a re-encoding of ~40 KB; PostgreSQL does not try to
-- compress it again (STORAGE EXTERNAL).
CREATE TABLE "drilldown_bodies" (
	"partner_id" text NOT NULL REFERENCES "partners"("id") ON DELETE CASCADE,
	"variant" text NOT NULL CHECK ("variant" IN ('staff', 'viewer')),
	"format" text NOT NULL,
	"fingerprint" text NOT NULL,
	"valid_until" timestamp with time zone,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL,
	"body_gzip" bytea NOT NULL,
	PRIMARY KEY ("partner_id", "variant")
);--> statement-breakpoint
ALTER TABLE "drilldown_bodies" ALTER COLUMN "body_gzip" SET STORAGE EXTERNAL;
