-- Only what Connect needs (stj_privacy::STORABLE_INSTALLATION_FIELDS); the secret is sealed.
CREATE TABLE installations (
    client_key        TEXT PRIMARY KEY,
    base_url          TEXT NOT NULL,
    display_url       TEXT,
    secret_key_id     TEXT NOT NULL,
    secret_nonce      BYTEA NOT NULL,
    secret_ciphertext BYTEA NOT NULL,
    enabled           BOOLEAN NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
