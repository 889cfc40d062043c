//! The office CLI as an office meets it: a key made with `office keygen`
//! works with the standard `age` CLI (Debian), is never overwritten, and
//! opens what was encrypted to its public key.

use std::process::Command;

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
        "values": {"family_name": "Öztürk <script>", "privacy_notice": true},
        "attachments": [],
    });
    let plain = dir.path().join("plain.json");
    std::fs::write(&plain, document.to_string()).unwrap();
    let sealed = dir.path().join("K7MV-XPQ2-HD9R.age");
    let encrypted = Command::new("age")
        .args(["-e", "-r", &recipient, "-o"])
        .arg(&sealed)
        .arg(&plain)
        .status()
        .expect("the age CLI is installed (scripts/install-deps.sh)");
    assert!(encrypted.success());

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
