//! The document inside every sealed submission (docs/architecture.md, "Submission at
//! rest"): form-fn writes it, the office's tools read it. One definition, so
//! that the writer and the reader cannot drift apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::validate::Value;

/// The characters of a reference: none that can be mistaken for another
/// when read aloud or typed (no 0/O, 1/I, L).
pub const REFERENCE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Is `text` a reference as form-fn gives them: three groups of four
/// characters of [`REFERENCE_ALPHABET`], e.g. `K7MV-XPQ2-HD9R`?
#[must_use]
pub fn is_reference(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 3
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| REFERENCE_ALPHABET.contains(&b)))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub reference: String,
    /// RFC 3339 in UTC, e.g. `2026-11-23T01:42:07Z`.
    pub received_at: String,
    pub municipality: MunicipalityRef,
    pub form: FormRef,
    pub language: String,
    pub values: BTreeMap<String, Value>,
    pub attachments: Vec<AttachmentEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalityRef {
    pub slug: String,
    pub ags: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRef {
    pub id: String,
    pub version: u32,
}

/// An uploaded document: its field, the citizen's file name, the media type
/// recognised from its content, and the content itself (base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentEntry {
    pub field: String,
    pub name: String,
    pub media_type: String,
    pub size: usize,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
    pub content_base64: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_three_groups_of_four_unambiguous_characters() {
        assert!(is_reference("K7MV-XPQ2-HD9R"));
        assert!(!is_reference("K7MV-XPQ2-HD9O"), "no O");
        assert!(!is_reference("K7MVX-PQ2-HD9R"), "groups of four");
        assert!(!is_reference("K7MV/XPQ2/HD9R"));
        assert!(!is_reference("../../x/y/zzzz"));
        assert!(!is_reference(""));
    }
}
