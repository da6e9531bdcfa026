//! The access decision, rule by rule, in the order the rules apply. The first rule that
//! refuses gives the reason; a credential that passes them all opens the door.

use super::clock_guard::{Judged, judge};
use super::decision::{CredentialRef, Decision, Holder};
use super::grants::{GrantCheck, covering_zones, person_grant, schedule_denial, zones_cover};
use super::local_state::LocalState;
use super::presented::{Credential, Presented};
use crate::bundle::Policy;
use crate::card::decode_wiegand;
use crate::credential::{CredentialKind, VerifiedPass, verify_signature};
use crate::ids::ZoneId;
use crate::model::{Badge, BadgeStatus, Direction, Door, Person, Zone};
use crate::reason::Reason;
use crate::time::{Clock, Timestamp};

/// Decides whether `presented` opens its door.
///
/// `policy` is the controller's verified bundle, `clock` its raw clock reading and
/// persisted floor, `state` its memory of recent decisions (read only: the controller
/// calls [`LocalState::record`] with the decision it acts on).
pub fn decide(
    policy: &Policy,
    presented: &Presented<'_>,
    clock: Clock,
    state: &LocalState,
) -> Decision {
    let judged = judge(clock, policy.bundle().header.issued_at);
    let mut d = Decision {
        reason: Reason::Granted,
        door: presented.door,
        direction: presented.direction,
        zone: None,
        credential: CredentialRef::Unreadable,
        holder: None,
        companion: None,
        at: judged.now,
        clock_trusted: judged.trusted,
    };
    d.reason = match evaluate(policy, presented, judged, state, &mut d) {
        Ok(()) => Reason::Granted,
        Err(reason) => reason,
    };
    d
}

/// Who is presenting, once the credential is resolved.
enum Subject<'a> {
    /// A card or staff QR badge of a person in the bundle (with the pass, for a QR badge).
    Staff {
        badge: &'a Badge,
        person: &'a Person,
        pass: Option<Box<VerifiedPass>>,
    },
    /// A visitor pass.
    Visitor(VerifiedPass),
}

fn evaluate(
    policy: &Policy,
    presented: &Presented<'_>,
    clock: Judged,
    state: &LocalState,
    d: &mut Decision,
) -> Result<(), Reason> {
    // A door that is not in this controller's bundle opens for no one.
    let door = policy.door(presented.door).ok_or(Reason::ZoneNotGranted)?;
    let zone = policy.zone(door.zone).ok_or(Reason::ZoneNotGranted)?;
    d.zone = Some(zone.id);

    let subject = identify(policy, presented, d)?;
    check_status(policy, &subject)?;
    check_bundle_age(policy, &subject, clock)?;
    check_validity(&subject, clock)?;

    let lockdown_override = match &subject {
        Subject::Staff { person, .. } => person.flags.lockdown_override,
        Subject::Visitor(_) => false,
    };
    if policy.is_locked_down(zone.id) && !lockdown_override {
        return Err(Reason::Lockdown);
    }

    let covering = covering_zones(policy, zone.id);
    check_grant(policy, &subject, &covering, presented.direction, clock)?;

    let holder = d.holder.expect("identify sets the holder");
    if presented.direction == Direction::Entry {
        check_escort(policy, &subject, door, state, clock.now)?;
        check_pin(policy, &subject, zone, presented)?;
    }
    check_anti_passback(zone, holder, presented.direction, state, clock.now)?;
    if presented.direction == Direction::Entry && zone.rules.two_person {
        d.companion = Some(second_person(policy, door, holder, state, clock.now)?);
    }
    Ok(())
}

/// Reads the credential and finds who it belongs to.
fn identify<'p>(
    policy: &'p Policy,
    presented: &Presented<'_>,
    d: &mut Decision,
) -> Result<Subject<'p>, Reason> {
    let card = match presented.credential {
        Credential::Card(card) => card,
        Credential::WiegandFrame { bits, data } => {
            decode_wiegand(bits, data).map_err(|_| Reason::Malformed)?
        }
        Credential::Qr(text) => {
            let pass = verify_signature(text, policy.trust()).map_err(|e| e.reason())?;
            d.credential = CredentialRef::Pass {
                kind: pass.claims.kind,
                serial: pass.claims.serial,
            };
            return match pass.claims.kind {
                CredentialKind::Visitor => {
                    d.holder = Some(Holder::Visitor(pass.claims.serial));
                    Ok(Subject::Visitor(pass))
                }
                CredentialKind::Staff => {
                    let badge = policy
                        .badge_for_qr(pass.claims.serial)
                        .ok_or(Reason::UnknownCredential)?;
                    // The badge record and the signed pass must agree on whose it is.
                    if badge.person.to_string() != pass.claims.sub {
                        return Err(Reason::UnknownCredential);
                    }
                    if policy.is_revoked(pass.claims.serial) {
                        return Err(Reason::Revoked);
                    }
                    staff(policy, badge, Some(Box::new(pass)), d)
                }
                // A property pass lets items out; it opens no door.
                CredentialKind::Property => Err(Reason::ZoneNotGranted),
            };
        }
    };
    d.credential = CredentialRef::Card(card);
    let badge = policy
        .badge_for_card(&card)
        .ok_or(Reason::UnknownCredential)?;
    staff(policy, badge, None, d)
}

fn staff<'p>(
    policy: &'p Policy,
    badge: &'p Badge,
    pass: Option<Box<VerifiedPass>>,
    d: &mut Decision,
) -> Result<Subject<'p>, Reason> {
    let person = policy
        .person(badge.person)
        .ok_or(Reason::UnknownCredential)?;
    d.holder = Some(Holder::Person(person.id));
    Ok(Subject::Staff {
        badge,
        person,
        pass,
    })
}

fn check_status(policy: &Policy, subject: &Subject<'_>) -> Result<(), Reason> {
    match subject {
        Subject::Staff { badge, .. } => match badge.status {
            BadgeStatus::Active => Ok(()),
            BadgeStatus::Suspended => Err(Reason::Suspended),
            BadgeStatus::Lost | BadgeStatus::Revoked => Err(Reason::Revoked),
        },
        Subject::Visitor(pass) if policy.is_revoked(pass.claims.serial) => Err(Reason::Revoked),
        Subject::Visitor(_) => Ok(()),
    }
}

/// A bundle not refreshed for longer than the credential kind tolerates no longer opens
/// for it: revocations may be waiting on the server.
fn check_bundle_age(policy: &Policy, subject: &Subject<'_>, clock: Judged) -> Result<(), Reason> {
    let header = &policy.bundle().header;
    let limit_secs = match subject {
        Subject::Staff { .. } => header.max_offline.staff_secs,
        Subject::Visitor(_) => header.max_offline.visitor_secs,
    };
    if clock.now.millis_since(header.issued_at) > i64::from(limit_secs) * 1000 {
        Err(Reason::BundleTooOld)
    } else {
        Ok(())
    }
}

fn check_validity(subject: &Subject<'_>, clock: Judged) -> Result<(), Reason> {
    // A staff QR badge is bounded both by its badge record and by the signed pass.
    let (not_before, expires) = match subject {
        Subject::Staff { badge, pass, .. } => (
            badge.not_before.max(pass.as_ref().map(|p| p.not_before())),
            min_some(badge.expires, pass.as_ref().map(|p| p.expires())),
        ),
        Subject::Visitor(pass) => (Some(pass.not_before()), Some(pass.expires())),
    };
    if not_before.is_none() && expires.is_none() {
        return Ok(());
    }
    if !clock.trusted {
        return Err(Reason::ClockUntrusted);
    }
    if not_before.is_some_and(|t| clock.now < t) {
        return Err(Reason::NotYetValid);
    }
    if expires.is_some_and(|t| clock.now >= t) {
        return Err(Reason::Expired);
    }
    Ok(())
}

fn min_some(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn check_grant(
    policy: &Policy,
    subject: &Subject<'_>,
    covering: &[ZoneId],
    direction: Direction,
    clock: Judged,
) -> Result<(), Reason> {
    let person = match subject {
        Subject::Visitor(pass) if zones_cover(&pass.claims.zones, covering) => return Ok(()),
        Subject::Visitor(_) => return Err(Reason::ZoneNotGranted),
        Subject::Staff { person, .. } => person,
    };
    let always = match person_grant(policy, person, covering) {
        GrantCheck::NoGrant => return Err(Reason::ZoneNotGranted),
        GrantCheck::Granted { always } => always,
    };
    // Leaving is never held back by time rules.
    if always || direction == Direction::Exit {
        return Ok(());
    }
    if !clock.trusted {
        return Err(Reason::ClockUntrusted);
    }
    let local = policy.local_time(clock.now).ok_or(Reason::ClockUntrusted)?;
    match schedule_denial(policy, person, covering, local) {
        None => Ok(()),
        Some(reason) => Err(reason),
    }
}

/// An escorted visitor passes only right after a member of staff was granted at the same
/// door.
fn check_escort(
    policy: &Policy,
    subject: &Subject<'_>,
    door: &Door,
    state: &LocalState,
    now: Timestamp,
) -> Result<(), Reason> {
    let Subject::Visitor(pass) = subject else {
        return Ok(());
    };
    if !pass.claims.escort {
        return Ok(());
    }
    let window_ms = i64::from(policy.bundle().header.timings.escort_window_secs) * 1000;
    let escorted = state.recent_grants.iter().any(|g| {
        g.door == door.id
            && matches!(g.holder, Holder::Person(_))
            && (0..=window_ms).contains(&now.millis_since(g.at))
    });
    if escorted {
        Ok(())
    } else {
        Err(Reason::EscortRequired)
    }
}

fn check_pin(
    policy: &Policy,
    subject: &Subject<'_>,
    zone: &Zone,
    presented: &Presented<'_>,
) -> Result<(), Reason> {
    let person = match subject {
        Subject::Staff { person, .. } => Some(*person),
        Subject::Visitor(_) => None,
    };
    let required = zone.rules.pin_required || person.is_some_and(|p| p.flags.pin_required);
    if !required {
        return Ok(());
    }
    let pin = presented.pin.ok_or(Reason::PinRequired)?;
    let person = person.ok_or(Reason::PinRequired)?;
    let salt = &policy.bundle().header.pin_salt;
    match person.pin {
        Some(verifier) if verifier.matches(salt, person.id, pin) => Ok(()),
        _ => Err(Reason::WrongPin),
    }
}

/// In an anti-passback zone, a passage must alternate: in, out, in. A holder whose last
/// passage went the same way is refused (their card was probably passed back to someone).
fn check_anti_passback(
    zone: &Zone,
    holder: Holder,
    direction: Direction,
    state: &LocalState,
    now: Timestamp,
) -> Result<(), Reason> {
    if zone.rules.anti_passback && state.last_passage(holder, zone.id, now) == Some(direction) {
        Err(Reason::AntiPassback)
    } else {
        Ok(())
    }
}

/// Two-person rule: the door opens for the second of two different authorised people
/// within the window; the first waits.
fn second_person(
    policy: &Policy,
    door: &Door,
    holder: Holder,
    state: &LocalState,
    now: Timestamp,
) -> Result<Holder, Reason> {
    let window_ms = i64::from(policy.bundle().header.timings.two_person_window_secs) * 1000;
    state
        .waiting
        .iter()
        .rev()
        .find(|w| {
            w.door == door.id
                && w.holder != holder
                && (0..=window_ms).contains(&now.millis_since(w.at))
        })
        .map(|w| w.holder)
        .ok_or(Reason::AwaitingSecondPerson)
}
