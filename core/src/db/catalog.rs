//! Questions about the schema itself, asked of each backend's own catalogue.

use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::RunQueryDsl;

use super::{DbConn, DbError};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub async fn table_exists(conn: &mut DbConn<'_>, table: &str) -> Result<bool, DbError> {
    let found: Count = match conn {
        DbConn::Postgres(c) => {
            diesel::sql_query(
                "SELECT count(*) AS n FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind::<Text, _>(table)
            .get_result(*c)
            .await?
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query(
                "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
            )
            .bind::<Text, _>(table)
            .get_result(*c)
            .await?
        }
    };
    Ok(found.n > 0)
}

/// One column as both backends can describe it, for comparing the two schemas.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, diesel::QueryableByName)]
pub struct ColumnInfo {
    #[diesel(sql_type = Text)]
    pub table_name: String,
    #[diesel(sql_type = Text)]
    pub column_name: String,
    #[diesel(sql_type = Text)]
    pub data_type: String,
    #[diesel(sql_type = Bool)]
    pub nullable: bool,
}

/// Every column of every table (the migrations table excluded), with types folded into the
/// portable families the hand-written schema uses.
pub async fn columns(conn: &mut DbConn<'_>) -> Result<Vec<ColumnInfo>, DbError> {
    let mut columns: Vec<ColumnInfo> = match conn {
        DbConn::Postgres(c) => {
            diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 data_type::text AS data_type, (is_nullable = 'YES') AS nullable \
                 FROM information_schema.columns WHERE table_schema = current_schema()",
            )
            .load(*c)
            .await?
        }
        DbConn::Sqlite(c) => {
            // A primary-key column is NOT NULL in PostgreSQL; SQLite reports `notnull = 0` for
            // an INTEGER PRIMARY KEY even though it can never hold NULL.
            diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
                 (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            )
            .load(*c)
            .await?
        }
    };
    columns.retain(|c| c.table_name != "__diesel_schema_migrations");
    for column in &mut columns {
        column.data_type = type_family(&column.data_type).to_owned();
    }
    columns.sort();
    Ok(columns)
}

fn type_family(declared: &str) -> &'static str {
    let lower = declared.to_ascii_lowercase();
    match lower.as_str() {
        "bigint" | "integer" | "int" | "int4" | "int8" | "smallint" | "bigserial" | "serial" => {
            "integer"
        }
        "boolean" | "bool" => "boolean",
        "date" => "date",
        t if t.starts_with("timestamp") => "timestamp",
        "double precision" | "real" | "float" | "double" => "real",
        t if t.starts_with("numeric") || t.starts_with("decimal") => "numeric",
        "bytea" | "blob" => "binary",
        _ => "text",
    }
}
