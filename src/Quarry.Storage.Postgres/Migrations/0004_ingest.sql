-- Fair ingestion scheduling: when each tenant last had a job claimed, as a claim counter (not a clock, so two claims
-- in one microsecond still have an order). The tenant whose last claim is oldest is served first.
CREATE TABLE ingestion_tenant_turns (
    tenant_id  text   NOT NULL PRIMARY KEY,
    last_claim bigint NOT NULL
);

-- Per-tenant running counts and delete fencing look jobs up by tenant, document and knowledge base.
CREATE INDEX ingestion_jobs_doc ON ingestion_jobs (tenant_id, doc_id) WHERE status IN ('queued', 'running');
CREATE INDEX ingestion_jobs_kb ON ingestion_jobs (tenant_id, kb_id) WHERE status IN ('queued', 'running');
