-- Quarry embedded store, schema version 4: API keys of the HTTP service.
-- Only the SHA-256 of a key is stored (keys are 256-bit random, so a fast hash is enough); the prefix is a few
-- leading characters that tell keys apart in listings.
CREATE TABLE api_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    tenant_id  TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('reader', 'writer', 'admin')),
    key_hash   TEXT    NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    prefix     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    -- JSON array of the knowledge-base names the key is limited to; NULL: every knowledge base of the tenant.
    knowledge_bases TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);

-- Quotas count unfinished jobs of a tenant.
CREATE INDEX ingestion_jobs_tenant_status ON ingestion_jobs (tenant_id, status);
