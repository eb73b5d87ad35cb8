-- Quarry embedded store, schema version 10: document access lists and the principal (user, groups) of API keys.
-- Each distinct access list is stored once and gets an id; a document points at its list (NULL: open to everyone of
-- the knowledge base). A search first reads the ids of the lists that name one of the caller's principals (one index
-- probe per principal, once per query), then keeps candidates whose list is NULL or in that set: the cost per
-- candidate does not depend on how many groups the caller is in.
CREATE TABLE access_lists (
    acl_id    INTEGER PRIMARY KEY,
    tenant_id TEXT    NOT NULL,
    -- The sorted entries joined by a newline: 'group:hr\nuser:bob'.
    entries   TEXT    NOT NULL,
    UNIQUE (tenant_id, entries)
) STRICT;

CREATE TABLE access_list_entries (
    tenant_id TEXT    NOT NULL,
    principal TEXT    NOT NULL,
    acl_id    INTEGER NOT NULL REFERENCES access_lists (acl_id),
    PRIMARY KEY (tenant_id, principal, acl_id)
) STRICT, WITHOUT ROWID;

ALTER TABLE documents ADD COLUMN acl_id INTEGER REFERENCES access_lists (acl_id);

ALTER TABLE api_keys ADD COLUMN user_id TEXT;
-- JSON array of group names; NULL: none.
ALTER TABLE api_keys ADD COLUMN groups TEXT;
-- 1: the key reads every document of its tenant whatever the access lists (its use is audited).
ALTER TABLE api_keys ADD COLUMN bypass INTEGER NOT NULL DEFAULT 0;
