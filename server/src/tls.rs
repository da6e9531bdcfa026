//! The server certificate: self-signed on first start (or configured), and its fingerprint.
//!
//! Controllers and kiosks do not trust a CA: they pin the SHA-256 of the server's leaf
//! certificate, which the enrollment code carries. So the self-signed certificate is made
//! once and then reused for as long as the data directory lives; making a new one would
//! strand every enrolled device. For the same reason a certificate without its key is an
//! error, never a reason to quietly make a new pair.

use crate::config::{TlsConfig, TlsMode};
use crate::data_dir::{DataDir, FsError, ensure_private_dir, private_mode, write_secret};
use rand::RngCore;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a self-signed certificate lasts: about ten years, since renewing it means
/// re-enrolling every device that pinned it.
const VALIDITY: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Why the server certificate could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a file failed.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// A PEM file without a certificate or key in it, or not PEM at all.
    #[error("{}: {message}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// The certificate exists but its key does not. Not replaced by a new pair: devices may
    /// have pinned that certificate.
    #[error(
        "{} exists but its key {} is missing; restore the key from a backup, or delete the certificate to make a new one (every device must then re-enroll)",
        cert.display(), key.display()
    )]
    KeyMissing {
        /// The certificate.
        cert: PathBuf,
        /// The missing key.
        key: PathBuf,
    },
    /// The generated certificate's key may be read by group or others.
    #[error(
        "{} has mode {mode:04o}: the TLS key must not be readable by group or others (chmod 600 it)",
        path.display()
    )]
    InsecureKeyFile {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// `tls.mode = "files"` without a certificate or key path. `Config::load` already
    /// refuses this; a hand-built config gets an error rather than a panic.
    #[error("tls.mode = \"files\" needs tls.cert_file and tls.key_file")]
    FilesNotConfigured,
    /// rcgen could not make the certificate (e.g. a configured hostname is not a valid
    /// DNS name).
    #[error("could not make a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// The operating system's random number generator failed.
    #[error("no randomness for a certificate serial number: {0}")]
    Random(#[source] rand::Error),
    /// rustls refused the certificate and key (e.g. the key does not match the
    /// certificate, or its algorithm is unsupported).
    #[error("the certificate and key do not make a TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server's certificate and the rustls configuration that serves it.
#[derive(Clone)]
pub struct ServerTls {
    chain: Vec<CertificateDer<'static>>,
    config: Arc<ServerConfig>,
    fingerprint: [u8; 32],
}

impl fmt::Debug for ServerTls {
    // The private key stays out of debug output; the fingerprint is what operators compare.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls")
            .field("fingerprint", &self.fingerprint_hex())
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl ServerTls {
    /// The certificate for `config`: with `self_signed`, the one in the data directory
    /// (made on first call); with `files`, the configured PEM files; with `off`, `None`.
    pub fn load_or_create(
        dir: &DataDir,
        config: &TlsConfig,
    ) -> Result<Option<ServerTls>, TlsError> {
        match config.mode {
            TlsMode::Off => Ok(None),
            TlsMode::Files => {
                let (Some(cert), Some(key)) = (&config.cert_file, &config.key_file) else {
                    return Err(TlsError::FilesNotConfigured);
                };
                ServerTls::from_pem_files(cert, key).map(Some)
            }
            TlsMode::SelfSigned => {
                let (cert, key) = (dir.tls_cert(), dir.tls_key());
                if !cert.exists() {
                    // Also the path after a crash between writing the key and the
                    // certificate: a certificate never written was never pinned.
                    generate(dir, &config.hostnames)?;
                    tracing::info!(path = %cert.display(), "made a self-signed server certificate");
                } else if !key.exists() {
                    return Err(TlsError::KeyMissing { cert, key });
                }
                check_private(&key)?;
                let tls = ServerTls::from_pem_files(&cert, &key)?;
                Ok(Some(tls))
            }
        }
    }

    /// Loads a certificate chain (leaf first) and its private key from PEM files.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<ServerTls, TlsError> {
        let chain = read_chain(cert)?;
        let key = read_key(key)?;
        ServerTls::new(chain, key)
    }

    fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<ServerTls, TlsError> {
        let fingerprint = chain
            .first()
            .map(|leaf| Sha256::digest(leaf.as_ref()).into())
            .unwrap_or_default();
        // The provider is named, not taken from a process default, so nothing else linked
        // into the binary can change which cryptography serves the site.
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_no_client_auth()
                .with_single_cert(chain.clone(), key)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(ServerTls {
            chain,
            config: Arc::new(config),
            fingerprint,
        })
    }

    /// The rustls configuration to serve with (ALPN: h2, http/1.1).
    pub fn rustls_config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.config)
    }

    /// The leaf certificate (DER).
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        // `read_chain` refuses a file without a certificate, so the chain is never empty.
        &self.chain[0]
    }

    /// The whole chain, leaf first (DER).
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// SHA-256 of the leaf certificate's DER: what devices pin at enrollment.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// [`ServerTls::fingerprint`] in lowercase hex without separators.
    pub fn fingerprint_hex(&self) -> String {
        hex::encode(self.fingerprint)
    }
}

/// Makes a P-256 key and a self-signed certificate for it, and writes both (the key 0600,
/// first, so a crash never leaves a certificate without its key).
fn generate(dir: &DataDir, hostnames: &[String]) -> Result<(), TlsError> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    for host in hostnames {
        if !names.contains(host) {
            names.push(host.clone());
        }
    }
    let mut params = rcgen::CertificateParams::new(names)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Gatehouse server");
    let now = SystemTime::now();
    // A day of slack for devices whose clock is behind.
    let (y, m, d) = utc_date(now - Duration::from_secs(24 * 3600));
    params.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = utc_date(now + VALIDITY);
    params.not_after = rcgen::date_time_ymd(y, m, d);
    params.serial_number = Some(random_serial()?);
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let cert = params.self_signed(&key)?;

    ensure_private_dir(&dir.tls_dir())?;
    write_secret(&dir.tls_key(), key.serialize_pem().as_bytes())?;
    // The certificate is public; written atomically like the key so it is never torn.
    write_secret(&dir.tls_cert(), cert.pem().as_bytes())?;
    Ok(())
}

/// The UTC date of `t` for rcgen, at day precision (certificates need no more).
fn utc_date(t: SystemTime) -> (i32, u8, u8) {
    use chrono::Datelike;
    let utc: chrono::DateTime<chrono::Utc> = t.into();
    // Always in range: month is 1..=12, day 1..=31 (clamped to 28, which every month has,
    // since rcgen panics on a date that does not exist).
    let month = u8::try_from(utc.month()).unwrap_or(1);
    let day = u8::try_from(utc.day().min(28)).unwrap_or(1);
    (utc.year(), month, day)
}

fn random_serial() -> Result<rcgen::SerialNumber, TlsError> {
    let mut serial = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut serial)
        .map_err(TlsError::Random)?;
    // Positive and without a leading zero byte, as RFC 5280 asks of serial numbers.
    serial[0] = (serial[0] & 0x7f) | 0x40;
    Ok(rcgen::SerialNumber::from_slice(&serial))
}

fn check_private(key: &Path) -> Result<(), TlsError> {
    let file = File::open(key).map_err(|e| FsError::new("open", key, e))?;
    match private_mode(&file).map_err(|e| FsError::new("inspect", key, e))? {
        Ok(_) => Ok(()),
        Err(mode) => Err(TlsError::InsecureKeyFile {
            path: key.to_path_buf(),
            mode,
        }),
    }
}

fn open(path: &Path) -> Result<BufReader<File>, TlsError> {
    Ok(BufReader::new(
        File::open(path).map_err(|e| FsError::new("open", path, e))?,
    ))
}

fn pem_error(path: &Path, e: rustls::pki_types::pem::Error) -> TlsError {
    match e {
        rustls::pki_types::pem::Error::Io(e) => FsError::new("read", path, e).into(),
        other => TlsError::Pem {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    }
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain = CertificateDer::pem_reader_iter(open(path)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e))?;
    if chain.is_empty() {
        return Err(TlsError::Pem {
            path: path.to_path_buf(),
            message: "no CERTIFICATE in the file".to_owned(),
        });
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_reader(open(path)?).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::Pem {
            path: path.to_path_buf(),
            message: "no private key in the file".to_owned(),
        },
        other => pem_error(path, other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn setup() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("data"));
        dir.ensure().unwrap();
        (tmp, dir)
    }

    fn self_signed(hostnames: &[&str]) -> TlsConfig {
        TlsConfig {
            hostnames: hostnames.iter().map(|h| h.to_string()).collect(),
            ..TlsConfig::default()
        }
    }

    #[test]
    fn self_signed_is_made_once_then_reused() {
        let (_tmp, dir) = setup();
        let config = self_signed(&["gate.example", "10.1.2.3"]);
        let first = ServerTls::load_or_create(&dir, &config).unwrap().unwrap();
        assert_eq!(
            fs::metadata(dir.tls_key()).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(dir.tls_dir()).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert_eq!(first.fingerprint_hex().len(), 64);
        assert_eq!(
            first.fingerprint_hex(),
            first.fingerprint_hex().to_lowercase()
        );
        assert_eq!(
            first.fingerprint(),
            <[u8; 32]>::from(Sha256::digest(first.cert_der().as_ref()))
        );
        assert_eq!(first.rustls_config().alpn_protocols[0], b"h2");

        let again = ServerTls::load_or_create(&dir, &config).unwrap().unwrap();
        assert_eq!(again.fingerprint(), first.fingerprint());
        assert_eq!(again.cert_der(), first.cert_der());
    }

    /// Runs a TLS handshake in memory between our server config and a client that trusts
    /// exactly our certificate, for `name`.
    fn handshake(tls: &ServerTls, name: &str) -> Result<(), rustls::Error> {
        use rustls::pki_types::ServerName;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(tls.cert_der().clone())?;
        let client_config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = ServerName::try_from(name.to_owned()).expect("a valid test name");
        let mut client = rustls::ClientConnection::new(Arc::new(client_config), name)?;
        let mut server = rustls::ServerConnection::new(tls.rustls_config())?;
        for _ in 0..10 {
            let mut buf = Vec::new();
            client.write_tls(&mut buf).expect("to memory");
            server.read_tls(&mut buf.as_slice()).expect("from memory");
            server.process_new_packets()?;
            let mut buf = Vec::new();
            server.write_tls(&mut buf).expect("to memory");
            client.read_tls(&mut buf.as_slice()).expect("from memory");
            client.process_new_packets()?;
            if !client.is_handshaking() && !server.is_handshaking() {
                return Ok(());
            }
        }
        panic!("handshake did not finish");
    }

    #[test]
    fn a_client_trusting_the_certificate_completes_a_handshake_for_each_name() {
        let (_tmp, dir) = setup();
        let tls = ServerTls::load_or_create(&dir, &self_signed(&["gate.example"]))
            .unwrap()
            .unwrap();
        for name in ["localhost", "127.0.0.1", "::1", "gate.example"] {
            handshake(&tls, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(handshake(&tls, "elsewhere.example").is_err());
    }

    #[test]
    fn the_certificate_names_loopback_and_configured_hosts() {
        let (_tmp, dir) = setup();
        let tls = ServerTls::load_or_create(&dir, &self_signed(&["gate.example"]))
            .unwrap()
            .unwrap();
        let der = tls.cert_der().as_ref();
        let contains = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
        assert!(contains(b"localhost") && contains(b"gate.example"));
        assert!(contains(&[127, 0, 0, 1]));
        let mut v6_loopback = [0u8; 16];
        v6_loopback[15] = 1;
        assert!(contains(&v6_loopback));
    }

    #[test]
    fn off_gives_none() {
        let (_tmp, dir) = setup();
        let config = TlsConfig {
            mode: TlsMode::Off,
            ..TlsConfig::default()
        };
        assert!(ServerTls::load_or_create(&dir, &config).unwrap().is_none());
        assert!(!dir.tls_dir().exists());
    }

    #[test]
    fn files_mode_serves_the_configured_pair() {
        let (_tmp, made) = setup();
        let generated = ServerTls::load_or_create(&made, &self_signed(&[]))
            .unwrap()
            .unwrap();
        let (_tmp2, other) = setup();
        let config = TlsConfig {
            mode: TlsMode::Files,
            cert_file: Some(made.tls_cert()),
            key_file: Some(made.tls_key()),
            hostnames: vec![],
        };
        let loaded = ServerTls::load_or_create(&other, &config).unwrap().unwrap();
        assert_eq!(loaded.fingerprint(), generated.fingerprint());
        assert!(!other.tls_dir().exists(), "files mode writes nothing");
    }

    #[test]
    fn a_certificate_without_its_key_is_an_error_not_a_new_certificate() {
        let (_tmp, dir) = setup();
        let first = ServerTls::load_or_create(&dir, &self_signed(&[]))
            .unwrap()
            .unwrap();
        fs::remove_file(dir.tls_key()).unwrap();
        let err = ServerTls::load_or_create(&dir, &self_signed(&[])).unwrap_err();
        assert!(matches!(err, TlsError::KeyMissing { .. }), "{err:?}");
        let cert = fs::read(dir.tls_cert()).unwrap();
        assert!(
            String::from_utf8(cert)
                .unwrap()
                .contains("BEGIN CERTIFICATE")
        );
        assert_eq!(read_chain(&dir.tls_cert()).unwrap()[0], *first.cert_der());
    }

    #[test]
    fn an_orphan_key_is_replaced_since_its_certificate_was_never_served() {
        let (_tmp, dir) = setup();
        ensure_private_dir(&dir.tls_dir()).unwrap();
        write_secret(&dir.tls_key(), b"left by a crash").unwrap();
        ServerTls::load_or_create(&dir, &self_signed(&[]))
            .unwrap()
            .unwrap();
    }

    #[test]
    fn a_readable_generated_key_is_refused() {
        let (_tmp, dir) = setup();
        ServerTls::load_or_create(&dir, &self_signed(&[])).unwrap();
        fs::set_permissions(dir.tls_key(), fs::Permissions::from_mode(0o644)).unwrap();
        let err = ServerTls::load_or_create(&dir, &self_signed(&[])).unwrap_err();
        assert!(
            matches!(err, TlsError::InsecureKeyFile { mode: 0o644, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let (tmp, dir) = setup();
        ServerTls::load_or_create(&dir, &self_signed(&[])).unwrap();
        let junk = tmp.path().join("junk.pem");
        fs::write(&junk, "not pem at all\n").unwrap();
        let missing = tmp.path().join("missing.pem");

        let err = ServerTls::from_pem_files(&junk, &dir.tls_key()).unwrap_err();
        assert!(
            matches!(&err, TlsError::Pem { path, .. } if *path == junk),
            "{err:?}"
        );
        let err = ServerTls::from_pem_files(&dir.tls_cert(), &junk).unwrap_err();
        assert!(
            matches!(&err, TlsError::Pem { path, .. } if *path == junk),
            "{err:?}"
        );
        let err = ServerTls::from_pem_files(&missing, &dir.tls_key()).unwrap_err();
        assert!(err.to_string().contains("missing.pem"), "{err}");
        // A certificate with the key of another certificate.
        let (_tmp3, other) = setup();
        ServerTls::load_or_create(&other, &self_signed(&[])).unwrap();
        let err = ServerTls::from_pem_files(&dir.tls_cert(), &other.tls_key()).unwrap_err();
        assert!(matches!(err, TlsError::Rustls(_)), "{err:?}");
    }

    #[test]
    fn an_invalid_hostname_is_an_error_not_a_panic() {
        let (_tmp, dir) = setup();
        let err = ServerTls::load_or_create(&dir, &self_signed(&["gäte.example"])).unwrap_err();
        assert!(matches!(err, TlsError::Generate(_)), "{err:?}");
    }

    #[test]
    fn debug_shows_the_fingerprint_not_the_key() {
        let (_tmp, dir) = setup();
        let tls = ServerTls::load_or_create(&dir, &self_signed(&[]))
            .unwrap()
            .unwrap();
        let debug = format!("{tls:?}");
        assert!(debug.contains(&tls.fingerprint_hex()), "{debug}");
        let key = fs::read_to_string(dir.tls_key()).unwrap();
        assert!(!debug.contains(key.lines().nth(1).unwrap()), "{debug}");
    }
}
