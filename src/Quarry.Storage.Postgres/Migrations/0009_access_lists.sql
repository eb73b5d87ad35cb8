-- Quarry PostgreSQL store, schema version 8: document access lists and the principal (user, groups) of API keys.
-- The same model as SQLite's version 10: each distinct list once, documents point at it (NULL: open); a search reads
-- the ids of the lists naming one of the caller's principals once per query and keeps candidates whose list is NULL
-- or in that set (a hashed subplan), so the cost per candidate does not grow with the caller's groups.
CREATE TABLE access_lists (
    acl_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id text   NOT NULL,
    entries   text   NOT NULL,
    UNIQUE (tenant_id, entries)
);

CREATE TABLE access_list_entries (
    tenant_id text   NOT NULL,
    principal text   NOT NULL,
    acl_id    bigint NOT NULL REFERENCES access_lists (acl_id),
    PRIMARY KEY (tenant_id, principal, acl_id)
);

ALTER TABLE documents ADD COLUMN acl_id bigint REFERENCES access_lists (acl_id);

ALTER TABLE api_keys ADD COLUMN user_id text;
ALTER TABLE api_keys ADD COLUMN groups jsonb;
ALTER TABLE api_keys ADD COLUMN bypass boolean NOT NULL DEFAULT false;
