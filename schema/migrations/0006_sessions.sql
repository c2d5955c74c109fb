-- Login sessions of the editor UI. The browser holds a random session key in
-- an HttpOnly cookie; the store keeps only its SHA-256, so a copy of the
-- database cannot be used to take over a session. Each session carries its
-- own CSRF token, which every form of the editor UI posts back.
--
-- A session ends at `expires_at` (a working day after login at most), after
-- two idle hours, at logout, or when its user is disabled. Expired rows are
-- purged by `bron serve` once a minute. Sessions are not content: writing
-- them leaves no change-log entry.
CREATE TABLE sessions (
    key_hash     TEXT    NOT NULL PRIMARY KEY,      -- hex SHA-256 of the cookie value
    user_id      TEXT    NOT NULL
        CONSTRAINT sessions_user_fk REFERENCES users (id) ON DELETE CASCADE,
    csrf         TEXT    NOT NULL,                  -- random, 32 bytes base64url
    created_at   INTEGER NOT NULL,                  -- unix ms
    last_seen_at INTEGER NOT NULL,                  -- unix ms, updated at most once a minute
    expires_at   INTEGER NOT NULL                   -- unix ms; absolute end
);

CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

-- The editor UI's worklist asks for items past their review date and for
-- unpublished work, newest first; these keep both fast at 10,000+ items.
-- (A query uses the partial index only when its WHERE repeats the index's.)
-- Both end in `id`, the lists' tie-breaker, so a page of 50 is read in index
-- order and the scan stops at 50 (many items share one review date).
CREATE INDEX items_review_by ON items (review_by, id) WHERE review_by IS NOT NULL;
CREATE INDEX items_unpublished_work ON items (updated_at, id)
    WHERE status != 'archived' AND (published_version IS NULL OR published_version != version);
