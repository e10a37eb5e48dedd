-- Mirrors migrations/postgres; timestamps are RFC 3339 text (diesel's TimestamptzSqlite).
CREATE TABLE forge_installations (
    installation_id TEXT PRIMARY KEY NOT NULL,
    cloud_id        TEXT NOT NULL,
    api_base_url    TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- A Connect install's Forge installation, from its verified `installed` payload (ACE's
-- InstallationClientKeys), so one site is one tenant through either door. Removed with the
-- Connect install by the registry's delete.
CREATE TABLE forge_links (
    installation_id TEXT PRIMARY KEY NOT NULL,
    client_key      TEXT NOT NULL UNIQUE,
    created_at      TEXT NOT NULL
);
