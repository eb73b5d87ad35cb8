-- Quarry embedded store, schema version 11: chat-model usage per tenant, UTC day and model, for cost reports and
-- quotas. Cost is kept in millionths of the configured currency, so sums are exact.
CREATE TABLE llm_usage (
    tenant_id     TEXT    NOT NULL,
    day           TEXT    NOT NULL, -- yyyy-MM-dd, UTC
    model         TEXT    NOT NULL,
    requests      INTEGER NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_micros   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, model)
) WITHOUT ROWID;
