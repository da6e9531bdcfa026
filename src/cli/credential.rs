//! `gatehouse credential issue|verify`: sign and check QR credentials by hand.

use super::{Failure, now, parse_time, read_named_file};
use clap::{Args, Subcommand, ValueEnum};
use gatehouse_core::credential::{
    CredentialKind, IssuerKey, PassClaims, PublicKey, TrustStore, VerifiedPass, issue, verify,
};
use gatehouse_core::ids::{PassSerial, ZoneId};
use gatehouse_core::time::Timestamp;
use rand_core::{OsRng, RngCore};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Sign a credential and print its GH1: text.
    Issue(IssueArgs),
    /// Check a GH1: text: exit 0 and print its claims as JSON if valid, else exit 1 with
    /// `denied: <reason_code>`.
    Verify(VerifyArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    Visitor,
    Staff,
    Property,
}

impl From<Kind> for CredentialKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Visitor => CredentialKind::Visitor,
            Kind::Staff => CredentialKind::Staff,
            Kind::Property => CredentialKind::Property,
        }
    }
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The issuer's private key (PKCS#8 PEM).
    #[arg(long)]
    key: PathBuf,
    /// What the credential is.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The holder's pseudonymous id (never a name).
    #[arg(long)]
    subject: String,
    /// Zone ids the credential opens, comma-separated.
    #[arg(long, value_delimiter = ',')]
    zones: Vec<u32>,
    /// The visitor needs an escort.
    #[arg(long)]
    escort: bool,
    /// Valid from (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    not_before: Timestamp,
    /// Valid until, exclusive (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    expires: Timestamp,
    /// The serial revocation lists name (default: random 32-bit).
    #[arg(long)]
    serial: Option<u64>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A trusted issuer public key (SPKI PEM); repeat for several.
    #[arg(long, required = true)]
    trust: Vec<PathBuf>,
    /// Judge validity at this time instead of now (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    at: Option<Timestamp>,
    /// The GH1: text.
    text: String,
}

pub fn run(cmd: CredentialCommand) -> Result<(), Failure> {
    match cmd {
        CredentialCommand::Issue(args) => issue_credential(&args),
        CredentialCommand::Verify(args) => verify_credential(&args),
    }
}

fn issue_credential(args: &IssueArgs) -> Result<(), Failure> {
    let pem = read_named_file(&args.key, "key file")?;
    let key = IssuerKey::from_pkcs8_pem(&pem)
        .map_err(|e| Failure::Usage(format!("{}: {e}", args.key.display())))?;
    if args.expires <= args.not_before {
        return Err(Failure::Usage(
            "--expires must be after --not-before".into(),
        ));
    }
    let claims = PassClaims {
        iss: None,
        sub: args.subject.clone(),
        nbf: args.not_before.unix_secs(),
        exp: args.expires.unix_secs(),
        iat: Some(now().unix_secs()),
        kind: args.kind.into(),
        serial: PassSerial(args.serial.unwrap_or_else(|| u64::from(OsRng.next_u32()))),
        zones: args.zones.iter().copied().map(ZoneId).collect(),
        escort: args.escort,
        host: None,
        items: Vec::new(),
    };
    println!("{}", issue(&key, &claims));
    Ok(())
}

/// What `verify` prints: the claims and the key that signed them.
#[derive(Serialize)]
struct Verified<'a> {
    #[serde(flatten)]
    claims: &'a PassClaims,
    key_id: String,
}

fn verify_credential(args: &VerifyArgs) -> Result<(), Failure> {
    let mut trust = TrustStore::new();
    for path in &args.trust {
        let pem = read_named_file(path, "public key")?;
        let key = PublicKey::from_spki_pem(&pem)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        trust.add(key);
    }
    let at = args.at.unwrap_or_else(now);
    // Only line endings are cut: a space is a base45 digit, so a pass may end in one.
    let text = args.text.trim_end_matches(['\r', '\n']);
    let pass: VerifiedPass = verify(text, &trust, at)
        .map_err(|e| Failure::Refused(format!("denied: {}", e.reason())))?;
    let out = Verified {
        claims: &pass.claims,
        key_id: pass.key_id.to_string(),
    };
    println!(
        "{}",
        serde_json::to_string(&out).expect("claims always serialize")
    );
    Ok(())
}
