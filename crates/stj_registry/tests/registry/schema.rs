//! The schema exists once: the `diesel::table!` declarations (`src/schema.rs`, for both backends)
//! are held against what each migration tree really makes, column by column (name, type,
//! nullability), and the stored columns against `stj_privacy::STORABLE_INSTALLATION_FIELDS`.
//! A column added to one migration tree only, or to the migrations and not the code (or the
//! other way round), or a table nobody declared, fails here.

use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use stj_registry::declared;

use crate::{pg, sqlite};

/// (table, column, type as the database names it, nullable), sorted.
type Columns = Vec<(String, String, String, bool)>;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    data_type: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

fn sorted(columns: Vec<Column>) -> Columns {
    let mut columns: Columns = columns
        .into_iter()
        .map(|c| (c.table_name, c.column_name, c.data_type, c.nullable))
        .collect();
    columns.sort();
    columns
}

/// The declared columns with each diesel SQL type as `types` says the backend stores it.
fn expected(declared: &[(&str, &str, &str, bool)], types: &[(&str, &str)]) -> Columns {
    let mut columns: Columns = declared
        .iter()
        .map(|(table, column, sql_type, nullable)| {
            let Some((_, stored)) = types.iter().find(|(name, _)| name == sql_type) else {
                panic!("{table}.{column}: no stored type known for diesel's {sql_type}")
            };
            ((*table).to_owned(), (*column).to_owned(), (*stored).to_owned(), *nullable)
        })
        .collect();
    columns.sort();
    columns
}

const POSTGRES_TYPES: &[(&str, &str)] = &[
    ("Text", "text"),
    ("Binary", "bytea"),
    ("Bool", "boolean"),
    ("Timestamptz", "timestamp with time zone"),
];

/// As the migrations declare them (SQLite keeps the declared type name).
const SQLITE_TYPES: &[(&str, &str)] =
    &[("Text", "TEXT"), ("Binary", "BLOB"), ("Bool", "BOOLEAN"), ("TimestamptzSqlite", "TEXT")];

async fn postgres_columns() -> Columns {
    let db = pg::TestDb::migrated().await;
    let mut conn = AsyncPgConnection::establish(db.url().as_str()).await.unwrap();
    let columns = diesel_async::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             data_type::text AS data_type, is_nullable = 'YES' AS nullable \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
        ),
        &mut conn,
    )
    .await
    .unwrap();
    sorted(columns)
}

async fn sqlite_columns() -> Columns {
    let fresh = sqlite::Fresh::new().await;
    let mut conn = SqliteConnection::establish(&fresh.path().display().to_string()).unwrap();
    let columns = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
         p.\"notnull\" = 0 AS nullable \
         FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
         AND m.name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .unwrap();
    sorted(columns)
}

#[tokio::test]
async fn postgres_migrations_make_the_declared_tables() {
    assert_eq!(postgres_columns().await, expected(declared::POSTGRES, POSTGRES_TYPES));
}

#[tokio::test]
async fn sqlite_migrations_make_the_declared_tables() {
    assert_eq!(sqlite_columns().await, expected(declared::SQLITE, SQLITE_TYPES));
}

/// The two migration trees make the same tables and columns with the same nullability, and
/// every stored column is one the privacy policy allows ("installation metadata only"; the sealed
/// shared secret is stored as its key id, nonce and ciphertext).
#[tokio::test]
async fn both_backends_store_the_same_columns_and_only_storable_ones() {
    let shape = |columns: Columns| -> Vec<(String, String, bool)> {
        columns.into_iter().map(|(table, column, _, nullable)| (table, column, nullable)).collect()
    };
    let postgres = shape(postgres_columns().await);
    assert_eq!(postgres, shape(sqlite_columns().await));
    let mut stored: Vec<&str> = postgres.iter().map(|(_, column, _)| column.as_str()).collect();
    stored.sort_unstable();
    stored.dedup();
    let mut storable = stj_privacy::STORABLE_INSTALLATION_FIELDS.to_vec();
    storable.sort_unstable();
    assert_eq!(stored, storable);
}
