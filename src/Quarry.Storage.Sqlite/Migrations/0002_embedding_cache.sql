-- Quarry embedded store, schema version 2: the embedding cache.
-- Vectors by (model, dimension, SHA-256 of kind + text), independent of documents: re-ingesting unchanged text, or
-- the same passage in another document or tenant, costs no model call. Only hashes are stored, never the text.
-- A rowid table rather than WITHOUT ROWID: rows carry kilobyte-sized BLOBs.
CREATE TABLE embedding_cache (
    model      TEXT    NOT NULL,
    dimension  INTEGER NOT NULL CHECK (dimension > 0),
    text_hash  TEXT    NOT NULL CHECK (length(text_hash) = 64),
    vector     BLOB    NOT NULL CHECK (length(vector) = dimension * 4),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (model, dimension, text_hash)
) STRICT;
