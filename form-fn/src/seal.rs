//! Encryption to the office: the canonical document becomes an age file
//! that only the holders of the municipality's identities can open.

use std::io::Write;
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("recipient {0} is not an age X25519 public key")]
    BadRecipient(usize),
    #[error("no recipient configured")]
    NoRecipient,
    #[error("encryption failed: {0}")]
    Encrypt(String),
}

/// Encrypts `plaintext` to every recipient (`age1…`) of the office.
pub fn seal(plaintext: &[u8], recipients: &[String]) -> Result<Vec<u8>, SealError> {
    if recipients.is_empty() {
        return Err(SealError::NoRecipient);
    }
    let parsed = recipients
        .iter()
        .enumerate()
        .map(|(index, r)| {
            age::x25519::Recipient::from_str(r).map_err(|_| SealError::BadRecipient(index))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let encryptor =
        age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| SealError::Encrypt(e.to_string()))?;
    let mut sealed = Vec::with_capacity(plaintext.len() + 512);
    let mut writer = encryptor
        .wrap_output(&mut sealed)
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    writer
        .write_all(plaintext)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|e| SealError::Encrypt(e.to_string()))?;
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn only_the_identity_opens_what_was_sealed() {
        let identity = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let recipients = vec![
            identity.to_public().to_string(),
            other.to_public().to_string(),
        ];
        let sealed = seal(b"{\"secret\":1}", &recipients).unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .unwrap();
        let mut plain = String::new();
        reader.read_to_string(&mut plain).unwrap();
        assert_eq!(plain, "{\"secret\":1}");
        assert!(matches!(
            seal(b"x", &["age1nope".to_owned()]),
            Err(SealError::BadRecipient(0))
        ));
        assert!(matches!(seal(b"x", &[]), Err(SealError::NoRecipient)));
    }
}
