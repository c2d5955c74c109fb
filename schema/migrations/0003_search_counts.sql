-- What citizens look for: searches counted per day, channel and query, with
-- the searches that found nothing counted apart. Queries are scrubbed of
-- personal data before they get here (search/scrub.rs), and nothing names
-- who searched. Rows older than the retention setting are deleted.
-- Telemetry, not content: writes here have no change-log entry.
CREATE TABLE search_counts (
    day          TEXT    NOT NULL,   -- YYYY-MM-DD, UTC
    channel      TEXT    NOT NULL,
    query        TEXT    NOT NULL,   -- scrubbed, lower-cased, spaces collapsed
    searches     INTEGER NOT NULL,
    zero_results INTEGER NOT NULL,
    PRIMARY KEY (day, channel, query)
) WITHOUT ROWID;
