-- Forge installations: installation metadata only (STORABLE_INSTALLATION_FIELDS), no secret:
-- Forge signs every invocation, so there is nothing to seal.
CREATE TABLE forge_installations (
    installation_id TEXT PRIMARY KEY,
    cloud_id        TEXT NOT NULL,
    api_base_url    TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- A Connect install's Forge installation, from its verified `installed` payload (ACE's
-- InstallationClientKeys), so one site is one tenant through either door. Removed with the
-- Connect install by the registry's delete.
CREATE TABLE forge_links (
    installation_id TEXT PRIMARY KEY,
    client_key      TEXT NOT NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL
);
