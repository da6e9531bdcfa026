//! The site bundle's large tables — people, their groups, badges: 100,000s of rows at a
//! large site — read as one JSON array each, built by the database.
//!
//! Fetched row by row, they took most of a cold bundle build: sqlx copies every value of
//! every row and hands the rows over one at a time (on SQLite from a worker thread, a wake-up
//! each), about 4 µs a row, 1.7 s for a 100,000-badge site. One aggregated value per table
//! costs the database a little JSON and the server one parse. Both databases build it,
//! each in its own words (`json_group_array` / `json_agg`).

use super::badges::parse_status;
use super::{Backend, StoreError};
use gatehouse_core::card::CardId;
use gatehouse_core::ids::{BadgeId, GroupId, PassSerial, PersonId};
use gatehouse_core::model::{Badge, BadgeCredential, GroupList, Person, PersonFlags, PinVerifier};
use gatehouse_core::time::Timestamp;
use serde::de::DeserializeOwned;
use sqlx::AnyPool;

/// The rows of `SELECT {columns} {from_where}` (with `$1` the site) as one JSON array of
/// arrays, decoded.
async fn json_rows<T: DeserializeOwned>(
    pool: &AnyPool,
    backend: Backend,
    site: i64,
    columns: &str,
    from_where: &str,
) -> Result<Vec<T>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => format!("SELECT json_group_array(json_array({columns})) {from_where}"),
        // No rows: NULL, not an empty array.
        Backend::Postgres => {
            format!("SELECT CAST(json_agg(json_build_array({columns})) AS TEXT) {from_where}")
        }
    };
    let text: Option<String> = sqlx::query_scalar(&sql).bind(site).fetch_one(pool).await?;
    match text {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|e| decode(&e.to_string())),
    }
}

fn decode(message: &str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(message.to_string().into()))
}

fn hex_blob(backend: Backend, column: &str) -> String {
    match backend {
        // hex(NULL) is '' in SQLite.
        Backend::Sqlite => format!("hex({column})"),
        Backend::Postgres => format!("encode({column}, 'hex')"),
    }
}

/// One person row: id, lockdown override, PIN required, PIN verifier in hex.
type PersonRow = (u64, i64, i64, Option<String>);

/// The site's people with their groups, by id.
pub(crate) async fn people(
    pool: &AnyPool,
    backend: Backend,
    site: i64,
) -> Result<Vec<Person>, StoreError> {
    let people_columns = format!(
        "id, lockdown_override, pin_required, {}",
        hex_blob(backend, "pin_verifier")
    );
    // Side by side, on two connections: on PostgreSQL each aggregate is ~130 ms of one
    // backend's time at 100,000 people.
    let (rows, mut members): (Vec<PersonRow>, Vec<(u64, u32)>) = tokio::try_join!(
        json_rows(
            pool,
            backend,
            site,
            &people_columns,
            "FROM people WHERE site_id = $1",
        ),
        json_rows(
            pool,
            backend,
            site,
            "m.person_id, m.group_id",
            "FROM group_members m JOIN people p ON p.id = m.person_id WHERE p.site_id = $1",
        ),
    )?;
    members.sort_unstable();
    let mut members = members.into_iter().peekable();
    let mut people = Vec::with_capacity(rows.len());
    let mut rows = rows;
    rows.sort_unstable_by_key(|r| r.0);
    for (id, lockdown_override, pin_required, pin) in rows {
        // Memberships of people not listed (none, by the foreign key) are passed over.
        while members.next_if(|m| m.0 < id).is_some() {}
        let mut groups = GroupList::new();
        while let Some((_, group)) = members.next_if(|m| m.0 == id) {
            groups.push(GroupId(group));
        }
        let pin = match pin.filter(|p| !p.is_empty()) {
            None => None,
            Some(hex) => Some(PinVerifier(
                hex::decode(&hex)
                    .ok()
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(|| decode("pin verifier is not 16 bytes"))?,
            )),
        };
        people.push(Person {
            id: PersonId(id),
            groups,
            flags: PersonFlags {
                lockdown_override: lockdown_override != 0,
                pin_required: pin_required != 0,
            },
            pin,
        });
    }
    Ok(people)
}

/// One badge row: id, person, card, QR serial, status, not before, expires.
type BadgeRow = (
    u64,
    u64,
    Option<String>,
    Option<u64>,
    String,
    Option<i64>,
    Option<i64>,
);

/// The site's badges, by id.
pub(crate) async fn badges(
    pool: &AnyPool,
    backend: Backend,
    site: i64,
) -> Result<Vec<Badge>, StoreError> {
    let mut rows: Vec<BadgeRow> = json_rows(
        pool,
        backend,
        site,
        "id, person_id, card_id, qr_serial, status, not_before, expires",
        "FROM badges WHERE site_id = $1",
    )
    .await?;
    rows.sort_unstable_by_key(|r| r.0);
    rows.into_iter()
        .map(|(id, person, card, serial, status, not_before, expires)| {
            let credential = match (card, serial) {
                (Some(card), None) => BadgeCredential::Card(
                    card.parse::<CardId>().map_err(|e| decode(&e.to_string()))?,
                ),
                (None, Some(serial)) => BadgeCredential::Qr(PassSerial(serial)),
                _ => return Err(decode("a badge is a card or a QR serial")),
            };
            Ok(Badge {
                id: BadgeId(id),
                person: PersonId(person),
                credential,
                status: parse_status(&status)?,
                not_before: not_before.map(Timestamp),
                expires: expires.map(Timestamp),
            })
        })
        .collect()
}
