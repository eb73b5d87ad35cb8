-- The audit trail. Records of a tenant form a hash chain ordered by sequence (see AuditChain). Records are only ever
-- inserted, and deleted by retention as a prefix of the chain, replaced by the tenant's signed checkpoint.
CREATE TABLE audit_records (
    tenant_id       text             NOT NULL,
    sequence        bigint           NOT NULL,
    id              text             NOT NULL UNIQUE,
    occurred_at     timestamptz      NOT NULL,
    key_id          text,
    user_id         text,
    route           text             NOT NULL,
    knowledge_bases jsonb            NOT NULL,
    subject         text,
    question        text,
    filters         text,
    retrieved       jsonb            NOT NULL,
    cited           jsonb            NOT NULL,
    model           text,
    fallback_path   text,
    grounded        boolean,
    abstained       boolean,
    answer_text     text,
    latency_ms      double precision NOT NULL,
    status          integer          NOT NULL,
    trace_id        text,
    prev_hash       text             NOT NULL,
    hash            text             NOT NULL,
    PRIMARY KEY (tenant_id, sequence)
);

CREATE INDEX audit_records_time ON audit_records (tenant_id, occurred_at);

-- The last record appended per tenant. Appenders lock this row (SELECT … FOR UPDATE) for the rest of their
-- transaction, which serializes the chain of one tenant across every replica; it also survives retention, so a
-- truncated tail is detectable.
CREATE TABLE audit_chain_heads (
    tenant_id text   NOT NULL PRIMARY KEY,
    sequence  bigint NOT NULL,
    hash      text   NOT NULL
);

-- The last record retention deleted per tenant, signed: verification starts from it.
CREATE TABLE audit_checkpoints (
    tenant_id  text        NOT NULL PRIMARY KEY,
    sequence   bigint      NOT NULL,
    hash       text        NOT NULL,
    created_at timestamptz NOT NULL,
    signature  text        NOT NULL
);
