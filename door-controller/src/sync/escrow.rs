//! The controller's half of the reader-key escrow (docs/hardware-reader-keys.md): its
//! reader key store, sealed with age to the server's escrow recipient before it leaves the
//! controller, so that neither the network nor the server's database sees a key.

use super::error::SyncError;
use std::str::FromStr;

/// Encrypts a reader key store export (`ReaderKeyStore::export()`) to `recipient`, the
/// `age1…` string the enrollment answer named.
pub fn seal(export: &[u8], recipient: &str) -> Result<Vec<u8>, SyncError> {
    let recipient = age::x25519::Recipient::from_str(recipient).map_err(|e| {
        SyncError::Config(format!("reader-key escrow recipient {recipient:?}: {e}"))
    })?;
    age::encrypt(&recipient, export)
        .map_err(|e| SyncError::Config(format!("sealing the reader keys: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn only_the_escrow_identity_opens_the_sealed_store() {
        let identity = age::x25519::Identity::generate();
        let export = br#"{"v":1,"readers":{}}"#;
        let sealed = seal(export, &identity.to_public().to_string()).expect("seal");
        assert!(!sealed.windows(export.len()).any(|w| w == export));
        let decryptor = age::Decryptor::new(&sealed[..]).expect("an age file");
        let mut opened = Vec::new();
        decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .expect("the escrow identity opens it")
            .read_to_end(&mut opened)
            .expect("read");
        assert_eq!(opened, export);
        let err = seal(export, "age1notarecipient").expect_err("bad recipient");
        assert!(
            err.to_string().contains("reader-key escrow recipient"),
            "{err}"
        );
    }
}
