//! Public keys whose private halves are committed in this repository
//! (`tests/keys/`): the sample offices' age recipients (anyone could read
//! what is encrypted to them) and the sample form-fn signing key (anyone
//! could sign a forged application). They are fine for the demo and the
//! tests on this machine, and refused by every build whose form accepts
//! applications from elsewhere.

/// `(public key, file of its private half)`, read from `tests/keys/` when
/// site-gen was compiled.
const COMMITTED_RECIPIENTS: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/committed_recipients.rs"));

/// The committed file holding the private half of `recipient` (an age
/// recipient or a signing public key), if any.
pub fn committed_identity(recipient: &str) -> Option<&'static str> {
    COMMITTED_RECIPIENTS
        .iter()
        .find(|(key, _)| *key == recipient)
        .map(|(_, file)| *file)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    /// Every committed identity's and signing key's real public key is in
    /// the list, so a test key can never be mistaken for an office's own.
    #[test]
    fn every_committed_identity_is_known() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys");
        let mut identities = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            for line in text.lines().filter(|l| l.starts_with("AGE-SECRET-KEY-")) {
                let identity = age::x25519::Identity::from_str(line).unwrap();
                let recipient = identity.to_public().to_string();
                assert!(
                    committed_identity(&recipient).is_some(),
                    "{recipient} is missing"
                );
                identities += 1;
            }
            if let Ok(key) = sealed_store::package::parse_signing_key(text.as_bytes())
                && !text.contains("AGE-SECRET-KEY-")
            {
                let public = sealed_store::package::public_key_text(&key.verifying_key());
                assert!(committed_identity(&public).is_some(), "{public} is missing");
                identities += 1;
            }
        }
        assert!(identities >= 10, "found {identities} identities");
        assert_eq!(COMMITTED_RECIPIENTS.len(), identities);
    }
}
