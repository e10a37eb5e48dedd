//! The registry's tables, declared once for both backends. `tables!(Timestamp)` expands them in a
//! backend's `schema` module with that backend's timestamp SQL type (the only difference: Postgres
//! `Timestamptz`, SQLite `TimestamptzSqlite`, RFC 3339 text), and with them `COLUMNS`, the same
//! declaration as data, which `tests/registry/schema.rs` holds against the migrated databases and
//! `stj_privacy::STORABLE_INSTALLATION_FIELDS`.

/// Every table and column, in column order (the `Row` structs in `row.rs` follow it).
macro_rules! tables {
    ($timestamp:ident) => {
        crate::schema::declare! {
            installations (client_key) {
                client_key -> Text,
                base_url -> Text,
                display_url -> Nullable<Text>,
                secret_key_id -> Text,
                secret_nonce -> Binary,
                secret_ciphertext -> Binary,
                enabled -> Bool,
                created_at -> $timestamp,
                updated_at -> $timestamp,
                oauth_client_id -> Nullable<Text>,
            }

            forge_installations (installation_id) {
                installation_id -> Text,
                cloud_id -> Text,
                api_base_url -> Text,
                enabled -> Bool,
                created_at -> $timestamp,
                updated_at -> $timestamp,
            }

            forge_links (installation_id) {
                installation_id -> Text,
                client_key -> Text,
                created_at -> $timestamp,
            }
        }
    };
}

/// `diesel::table!` for each table, and `COLUMNS`: (table, column, SQL type, nullable).
macro_rules! declare {
    ($($table:ident ($key:ident) { $($column:ident -> $kind:ident $(<$inner:ident>)?,)+ })+) => {
        $(
            diesel::table! {
                $table ($key) {
                    $($column -> $kind $(<$inner>)?,)+
                }
            }
        )+

        /// The declared columns: (table, column, SQL type, nullable).
        pub const COLUMNS: &[(&str, &str, &str, bool)] = &[
            $($((
                stringify!($table),
                stringify!($column),
                crate::schema::sql_type!($kind $(<$inner>)?).0,
                crate::schema::sql_type!($kind $(<$inner>)?).1,
            ),)+)+
        ];
    };
}

/// A declared SQL type as (name, nullable).
macro_rules! sql_type {
    (Nullable<$inner:ident>) => {
        (stringify!($inner), true)
    };
    ($kind:ident) => {
        (stringify!($kind), false)
    };
}

pub(crate) use {declare, sql_type, tables};
