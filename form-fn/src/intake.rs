//! Reading a submitted body into a form-spec [`Submission`]: URL-encoded or
//! multipart (text fields and uploaded files). A body that cannot be parsed
//! counts as empty, so the citizen gets the form back with its errors
//! instead of a bare failure.

use axum::body::Bytes;
use form_spec::validate::{Submission, Upload};

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

pub async fn parse_body(kind: BodyKind, body: Bytes) -> Submission {
    match kind {
        BodyKind::UrlEncoded => Submission {
            fields: serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .unwrap_or_default(),
            files: Vec::new(),
        },
        BodyKind::Multipart { boundary } => {
            parse_multipart(body, boundary).await.unwrap_or_default()
        }
    }
}

async fn parse_multipart(body: Bytes, boundary: String) -> Result<Submission, multer::Error> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut submission = Submission::default();
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(ToOwned::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await?;
                submission.files.push(Upload {
                    field: name,
                    file_name,
                    bytes: bytes.to_vec(),
                });
            }
            None => {
                let text = field.text().await?;
                submission.fields.push((name, text));
            }
        }
    }
    Ok(submission)
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

    #[tokio::test]
    async fn multipart_fields_and_files() {
        let body = "--X\r\nContent-Disposition: form-data; name=\"family_name\"\r\n\r\nYılmaz\r\n\
                    --X\r\nContent-Disposition: form-data; name=\"documents\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--X--\r\n";
        let submission = parse_body(
            BodyKind::Multipart {
                boundary: "X".to_owned(),
            },
            Bytes::from(body),
        )
        .await;
        assert_eq!(submission.value("family_name"), Some("Yılmaz"));
        assert_eq!(submission.files[0].bytes, b"%PDF-1.7");
        let broken = parse_body(
            BodyKind::Multipart {
                boundary: "X".to_owned(),
            },
            Bytes::from("garbage"),
        )
        .await;
        assert!(broken.fields.is_empty());
    }
}
