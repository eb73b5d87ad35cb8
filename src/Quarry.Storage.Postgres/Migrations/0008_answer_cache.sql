-- Quarry PostgreSQL store, schema version 8: the answer cache. Each knowledge base has a knowledge version, bumped by
-- triggers in the same transaction as every committed write that can change an answer (document insert, replace and
-- delete, vectors written, the searched embedding model switched), so every replica's cache keys change at commit.
--
-- The version is a sum over an append-only table: every write inserts a row (weight 1) and readers add them up, so
-- the sum changes with every commit, in commit order as readers see it. Writers never wait on one another for it (a
-- counter row, or a column of the knowledge base's row that upserts hold FOR SHARE, serializes or deadlocks them).
-- Readers fold a knowledge base's rows into one when they pile up; the sum stays the same.
CREATE TABLE knowledge_changes (
    tenant_id text   NOT NULL,
    kb_id     text   NOT NULL,
    weight    bigint NOT NULL DEFAULT 1
);

CREATE INDEX knowledge_changes_kb ON knowledge_changes (tenant_id, kb_id);

CREATE FUNCTION quarry_bump_knowledge_version(p_tenant text, p_kb text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO knowledge_changes (tenant_id, kb_id) VALUES (p_tenant, p_kb);
$$;

CREATE FUNCTION quarry_documents_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM quarry_bump_knowledge_version(NEW.tenant_id, NEW.kb_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.kb_id <> NEW.kb_id) THEN
        PERFORM quarry_bump_knowledge_version(OLD.tenant_id, OLD.kb_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER documents_version AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION quarry_documents_version();

-- Vectors written alone (late embeddings, re-embedding) are recorded in index_changes by the writer.
CREATE FUNCTION quarry_index_changes_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_kb text;
BEGIN
    SELECT kb_id INTO v_kb FROM documents WHERE tenant_id = NEW.tenant_id AND id = NEW.doc_id;
    IF v_kb IS NOT NULL THEN
        PERFORM quarry_bump_knowledge_version(NEW.tenant_id, v_kb);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER index_changes_version AFTER INSERT ON index_changes
    FOR EACH ROW EXECUTE FUNCTION quarry_index_changes_version();

CREATE FUNCTION quarry_model_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM quarry_bump_knowledge_version(NEW.tenant_id, NEW.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER knowledge_bases_version_model AFTER UPDATE OF embedding_model, embedding_dimension, embeddings_incomplete ON knowledge_bases
    FOR EACH ROW
    WHEN (OLD.embedding_model IS DISTINCT FROM NEW.embedding_model
          OR OLD.embedding_dimension IS DISTINCT FROM NEW.embedding_dimension
          OR OLD.embeddings_incomplete IS DISTINCT FROM NEW.embeddings_incomplete)
    EXECUTE FUNCTION quarry_model_version();

-- The shared (L2) answer cache when no Redis is configured: opaque entries by key, expired rows pruned by writers.
CREATE TABLE answer_cache (
    key        text        NOT NULL PRIMARY KEY,
    value      bytea       NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX answer_cache_expiry ON answer_cache (expires_at);

-- The embedding cache's eviction deletes the oldest rows first.
CREATE INDEX embedding_cache_created ON embedding_cache (created_at);
