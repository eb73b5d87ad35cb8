-- Quarry embedded store, schema version 1.
-- Timestamps are INTEGER Unix milliseconds (UTC): exact range comparisons, no parsing.
-- Documents and everything below them are keyed by (tenant_id, id): a document id sent by another tenant names a
-- different row, so isolation does not depend on every query remembering a post-filter.

CREATE TABLE knowledge_bases (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, name),
    -- Parent key of documents(tenant_id, kb_id): the database itself refuses a document filed under another
    -- tenant's knowledge base.
    UNIQUE (tenant_id, id)
) STRICT;

CREATE TABLE documents (
    tenant_id    TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    kb_id        TEXT    NOT NULL,
    source_uri   TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    checksum     TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    language     TEXT,
    tags         TEXT    NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, kb_id) REFERENCES knowledge_bases (tenant_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX documents_kb ON documents (tenant_id, kb_id);
CREATE INDEX documents_source ON documents (tenant_id, source_uri);
CREATE INDEX documents_updated ON documents (tenant_id, updated_at);

-- One row per version ever written. Only the current version keeps its normalized text: citations index into the
-- current text, and the chunks of older versions (the only things that pointed into it) are gone.
CREATE TABLE document_versions (
    tenant_id       TEXT    NOT NULL,
    doc_id          TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    checksum        TEXT    NOT NULL,
    size_bytes      INTEGER NOT NULL,
    chunk_count     INTEGER NOT NULL CHECK (chunk_count >= 0),
    normalized_text TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, version),
    FOREIGN KEY (tenant_id, doc_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
) STRICT;

-- Tags as rows so that filters are index lookups rather than JSON scans.
CREATE TABLE document_tags (
    tenant_id TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, key),
    FOREIGN KEY (tenant_id, doc_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX document_tags_lookup ON document_tags (tenant_id, key, value, doc_id);

-- Chunks of the current version only. row_id is the stable integer key shared with the FTS index and embeddings.
CREATE TABLE chunks (
    row_id               INTEGER PRIMARY KEY,
    id                   TEXT    NOT NULL,
    tenant_id            TEXT    NOT NULL,
    doc_id               TEXT    NOT NULL,
    kb_id                TEXT    NOT NULL,
    version              INTEGER NOT NULL,
    ordinal              INTEGER NOT NULL CHECK (ordinal >= 0),
    text                 TEXT    NOT NULL,
    header_prefix_length INTEGER NOT NULL DEFAULT 0 CHECK (header_prefix_length >= 0),
    title                TEXT    NOT NULL,
    section_json         TEXT    NOT NULL DEFAULT '[]',
    -- The heading trail as plain text ("A > B"), indexed by FTS.
    section              TEXT    NOT NULL DEFAULT '',
    source_uri           TEXT    NOT NULL,
    language             TEXT,
    tags                 TEXT    NOT NULL DEFAULT '{}',
    token_count          INTEGER NOT NULL CHECK (token_count >= 0),
    checksum             TEXT    NOT NULL,
    span_start           INTEGER NOT NULL CHECK (span_start >= 0),
    span_end             INTEGER NOT NULL,
    page_start           INTEGER,
    page_end             INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, doc_id, ordinal),
    CHECK (span_end >= span_start),
    CHECK (page_start IS NULL OR page_start >= 1),
    CHECK (page_end IS NULL OR page_start IS NULL OR page_end >= page_start),
    FOREIGN KEY (tenant_id, doc_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
) STRICT;

-- Keyword index. Contentless-delete (SQLite >= 3.43) rather than external content: the text already lives in
-- chunks, and removing a row needs only its rowid. An external-content table must be sent the exact old column
-- values in a 'delete' command, and any mismatch silently corrupts the index; here there is nothing to get wrong.
-- The triggers keep the index in the same transaction as chunks, including rows removed by ON DELETE CASCADE.
CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    title, section, text,
    content = '',
    contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, title, section, text) VALUES (new.row_id, new.title, new.section, new.text);
END;

CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    DELETE FROM chunks_fts WHERE rowid = old.row_id;
END;

CREATE TRIGGER chunks_fts_update AFTER UPDATE OF title, section, text ON chunks BEGIN
    DELETE FROM chunks_fts WHERE rowid = old.row_id;
    INSERT INTO chunks_fts (rowid, title, section, text) VALUES (new.row_id, new.title, new.section, new.text);
END;

-- Vectors as little-endian float32 BLOBs, one per (chunk, model); they go with their chunk.
CREATE TABLE embeddings (
    chunk_row_id INTEGER NOT NULL REFERENCES chunks (row_id) ON DELETE CASCADE,
    model        TEXT    NOT NULL,
    dimension    INTEGER NOT NULL CHECK (dimension > 0),
    vector       BLOB    NOT NULL CHECK (length(vector) = dimension * 4),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (chunk_row_id, model)
) STRICT, WITHOUT ROWID;

CREATE INDEX embeddings_model ON embeddings (model, chunk_row_id);

CREATE TABLE ingestion_jobs (
    id               TEXT    NOT NULL PRIMARY KEY,
    tenant_id        TEXT    NOT NULL,
    kb_id            TEXT    NOT NULL,
    doc_id           TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    payload          TEXT    NOT NULL,
    stage            TEXT,
    done             INTEGER,
    total            INTEGER,
    attempts         INTEGER NOT NULL DEFAULT 0,
    error            TEXT,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX ingestion_jobs_claim ON ingestion_jobs (status, created_at);
CREATE INDEX ingestion_jobs_tenant ON ingestion_jobs (tenant_id, created_at);
