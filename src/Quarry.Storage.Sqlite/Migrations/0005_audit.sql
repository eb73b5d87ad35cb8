-- Quarry embedded store, schema version 5: the audit trail.
-- Records of a tenant form a hash chain ordered by sequence (see AuditChain); list fields are JSON arrays. Records
-- are only ever inserted, and deleted by retention as a prefix of the chain, replaced by the tenant's checkpoint.
CREATE TABLE audit_records (
    tenant_id       TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    id              TEXT    NOT NULL UNIQUE,
    occurred_at     INTEGER NOT NULL,
    key_id          TEXT,
    user_id         TEXT,
    route           TEXT    NOT NULL,
    knowledge_bases TEXT    NOT NULL,
    subject         TEXT,
    question        TEXT,
    filters         TEXT,
    retrieved       TEXT    NOT NULL,
    cited           TEXT    NOT NULL,
    model           TEXT,
    fallback_path   TEXT,
    grounded        INTEGER,
    abstained       INTEGER,
    answer_text     TEXT,
    latency_ms      REAL    NOT NULL,
    status          INTEGER NOT NULL,
    trace_id        TEXT,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, sequence)
) STRICT;

CREATE INDEX audit_records_time ON audit_records (tenant_id, occurred_at);

-- The last record appended per tenant: it survives retention, so a truncated tail is detectable.
CREATE TABLE audit_chain_heads (
    tenant_id TEXT    NOT NULL PRIMARY KEY,
    sequence  INTEGER NOT NULL,
    hash      TEXT    NOT NULL
) STRICT;

-- The last record retention deleted per tenant, signed: verification starts from it.
CREATE TABLE audit_checkpoints (
    tenant_id  TEXT    NOT NULL PRIMARY KEY,
    sequence   INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    signature  TEXT    NOT NULL
) STRICT;
