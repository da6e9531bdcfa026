//! Visitors, visitor passes, staff QR badges, property passes, commands and lockdowns on
//! both databases: what is registered, what reaches the site bundle, what is refused.

use crate::conformance;
use crate::policy::{NOW, site, zone};
use gatehouse_core::credential::{CredentialKind, IssuerKey, KeyId, TrustStore};
use gatehouse_core::ids::{ControllerId, PassSerial, PersonId, SiteId};
use gatehouse_core::model::{BadgeStatus, PropertyPassStatus, VisitorPassStatus};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{Command, CommandAck, CommandId, CommandOutcome, Scope, WIRE_VERSION};
use gatehouse_server::store::{
    DeviceKind, NewItem, NewPerson, NewPropertyPass, NewQrBadge, NewUser, NewVisitor,
    NewVisitorPass, PropertyPassQuery, Role, Store, StoreError, VisitorQuery,
};

const HOUR: i64 = 3_600_000;
const KEY: KeyId = KeyId([9; 8]);

async fn person(store: &Store, site: SiteId, name: &str, manager: Option<PersonId>) -> PersonId {
    store
        .create_person(
            site,
            &NewPerson {
                display_name: name.into(),
                email: None,
                manager,
                lockdown_override: false,
                pin_required: false,
            },
            NOW,
        )
        .await
        .unwrap()
        .id
}

async fn revoked_in_bundle(store: &Store, site: SiteId, at: i64) -> Vec<PassSerial> {
    let trust = TrustStore::with([IssuerKey::from_seed(&[1; 32]).public()]);
    store
        .site_bundle(site, &trust, Timestamp(at))
        .await
        .unwrap()
        .revoked_serials
}

async fn visitor_passes_register_and_revoke(store: Store) {
    let site = site(&store).await;
    let lobby = store.create_zone(site, &zone("Lobby", None)).await.unwrap();
    let host = person(&store, site, "Hana Host", None).await;
    let visitor = store
        .create_visitor(
            site,
            &NewVisitor {
                display_name: "Vera Visitor".into(),
                company: Some("Acme".into()),
                email: Some("vera@acme.example".into()),
                host,
            },
            Timestamp(NOW),
        )
        .await
        .unwrap();
    let found = store
        .visitors(
            site,
            &VisitorQuery {
                host: Some(host.0),
                q: Some("VERA".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(found, vec![visitor.clone()]);
    let none = store
        .visitors(
            site,
            &VisitorQuery {
                host: None,
                q: Some("100%".into()),
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty(), "a % in the text is literal");

    let pass = store
        .issue_visitor_pass(
            site,
            visitor.id,
            &NewVisitorPass {
                zones: vec![lobby.id, lobby.id],
                escort: true,
                not_before: Some(Timestamp(NOW + 999)),
                expires: Timestamp(NOW + 4 * HOUR + 999),
            },
            KEY,
            Timestamp(NOW + 1500),
        )
        .await
        .unwrap();
    assert_eq!(pass.zones, vec![lobby.id], "duplicates dropped");
    assert_eq!(pass.not_before, Timestamp(NOW), "whole seconds");
    assert_eq!(pass.expires, Timestamp(NOW + 4 * HOUR));
    assert_eq!(pass.issued_at, Timestamp(NOW + 1000));
    assert_eq!(pass.status, VisitorPassStatus::Active);
    let register = store.issued_pass(site, pass.serial).await.unwrap();
    assert_eq!(register.kind, CredentialKind::Visitor);
    assert_eq!(register.subject, format!("v{}", visitor.id.0));
    assert_eq!(register.key_id, KEY);
    assert_eq!(
        store.visitor_passes_of(site, visitor.id).await.unwrap(),
        vec![pass.clone()]
    );

    let version = store.policy_version(site).await.unwrap();
    let ended = store
        .end_visitor_pass(
            site,
            pass.serial,
            VisitorPassStatus::CheckedOut,
            Timestamp(NOW + HOUR),
        )
        .await
        .unwrap();
    assert_eq!(ended.status, VisitorPassStatus::CheckedOut);
    assert!(store.policy_version(site).await.unwrap() > version);
    assert_eq!(
        revoked_in_bundle(&store, site, NOW + HOUR).await,
        vec![pass.serial]
    );
    // Once expired, a revoked serial no longer needs listing.
    assert!(
        revoked_in_bundle(&store, site, NOW + 4 * HOUR)
            .await
            .is_empty()
    );
    let again = store
        .end_visitor_pass(
            site,
            pass.serial,
            VisitorPassStatus::Revoked,
            Timestamp(NOW + HOUR),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            StoreError::Invalid {
                field: "status",
                ..
            }
        ),
        "{again:?}"
    );

    let unknown_zone = store
        .issue_visitor_pass(
            site,
            visitor.id,
            &NewVisitorPass {
                zones: vec![gatehouse_core::ids::ZoneId(4242)],
                escort: false,
                not_before: None,
                expires: Timestamp(NOW + HOUR),
            },
            KEY,
            Timestamp(NOW),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        unknown_zone,
        StoreError::Invalid { field: "zones", .. }
    ));

    // Purged once the visit ended before the cutoff; the id stays.
    assert_eq!(
        store
            .purge_visitors(site, Timestamp(NOW + HOUR), Timestamp(NOW + HOUR))
            .await
            .unwrap(),
        0,
        "ended at the cutoff, not before it"
    );
    assert_eq!(
        store
            .purge_visitors(site, Timestamp(NOW + 2 * HOUR), Timestamp(NOW + 2 * HOUR))
            .await
            .unwrap(),
        1
    );
    let purged = store.visitor(site, visitor.id).await.unwrap();
    assert!(purged.purged);
    assert_eq!(purged.display_name, "");
    assert_eq!(purged.email, None);
    assert_eq!(purged.company, None);
}
conformance!(visitor_passes, visitor_passes_register_and_revoke);

async fn a_lost_qr_badge_revokes_its_serial(store: Store) {
    let site = site(&store).await;
    let who = person(&store, site, "Sam Staff", None).await;
    let (badge, pass) = store
        .issue_qr_badge(
            site,
            &NewQrBadge {
                person: who,
                not_before: None,
                expires: Timestamp(NOW + 24 * HOUR),
            },
            KEY,
            Timestamp(NOW),
        )
        .await
        .unwrap();
    assert_eq!(pass.kind, CredentialKind::Staff);
    assert_eq!(pass.subject, who.0.to_string());
    assert_eq!(
        badge.credential,
        gatehouse_core::model::BadgeCredential::Qr(pass.serial)
    );
    assert!(revoked_in_bundle(&store, site, NOW).await.is_empty());
    store
        .set_badge_status(site, badge.id, BadgeStatus::Suspended, NOW)
        .await
        .unwrap();
    assert!(
        revoked_in_bundle(&store, site, NOW).await.is_empty(),
        "a suspension is not a revocation"
    );
    store
        .set_badge_status(site, badge.id, BadgeStatus::Lost, NOW)
        .await
        .unwrap();
    assert_eq!(
        revoked_in_bundle(&store, site, NOW).await,
        vec![pass.serial]
    );
}
conformance!(qr_badges, a_lost_qr_badge_revokes_its_serial);

async fn property_passes_follow_their_life(store: Store) {
    let site = site(&store).await;
    let carrier = person(&store, site, "Carl Carrier", None).await;
    let user = store
        .create_user(
            site,
            &NewUser {
                username: "mona".into(),
                password_hash: "x".into(),
                role: Role::Host,
                person: None,
                must_change_password: false,
            },
            NOW,
        )
        .await
        .unwrap();
    let request = NewPropertyPass {
        carrier,
        items: vec![
            NewItem {
                asset_tag: Some("IT-1".into()),
                serial_number: None,
                description: "Laptop".into(),
            },
            NewItem {
                asset_tag: None,
                serial_number: Some("SN-2".into()),
                description: "Monitor".into(),
            },
        ],
        reason: "home office".into(),
        not_before: None,
        expires: Timestamp(NOW + 24 * HOUR),
        return_by: None,
    };
    let asked = store
        .request_property_pass(site, &request, user.id, Timestamp(NOW))
        .await
        .unwrap();
    assert_eq!(asked.status, PropertyPassStatus::Requested);
    assert_eq!(asked.items.len(), 2);
    assert_eq!(asked.items[1].serial_number.as_deref(), Some("SN-2"));
    assert_eq!(asked.serial, None);
    let (approved, issued) = store
        .approve_property_pass(site, asked.id, user.id, KEY, Timestamp(NOW + 1000))
        .await
        .unwrap();
    assert_eq!(approved.status, PropertyPassStatus::Approved);
    assert_eq!(approved.serial, Some(issued.serial));
    assert_eq!(approved.decided_by, Some(user.id));
    assert_eq!(issued.kind, CredentialKind::Property);
    let removed = store
        .advance_property_pass(
            site,
            asked.id,
            PropertyPassStatus::Removed,
            None,
            Timestamp(NOW + HOUR),
        )
        .await
        .unwrap();
    assert_eq!(removed.status, PropertyPassStatus::Removed);
    let late = store
        .advance_property_pass(
            site,
            asked.id,
            PropertyPassStatus::Revoked,
            Some(user.id),
            Timestamp(NOW + HOUR),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        late,
        StoreError::Invalid {
            field: "status",
            ..
        }
    ));
    let listed = store
        .property_passes(
            site,
            &PropertyPassQuery {
                status: Some(PropertyPassStatus::Removed),
                carrier: Some(carrier.0),
            },
        )
        .await
        .unwrap();
    assert_eq!(listed, vec![removed]);
}
conformance!(property_passes, property_passes_follow_their_life);

async fn commands_reach_their_controllers_and_lockdowns_the_bundle(store: Store) {
    let site = site(&store).await;
    let building = store
        .create_zone(site, &zone("Building", None))
        .await
        .unwrap();
    let lab = store
        .create_zone(site, &zone("Lab", Some(building.id)))
        .await
        .unwrap();
    let mut controllers = Vec::new();
    for name in ["a", "b"] {
        let c = store.create_controller(site, name).await.unwrap().id;
        store
            .set_device_key(
                site,
                DeviceKind::Controller,
                u64::from(c.0),
                &[u8::try_from(c.0).unwrap(); 32],
                NOW,
            )
            .await
            .unwrap();
        controllers.push(c);
    }
    // Not enrolled: gets nothing.
    store.create_controller(site, "spare").await.unwrap();
    assert_eq!(store.latest_command(site).await.unwrap(), 0);

    let lockdown = store
        .issue_command(
            site,
            Command::Lockdown {
                scope: Scope::Zone(lab.id),
            },
            None,
            Timestamp(NOW),
        )
        .await
        .unwrap();
    assert_eq!(
        lockdown
            .deliveries
            .iter()
            .map(|d| d.controller)
            .collect::<Vec<ControllerId>>(),
        controllers
    );
    assert_eq!(store.latest_command(site).await.unwrap(), lockdown.id.0);
    let trust = TrustStore::with([IssuerKey::from_seed(&[1; 32]).public()]);
    let bundle = store
        .site_bundle(site, &trust, Timestamp(NOW))
        .await
        .unwrap();
    assert_eq!(bundle.lockdown, vec![lab.id]);
    let site_wide = store
        .issue_command(
            site,
            Command::Lockdown { scope: Scope::Site },
            None,
            Timestamp(NOW),
        )
        .await
        .unwrap();
    let bundle = store
        .site_bundle(site, &trust, Timestamp(NOW))
        .await
        .unwrap();
    assert_eq!(bundle.lockdown, vec![building.id, lab.id]);
    let twice = store
        .issue_command(
            site,
            Command::Lockdown { scope: Scope::Site },
            None,
            Timestamp(NOW),
        )
        .await
        .unwrap_err();
    assert!(matches!(twice, StoreError::Conflict { field: "scope" }));

    let pending = store
        .pending_commands(controllers[0], Timestamp(NOW + 1000))
        .await
        .unwrap();
    assert_eq!(
        pending.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![lockdown.id, site_wide.id]
    );
    let ack = CommandAck {
        v: WIRE_VERSION,
        id: lockdown.id,
        outcome: CommandOutcome::Rejected("unknown zone".into()),
    };
    store
        .ack_command(controllers[0], &ack, Timestamp(NOW + 2000))
        .await
        .unwrap();
    let record = store.command(site, lockdown.id).await.unwrap();
    assert_eq!(
        record.deliveries[0].outcome,
        Some(CommandOutcome::Rejected("unknown zone".into()))
    );
    assert_eq!(record.deliveries[1].outcome, None);
    let stranger = CommandAck {
        v: WIRE_VERSION,
        id: CommandId(999),
        outcome: CommandOutcome::Applied,
    };
    assert!(matches!(
        store
            .ack_command(controllers[0], &stranger, Timestamp(NOW))
            .await
            .unwrap_err(),
        StoreError::Invalid { field: "id", .. }
    ));
    assert!(
        store
            .pending_commands(controllers[1], Timestamp(NOW + 61_000))
            .await
            .unwrap()
            .is_empty(),
        "a minute later they are stale"
    );

    store
        .issue_command(
            site,
            Command::Release { scope: Scope::Site },
            None,
            Timestamp(NOW),
        )
        .await
        .unwrap();
    let lockdowns = store.lockdowns(site).await.unwrap();
    assert_eq!(lockdowns.len(), 1);
    assert_eq!(lockdowns[0].zone, Some(lab.id));
}
conformance!(
    commands,
    commands_reach_their_controllers_and_lockdowns_the_bundle
);
