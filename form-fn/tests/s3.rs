//! form-fn against a real S3-compatible server on loopback (s3s-fs, which
//! checks SigV4 signatures): the same code path as AWS S3 in production.

mod common;

use common::*;
use test_support::{S3_KEY, S3_SECRET, S3sFs};

/// The AWS environment for s3s-fs at `endpoint`, signing with `secret`.
fn credentials<'a>(endpoint: &'a str, secret: &'a str) -> [(&'static str, &'a str); 4] {
    [
        ("AWS_ACCESS_KEY_ID", S3_KEY),
        ("AWS_SECRET_ACCESS_KEY", secret),
        ("AWS_REGION", "eu-central-1"),
        ("AWS_ENDPOINT_URL", endpoint),
    ]
}

#[test]
fn applications_land_encrypted_in_the_bucket_and_an_outage_is_503() {
    let dir = tempfile::tempdir().unwrap();
    let function = build_site(dir.path());
    let root = dir.path().join("s3");
    std::fs::create_dir_all(root.join("applications")).unwrap();
    let s3 = S3sFs::start(&root);
    let endpoint = s3.endpoint();
    let env = credentials(&endpoint, S3_SECRET);
    let form_fn = FormFn::start(
        dir.path(),
        &function.join("registry.json"),
        "s3://applications/intake",
        &env,
    );
    let response = post_form(
        &form_fn.addr,
        "/submit/koeln/einbuergerung",
        &valid_application("de"),
        &[],
    );
    assert_eq!(
        response.status,
        303,
        "{}\n{}",
        response.body,
        form_fn.logs()
    );
    let reference = response
        .header("Location")
        .unwrap()
        .split("ref=")
        .nth(1)
        .unwrap()
        .to_owned();
    let objects: Vec<_> = files_below(&root.join("applications/intake/submissions"));
    assert_eq!(objects.len(), 1, "{objects:?}");
    let key = objects[0]
        .strip_prefix(root.join("applications/intake"))
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        key.starts_with("submissions/05315000/") && key.ends_with(&format!("{reference}.age")),
        "{key}"
    );
    let document = decrypt("koeln", &objects[0]);
    assert_eq!(document["reference"], reference.as_str());
    assert_eq!(document["values"]["given_names"], "Ayşe Nur");

    let wrong_keys = credentials(&endpoint, "wrong");
    let unsigned = FormFn::start(
        dir.path(),
        &function.join("registry.json"),
        "s3://applications/intake",
        &wrong_keys,
    );
    let refused = post_form(
        &unsigned.addr,
        "/submit/koeln/einbuergerung",
        &valid_application("de"),
        &[],
    );
    assert_eq!(
        refused.status, 503,
        "a bad signature is refused by s3s-fs: nothing acknowledged"
    );

    drop(s3);
    let down = post_form(
        &form_fn.addr,
        "/submit/koeln/einbuergerung",
        &valid_application("de"),
        &[],
    );
    assert_eq!(down.status, 503);
    assert_eq!(down.header("Location"), None);
    assert_eq!(
        files_below(&root.join("applications/intake/submissions")).len(),
        1,
        "nothing more stored"
    );
}

/// The office's mailbox in a bucket: form-fn delivers into it (the outbox
/// in the intake bucket), the office fetches, opens and acknowledges from it.
#[test]
fn the_mailbox_can_be_a_bucket_the_office_collects_from() {
    let dir = tempfile::tempdir().unwrap();
    let function = build_site(dir.path());
    let registry = set_transport(
        &function,
        "koeln",
        serde_json::json!({"mailbox": {"location": "s3://postfach/koeln"}}),
    );
    let root = dir.path().join("s3");
    std::fs::create_dir_all(root.join("applications")).unwrap();
    std::fs::create_dir_all(root.join("postfach")).unwrap();
    let s3 = S3sFs::start(&root);
    let endpoint = s3.endpoint();
    let env = credentials(&endpoint, S3_SECRET);
    let form_fn = FormFn::start(dir.path(), &registry, "s3://applications/intake", &env);
    let response = post_form(
        &form_fn.addr,
        "/submit/koeln/einbuergerung",
        &valid_application("de"),
        &[],
    );
    assert_eq!(response.status, 303, "{}", form_fn.logs());
    let reference = response
        .header("Location")
        .and_then(|l| l.split("ref=").nth(1))
        .unwrap()
        .to_owned();
    wait_for_empty_outbox(&root.join("applications/intake"));
    let in_bucket = files_below(&root.join("postfach/koeln"));
    assert_eq!(in_bucket.len(), 2, "package and metadata: {in_bucket:?}");

    let inbox = dir.path().join("inbox");
    let fetch = || {
        office(
            &[
                "fetch",
                "--from",
                "s3://postfach/koeln",
                "--to",
                inbox.to_str().unwrap(),
            ],
            &env,
        )
    };
    let fetched = fetch();
    assert!(
        String::from_utf8_lossy(&fetched.stdout).contains(&format!("fetched {reference}")),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    let out = dir.path().join("opened");
    let identity = repo_root().join("tests/keys/koeln.txt");
    let package = inbox.join(format!("{reference}.age"));
    let opened = office(
        &[
            "open",
            "--identity",
            identity.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            package.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join(&reference).join("application.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(document["values"]["given_names"], "Ayşe Nur");

    let acked = office(&["ack", "--from", "s3://postfach/koeln", &reference], &env);
    assert!(
        acked.status.success(),
        "{}",
        String::from_utf8_lossy(&acked.stderr)
    );
    std::fs::remove_dir_all(&inbox).unwrap();
    let again = fetch();
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 new, 0 already here"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    drop(s3);
}
