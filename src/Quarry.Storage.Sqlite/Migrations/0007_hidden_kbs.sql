-- Quarry embedded store, schema version 7: hidden knowledge bases (evaluation corpora, scratch data). They stay usable
-- by name but are left out of listings, pickers and /v1/models.
ALTER TABLE knowledge_bases ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
