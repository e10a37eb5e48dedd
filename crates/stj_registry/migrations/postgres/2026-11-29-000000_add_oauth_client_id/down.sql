ALTER TABLE installations DROP COLUMN oauth_client_id;
