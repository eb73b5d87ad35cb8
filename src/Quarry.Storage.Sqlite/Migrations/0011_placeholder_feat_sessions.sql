-- Placeholder on branch feat/sessions only: another branch owns schema version 11. DELETE this file at merge.
SELECT 1;
