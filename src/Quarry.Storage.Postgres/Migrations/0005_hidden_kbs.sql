-- Hidden knowledge bases (evaluation corpora, scratch data): usable by name, left out of listings, pickers and /v1/models.
ALTER TABLE knowledge_bases ADD COLUMN hidden boolean NOT NULL DEFAULT false;
