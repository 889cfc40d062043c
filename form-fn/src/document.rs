//! The canonical JSON document inside every sealed submission (DESIGN.md,
//! "Submission at rest"), and the object key it is stored under.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use form_spec::date::Date;
use form_spec::validate::{Attachment, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A moment in UTC, as the document and the object key need it.
#[derive(Debug, Clone, Copy)]
pub struct Received {
    pub date: Date,
    pub seconds_of_day: u64,
}

impl Received {
    pub fn at(time: SystemTime) -> Self {
        let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let days = i64::try_from(seconds / 86_400).unwrap_or(0);
        Self {
            date: Date::from_days_since_epoch(days),
            seconds_of_day: seconds % 86_400,
        }
    }

    /// RFC 3339, e.g. `2026-11-23T01:42:07Z`.
    pub fn rfc3339(self) -> String {
        let s = self.seconds_of_day;
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date,
            s / 3600,
            s % 3600 / 60,
            s % 60
        )
    }
}

#[derive(Serialize)]
struct MunicipalityRef<'a> {
    slug: &'a str,
    ags: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct FormRef<'a> {
    id: &'a str,
    version: u32,
}

#[derive(Serialize)]
struct AttachmentEntry<'a> {
    field: &'a str,
    name: &'a str,
    media_type: &'a str,
    size: usize,
    sha256: String,
    content_base64: String,
}

#[derive(Serialize)]
struct Document<'a> {
    reference: &'a str,
    received_at: String,
    municipality: MunicipalityRef<'a>,
    form: FormRef<'a>,
    language: &'a str,
    values: &'a BTreeMap<String, Value>,
    attachments: Vec<AttachmentEntry<'a>>,
}

/// Everything that goes into one document.
pub struct Submitted<'a> {
    pub reference: &'a str,
    pub received: Received,
    pub slug: &'a str,
    pub ags: &'a str,
    pub municipality_name: &'a str,
    pub form_id: &'a str,
    pub form_version: u32,
    pub language: &'a str,
    pub values: &'a BTreeMap<String, Value>,
    pub attachments: &'a [Attachment],
}

/// The document as JSON bytes (keys in a fixed order).
pub fn canonical_json(s: &Submitted) -> Vec<u8> {
    let attachments = s
        .attachments
        .iter()
        .map(|a| AttachmentEntry {
            field: &a.field,
            name: &a.name,
            media_type: a.media_type,
            size: a.bytes.len(),
            sha256: hex(&Sha256::digest(&a.bytes)),
            content_base64: base64::engine::general_purpose::STANDARD.encode(&a.bytes),
        })
        .collect();
    let document = Document {
        reference: s.reference,
        received_at: s.received.rfc3339(),
        municipality: MunicipalityRef {
            slug: s.slug,
            ags: s.ags,
            name: s.municipality_name,
        },
        form: FormRef {
            id: s.form_id,
            version: s.form_version,
        },
        language: s.language,
        values: s.values,
        attachments,
    };
    serde_json::to_vec(&document).unwrap_or_default()
}

/// `submissions/<ags>/<yyyy>/<mm>/<dd>/<reference>.age`
pub fn object_key(ags: &str, received: Received, reference: &str) -> String {
    let d = received.date;
    format!(
        "submissions/{ags}/{:04}/{:02}/{:02}/{reference}.age",
        d.year, d.month, d.day
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_times_follow_the_storage_layout() {
        let received = Received::at(UNIX_EPOCH + std::time::Duration::from_secs(1_795_398_127));
        assert_eq!(received.rfc3339(), "2026-11-23T01:42:07Z");
        assert_eq!(
            object_key("05711000", received, "K7MV-XPQ2-HD9R"),
            "submissions/05711000/2026/11/23/K7MV-XPQ2-HD9R.age"
        );
    }
}
