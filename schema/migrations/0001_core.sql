-- The core tables of Bron. The store is the source of truth: the search index
-- and every cache can be rebuilt from these tables.

-- Every content item, of any type. `fields` holds the latest content (what
-- editors work on); `published_fields` holds the snapshot the public sees,
-- taken at publish time. An item whose latest version differs from its
-- published version has unpublished changes.
CREATE TABLE items (
    id                TEXT    NOT NULL PRIMARY KEY,   -- UUID v7, assigned by Bron
    type              TEXT    NOT NULL,               -- a type from content-model/
    slug              TEXT    NOT NULL,
    locale            TEXT    NOT NULL,
    status            TEXT    NOT NULL
        CONSTRAINT items_status_check CHECK (status IN ('draft', 'published', 'archived')),
    version           INTEGER NOT NULL,               -- the latest revision number, from 1
    external_id       TEXT,                           -- the id in the system it came from
    fields            TEXT    NOT NULL,               -- JSON object, latest content
    published_version INTEGER,                        -- revision that is live, if any
    published_fields  TEXT,                           -- JSON object, live content, if any
    review_by         TEXT,                           -- YYYY-MM-DD
    publish_at        INTEGER,                        -- scheduled publish, unix ms
    unpublish_at      INTEGER,                        -- scheduled unpublish, unix ms
    schedule_error    TEXT,                           -- why the last scheduled action failed
    created_at        INTEGER NOT NULL,               -- unix ms
    updated_at        INTEGER NOT NULL,               -- unix ms, last content or status change
    published_at      INTEGER,                        -- unix ms, last publish
    CONSTRAINT items_slug_unique UNIQUE (type, locale, slug),
    CONSTRAINT items_live_check CHECK ((status = 'published') = (published_fields IS NOT NULL))
);

-- External ids are unique per type and locale; many items may have none.
CREATE UNIQUE INDEX items_external_id_unique ON items (type, locale, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX items_type_updated ON items (type, updated_at, id);
-- Lists are sorted by slug unless asked otherwise.
CREATE INDEX items_type_slug ON items (type, slug, id);
CREATE INDEX items_publish_at ON items (publish_at) WHERE publish_at IS NOT NULL;
CREATE INDEX items_unpublish_at ON items (unpublish_at) WHERE unpublish_at IS NOT NULL;

-- Append-only history: every content change writes the full content here.
-- Rows are never updated or deleted, not even when their item is deleted.
CREATE TABLE revisions (
    item_id    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    author     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    message    TEXT    NOT NULL DEFAULT '',
    content    TEXT    NOT NULL,   -- JSON: type, slug, locale, external_id, review_by, fields
    PRIMARY KEY (item_id, version)
) WITHOUT ROWID;

-- Reference edges, kept in step with `fields` (stage 'latest') and
-- `published_fields` (stage 'published'), so "who points at this item?" is
-- one indexed lookup: deletes and unpublishes are refused while referenced.
CREATE TABLE refs (
    from_id  TEXT    NOT NULL,
    stage    TEXT    NOT NULL CONSTRAINT refs_stage_check CHECK (stage IN ('latest', 'published')),
    field    TEXT    NOT NULL,
    position INTEGER NOT NULL,
    to_id    TEXT    NOT NULL,
    PRIMARY KEY (from_id, stage, field, position)
) WITHOUT ROWID;
CREATE INDEX refs_to ON refs (to_id, stage);

-- The change log: one entry per write, a monotonically increasing sequence.
-- Caches and (later) search indexes and other nodes follow it.
CREATE TABLE change_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,   -- unix ms
    actor     TEXT    NOT NULL,   -- token name, 'cli', 'scheduler', ...
    action    TEXT    NOT NULL,   -- create, update, delete, publish, unpublish, archive, ...
    item_id   TEXT,
    item_type TEXT,
    version   INTEGER,
    detail    TEXT                -- free text, e.g. the revision message
);

-- API tokens. Only the SHA-256 of a token is kept; the token itself is shown
-- once, when it is created.
CREATE TABLE tokens (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL
        CONSTRAINT tokens_role_check CHECK (role IN ('agent', 'editor', 'publisher', 'admin')),
    hash       TEXT    NOT NULL CONSTRAINT tokens_hash_unique UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
-- One active token per name; a revoked name can be reused.
CREATE UNIQUE INDEX tokens_name_active ON tokens (name) WHERE revoked_at IS NULL;
