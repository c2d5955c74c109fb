-- Trusted documents: the GraphQL operations an operator registered for
-- production (`bron documents add`). With `bron serve --trusted-documents`,
-- callers without a token may run only these, by id or by their exact
-- text; callers with a token are not limited. Adding or removing documents
-- writes a change-log entry, so every node drops its cached copy.
CREATE TABLE trusted_documents (
    hash       TEXT    NOT NULL PRIMARY KEY,       -- hex SHA-256 of `body`
    body       TEXT    NOT NULL,
    name       TEXT,                               -- the operation name, if any
    added_at   INTEGER NOT NULL,                   -- unix ms
    added_by   TEXT    NOT NULL
);
