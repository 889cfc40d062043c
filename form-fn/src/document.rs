//! Builds the canonical JSON document inside every sealed submission
//! (form-spec's `Document`, docs/architecture.md, "Submission at rest"), and the object
//! key it is stored under.

use std::collections::BTreeMap;

use base64::Engine;
use form_spec::date::UtcTime;
use form_spec::document::{AttachmentEntry, Document, FormRef, MunicipalityRef};
use form_spec::validate::{Attachment, Value};
use sealed_store::package::sha256_hex;
use zeroize::{Zeroize, Zeroizing};

/// Everything that goes into one document.
pub struct Submitted<'a> {
    pub reference: &'a str,
    pub received: UtcTime,
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
pub fn canonical_json(s: &Submitted) -> Zeroizing<Vec<u8>> {
    let attachments = s
        .attachments
        .iter()
        .map(|a| AttachmentEntry {
            field: a.field.clone(),
            name: a.name.clone(),
            media_type: a.media_type.to_owned(),
            size: a.bytes.len(),
            sha256: sha256_hex(&a.bytes),
            content_base64: base64::engine::general_purpose::STANDARD.encode(&a.bytes),
        })
        .collect();
    let mut document = Document {
        reference: s.reference.to_owned(),
        received_at: s.received.rfc3339(),
        municipality: MunicipalityRef {
            slug: s.slug.to_owned(),
            ags: s.ags.to_owned(),
            name: s.municipality_name.to_owned(),
        },
        form: FormRef {
            id: s.form_id.to_owned(),
            version: s.form_version,
        },
        language: s.language.to_owned(),
        values: s.values.clone(),
        attachments,
    };
    let json = Zeroizing::new(serde_json::to_vec(&document).unwrap_or_default());
    wipe_values(&mut document.values);
    for attachment in &mut document.attachments {
        attachment.content_base64.zeroize();
        attachment.name.zeroize();
    }
    json
}

/// Overwrites every text a citizen typed before its memory is given back,
/// so that plaintext does not linger in freed memory once it is sealed.
pub fn wipe_values(values: &mut BTreeMap<String, Value>) {
    for value in values.values_mut() {
        match value {
            Value::Text(text) => text.zeroize(),
            Value::Flag(_) => {}
            Value::Entries(entries) => entries.iter_mut().for_each(wipe_values),
        }
    }
}

/// `submissions/<ags>/<yyyy>/<mm>/<dd>/<reference>.age`
pub fn object_key(ags: &str, received: UtcTime, reference: &str) -> String {
    let d = received.date;
    format!(
        "submissions/{ags}/{:04}/{:02}/{:02}/{reference}.age",
        d.year, d.month, d.day
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_times_follow_the_storage_layout() {
        let received =
            UtcTime::at(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_398_127));
        assert_eq!(received.rfc3339(), "2026-11-23T01:42:07Z");
        assert_eq!(
            object_key("05711000", received, "K7MV-XPQ2-HD9R"),
            "submissions/05711000/2026/11/23/K7MV-XPQ2-HD9R.age"
        );
    }
}
