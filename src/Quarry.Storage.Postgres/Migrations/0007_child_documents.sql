-- Child documents: an email's attachments are documents of their own, linked to the message they came in. Deleting the
-- parent deletes them (the store deletes them in the same transaction, recording their index changes); re-ingesting
-- the parent replaces them.
ALTER TABLE documents ADD COLUMN parent_id text;
CREATE INDEX documents_parent ON documents (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
