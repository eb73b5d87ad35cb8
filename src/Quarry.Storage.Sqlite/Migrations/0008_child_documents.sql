-- Quarry embedded store, schema version 8: child documents. An email's attachments are documents of their own, linked
-- to the message they came in. Deleting the parent deletes them (done by the store: SQLite cannot add a composite
-- foreign key to an existing table); re-ingesting the parent replaces them.
ALTER TABLE documents ADD COLUMN parent_id TEXT;
CREATE INDEX documents_parent ON documents (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
