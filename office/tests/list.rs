//! `office list` as a clerk meets it, with the real binary: what is in the
//! mailbox before anything was fetched, after `office fetch` (which records
//! `fetched/<reference>` in the mailbox) and after `office ack`, newest
//! first, as a table and as JSON; a damaged entry shown, not a crash; the
//! mailbox in a folder and in a bucket (s3s-fs on 127.0.0.1).

use std::path::Path;
use std::process::{Command, Output};

use sealed_store::package::{Municipality, PackageMeta};
use test_support::{S3_SECRET, S3sFs};

/// Three packages, received in this order (the oldest first).
const PACKAGES: [(&str, &str); 3] = [
    ("AAAA-BBBB-CCCC", "2026-11-22T08:00:00Z"),
    ("K7MV-XPQ2-HD9R", "2026-11-24T09:15:00Z"),
    ("DDDD-EEEE-FFFF", "2026-11-23T17:30:00Z"),
];

/// Puts a sealed package of `size` bytes and its metadata into a folder
/// mailbox, as form-fn's mailbox transport writes them.
fn deposit(mailbox: &Path, reference: &str, received_at: &str, size: usize) {
    std::fs::create_dir_all(mailbox).unwrap();
    let sealed = vec![b'x'; size];
    let meta = PackageMeta::of(
        &sealed,
        reference,
        Municipality::new("bielefeld", "05711000"),
        "einbuergerung",
        received_at,
    );
    std::fs::write(mailbox.join(format!("{reference}.age")), &sealed).unwrap();
    std::fs::write(mailbox.join(format!("{reference}.json")), meta.to_json()).unwrap();
}

fn office(args: &[&str], env: &[(&str, String)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_office"))
        .args(args)
        .env_remove("OFFICE_MAILBOX")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("office runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `office list --format json`, parsed; the run must succeed.
fn list_json(from: &str, env: &[(&str, String)]) -> Vec<serde_json::Value> {
    let listed = office(&["list", "--from", from, "--format", "json"], env);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    serde_json::from_slice(&listed.stdout).expect("one JSON array")
}

/// (reference, fetched, acknowledged) of each row, in the order listed.
fn states(rows: &[serde_json::Value]) -> Vec<(String, bool, bool)> {
    rows.iter()
        .map(|row| {
            (
                row["reference"].as_str().unwrap_or_default().to_owned(),
                row["fetched"] == true,
                row["acknowledged"] == true,
            )
        })
        .collect()
}

fn expected(states: [(bool, bool); 3]) -> Vec<(String, bool, bool)> {
    // Newest first: K7MV (24th), DDDD (23rd), AAAA (22nd).
    ["K7MV-XPQ2-HD9R", "DDDD-EEEE-FFFF", "AAAA-BBBB-CCCC"]
        .iter()
        .zip(states)
        .map(|(reference, (fetched, acked))| ((*reference).to_owned(), fetched, acked))
        .collect()
}

#[test]
fn list_shows_each_package_newest_first_before_and_after_fetch_and_ack() {
    let dir = tempfile::tempdir().unwrap();
    let mailbox = dir.path().join("postfach");
    for (index, (reference, received_at)) in PACKAGES.iter().enumerate() {
        deposit(&mailbox, reference, received_at, 1000 + index);
    }
    let from = mailbox.to_str().unwrap();

    let before = office(&["list", "--from", from], &[]);
    assert!(before.status.success());
    let text = stdout(&before);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("REFERENCE ") && lines[0].ends_with("FETCHED  ACKNOWLEDGED"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("K7MV-XPQ2-HD9R  2026-11-24 09:15:00  bielefeld"),
        "newest first: {text}"
    );
    assert!(lines[1].contains("05711000  1001"), "AGS and size: {text}");
    assert!(lines[2].starts_with("DDDD-EEEE-FFFF") && lines[3].starts_with("AAAA-BBBB-CCCC"));
    assert!(
        text.contains("3 packages in ") && text.contains(": 3 not fetched yet"),
        "{text}"
    );
    assert!(text.contains(&format!("Next: office fetch --from {from} --to DIR")));

    let rows = list_json(from, &[]);
    assert_eq!(
        rows[0],
        serde_json::json!({
            "reference": "K7MV-XPQ2-HD9R",
            "received": "2026-11-24T09:15:00Z",
            "municipality": "bielefeld",
            "ags": "05711000",
            "size": 1001,
            "fetched": false,
            "acknowledged": false,
            "damaged": null,
        })
    );
    assert_eq!(states(&rows), expected([(false, false); 3]));

    let inbox = dir.path().join("eingang");
    let fetched = office(
        &["fetch", "--from", from, "--to", inbox.to_str().unwrap()],
        &[],
    );
    assert!(stdout(&fetched).contains("3 new"), "{}", stdout(&fetched));
    assert!(mailbox.join("fetched/K7MV-XPQ2-HD9R").is_file());
    assert_eq!(states(&list_json(from, &[])), expected([(true, false); 3]));

    let acked = office(&["ack", "--from", from, "DDDD-EEEE-FFFF"], &[]);
    assert!(acked.status.success());
    assert_eq!(
        states(&list_json(from, &[])),
        expected([(true, false), (true, true), (true, false)])
    );
    let text = stdout(&office(&["list", "--from", from], &[]));
    assert!(
        text.contains(": 0 not fetched yet, 2 fetched but not acknowledged, 1 acknowledged."),
        "{text}"
    );
    assert!(!text.contains("Next:"), "nothing left to fetch: {text}");
}

#[test]
fn a_damaged_entry_is_shown_with_its_reason_and_the_rest_still_listed() {
    let dir = tempfile::tempdir().unwrap();
    let mailbox = dir.path().join("postfach");
    deposit(&mailbox, "K7MV-XPQ2-HD9R", "2026-11-24T09:15:00Z", 10);
    deposit(&mailbox, "AAAA-BBBB-CCCC", "2026-11-22T08:00:00Z", 10);
    std::fs::write(mailbox.join("AAAA-BBBB-CCCC.json"), b"{\"reference\": ").unwrap();
    deposit(&mailbox, "DDDD-EEEE-FFFF", "2026-11-23T17:30:00Z", 10);
    std::fs::remove_file(mailbox.join("DDDD-EEEE-FFFF.age")).unwrap();
    let from = mailbox.to_str().unwrap();

    let listed = office(&["list", "--from", from], &[]);
    assert_eq!(listed.status.code(), Some(1), "a damaged entry is reported");
    let text = stdout(&listed);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].starts_with("K7MV-XPQ2-HD9R  2026-11-24"), "{text}");
    assert!(
        lines[2].starts_with("AAAA-BBBB-CCCC  DAMAGED: the metadata file is not readable"),
        "{text}"
    );
    assert_eq!(
        lines[3],
        "DDDD-EEEE-FFFF  DAMAGED: the metadata is there but the package is not"
    );
    assert!(text.contains("2 damaged"), "{text}");

    let json = office(&["list", "--from", from, "--format", "json"], &[]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows[1]["received"].is_null() && rows[1]["damaged"].is_string());
}

#[test]
fn the_mailbox_comes_from_office_mailbox_or_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mailbox = dir.path().join("postfach");
    deposit(&mailbox, "K7MV-XPQ2-HD9R", "2026-11-24T09:15:00Z", 10);

    let missing = office(&["list"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    let error = String::from_utf8_lossy(&missing.stderr);
    assert!(
        error.contains("--from") && error.contains("OFFICE_MAILBOX"),
        "{error}"
    );

    let env = [("OFFICE_MAILBOX", mailbox.to_str().unwrap().to_owned())];
    let listed = office(&["list", "--format", "json"], &env);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(states(&rows), [("K7MV-XPQ2-HD9R".to_owned(), false, false)]);

    let empty = dir.path().join("leer");
    std::fs::create_dir_all(&empty).unwrap();
    let nothing = office(&["list", "--from", empty.to_str().unwrap()], &[]);
    assert!(nothing.status.success());
    assert!(
        stdout(&nothing).contains("is empty"),
        "{}",
        stdout(&nothing)
    );
    let nothing = office(
        &[
            "list",
            "--from",
            empty.to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(stdout(&nothing).trim(), "[]");
}

/// The same in a bucket: the markers are objects under the prefix.
#[test]
fn a_mailbox_in_a_bucket_is_listed_and_marked_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("s3");
    let prefix = root.join("postfach/bielefeld");
    for (index, (reference, received_at)) in PACKAGES.iter().enumerate() {
        deposit(&prefix, reference, received_at, 1000 + index);
    }
    let s3 = S3sFs::start(&root);
    let env: Vec<(&str, String)> = s3.environment(S3_SECRET);
    let from = "s3://postfach/bielefeld";
    assert_eq!(
        states(&list_json(from, &env)),
        expected([(false, false); 3])
    );

    let inbox = dir.path().join("eingang");
    let fetched = office(
        &["fetch", "--from", from, "--to", inbox.to_str().unwrap()],
        &env,
    );
    assert!(
        stdout(&fetched).contains("3 new"),
        "{}{}",
        stdout(&fetched),
        String::from_utf8_lossy(&fetched.stderr)
    );
    let acked = office(&["ack", "--from", from, "AAAA-BBBB-CCCC"], &env);
    assert!(acked.status.success());
    assert_eq!(
        states(&list_json(from, &env)),
        expected([(true, false), (true, false), (true, true)])
    );
    drop(s3);
}
