//! Conversions between Rust values and the three column types both databases share.

use sqlx::Row;
use sqlx::any::AnyRow;

/// A flag as stored: 0 or 1.
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Reads a 0/1 flag.
pub fn get_flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// Reads an id column that must be positive and fit a u32 (zones, doors, groups, …).
pub fn get_u32(row: &AnyRow, column: &str) -> Result<u32, sqlx::Error> {
    let v: i64 = row.try_get(column)?;
    u32::try_from(v).map_err(|_| sqlx::Error::Decode(format!("{column} = {v} out of range").into()))
}

/// Reads an optional u32 id column.
pub fn get_opt_u32(row: &AnyRow, column: &str) -> Result<Option<u32>, sqlx::Error> {
    row.try_get::<Option<i64>, _>(column)?
        .map(|v| {
            u32::try_from(v)
                .map_err(|_| sqlx::Error::Decode(format!("{column} = {v} out of range").into()))
        })
        .transpose()
}

/// Reads a non-negative id column as u64.
pub fn get_u64(row: &AnyRow, column: &str) -> Result<u64, sqlx::Error> {
    let v: i64 = row.try_get(column)?;
    u64::try_from(v).map_err(|_| sqlx::Error::Decode(format!("{column} = {v} out of range").into()))
}

/// An id as stored (ids are positive and well below 2^63).
pub fn id(v: impl Into<u64>) -> i64 {
    i64::try_from(v.into()).unwrap_or(i64::MAX)
}
