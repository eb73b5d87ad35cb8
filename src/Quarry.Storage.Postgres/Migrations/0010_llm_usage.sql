-- Chat-model usage per tenant, UTC day and model, for cost reports and quotas; every replica adds to the same rows.
CREATE TABLE llm_usage (
    tenant_id     text          NOT NULL,
    day           date          NOT NULL,
    model         text          NOT NULL,
    requests      bigint        NOT NULL,
    input_tokens  bigint        NOT NULL,
    output_tokens bigint        NOT NULL,
    cost          numeric(20,6) NOT NULL,
    PRIMARY KEY (tenant_id, day, model)
);
