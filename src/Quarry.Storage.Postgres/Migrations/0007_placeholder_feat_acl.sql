-- Placeholder on branch feat/acl only: another branch owns schema version 7. DELETE this file at merge.
SELECT 1;
