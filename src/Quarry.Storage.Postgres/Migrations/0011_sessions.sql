-- Schema version 11: server-side conversation sessions and their turns.
-- A session belongs to one tenant and one owner (user:… or key:…); every query names both.
CREATE TABLE sessions (
    tenant_id      text        NOT NULL,
    id             text        NOT NULL,
    owner          text        NOT NULL,
    knowledge_base text,
    title          text        NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    turn_count     integer     NOT NULL DEFAULT 0,
    bytes          bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX sessions_by_owner ON sessions (tenant_id, owner, updated_at);
CREATE INDEX sessions_by_age ON sessions (updated_at);

CREATE TABLE session_turns (
    tenant_id       text        NOT NULL,
    session_id      text        NOT NULL,
    ordinal         integer     NOT NULL,
    question        text        NOT NULL,
    rewritten_query text,
    answer          text        NOT NULL,
    citations       jsonb       NOT NULL,
    bytes           bigint      NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id, ordinal),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE
);
