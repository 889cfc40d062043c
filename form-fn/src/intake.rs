//! Reading a submitted body into a form-spec [`Submission`]: URL-encoded or
//! multipart (text fields and uploaded files), within the bounds form-spec
//! derives from the form ([`Limits`]): a body that breaks them is refused
//! at once. A body that cannot be parsed counts as empty, so the citizen
//! gets the form back with its errors instead of a bare failure.

use axum::body::Bytes;
use form_spec::submission::{
    BoundedSubmission, Limits, MAX_PART_HEADER_BYTES, Refusal, Submission, Upload,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    UrlEncoded,
    Multipart { boundary: String },
}

impl BodyKind {
    /// The kind of body a `Content-Type` announces; `None` for anything else.
    pub fn of(content_type: &str) -> Option<Self> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-www-form-urlencoded" => Some(Self::UrlEncoded),
            "multipart/form-data" => multer::parse_boundary(content_type)
                .ok()
                .map(|boundary| Self::Multipart { boundary }),
            _ => None,
        }
    }
}

/// Reads `body` within the form's `limits`. A body that breaks them is
/// refused at the part that does; one that cannot be parsed counts as empty.
pub async fn parse_body(
    kind: BodyKind,
    body: Bytes,
    limits: &Limits,
) -> Result<Submission, Refusal> {
    let mut reader = BoundedSubmission::new(limits);
    match kind {
        BodyKind::UrlEncoded => {
            // Pair by pair: a body of a million `=&` stops at the limit.
            for (name, value) in form_urlencoded::parse(&body) {
                reader.add_field(&name, &value)?;
            }
            Ok(reader.finish())
        }
        BodyKind::Multipart { boundary } => match parse_multipart(body, boundary, reader).await {
            Ok(submission) => Ok(submission),
            Err(Unreadable::Refused(refusal)) => Err(refusal),
            Err(Unreadable::Broken) => Ok(Submission::default()),
        },
    }
}

enum Unreadable {
    Refused(Refusal),
    Broken,
}

impl From<Refusal> for Unreadable {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<multer::Error> for Unreadable {
    fn from(_: multer::Error) -> Self {
        Self::Broken
    }
}

async fn parse_multipart(
    body: Bytes,
    boundary: String,
    mut reader: BoundedSubmission<'_>,
) -> Result<Submission, Unreadable> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Some(field) = multipart.next_field().await? {
        let header_bytes: usize = field
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        if header_bytes > MAX_PART_HEADER_BYTES {
            return Err(Refusal::HeadersTooLong(MAX_PART_HEADER_BYTES).into());
        }
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(ToOwned::to_owned) {
            Some(file_name) => {
                reader.check_file(&name)?;
                let bytes = field.bytes().await?;
                reader.add_file(Upload {
                    field: name,
                    file_name,
                    bytes: bytes.to_vec(),
                })?;
            }
            None => {
                reader.check_name(&name)?;
                let text = field.text().await?;
                reader.add_field(&name, &text)?;
            }
        }
    }
    Ok(reader.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(
            BodyKind::of("application/x-www-form-urlencoded; charset=UTF-8"),
            Some(BodyKind::UrlEncoded)
        );
        assert!(matches!(
            BodyKind::of("multipart/form-data; boundary=abc"),
            Some(BodyKind::Multipart { .. })
        ));
        assert_eq!(BodyKind::of("multipart/form-data"), None, "no boundary");
        assert_eq!(BodyKind::of("application/json"), None);
    }

    fn limits() -> Limits {
        let form: form_spec::definition::FormDefinition =
            serde_json::from_value(serde_json::json!({
                "id": "f", "version": 1, "title": {}, "messages": {}, "ui": {},
                "sections": [{"id": "s", "title": {}, "fields": [
                    {"id": "family_name", "type": "text", "label": {}},
                    {"id": "documents", "type": "file", "label": {}},
                ]}],
            }))
            .expect("a form definition");
        Limits::of(&form)
    }

    #[tokio::test]
    async fn multipart_fields_and_files() {
        let body = "--X\r\nContent-Disposition: form-data; name=\"family_name\"\r\n\r\nYılmaz\r\n\
                    --X\r\nContent-Disposition: form-data; name=\"documents\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--X--\r\n";
        let submission = parse_body(
            BodyKind::Multipart {
                boundary: "X".to_owned(),
            },
            Bytes::from(body),
            &limits(),
        )
        .await
        .unwrap();
        assert_eq!(submission.value("family_name"), Some("Yılmaz"));
        assert_eq!(submission.files[0].bytes, b"%PDF-1.7");
        let broken = parse_body(
            BodyKind::Multipart {
                boundary: "X".to_owned(),
            },
            Bytes::from("garbage"),
            &limits(),
        )
        .await
        .unwrap();
        assert!(broken.fields.is_empty());
    }
}
