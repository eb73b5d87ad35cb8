-- Quarry embedded store, schema version 9: a knowledge version per knowledge base, for the answer cache. It is bumped
-- by triggers, so it changes in the same transaction as every committed write that can change an answer, whichever
-- process or code path made it: a cached answer keyed by the old version can never be served after the write.
ALTER TABLE knowledge_bases ADD COLUMN knowledge_version INTEGER NOT NULL DEFAULT 0;

-- Ingest, replace (a new version updates the row) and delete (also by ON DELETE CASCADE from the knowledge base).
CREATE TRIGGER documents_version_insert AFTER INSERT ON documents BEGIN
    UPDATE knowledge_bases SET knowledge_version = knowledge_version + 1 WHERE tenant_id = new.tenant_id AND id = new.kb_id;
END;

CREATE TRIGGER documents_version_update AFTER UPDATE ON documents BEGIN
    UPDATE knowledge_bases SET knowledge_version = knowledge_version + 1
    WHERE tenant_id = new.tenant_id AND id IN (new.kb_id, old.kb_id);
END;

CREATE TRIGGER documents_version_delete AFTER DELETE ON documents BEGIN
    UPDATE knowledge_bases SET knowledge_version = knowledge_version + 1 WHERE tenant_id = old.tenant_id AND id = old.kb_id;
END;

-- Vectors written alone (late embeddings, re-embedding) are recorded in index_changes by the writer.
CREATE TRIGGER index_changes_version AFTER INSERT ON index_changes BEGIN
    UPDATE knowledge_bases SET knowledge_version = knowledge_version + 1
    WHERE tenant_id = new.tenant_id AND id = (SELECT kb_id FROM documents WHERE tenant_id = new.tenant_id AND id = new.doc_id);
END;

-- Re-embedding switches the searched vector space.
CREATE TRIGGER knowledge_bases_version_model AFTER UPDATE OF embedding_model, embedding_dimension, embeddings_incomplete ON knowledge_bases BEGIN
    UPDATE knowledge_bases SET knowledge_version = knowledge_version + 1 WHERE tenant_id = new.tenant_id AND id = new.id;
END;

-- The embedding cache's eviction deletes the oldest rows first.
CREATE INDEX embedding_cache_created ON embedding_cache (created_at);
