//! Who is calling, once authenticated.

use crate::store::{Role, UserRecord};
use gatehouse_core::ids::ControllerId;

/// An authenticated caller: a person using the console or an API token, or a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A user, by session cookie or API token.
    User(UserRecord),
    /// A lobby kiosk or guard station, by its device key.
    Kiosk {
        /// The kiosk's id.
        id: u64,
    },
    /// A door controller, by its device key.
    Controller {
        /// The controller.
        id: ControllerId,
    },
}

/// The kinds of caller access rules speak of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A user with this role.
    User(Role),
    /// A kiosk or guard station.
    Kiosk,
    /// A door controller.
    Controller,
}

impl Principal {
    /// The kind of caller.
    pub fn actor(&self) -> Actor {
        match self {
            Principal::User(u) => Actor::User(u.role),
            Principal::Kiosk { .. } => Actor::Kiosk,
            Principal::Controller { .. } => Actor::Controller,
        }
    }

    /// The user, if a user is calling.
    pub fn user(&self) -> Option<&UserRecord> {
        match self {
            Principal::User(u) => Some(u),
            _ => None,
        }
    }
}
