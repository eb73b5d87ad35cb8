-- Quarry embedded store, schema version 3: each knowledge base's active embedding model, and a change feed for
-- in-memory indexes.

-- The vector space a knowledge base is searched in. Vectors of other models may sit beside it (a re-embedding in
-- progress, or chunks ingested while another model was configured) but are never searched: re-embedding switches
-- these columns in one transaction once every chunk has a vector of the new model.
ALTER TABLE knowledge_bases ADD COLUMN embedding_model TEXT;
ALTER TABLE knowledge_bases ADD COLUMN embedding_dimension INTEGER CHECK (embedding_dimension IS NULL OR embedding_dimension > 0);
-- 1 when some chunk has no vector of the active model (stored offline or by another model): vector search cannot
-- see it until the knowledge base is re-embedded.
ALTER TABLE knowledge_bases ADD COLUMN embeddings_incomplete INTEGER NOT NULL DEFAULT 0 CHECK (embeddings_incomplete IN (0, 1));

-- Databases of version 2 keep searching what they searched: the model most of a knowledge base's vectors belong to.
UPDATE knowledge_bases SET (embedding_model, embedding_dimension) = (
    SELECT e.model, e.dimension
    FROM chunks c JOIN embeddings e ON e.chunk_row_id = c.row_id
    WHERE c.tenant_id = knowledge_bases.tenant_id AND c.kb_id = knowledge_bases.id
    GROUP BY e.model, e.dimension
    ORDER BY count(*) DESC, e.model
    LIMIT 1);

UPDATE knowledge_bases SET embeddings_incomplete = 1
WHERE embedding_model IS NOT NULL AND EXISTS (
    SELECT 1 FROM chunks c
    WHERE c.tenant_id = knowledge_bases.tenant_id AND c.kb_id = knowledge_bases.id
      AND NOT EXISTS (SELECT 1 FROM embeddings e
                      WHERE e.chunk_row_id = c.row_id AND e.model = knowledge_bases.embedding_model
                        AND e.dimension = knowledge_bases.embedding_dimension));

-- One row per write that changed a document's chunks or vectors, numbered in commit order (writers are serialized,
-- AUTOINCREMENT never reuses a number). A process holding an in-memory index remembers the last number it applied and
-- reads newer rows, so a delete or ingest by another process reaches it without a restart. Old rows are pruned; a
-- reader that fell behind the oldest kept row rebuilds instead.
CREATE TABLE index_changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT    NOT NULL,
    doc_id    TEXT    NOT NULL
) STRICT;

-- Document rows change with every version and are deleted by document and knowledge base deletes (ON DELETE CASCADE
-- fires these triggers too); writes of vectors alone record their documents in code.
CREATE TRIGGER documents_changed_insert AFTER INSERT ON documents BEGIN
    INSERT INTO index_changes (tenant_id, doc_id) VALUES (new.tenant_id, new.id);
END;

CREATE TRIGGER documents_changed_update AFTER UPDATE ON documents BEGIN
    INSERT INTO index_changes (tenant_id, doc_id) VALUES (new.tenant_id, new.id);
END;

CREATE TRIGGER documents_changed_delete AFTER DELETE ON documents BEGIN
    INSERT INTO index_changes (tenant_id, doc_id) VALUES (old.tenant_id, old.id);
END;
