//! Access rules: every handler names the rule it answers to in its signature, as an
//! [`Allow<R>`] argument, so "who may call this?" is read at the handler itself. The role
//! matrix test (`server/tests/api/role_matrix.rs`) checks every route against an
//! independent table of expectations.

use super::principal::{Actor, Principal};
use super::resolve::resolve;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::Role;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::marker::PhantomData;

/// An access rule: the callers it admits.
pub trait Rule: Send + Sync + 'static {
    /// Who may call.
    const ALLOWED: &'static [Actor];
    /// Whether a user who must still replace a one-time password may call. Only
    /// [`Account`] does: such a user can see who they are, change the password and sign
    /// out, and nothing else.
    const BEFORE_PASSWORD_CHANGE: bool = false;
}

macro_rules! rule {
    ($(#[$doc:meta])* $name:ident = [$($actor:expr),* $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;
        impl Rule for $name {
            const ALLOWED: &'static [Actor] = &[$($actor),*];
        }
    };
}

use Actor::{Controller, Kiosk, User};
use Role::{Admin, Auditor, Host, Receptionist, Security};

rule!(
    /// Site configuration: zones, doors, controllers, schedules, groups, users, keys.
    Configure = [User(Admin)]
);
rule!(
    /// Reading the configuration and people (auditors review it; guards need it).
    ReadPolicy = [User(Admin), User(Security), User(Auditor)]
);
rule!(
    /// People and their badges: enroll, suspend, report lost, revoke.
    ManageBadges = [User(Admin), User(Security)]
);
rule!(
    /// Visitors and their passes.
    FrontDesk = [User(Admin), User(Receptionist), User(Host), Kiosk]
);
rule!(
    /// Lockdown, release and momentary unlock (guards and admins).
    CommandDoors = [User(Admin), User(Security)]
);
rule!(
    /// Asking for a property pass: any member of staff with an account.
    RequestProperty = [User(Admin), User(Security), User(Receptionist), User(Host)]
);
rule!(
    /// Approving or refusing a property pass: an admin, or a host who is the carrier's
    /// manager (the handler checks the manager).
    ApproveProperty = [User(Admin), User(Host)]
);
rule!(
    /// Reading property passes: who approves them, guards and guard stations at the exit,
    /// auditors.
    ReadProperty = [User(Admin), User(Security), User(Host), User(Auditor), Kiosk]
);
rule!(
    /// At the exit: logging items leaving and coming back (guards, guard stations).
    GuardExit = [User(Admin), User(Security), Kiosk]
);
rule!(
    /// Revoking an approved property pass.
    RevokeProperty = [User(Admin), User(Security)]
);
rule!(
    /// Events and alarms.
    ReadEvents = [User(Admin), User(Security), User(Auditor)]
);
rule!(
    /// Answering alarms: acknowledging them (guards and admins).
    HandleAlarms = [User(Admin), User(Security)]
);
rule!(
    /// The audit log.
    ReadAudit = [User(Admin), User(Auditor)]
);
rule!(
    /// Any signed-in user (their own account, their own tokens).
    AnyUser = [User(Admin), User(Security), User(Receptionist), User(Host), User(Auditor)]
);
/// The caller's own account: who am I, change my password, sign out. Any user, including
/// one who must first replace a one-time password.
#[derive(Debug)]
pub struct Account;
impl Rule for Account {
    const ALLOWED: &'static [Actor] = AnyUser::ALLOWED;
    const BEFORE_PASSWORD_CHANGE: bool = true;
}
rule!(
    /// The controller sync channel.
    ControllerOnly = [Controller]
);

/// An authenticated caller that rule `R` admits. Extracting it answers 401 without valid
/// credentials, 403 `forbidden` when the caller's kind is not in the rule, and 403
/// `password_change_required` for a user with a one-time password outside [`Account`].
#[derive(Debug)]
pub struct Allow<R: Rule> {
    /// Who is calling.
    pub principal: Principal,
    rule: PhantomData<R>,
}

impl<R: Rule> FromRequestParts<AppState> for Allow<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = resolve(parts, state)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if !R::ALLOWED.contains(&principal.actor()) {
            return Err(ApiError::Forbidden);
        }
        let must_change = principal.user().is_some_and(|u| u.must_change_password);
        if must_change && !R::BEFORE_PASSWORD_CHANGE {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(Allow {
            principal,
            rule: PhantomData,
        })
    }
}
