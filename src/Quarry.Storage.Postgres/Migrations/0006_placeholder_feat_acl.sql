-- Placeholder on branch feat/acl only: another branch owns schema version 6. DELETE this file at merge.
SELECT 1;
