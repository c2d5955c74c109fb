-- The public sees the published snapshot only, and a snapshot's slug,
-- external id and review date are part of it: an editor renaming a draft must
-- not move (or reveal) the live item's address before the rename is
-- published. These columns hold the keys of the live revision; they are set
-- when an item goes live and cleared when it goes offline.
ALTER TABLE items ADD COLUMN published_slug TEXT;
ALTER TABLE items ADD COLUMN published_external_id TEXT;
ALTER TABLE items ADD COLUMN published_review_by TEXT;

UPDATE items
   SET published_slug = slug,
       published_external_id = external_id,
       published_review_by = review_by
 WHERE status = 'published';

-- Two live items of a type and locale never share an address.
CREATE UNIQUE INDEX items_published_slug_unique ON items (type, locale, published_slug)
    WHERE published_slug IS NOT NULL;
CREATE UNIQUE INDEX items_published_external_id_unique
    ON items (type, locale, published_external_id)
    WHERE published_external_id IS NOT NULL;
-- Public lists are sorted by the live slug unless asked otherwise.
CREATE INDEX items_type_published_slug ON items (type, published_slug, id);
