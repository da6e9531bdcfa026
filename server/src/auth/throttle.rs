//! Password attempts, counted: after [`MAX_FAILURES`] consecutive wrong passwords an account
//! is locked for [`LOCKOUT_MS`], and while it is locked not even the right password opens
//! it. A success resets the count.
//!
//! The count and the lock live in the database (`users.failed_logins`,
//! `users.locked_until`), so they hold across server replicas and restarts. There is
//! deliberately no in-memory per-client-IP limiter: each replica would keep its own count
//! (n replicas, n times the budget), behind a load balancer every client may share one
//! address, and argon2id already makes each guess cost ~20 ms of a core. A per-IP rate
//! limit, if wanted, belongs in the reverse proxy in front of the replicas.
//!
//! Unknown usernames are not counted (there is no row to count in); they cost the same
//! argon2 work as a known one, so the answer's timing does not tell them apart. The lock
//! itself does reveal, after [`MAX_FAILURES`] tries, that an account exists: the price of
//! per-account lockout.

use super::password;
use crate::http::error::ApiError;
use crate::store::{LoginRecord, Store, UserRecord};
use gatehouse_core::time::Timestamp;
use std::sync::LazyLock;

/// Consecutive wrong passwords that lock an account.
pub const MAX_FAILURES: u32 = 5;
/// How long a lock lasts.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// The one message for every wrong username or password, so neither is told apart.
pub const WRONG_CREDENTIALS: &str = "wrong username or password";

/// A hash checked when the username is unknown, made with the current parameters so it
/// costs what a real one does.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    password::hash("no user has this password").expect("the dummy password has a valid length")
});

/// 429 with the seconds left, if `locked_until` is still ahead of `now`.
pub fn check_lock(locked_until: Option<i64>, now: Timestamp) -> Result<(), ApiError> {
    match locked_until {
        Some(until) if until > now.0 => {
            let left_ms = until - now.0;
            let secs = u64::try_from(left_ms.div_euclid(1000) + i64::from(left_ms % 1000 != 0))
                .unwrap_or(u64::MAX);
            Err(ApiError::TooManyAttempts {
                retry_after_secs: secs,
            })
        }
        _ => Ok(()),
    }
}

/// Checks `password` for `record` (none: the username is unknown), counting a failure or
/// clearing the count. Answers the user, or 401 with [`WRONG_CREDENTIALS`] (for an unknown
/// user, a wrong password or a disabled account alike), or 429 while the account is locked
/// — including for the failure that locks it.
pub async fn attempt(
    store: &Store,
    record: Option<LoginRecord>,
    password: &str,
    now: Timestamp,
) -> Result<UserRecord, ApiError> {
    // Made on the first attempt of all, known user or not, so that it is not the first
    // unknown username that pays for it.
    let dummy = &*DUMMY_HASH;
    if let Some(r) = &record {
        check_lock(r.locked_until, now)?;
    }
    let hash = record
        .as_ref()
        .map_or_else(|| dummy.clone(), |r| r.password_hash.clone());
    let matches = verify(password, hash).await?;
    let Some(record) = record else {
        return Err(ApiError::BadCredentials(WRONG_CREDENTIALS.into()));
    };
    if !matches {
        let lock = store
            .record_login_failure(record.user.id, MAX_FAILURES, now.0 + LOCKOUT_MS)
            .await?;
        check_lock(lock, now)?;
        return Err(ApiError::BadCredentials(WRONG_CREDENTIALS.into()));
    }
    if record.user.disabled {
        return Err(ApiError::BadCredentials(WRONG_CREDENTIALS.into()));
    }
    store.clear_login_failures(record.user.id).await?;
    Ok(record.user)
}

/// argon2 verification off the async threads: it is ~20 ms of CPU by design.
async fn verify(password: &str, hash: String) -> Result<bool, ApiError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .map_err(|e| ApiError::Internal(format!("password check: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(e: ApiError) -> u64 {
        match e {
            ApiError::TooManyAttempts { retry_after_secs } => retry_after_secs,
            other => panic!("expected 429, got {other:?}"),
        }
    }

    #[test]
    fn a_lock_holds_until_its_time_and_rounds_up() {
        let now = Timestamp(1_000_000);
        assert!(check_lock(None, now).is_ok());
        assert!(
            check_lock(Some(now.0), now).is_ok(),
            "a lock ends at its time"
        );
        assert!(check_lock(Some(now.0 - 1), now).is_ok());
        assert_eq!(
            retry_after(check_lock(Some(now.0 + 1), now).unwrap_err()),
            1
        );
        assert_eq!(
            retry_after(check_lock(Some(now.0 + 1000), now).unwrap_err()),
            1
        );
        assert_eq!(
            retry_after(check_lock(Some(now.0 + 1001), now).unwrap_err()),
            2
        );
        assert_eq!(
            retry_after(check_lock(Some(now.0 + LOCKOUT_MS), now).unwrap_err()),
            900
        );
    }
}
