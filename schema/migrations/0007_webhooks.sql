-- Webhooks: an admin names a URL, the events and (optionally) the content
-- types it wants; `bron serve` follows the change log and queues one
-- delivery per run of matching entries, then posts each delivery, signed
-- with the webhook's secret, until the receiver answers 2xx or the retries
-- run out.
--
-- The secret must be kept in plain text: it signs every payload (HMAC), so
-- the store has to be able to use it. It is shown once, when the webhook is
-- made, and never returned by a read.
CREATE TABLE webhooks (
    id          TEXT    NOT NULL PRIMARY KEY,       -- UUID v7
    url         TEXT    NOT NULL,                   -- http(s) URL, checked by the hub
    secret      TEXT    NOT NULL,                   -- `whsec_` + base64 of 24 random bytes
    events      TEXT    NOT NULL,                   -- JSON array of event names
    types       TEXT    NOT NULL DEFAULT '[]',      -- JSON array of type names; empty = all
    description TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1
        CONSTRAINT webhooks_enabled_bool CHECK (enabled IN (0, 1)),
    created_at  INTEGER NOT NULL,                   -- unix ms
    created_by  TEXT    NOT NULL,
    -- Change-log entries after this sequence are the webhook's to deliver:
    -- a new webhook does not replay the history before it.
    after_seq   INTEGER NOT NULL
);

-- The delivery log. A row is written in the same transaction that moves
-- the dispatch cursor past its change-log entries, so every matching entry
-- is queued exactly once, across restarts; it is then sent at least once.
CREATE TABLE webhook_deliveries (
    id              TEXT    NOT NULL PRIMARY KEY,   -- UUID v7; the `webhook-id` header, the same on every retry
    webhook_id      TEXT    NOT NULL
        CONSTRAINT webhook_deliveries_webhook_fk REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL,
    first_seq       INTEGER NOT NULL,               -- the change-log entries it reports
    last_seq        INTEGER NOT NULL,
    payload         TEXT    NOT NULL,               -- the JSON body, signed at each attempt
    status          TEXT    NOT NULL DEFAULT 'pending'
        CONSTRAINT webhook_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,               -- unix ms
    next_attempt_at INTEGER,                        -- unix ms; null once delivered or failed
    last_attempt_at INTEGER,
    response_status INTEGER,                        -- HTTP status of the last attempt, if it got one
    last_error      TEXT,                           -- why the last attempt failed
    delivered_at    INTEGER
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at);

-- How far the dispatcher has read the change log (one row).
CREATE TABLE webhook_cursor (
    id  INTEGER NOT NULL PRIMARY KEY CONSTRAINT webhook_cursor_one CHECK (id = 1),
    seq INTEGER NOT NULL
);
