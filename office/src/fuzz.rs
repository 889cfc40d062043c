//! Fuzz target of the office CLI: `office open` on package and metadata
//! bytes mutated from a genuine signed package (and the seeds in
//! `tests/fuzz/office-metadata/`). Only the genuine package opens; every
//! other input is refused with a message, nothing is written, nothing panics.

use std::io::Write;
use std::str::FromStr;

use age::secrecy::ExposeSecret;

use proptest::prelude::*;
use sealed_store::package::{Municipality, PackageMeta};
use test_support::fuzz::{config, corpus, mutated};

use crate::open::open_package;

const REFERENCE: &str = "K7MV-XPQ2-HD9R";

/// A genuine package to Bielefeld's office, signed by form-fn's key.
fn genuine(
    identity: &age::x25519::Identity,
    key: &ed25519_dalek::SigningKey,
) -> (Vec<u8>, Vec<u8>) {
    let document = serde_json::json!({
        "reference": REFERENCE,
        "received_at": "2026-11-23T01:42:07Z",
        "municipality": {"slug": "bielefeld", "ags": "05711000", "name": "Bielefeld"},
        "form": {"id": "einbuergerung", "version": 1},
        "language": "de",
        "values": {"family_name": "Yılmaz"},
        "attachments": [],
    });
    let recipient = identity.to_public();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .expect("a recipient");
    let mut sealed = Vec::new();
    let mut writer = encryptor.wrap_output(&mut sealed).expect("age");
    writer
        .write_all(document.to_string().as_bytes())
        .expect("age");
    writer.finish().expect("age");
    let mut meta = PackageMeta::of(
        &sealed,
        REFERENCE,
        Municipality::new("bielefeld", "05711000"),
        "einbuergerung",
        "2026-11-23T01:42:07Z",
    );
    meta.sign(key);
    (sealed, meta.to_json())
}

#[test]
fn fuzz_office_open_refuses_what_it_cannot_trust() {
    let dir = tempfile::tempdir().expect("temp dir");
    let identity = age::x25519::Identity::generate();
    let secret = identity.to_string();
    let identities: Vec<Box<dyn age::Identity>> = vec![Box::new(
        age::x25519::Identity::from_str(secret.expose_secret()).expect("identity"),
    )];
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let trusted = [key.verifying_key()];
    let (sealed, meta) = genuine(&identity, &key);
    let mut metas = corpus("office-metadata");
    metas.push(meta.clone());
    let inputs = (mutated(vec![sealed.clone()]), mutated(metas));
    let package = dir.path().join(format!("{REFERENCE}.age"));
    let out = dir.path().join("opened");
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let outcome = runner.run(&inputs, |(package_bytes, meta_bytes)| {
        std::fs::write(&package, &package_bytes).expect("write");
        std::fs::write(package.with_extension("json"), &meta_bytes).expect("write");
        match open_package(&identities, &trusted, &package, &out, None) {
            Ok(folder) => {
                prop_assert_eq!(&package_bytes, &sealed, "only the genuine package opens");
                let read: PackageMeta = serde_json::from_slice(&meta_bytes).expect("it opened");
                let original: PackageMeta = serde_json::from_slice(&meta).expect("genuine");
                prop_assert_eq!(read, original, "only genuine metadata");
                std::fs::remove_dir_all(folder).expect("clean up");
            }
            Err(error) => {
                prop_assert!(!error.to_string().trim().is_empty());
                prop_assert!(!out.join(REFERENCE).exists(), "nothing written");
            }
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
