-- Accounts of the people who use the editor UI at /admin: a login name, a
-- role (as API tokens have), an optional team (publishing rights can be
-- scoped to the team that owns an item) and an argon2id hash of the password
-- in PHC form. The password itself is never stored. The public API stays
-- token-based and cookie-free.
CREATE TABLE users (
    id            TEXT    NOT NULL PRIMARY KEY,   -- UUID v7
    name          TEXT    NOT NULL CONSTRAINT users_name_unique UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL
        CONSTRAINT users_role_check CHECK (role IN ('agent', 'editor', 'publisher', 'admin')),
    team          TEXT,
    password_hash TEXT    NOT NULL,               -- $argon2id$v=19$...
    created_at    INTEGER NOT NULL,               -- unix ms
    disabled_at   INTEGER                         -- unix ms; a disabled user cannot log in
);
