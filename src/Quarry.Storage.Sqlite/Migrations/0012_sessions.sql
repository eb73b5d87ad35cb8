-- Quarry embedded store, schema version 12: server-side conversation sessions and their turns.
-- A session belongs to one tenant and one owner (user:… or key:…); every query names both.
CREATE TABLE sessions (
    tenant_id      TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    knowledge_base TEXT,
    title          TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    turn_count     INTEGER NOT NULL DEFAULT 0,
    bytes          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE INDEX sessions_by_owner ON sessions (tenant_id, owner, updated_at);
CREATE INDEX sessions_by_age ON sessions (updated_at);

CREATE TABLE session_turns (
    tenant_id       TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    ordinal         INTEGER NOT NULL,
    question        TEXT    NOT NULL,
    rewritten_query TEXT,
    answer          TEXT    NOT NULL,
    -- JSON array of the answer's citations.
    citations       TEXT    NOT NULL,
    bytes           INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, session_id, ordinal),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
