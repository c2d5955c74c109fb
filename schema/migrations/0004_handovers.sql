-- Hand-over codes (gesprekscodes): a chatbot conversation passed on to a
-- person. A code holds only content context: the question as typed, scrubbed
-- of personal data first (search/scrub.rs), the item and revision the
-- chatbot showed, the channel and the reason. Nothing names the citizen.
-- Not content: written without a change-log entry (a hand-over must not
-- empty the answer caches), and deleted once expired.
CREATE TABLE handovers (
    code         TEXT    NOT NULL PRIMARY KEY,
    question     TEXT    NOT NULL,   -- scrubbed
    item_id      TEXT,               -- the item shown, if any
    item_version INTEGER,            -- its revision as shown
    channel      TEXT    NOT NULL,
    reason       TEXT    NOT NULL
        CONSTRAINT handovers_reason_check
        CHECK (reason IN ('weak_match', 'no_match', 'sensitive', 'asked_for_person')),
    created_at   INTEGER NOT NULL,   -- unix ms
    expires_at   INTEGER NOT NULL    -- unix ms
) WITHOUT ROWID;
CREATE INDEX handovers_expires ON handovers (expires_at);
