//! `form-fn keygen`: the key form-fn signs every package with, so that an
//! office can tell an application that came through form-fn from one
//! someone else encrypted to its (public) age key.

use std::path::Path;
use std::process::ExitCode;

use form_spec::date::UtcTime;
use sealed_store::package::{public_key_text, signing_key_file};

/// Writes a new signing key to `out` and prints where its public key goes.
pub fn run(out: &Path) -> ExitCode {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    if let Err(error) = getrandom::fill(seed.as_mut()) {
        eprintln!("error: no randomness for a key: {error}");
        return ExitCode::FAILURE;
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let text = signing_key_file(&key, &UtcTime::now().rfc3339());
    if let Err(error) = sealed_store::private::write_new(out, text.as_bytes()) {
        eprintln!(
            "error: cannot write {}: {error} (form-fn keygen never overwrites a key)",
            out.display()
        );
        return ExitCode::from(2);
    }
    let public = public_key_text(&key.verifying_key());
    println!(
        "Wrote form-fn's signing key to {}.

Put the public key into site.yaml, and give it to every office (it is not
secret): `office open --signing-key {public}` accepts only packages it signed.

signing:
  key: {{ aws_secret: \"einbuergerung/signing-key\" }}   # or {{ env: FORM_FN_SIGNING_KEY }} / {{ file: /path }}
  public_keys:
    - \"{public}\"

Store the private key where the delivery function reads it (e.g. AWS Secrets
Manager: aws secretsmanager create-secret --name einbuergerung/signing-key
--secret-string file://{}), then delete this file. To change keys, add the new
public key first, let the offices accept both, switch the private key, then
remove the old public key.",
        out.display(),
        out.display()
    );
    ExitCode::SUCCESS
}
