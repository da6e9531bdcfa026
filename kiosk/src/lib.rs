//! The lobby kiosk and guard station. Its work is the kiosk issue; until then this crate is
//! empty on purpose.
