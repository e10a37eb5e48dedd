-- Expand only: nullable, so running code that does not know the column keeps working.
ALTER TABLE installations ADD COLUMN oauth_client_id TEXT;
