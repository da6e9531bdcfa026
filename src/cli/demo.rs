//! `gatehouse demo`: the sample site, one morning, decided by the real core.
//!
//! Until the server and the door controllers exist this shows what every door will do: a
//! signed bundle is built and verified, a visitor pass is issued, people present cards and
//! QR codes, and each decision prints with its reason. A revocation and a lockdown then
//! travel as signed deltas, as they will from the server to a controller.

use super::Failure;
use clap::Args;
use gatehouse_core::bundle::{Bundle, BundleDelta, Policy, SignedBundle};
use gatehouse_core::credential::{CredentialKind, PassClaims, TrustStore, issue};
use gatehouse_core::decide::{Credential, Decision, Holder, LocalState, Presented, decide};
use gatehouse_core::ids::{DoorId, PassSerial};
use gatehouse_core::model::{Direction, Pin};
use gatehouse_core::sample::{self, doors, people, zones};
use gatehouse_core::time::{Clock, Timestamp};
use qrcode::bits::Bits;
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode, Version};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the sample public key and pass for trying the other commands.
    #[arg(long, default_value = "gatehouse-demo")]
    dir: PathBuf,
}

/// The demo's morning: Wednesday 25 November 2026 in Berlin.
const MORNING: &str = "2026-11-25T07:00:00+01:00";

fn at(rfc3339: &str) -> Timestamp {
    super::parse_time(rfc3339).expect("demo times are valid")
}

/// A controller in the demo: its policy and memory.
struct Controller {
    policy: Policy,
    bundle: Bundle,
    state: LocalState,
    trust: TrustStore,
}

impl Controller {
    fn present(
        &mut self,
        who: &str,
        door: DoorId,
        credential: Credential<'_>,
        pin: Option<&str>,
        when: &str,
    ) -> Decision {
        let pin = pin.map(|p| Pin::parse(p).expect("demo PINs are valid"));
        let presented = Presented {
            door,
            direction: Direction::Entry,
            credential,
            pin: pin.as_ref(),
        };
        let decision = decide(
            &self.policy,
            &presented,
            Clock::trusted(at(when)),
            &self.state,
        );
        self.state.record(&decision);
        let time = &when[11..16];
        let mark = if decision.granted() {
            "OPEN  "
        } else {
            "closed"
        };
        let companion = match decision.companion {
            Some(Holder::Person(p)) => format!(" (with person {p})"),
            _ => String::new(),
        };
        println!(
            "  {time}  {who:<28} {:<13} {mark}  {}{companion}",
            door_name(door),
            decision.reason
        );
        decision
    }

    /// Brings the controller to the server's next bundle by a signed delta.
    fn sync(&mut self, next: Bundle, what: &str) {
        let signed = SignedBundle::sign(next.clone(), &sample::issuer());
        let delta = BundleDelta::between(&self.bundle, &next, &signed);
        let (_, policy) = self
            .policy
            .apply_delta(&delta, &self.trust)
            .expect("the demo's delta verifies");
        println!(
            "\n  server → controller: {what}: delta {} → {}, {} bytes, signature over the whole bundle verified\n",
            self.bundle.header.version,
            next.header.version,
            delta.to_bytes().len()
        );
        self.policy = policy;
        self.bundle = next;
    }
}

fn door_name(door: DoorId) -> &'static str {
    match door {
        doors::LOBBY => "lobby",
        doors::OFFICE => "office floor",
        doors::SERVER_ROOM => "server room",
        doors::DOCK => "loading dock",
        _ => "?",
    }
}

pub fn run(args: DemoArgs) -> Result<(), Failure> {
    let issuer = sample::issuer();
    let trust = TrustStore::with([issuer.public()]);
    let bundle = sample::bundle(at(MORNING), 1);
    let signed = SignedBundle::sign(bundle.clone(), &issuer);
    let policy = Policy::load(&signed, &trust, None).expect("the sample bundle verifies");
    println!(
        "Gatehouse demo: the sample site (HQ with lobby, office floor, server room, loading dock)"
    );
    println!(
        "  issuer key {}; bundle {} for controller {}: {} bytes, signed and verified; time zone {}\n",
        issuer.id(),
        bundle.header.version,
        bundle.header.controller,
        signed.to_bytes().len(),
        bundle.header.time_zone
    );

    let serial = PassSerial(4242);
    let pass = issue(
        &issuer,
        &PassClaims {
            iss: None,
            sub: "v4242".into(),
            nbf: at("2026-11-25T08:00:00+01:00").unix_secs(),
            exp: at("2026-11-25T18:00:00+01:00").unix_secs(),
            iat: Some(at(MORNING).unix_secs()),
            kind: CredentialKind::Visitor,
            serial,
            zones: vec![zones::LOBBY, zones::OFFICE],
            escort: true,
            host: Some(people::ALICE),
            items: Vec::new(),
        },
    );
    let qr = alphanumeric_qr(&pass)
        .ok_or_else(|| Failure::Usage("the pass does not fit a QR code".into()))?;
    println!(
        "A visitor pass (lobby + office floor, escort required, 08:00–18:00), {} characters:",
        pass.len()
    );
    println!("  {pass}");
    println!(
        "  QR code version {:?} at error correction Q:",
        qr.version()
    );
    println!("{}", qr.render::<Dense1x2>().quiet_zone(true).build());

    let mut door = Controller {
        policy,
        bundle,
        state: LocalState::new(),
        trust,
    };
    println!("Wednesday 25 November 2026, decided offline by the controller:");
    door.present(
        "Alice (card)",
        doors::OFFICE,
        card(people::ALICE),
        None,
        "2026-11-25T08:55:00+01:00",
    );
    door.present(
        "Alice (card)",
        doors::SERVER_ROOM,
        card(people::ALICE),
        None,
        "2026-11-25T08:56:00+01:00",
    );
    door.present(
        "Frank (suspended card)",
        doors::OFFICE,
        card(people::FRANK),
        None,
        "2026-11-25T09:01:00+01:00",
    );
    door.present(
        "Visitor 4242 (QR)",
        doors::LOBBY,
        Credential::Qr(&pass),
        None,
        "2026-11-25T09:30:00+01:00",
    );
    door.present(
        "Alice, the host (card)",
        doors::LOBBY,
        card(people::ALICE),
        None,
        "2026-11-25T09:30:10+01:00",
    );
    door.present(
        "Visitor 4242 (QR)",
        doors::LOBBY,
        Credential::Qr(&pass),
        None,
        "2026-11-25T09:30:15+01:00",
    );
    door.present(
        "Bob (card, no PIN)",
        doors::SERVER_ROOM,
        card(people::BOB),
        None,
        "2026-11-25T10:00:00+01:00",
    );
    door.present(
        "Bob (card + PIN)",
        doors::SERVER_ROOM,
        card(people::BOB),
        Some(sample::BOB_PIN),
        "2026-11-25T10:00:10+01:00",
    );
    door.present(
        "Carol (card + PIN)",
        doors::SERVER_ROOM,
        card(people::CAROL),
        Some(sample::CAROL_PIN),
        "2026-11-25T10:00:25+01:00",
    );
    door.present(
        "Erin (card)",
        doors::DOCK,
        card(people::ERIN),
        None,
        "2026-11-25T10:30:00+01:00",
    );
    door.present(
        "Erin's card, passed back",
        doors::DOCK,
        card(people::ERIN),
        None,
        "2026-11-25T10:31:00+01:00",
    );
    door.present(
        "Someone's old card",
        doors::LOBBY,
        unknown_card(),
        None,
        "2026-11-25T10:40:00+01:00",
    );

    let mut next = door.bundle.clone();
    next.header.version.version += 1;
    next.header.issued_at = at("2026-11-25T11:00:00+01:00");
    next.revoked_serials.push(serial);
    door.sync(next, "the visitor checked out, pass 4242 revoked");
    door.present(
        "Visitor 4242 (QR)",
        doors::LOBBY,
        Credential::Qr(&pass),
        None,
        "2026-11-25T11:05:00+01:00",
    );

    let mut next = door.bundle.clone();
    next.header.version.version += 1;
    next.header.issued_at = at("2026-11-25T11:30:00+01:00");
    next.lockdown.push(zones::HQ);
    door.sync(next, "lockdown of HQ");
    door.present(
        "Alice (card)",
        doors::OFFICE,
        card(people::ALICE),
        None,
        "2026-11-25T11:31:00+01:00",
    );
    door.present(
        "Dave, security (card)",
        doors::OFFICE,
        card(people::DAVE),
        None,
        "2026-11-25T11:32:00+01:00",
    );

    write_samples(&args.dir, &pass)?;
    println!(
        "\nTry the credential tools on what the demo wrote to {}/:",
        args.dir.display()
    );
    println!(
        "  gatehouse credential verify --trust {0}/issuer.pub --at 2026-11-25T09:00:00Z \"$(cat {0}/visitor-pass.txt)\"",
        args.dir.display()
    );
    println!("  gatehouse card decode --bits 26 f3f73480");
    Ok(())
}

/// The smallest QR code at level Q holding `text` as one alphanumeric segment (base45 text
/// is entirely in the QR alphanumeric alphabet; a general segment optimiser may split digit
/// runs and need a larger version).
fn alphanumeric_qr(text: &str) -> Option<QrCode> {
    (1..=40).find_map(|v| {
        let mut bits = Bits::new(Version::Normal(v));
        bits.push_alphanumeric_data(text.as_bytes()).ok()?;
        bits.push_terminator(EcLevel::Q).ok()?;
        QrCode::with_bits(bits, EcLevel::Q).ok()
    })
}

fn card(person: gatehouse_core::ids::PersonId) -> Credential<'static> {
    Credential::Card(sample::card_of(person))
}

fn unknown_card() -> Credential<'static> {
    Credential::Card("H10301:12:4711".parse().expect("a valid card id"))
}

fn write_samples(dir: &std::path::Path, pass: &str) -> Result<(), Failure> {
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", dir.display())))?;
    write("issuer.pub", sample::issuer().public().to_spki_pem())?;
    write("visitor-pass.txt", format!("{pass}\n"))
}
