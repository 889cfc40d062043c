//! The office CLI as an office meets it: a key made with `office keygen`
//! works with the standard `age` CLI (Debian), is never overwritten, and
//! opens what was encrypted to its public key.

use std::path::Path;
use std::process::Command;

use sealed_store::package::{Municipality, PackageMeta, public_key_text};

/// Encrypts `plain` to `recipient` with the Debian age CLI.
fn encrypt(recipient: &str, plain: &str, sealed: &Path) {
    let source = sealed.with_extension("plain");
    std::fs::write(&source, plain).unwrap();
    let encrypted = Command::new("age")
        .args(["-e", "-r", recipient, "-o"])
        .arg(sealed)
        .arg(&source)
        .status()
        .expect("the age CLI is installed (scripts/install-deps.sh)");
    assert!(encrypted.success());
    std::fs::remove_file(source).unwrap();
}

/// Writes `<reference>.json` beside `sealed`, signed with `key` if given.
fn write_meta(sealed: &Path, received_at: &str, key: Option<&ed25519_dalek::SigningKey>) {
    let mut meta = PackageMeta::of(
        &std::fs::read(sealed).unwrap(),
        "K7MV-XPQ2-HD9R",
        Municipality::new("bielefeld", "05711000"),
        "einbuergerung",
        received_at,
    );
    if let Some(key) = key {
        meta.sign(key);
    }
    std::fs::write(sealed.with_extension("json"), meta.to_json()).unwrap();
}

fn office(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_office"))
        .args(args)
        .output()
        .expect("office runs")
}

#[test]
fn keygen_makes_a_key_the_age_cli_encrypts_to_and_office_open_opens() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("office-key.txt");
    let made = office(&["keygen", "--out", key.to_str().unwrap()]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let guidance = String::from_utf8_lossy(&made.stdout);
    let recipient = guidance
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("- \"")
                .and_then(|r| r.strip_suffix('"'))
        })
        .expect("the recipient line for the municipality file")
        .to_owned();
    assert!(recipient.starts_with("age1"), "{guidance}");
    assert!(guidance.contains("recipients:") && guidance.contains("backup"));

    let document = serde_json::json!({
        "reference": "K7MV-XPQ2-HD9R",
        "received_at": "2026-11-23T01:42:07Z",
        "municipality": {"slug": "bielefeld", "ags": "05711000", "name": "Bielefeld"},
        "form": {"id": "einbuergerung", "version": 1},
        "language": "de",
        "values": {"family_name": "Öztürk <script>", "truthful": true},
        "attachments": [],
    });
    let sealed = dir.path().join("K7MV-XPQ2-HD9R.age");
    encrypt(&recipient, &document.to_string(), &sealed);
    // form-fn's signature over the metadata, as its drain makes it.
    let form_fn_key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let signing_key = public_key_text(&form_fn_key.verifying_key());
    write_meta(&sealed, "2026-11-23T01:42:07Z", Some(&form_fn_key));

    let out = dir.path().join("opened");
    // A link placed where office open makes its working folder is refused,
    // not followed: nothing is written where it points.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let trap = out.join(".K7MV-XPQ2-HD9R.opening");
    std::os::unix::fs::symlink(&elsewhere, &trap).unwrap();
    let refused = office(&[
        "open",
        "--identity",
        key.to_str().unwrap(),
        "--signing-key",
        &signing_key,
        "--out",
        out.to_str().unwrap(),
        sealed.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("cannot create the working folder"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!out.join("K7MV-XPQ2-HD9R").exists());
    std::fs::remove_file(&trap).unwrap();
    let opened = office(&[
        "open",
        "--identity",
        key.to_str().unwrap(),
        "--signing-key",
        &signing_key,
        "--out",
        out.to_str().unwrap(),
        sealed.to_str().unwrap(),
    ]);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let summary = std::fs::read_to_string(out.join("K7MV-XPQ2-HD9R/summary.html")).unwrap();
    assert!(summary.contains("<html lang=\"de\">"));
    assert!(
        summary.contains("Öztürk &lt;script&gt;") && !summary.contains("<script>"),
        "values are escaped: {summary}"
    );
    assert!(summary.contains("<dd>ja</dd>"), "{summary}");

    let again = office(&["keygen", "--out", key.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrite an identity"));
}

/// Only packages form-fn signed are opened; the application inside must
/// agree with its signed metadata and name nothing twice. Nothing is
/// written for a refused package.
#[test]
fn unsigned_forged_and_inconsistent_packages_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("office-key.txt");
    let made = office(&["keygen", "--out", key.to_str().unwrap()]);
    assert!(made.status.success());
    let recipient = std::fs::read_to_string(&key)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_owned))
        .unwrap();
    let form_fn_key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let signing_key = public_key_text(&form_fn_key.verifying_key());
    let document = |received_at: &str, values: &str| {
        format!(
            "{{\"reference\":\"K7MV-XPQ2-HD9R\",\"received_at\":\"{received_at}\",\
             \"municipality\":{{\"slug\":\"bielefeld\",\"ags\":\"05711000\",\"name\":\"Bielefeld\"}},\
             \"form\":{{\"id\":\"einbuergerung\",\"version\":1}},\"language\":\"de\",\
             \"values\":{values},\"attachments\":[]}}"
        )
    };
    let sealed = dir.path().join("K7MV-XPQ2-HD9R.age");
    let out = dir.path().join("opened");
    let open = |keys: &[&str]| {
        let mut args = vec!["open", "--identity", key.to_str().unwrap()];
        for k in keys {
            args.extend(["--signing-key", k]);
        }
        args.extend(["--out", out.to_str().unwrap(), sealed.to_str().unwrap()]);
        office(&args)
    };
    let refused = |output: std::process::Output, words: &str| {
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(words), "{stderr}");
        assert!(!out.join("K7MV-XPQ2-HD9R").exists(), "nothing written");
    };
    let good = document("2026-11-23T01:42:07Z", "{\"family_name\":\"Öztürk\"}");

    // A forger who knows the office's public key, without form-fn's key.
    encrypt(&recipient, &good, &sealed);
    write_meta(&sealed, "2026-11-23T01:42:07Z", None);
    refused(open(&[&signing_key]), "it is not signed");
    let forger = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    write_meta(&sealed, "2026-11-23T01:42:07Z", Some(&forger));
    refused(
        open(&[&signing_key]),
        "a key not among the signing keys given",
    );
    std::fs::remove_file(sealed.with_extension("json")).unwrap();
    refused(open(&[&signing_key]), "without its signed metadata");
    let no_keys = office(&[
        "open",
        "--identity",
        key.to_str().unwrap(),
        sealed.to_str().unwrap(),
    ]);
    assert_eq!(no_keys.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_keys.stderr).contains("--signing-key"));

    // Signed metadata that the application inside contradicts.
    write_meta(&sealed, "2026-11-24T09:00:00Z", Some(&form_fn_key));
    refused(open(&[&signing_key]), "another time of receipt");
    let twice = document(
        "2026-11-23T01:42:07Z",
        "{\"family_name\":\"Öztürk\",\"family_name\":\"Other\"}",
    );
    encrypt(&recipient, &twice, &sealed);
    write_meta(&sealed, "2026-11-23T01:42:07Z", Some(&form_fn_key));
    refused(open(&[&signing_key]), "`family_name` is given twice");

    // Metadata far larger than form-fn writes is refused before it is read;
    // at the limit it is read (and here refused for its content).
    std::fs::write(sealed.with_extension("json"), vec![b' '; 64 * 1024 + 1]).unwrap();
    refused(open(&[&signing_key]), "larger than 65536 bytes");
    std::fs::write(sealed.with_extension("json"), vec![b' '; 64 * 1024]).unwrap();
    refused(open(&[&signing_key]), "is not the package's metadata file");

    // During a key change both keys are accepted.
    encrypt(&recipient, &good, &sealed);
    write_meta(&sealed, "2026-11-23T01:42:07Z", Some(&form_fn_key));
    let next = public_key_text(&forger.verifying_key());
    let opened = open(&[&next, &signing_key]);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
}
