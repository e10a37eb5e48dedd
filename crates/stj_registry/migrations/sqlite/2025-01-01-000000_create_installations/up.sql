-- Mirrors migrations/postgres; timestamps are RFC 3339 text (diesel's TimestamptzSqlite).
CREATE TABLE installations (
    client_key        TEXT PRIMARY KEY NOT NULL,
    base_url          TEXT NOT NULL,
    display_url       TEXT,
    secret_key_id     TEXT NOT NULL,
    secret_nonce      BLOB NOT NULL,
    secret_ciphertext BLOB NOT NULL,
    enabled           BOOLEAN NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
