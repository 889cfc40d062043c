//! The metadata that travels beside every sealed package, whatever the
//! transport: the only things about an application anyone but the office
//! can read. Reference, municipality, form, time, size and the SHA-256 of the
//! ciphertext, so the receiver can check that it got the package whole.

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
        }
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
}
