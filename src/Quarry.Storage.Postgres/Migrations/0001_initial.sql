-- Quarry PostgreSQL store, schema version 1: the same model as the embedded SQLite store (see its migrations for the
-- reasoning behind each table), in PostgreSQL's types. Applied by PostgresMigrator under an advisory lock, so several
-- replicas starting at once apply it exactly once.
-- Documents and everything below them are keyed by (tenant_id, id): a document id sent by another tenant names a
-- different row, so isolation does not depend on every query remembering a post-filter.

CREATE TABLE knowledge_bases (
    id                    text        NOT NULL PRIMARY KEY,
    tenant_id             text        NOT NULL,
    name                  text        NOT NULL,
    created_at            timestamptz NOT NULL,
    -- The vector space the knowledge base is searched in; vectors of other models may sit beside it, never searched.
    embedding_model       text,
    embedding_dimension   integer     CHECK (embedding_dimension IS NULL OR embedding_dimension > 0),
    -- Some chunk has no vector of the active model: vector search cannot see it until the KB is re-embedded.
    embeddings_incomplete boolean     NOT NULL DEFAULT false,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, id)
);

CREATE TABLE documents (
    tenant_id    text        NOT NULL,
    id           text        NOT NULL,
    kb_id        text        NOT NULL,
    source_uri   text        NOT NULL,
    title        text        NOT NULL,
    content_type text        NOT NULL,
    size_bytes   bigint      NOT NULL CHECK (size_bytes >= 0),
    checksum     text        NOT NULL,
    version      integer     NOT NULL CHECK (version >= 1),
    language     text,
    tags         jsonb       NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, kb_id) REFERENCES knowledge_bases (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX documents_kb ON documents (tenant_id, kb_id);
-- text_pattern_ops: source-prefix filters (LIKE 'prefix%') use the index whatever the database collation.
CREATE INDEX documents_source ON documents (tenant_id, source_uri text_pattern_ops);
CREATE INDEX documents_updated ON documents (tenant_id, updated_at);

-- One row per version ever written; only the current version keeps its normalized text (citations index into it).
CREATE TABLE document_versions (
    tenant_id       text        NOT NULL,
    doc_id          text        NOT NULL,
    version         integer     NOT NULL,
    checksum        text        NOT NULL,
    size_bytes      bigint      NOT NULL,
    chunk_count     integer     NOT NULL CHECK (chunk_count >= 0),
    normalized_text text,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, version),
    FOREIGN KEY (tenant_id, doc_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);

-- Tags as rows so that filters are index lookups rather than JSON scans.
CREATE TABLE document_tags (
    tenant_id text NOT NULL,
    doc_id    text NOT NULL,
    key       text NOT NULL,
    value     text NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, key),
    FOREIGN KEY (tenant_id, doc_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX document_tags_lookup ON document_tags (tenant_id, key, value, doc_id);

-- Full-text search. Both documents and queries go through quarry_fold (Latin diacritics folded, so "cafe" finds
-- "Café", as SQLite's unicode61 tokenizer does) and the quarry_english configuration: English Snowball stemming
-- *without* a stop-word list, so "to be or not to be" is indexed and a query of only stop words still finds it. The
-- query builder (TsQueryBuilder) drops stop words from every other query. Only built-in templates and functions: no
-- extension (unaccent, pg_trgm) is needed, so this runs on managed servers and PGlite alike.
CREATE FUNCTION quarry_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT pg_catalog.translate(pg_catalog.regexp_replace($1, '[\u0300-\u036F]+', '', 'g'),
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžØøĐđŁłĦħı',
        'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoDdLlHhi') $$;

CREATE TEXT SEARCH DICTIONARY quarry_english_stem (TEMPLATE = pg_catalog.snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION quarry_english (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION quarry_english
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH quarry_english_stem;

-- Chunks of the current version only. row_id is the stable integer key shared with embeddings and the reindex cursor.
CREATE TABLE chunks (
    row_id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   text        NOT NULL,
    tenant_id            text        NOT NULL,
    doc_id               text        NOT NULL,
    kb_id                text        NOT NULL,
    version              integer     NOT NULL,
    ordinal              integer     NOT NULL CHECK (ordinal >= 0),
    text                 text        NOT NULL,
    header_prefix_length integer     NOT NULL DEFAULT 0 CHECK (header_prefix_length >= 0),
    title                text        NOT NULL,
    section_json         jsonb       NOT NULL DEFAULT '[]',
    -- The heading trail as plain text ("A > B"), indexed by full-text search.
    section              text        NOT NULL DEFAULT '',
    source_uri           text        NOT NULL,
    language             text,
    tags                 jsonb       NOT NULL DEFAULT '{}',
    token_count          integer     NOT NULL CHECK (token_count >= 0),
    checksum             text        NOT NULL,
    span_start           integer     NOT NULL CHECK (span_start >= 0),
    span_end             integer     NOT NULL,
    page_start           integer,
    page_end             integer,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    -- Keyword index, maintained by PostgreSQL in the same transaction as the row. Weights: a match in the title (A) or
    -- heading trail (B) says more about what a chunk is about than one in its body (D); ts_rank_cd weighs them (see
    -- PostgresStore.Keyword.cs for the weights and the measurements behind them).
    search               tsvector    GENERATED ALWAYS AS (
                             setweight(to_tsvector('quarry_english'::regconfig, quarry_fold(title)), 'A') ||
                             setweight(to_tsvector('quarry_english'::regconfig, quarry_fold(section)), 'B') ||
                             setweight(to_tsvector('quarry_english'::regconfig, quarry_fold(text)), 'D')) STORED,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, doc_id, ordinal),
    CHECK (span_end >= span_start),
    CHECK (page_start IS NULL OR page_start >= 1),
    CHECK (page_end IS NULL OR page_start IS NULL OR page_end >= page_start),
    FOREIGN KEY (tenant_id, doc_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX chunks_search ON chunks USING gin (search);
CREATE INDEX chunks_kb ON chunks (tenant_id, kb_id, row_id);

-- Vectors as real[], one per (chunk, model), on every PostgreSQL: with pgvector the store adds one HNSW expression
-- index per (model, dimension) over vector::vector(n) (see PostgresVectorIndex), so the table needs no extension and
-- a server without pgvector still stores, reads and re-embeds vectors.
CREATE TABLE embeddings (
    chunk_row_id bigint      NOT NULL REFERENCES chunks (row_id) ON DELETE CASCADE,
    model        text        NOT NULL,
    dimension    integer     NOT NULL CHECK (dimension > 0),
    vector       real[]      NOT NULL CHECK (cardinality(vector) = dimension),
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (chunk_row_id, model)
);

CREATE INDEX embeddings_model ON embeddings (model, chunk_row_id);

-- Vectors by (model, dimension, SHA-256 of kind + text), independent of documents; only hashes, never the text.
CREATE TABLE embedding_cache (
    model      text        NOT NULL,
    dimension  integer     NOT NULL CHECK (dimension > 0),
    text_hash  text        NOT NULL CHECK (length(text_hash) = 64),
    vector     real[]      NOT NULL CHECK (cardinality(vector) = dimension),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (model, dimension, text_hash)
);

-- One row per write that changed a document's chunks or vectors, for in-process vector indexes (servers without
-- pgvector). Sequence numbers must be in commit order, which an identity column alone does not give under concurrent
-- writers: writers insert their rows last in the transaction while holding a transaction-scoped advisory lock, so rows
-- become visible in sequence order.
CREATE TABLE index_changes (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id text   NOT NULL,
    doc_id    text   NOT NULL
);

CREATE TABLE ingestion_jobs (
    id               text        NOT NULL PRIMARY KEY,
    tenant_id        text        NOT NULL,
    kb_id            text        NOT NULL,
    doc_id           text,
    status           text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    payload          text        NOT NULL,
    stage            text,
    done             integer,
    total            integer,
    attempts         integer     NOT NULL DEFAULT 0,
    error            text,
    lease_owner      text,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    -- Claim order; ties (same millisecond) broken by insertion order.
    seq              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE INDEX ingestion_jobs_claim ON ingestion_jobs (created_at, seq) WHERE status IN ('queued', 'running');
CREATE INDEX ingestion_jobs_tenant ON ingestion_jobs (tenant_id, created_at);
CREATE INDEX ingestion_jobs_tenant_status ON ingestion_jobs (tenant_id, status);

-- API keys of the HTTP service: only the SHA-256 of a key is stored.
CREATE TABLE api_keys (
    id              text        NOT NULL PRIMARY KEY,
    tenant_id       text        NOT NULL,
    role            text        NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
    key_hash        text        NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    prefix          text        NOT NULL,
    name            text        NOT NULL,
    -- Knowledge-base names the key is limited to; NULL: every knowledge base of the tenant.
    knowledge_bases jsonb,
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
