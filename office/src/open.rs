//! `office open`: checks a package's signature (form-fn's, over its
//! metadata) before anything else, decrypts it with the office's identity,
//! checks it against its metadata and every attachment against its SHA-256,
//! and writes `<reference>/application.json`,
//! `summary.html` and `attachments/`. Everything is checked in memory
//! first and written into a hidden folder that is renamed into place at the
//! end: a bad identity or a changed file leaves nothing behind.

use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine;
use form_spec::document::{Document, is_reference};
use form_spec::registry::Registry;
use sealed_store::package::{PackageMeta, sha256_hex};

use crate::summary::render_summary;
use sealed_store::private;

use crate::OfficeError;

/// The identities in an age identity file (`office keygen`, `age-keygen`).
pub fn load_identities(path: &Path) -> Result<Vec<Box<dyn age::Identity>>, OfficeError> {
    let bytes = std::fs::read(path).map_err(|e| OfficeError::io("read the identity", path, e))?;
    let not_identity = || {
        OfficeError::Refused(format!(
            "{} is not an age identity file: expected a line AGE-SECRET-KEY-1… \
             (as `office keygen` writes it)",
            path.display()
        ))
    };
    let identities = age::IdentityFile::from_buffer(&bytes[..])
        .map_err(|_| not_identity())?
        .into_identities()
        .map_err(|_| not_identity())?;
    if identities.is_empty() {
        return Err(not_identity());
    }
    Ok(identities
        .into_iter()
        .map(|identity| identity as Box<dyn age::Identity>)
        .collect())
}

/// The plaintext of `sealed`, read to the end, so that a changed byte
/// anywhere is noticed before anything is written.
pub fn decrypt(
    identities: &[Box<dyn age::Identity>],
    sealed: &[u8],
) -> Result<Vec<u8>, OfficeError> {
    let damaged = || {
        OfficeError::Damaged(
            "the file is damaged or was changed: it does not decrypt cleanly".to_owned(),
        )
    };
    let decryptor = age::Decryptor::new(sealed).map_err(|_| damaged())?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref()))
        .map_err(|error| match error {
            age::DecryptError::NoMatchingKeys => OfficeError::WrongIdentity,
            _ => damaged(),
        })?;
    let mut plaintext = Vec::new();
    reader.read_to_end(&mut plaintext).map_err(|_| damaged())?;
    Ok(plaintext)
}

/// Far more than any package form-fn makes (4 MB of documents, base64).
const MAX_PACKAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Far more than any metadata document form-fn writes (under 1 KiB).
const MAX_META_BYTES: u64 = 64 * 1024;

/// Reads `path` if it is at most `limit` bytes; a larger file is refused
/// before it is read.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, OfficeError> {
    let file = std::fs::File::open(path).map_err(|e| OfficeError::io("read", path, e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| OfficeError::io("read", path, e))?;
    if bytes.len() as u64 > limit {
        return Err(OfficeError::Damaged(format!(
            "{} is larger than {limit} bytes: not a package form-fn makes",
            path.display()
        )));
    }
    Ok(bytes)
}

/// The metadata file beside `package` (`<reference>.json`), accepted only
/// with a valid signature by one of `trusted`: age alone does not say who
/// encrypted a package, and anyone can encrypt to an office's public key.
fn read_signed_meta(
    package: &Path,
    trusted: &[ed25519_dalek::VerifyingKey],
) -> Result<PackageMeta, OfficeError> {
    let meta_path = package.with_extension("json");
    if !meta_path.exists() {
        return Err(OfficeError::Damaged(format!(
            "{} is missing: without its signed metadata a package is not opened",
            meta_path.display()
        )));
    }
    let bytes = read_bounded(&meta_path, MAX_META_BYTES)?;
    let meta: PackageMeta = serde_json::from_slice(&bytes).map_err(|_| {
        OfficeError::Damaged(format!(
            "{} is not the package's metadata file",
            meta_path.display()
        ))
    })?;
    meta.verify(trusted)
        .map_err(|error| OfficeError::Damaged(format!("not opened: {error}")))?;
    Ok(meta)
}

/// The application inside, checked against the signed metadata: the same
/// reference, time of receipt and municipality, and no name given twice
/// (which a reader could take either way).
fn read_document(plaintext: &[u8], meta: &PackageMeta) -> Result<Document, OfficeError> {
    let not_a_document =
        || OfficeError::Damaged("it decrypts, but not to an application document".to_owned());
    check_unique_keys(plaintext).map_err(|why| {
        OfficeError::Damaged(format!(
            "it decrypts, but the application is ambiguous: {why}"
        ))
    })?;
    let document: Document = serde_json::from_slice(plaintext).map_err(|_| not_a_document())?;
    let disagrees = if meta.reference != document.reference {
        Some("reference")
    } else if meta.received_at != document.received_at {
        Some("time of receipt")
    } else if meta.municipality.slug != document.municipality.slug
        || meta.municipality.ags != document.municipality.ags
    {
        Some("municipality")
    } else {
        None
    };
    if let Some(what) = disagrees {
        return Err(OfficeError::Damaged(format!(
            "the application inside has another {what} than its signed metadata"
        )));
    }
    if !is_reference(&document.reference) {
        return Err(OfficeError::Damaged(
            "the application's reference is not one form-fn gives".to_owned(),
        ));
    }
    Ok(document)
}

/// Refuses JSON in which an object names a key twice, at any depth.
fn check_unique_keys(json: &[u8]) -> Result<(), String> {
    use serde::de::DeserializeSeed;
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    UniqueKeys
        .deserialize(&mut deserializer)
        .map_err(|e| e.to_string())
}

/// Walks a JSON value, failing at the first key an object repeats.
struct UniqueKeys;

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("`{key}` is given twice")));
            }
            map.next_value_seed(UniqueKeys)?;
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(UniqueKeys)?.is_some() {}
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// An attachment ready to be written.
struct AttachmentFile {
    file_name: String,
    bytes: Vec<u8>,
}

/// Opens `package` into `out/<reference>/`; returns that folder. Only a
/// package signed by one of `trusted` (form-fn's signing keys) is decrypted.
pub fn open_package(
    identities: &[Box<dyn age::Identity>],
    trusted: &[ed25519_dalek::VerifyingKey],
    package: &Path,
    out: &Path,
    registry: Option<&Registry>,
) -> Result<PathBuf, OfficeError> {
    let sealed = read_bounded(package, MAX_PACKAGE_BYTES)?;
    let meta = read_signed_meta(package, trusted)?;
    if !meta.matches(&sealed) {
        return Err(OfficeError::Damaged(
            "the package does not match its metadata (size or SHA-256 differ): it was \
             changed or damaged on the way"
                .to_owned(),
        ));
    }
    let plaintext = zeroize::Zeroizing::new(decrypt(identities, &sealed)?);
    let document = read_document(&plaintext, &meta)?;
    let attachments = check_attachments(&document)?;
    let file_names: Vec<&str> = attachments.iter().map(|a| a.file_name.as_str()).collect();
    let summary = render_summary(&document, &file_names, registry);

    let target = out.join(&document.reference);
    if target.exists() {
        return Err(OfficeError::Refused(format!(
            "{} exists already: this application was opened before (remove the folder to \
             open it again)",
            target.display()
        )));
    }
    // Made here and now, or not at all: a folder or link placed under this
    // name beforehand is refused, never written into or followed.
    private::create_dir(out).map_err(|e| OfficeError::io("create", out, e))?;
    let staging = out.join(format!(".{}.opening", document.reference));
    private::create_new_dir(&staging).map_err(|e| {
        OfficeError::Refused(format!(
            "cannot create the working folder {}: {e} (another `office open` of this \
             application running? if not, remove what is there)",
            staging.display()
        ))
    })?;
    let written = write_all(&staging, &plaintext, &summary, &attachments).and_then(|()| {
        std::fs::rename(&staging, &target).map_err(|e| OfficeError::io("write", &target, e))
    });
    if written.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    written.map(|()| target)
}

/// Decodes every attachment and checks its size and SHA-256.
fn check_attachments(document: &Document) -> Result<Vec<AttachmentFile>, OfficeError> {
    document
        .attachments
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&entry.content_base64)
                .ok()
                .filter(|bytes| bytes.len() == entry.size && sha256_hex(bytes) == entry.sha256)
                .ok_or_else(|| {
                    OfficeError::Damaged(format!(
                        "attachment {} does not match its SHA-256",
                        index + 1
                    ))
                })?;
            Ok(AttachmentFile {
                file_name: attachment_file_name(index, &entry.name, &entry.media_type),
                bytes,
            })
        })
        .collect()
}

/// A safe local name for a citizen's file name: `01-passport.pdf`. Only
/// letters, digits, `.`, `-` and `_` survive, so no name can leave the
/// folder, and the extension follows the checked media type.
fn attachment_file_name(index: usize, name: &str, media_type: &str) -> String {
    let extension = match media_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "bin",
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, old))
            if !stem.is_empty()
                && (1..=5).contains(&old.len())
                && old.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => name,
    };
    let stem = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect::<String>();
    let stem = stem.trim_matches('_');
    let stem = if stem.is_empty() { "anlage" } else { stem };
    format!("{:02}-{stem}.{extension}", index + 1)
}

fn write_all(
    dir: &Path,
    plaintext: &[u8],
    summary: &str,
    attachments: &[AttachmentFile],
) -> Result<(), OfficeError> {
    let create =
        |path: &Path| private::create_dir(path).map_err(|e| OfficeError::io("create", path, e));
    let write = |path: &Path, bytes: &[u8]| {
        private::write_new(path, bytes).map_err(|e| OfficeError::io("write", path, e))
    };
    write(&dir.join("application.json"), plaintext)?;
    write(&dir.join("summary.html"), summary.as_bytes())?;
    if !attachments.is_empty() {
        let attachments_dir = dir.join("attachments");
        create(&attachments_dir)?;
        for attachment in attachments {
            write(
                &attachments_dir.join(&attachment.file_name),
                &attachment.bytes,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_cannot_leave_the_folder() {
        assert_eq!(
            attachment_file_name(0, "Reisepass Seite 1.pdf", "application/pdf"),
            "01-Reisepass_Seite_1.pdf"
        );
        assert_eq!(
            attachment_file_name(1, "../../etc/passwd", "image/png"),
            "02-etc_passwd.png"
        );
        assert_eq!(
            attachment_file_name(2, "...", "image/jpeg"),
            "03-anlage.jpg"
        );
        assert_eq!(
            attachment_file_name(9, "zeugnis.exe", "application/pdf"),
            "10-zeugnis.pdf"
        );
    }
}
