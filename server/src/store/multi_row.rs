//! Multi-row INSERTs: the `VALUES` list for many rows in one statement, in the form each
//! database binds fastest.
//!
//! SQLite gets positional `?` placeholders, not `$N`: sqlx binds a `$N` parameter by asking
//! SQLite for its name, and SQLite finds a name by walking the statement's list of names,
//! so binding a statement of n named parameters takes O(n²) steps — for a 500-row insert of
//! 14 columns that was most of the upload's time. PostgreSQL gets `$1`, `$2`, … in order
//! (with `?` it would not parse). Either way the values are bound row after row, column
//! after column.

use super::Backend;
use std::fmt::Write;

/// `INSERT INTO {table} ({columns}) VALUES (…), (…), …` for `rows` rows of as many
/// parameters as `columns` names.
pub(crate) fn insert_sql(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    sql.reserve(rows * width * 6);
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => write!(sql, "${n}").expect("to a String"),
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_placeholders_in_each_dialect() {
        assert_eq!(
            insert_sql(Backend::Postgres, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql(Backend::Sqlite, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
