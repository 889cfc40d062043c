//! The metadata that travels beside every sealed package, whatever the
//! transport: the only things about an application anyone but the office
//! can read. Reference, municipality, form, time, size and the SHA-256 of the
//! ciphertext, so the receiver can check that it got the package whole.
//!
//! age does not say who encrypted a package: anyone who knows an office's
//! public key can make one. So form-fn signs the metadata with Ed25519
//! (and with it, through size and SHA-256, the ciphertext); the office
//! accepts only packages signed by a key it was given, more than one during
//! a rotation.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageMeta {
    pub reference: String,
    pub municipality: Municipality,
    /// The form's id, e.g. `einbuergerung`.
    pub form: String,
    /// When form-fn received the application (RFC 3339, UTC).
    pub received_at: String,
    /// Bytes of the sealed package.
    pub size: u64,
    /// Lowercase hex SHA-256 of the sealed package.
    pub sha256: String,
    /// form-fn's signature over all of the above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// An Ed25519 signature and the public key that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// `ed25519:<base64 of the 32-byte public key>`.
    pub key: String,
    /// Base64 of the 64-byte signature.
    pub value: String,
}

/// Why a package's signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("it is not signed: packages from form-fn carry a signature in their metadata")]
    Unsigned,
    #[error("it is signed with {0}, a key not among the signing keys given")]
    UnknownKey(String),
    #[error("its signature does not match its metadata: forged or changed")]
    Forged,
    #[error("`{0}` is not a signing key: expected ed25519:<base64 of 32 bytes>")]
    BadKey(String),
}

/// What is signed: a fixed label, then the metadata without its signature.
const SIGNED_LABEL: &[u8] = b"einbuergerung-kit package metadata v1\n";

/// `ed25519:<base64>` of a public key, as it is written in files and registries.
#[must_use]
pub fn public_key_text(key: &ed25519_dalek::VerifyingKey) -> String {
    format!("ed25519:{}", BASE64.encode(key.as_bytes()))
}

/// Reads `ed25519:<base64 of 32 bytes>`.
pub fn parse_public_key(text: &str) -> Result<ed25519_dalek::VerifyingKey, SignatureError> {
    let bad = || SignatureError::BadKey(text.to_owned());
    let bytes = text
        .trim()
        .strip_prefix("ed25519:")
        .and_then(|b64| BASE64.decode(b64).ok())
        .ok_or_else(bad)?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

/// Reads a private signing key: the first line that is not a comment, the
/// base64 of its 32-byte seed (what `form-fn keygen` writes).
pub fn parse_signing_key(text: &[u8]) -> Result<ed25519_dalek::SigningKey, SignatureError> {
    let bad = || SignatureError::BadKey("(the private signing key)".to_owned());
    let text = std::str::from_utf8(text).map_err(|_| bad())?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(bad)?;
    let seed = zeroize::Zeroizing::new(BASE64.decode(line).map_err(|_| bad())?);
    let seed: &[u8; 32] = seed.as_slice().try_into().map_err(|_| bad())?;
    Ok(ed25519_dalek::SigningKey::from_bytes(seed))
}

/// A private signing key as `form-fn keygen` writes it: comments, then the seed.
#[must_use]
pub fn signing_key_file(
    key: &ed25519_dalek::SigningKey,
    created: &str,
) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(format!(
        "# form-fn signing key, created {created}. Keep it secret (a secret store, never the repository).\n\
         # public key: {}\n{}\n",
        public_key_text(&key.verifying_key()),
        BASE64.encode(key.to_bytes())
    ))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    pub slug: String,
    pub ags: String,
}

impl Municipality {
    #[must_use]
    pub fn new(slug: &str, ags: &str) -> Self {
        Self {
            slug: slug.to_owned(),
            ags: ags.to_owned(),
        }
    }
}

impl PackageMeta {
    /// The metadata of `sealed`, whose size and SHA-256 are taken here.
    #[must_use]
    pub fn of(
        sealed: &[u8],
        reference: &str,
        municipality: Municipality,
        form: &str,
        received_at: &str,
    ) -> Self {
        Self {
            reference: reference.to_owned(),
            municipality,
            form: form.to_owned(),
            received_at: received_at.to_owned(),
            size: sealed.len() as u64,
            sha256: sha256_hex(sealed),
            signature: None,
        }
    }

    /// The bytes a signature covers.
    fn signed_bytes(&self) -> Vec<u8> {
        let unsigned = Self {
            signature: None,
            ..self.clone()
        };
        let mut bytes = SIGNED_LABEL.to_vec();
        bytes.extend(serde_json::to_vec(&unsigned).unwrap_or_default());
        bytes
    }

    /// Signs the metadata (and, through its size and SHA-256, the package).
    pub fn sign(&mut self, key: &ed25519_dalek::SigningKey) {
        use ed25519_dalek::Signer;
        let value = key.sign(&self.signed_bytes());
        self.signature = Some(Signature {
            key: public_key_text(&key.verifying_key()),
            value: BASE64.encode(value.to_bytes()),
        });
    }

    /// Accepts the metadata only if one of `trusted` signed exactly it.
    pub fn verify(&self, trusted: &[ed25519_dalek::VerifyingKey]) -> Result<(), SignatureError> {
        let signature = self.signature.as_ref().ok_or(SignatureError::Unsigned)?;
        let key = trusted
            .iter()
            .find(|k| public_key_text(k) == signature.key)
            .ok_or_else(|| SignatureError::UnknownKey(signature.key.clone()))?;
        let bytes: [u8; 64] = BASE64
            .decode(&signature.value)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SignatureError::Forged)?;
        key.verify_strict(
            &self.signed_bytes(),
            &ed25519_dalek::Signature::from_bytes(&bytes),
        )
        .map_err(|_| SignatureError::Forged)
    }

    /// Does `sealed` have the size and hash this metadata promises?
    #[must_use]
    pub fn matches(&self, sealed: &[u8]) -> bool {
        u64::try_from(sealed.len()).is_ok_and(|size| size == self.size)
            && sha256_hex(sealed) == self.sha256
    }

    /// The metadata as the JSON document receivers get.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// Lowercase hex SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bielefeld() -> Municipality {
        Municipality::new("bielefeld", "05711000")
    }

    #[test]
    fn metadata_checks_size_and_hash() {
        let meta = PackageMeta::of(
            b"abc",
            "K7MV-XPQ2-HD9R",
            bielefeld(),
            "einbuergerung",
            "2026-11-23T01:42:07Z",
        );
        assert_eq!(meta.size, 3);
        assert_eq!(
            meta.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(meta.matches(b"abc"));
        assert!(!meta.matches(b"abd"));
        assert!(!meta.matches(b"abcd"));
        let back: PackageMeta = serde_json::from_slice(&meta.to_json()).unwrap();
        assert_eq!(back, meta);
    }

    fn key(byte: u8) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[byte; 32])
    }

    #[test]
    fn only_packages_signed_by_a_given_key_are_accepted() {
        let mut meta = PackageMeta::of(
            b"abc",
            "K7MV-XPQ2-HD9R",
            bielefeld(),
            "f",
            "2026-11-23T01:42:07Z",
        );
        assert_eq!(
            meta.verify(&[key(1).verifying_key()]),
            Err(SignatureError::Unsigned)
        );
        meta.sign(&key(1));
        let trusted = [key(2).verifying_key(), key(1).verifying_key()];
        assert_eq!(
            meta.verify(&trusted),
            Ok(()),
            "any of the keys of a rotation"
        );
        let back: PackageMeta = serde_json::from_slice(&meta.to_json()).unwrap();
        assert_eq!(
            back.verify(&trusted),
            Ok(()),
            "the signature travels in the JSON"
        );
        assert!(matches!(
            meta.verify(&[key(2).verifying_key()]),
            Err(SignatureError::UnknownKey(_))
        ));
        for change in [
            |m: &mut PackageMeta| m.sha256 = sha256_hex(b"abd"),
            |m: &mut PackageMeta| m.received_at = "2026-11-24T00:00:00Z".to_owned(),
            |m: &mut PackageMeta| m.municipality.ags = "05315000".to_owned(),
        ] {
            let mut changed = meta.clone();
            change(&mut changed);
            assert_eq!(changed.verify(&trusted), Err(SignatureError::Forged));
        }
        // A forger's own key, named as if it were form-fn's, does not help.
        let mut forged = meta.clone();
        forged.sign(&key(3));
        forged.signature.as_mut().unwrap().key = public_key_text(&key(1).verifying_key());
        assert_eq!(forged.verify(&trusted), Err(SignatureError::Forged));
    }

    #[test]
    fn keys_read_back_as_written() {
        let file = signing_key_file(&key(7), "2026-11-24");
        let read = parse_signing_key(file.as_bytes()).unwrap();
        assert_eq!(read.to_bytes(), key(7).to_bytes());
        let public = public_key_text(&key(7).verifying_key());
        assert!(file.contains(&format!("# public key: {public}")));
        assert_eq!(parse_public_key(&public).unwrap(), key(7).verifying_key());
        assert!(parse_public_key("ed25519:AAAA").is_err());
        assert!(parse_public_key("age1abc").is_err());
        assert!(parse_signing_key(b"# only a comment").is_err());
    }
}
