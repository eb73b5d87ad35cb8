-- Placeholder on branch feat/sessions only: another branch owns schema version 10. DELETE this file at merge.
SELECT 1;
