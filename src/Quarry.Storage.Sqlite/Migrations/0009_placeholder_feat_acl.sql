-- Placeholder on branch feat/acl only: another branch owns schema version 09. DELETE this file at merge.
SELECT 1;
