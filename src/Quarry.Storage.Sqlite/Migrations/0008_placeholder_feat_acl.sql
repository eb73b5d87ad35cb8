-- Placeholder on branch feat/acl only: another branch owns schema version 08. DELETE this file at merge.
SELECT 1;
