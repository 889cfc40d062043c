//! `office keygen`: a new age identity for the office, written only where
//! asked and readable only by its owner, and the recipient line the
//! municipality file needs.

use std::path::Path;

use age::secrecy::ExposeSecret;

use sealed_store::private;

use crate::OfficeError;

/// Writes a new identity to `path` (which must not exist yet); returns the
/// public recipient (`age1…`) that belongs to it.
pub fn keygen(path: &Path, created: &str) -> Result<String, OfficeError> {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let text = format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    );
    private::write_new(path, text.as_bytes()).map_err(|error| {
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            OfficeError::Refused(format!(
                "{} exists already: it may be the key to applications that are still \
                 waiting. Choose another name; never overwrite an identity",
                path.display()
            ))
        } else {
            OfficeError::io("write", path, error)
        }
    })?;
    Ok(recipient)
}

/// What the office should know after making a key.
pub fn guidance(path: &Path, recipient: &str) -> String {
    format!(
        "Identity written to {path} (readable only by you).

Put the public key into the municipality file (municipalities/<slug>.yaml)
and have the site rebuilt and deployed:

recipients:
  - \"{recipient}\"

Keep {path} safe. Whoever has it can read every application encrypted to it;
without it, nobody can, not even you:
- keep it on the office's computer or a token, never in the repository, a
  ticket or an e-mail;
- make a second key for a backup (office keygen --out backup.txt), put its
  public key into `recipients:` too, and lock it away offline (a printout or
  an encrypted USB stick in the safe);
- if the file may have been seen by someone else, make a new key, replace the
  public key in the municipality file, deploy, open what is still waiting with
  the old key, then destroy it.

Your key opens applications; it does not tell you who sent them (anyone may
encrypt to a public key). form-fn signs every package with its own key, and
`office open` opens only packages signed by a key you give it. Ask IT for
form-fn's public signing key (ed25519:…, printed by `form-fn keygen`) and
open with:
  office open --identity {path} --signing-key ed25519:… --out opened inbox/*.age
(or --registry registry.json, which names the same keys).",
        path = path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_opens_what_is_sealed_to_its_recipient_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.txt");
        let recipient = keygen(&path, "2026-11-23T10:00:00Z").unwrap();
        assert!(recipient.starts_with("age1") && recipient.len() == 62);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!("# public key: {recipient}")));
        let identity = crate::open::load_identities(&path).unwrap();
        let to: age::x25519::Recipient = recipient.parse().unwrap();
        let sealed = age::encrypt(&to, b"{}").unwrap();
        assert_eq!(crate::open::decrypt(&identity, &sealed).unwrap(), b"{}");
        assert!(matches!(
            keygen(&path, "2026-11-23T10:00:01Z"),
            Err(OfficeError::Refused(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}
