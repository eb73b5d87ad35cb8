-- Uploaded files waiting for their ingestion job. API replicas write them here before answering 202, so a worker on
-- another machine can read them; the worker deletes the row when the job is final.
CREATE TABLE uploads (
    name       text        NOT NULL PRIMARY KEY,
    content    bytea       NOT NULL,
    size_bytes bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
