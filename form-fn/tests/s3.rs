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
            "--registry",
            registry.to_str().unwrap(),
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

/// The intake store in s3s-fs; Bielefeld delivers over XTA 2 to a test
/// server that is down at first.
struct XtaOnS3 {
    dir: tempfile::TempDir,
    _receiver_state: tempfile::TempDir,
    receiver: Receiver,
    registry: std::path::PathBuf,
    /// s3s-fs's folder: `applications/intake/` is the store.
    root: std::path::PathBuf,
    s3: S3sFs,
    endpoint: String,
}

/// Where form-fn stores in these tests.
const STORE: &str = "s3://applications/intake";

impl XtaOnS3 {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let function = build_site(dir.path());
        let receiver_state = tempfile::tempdir().unwrap();
        let mut receiver = Receiver::xta2(&receiver_state.path().join("xta"));
        receiver.down();
        let registry = set_transport(&function, "bielefeld", xta2_transport(receiver.port));
        let root = dir.path().join("s3");
        std::fs::create_dir_all(root.join("applications")).unwrap();
        let s3 = S3sFs::start(&root);
        let endpoint = s3.endpoint();
        Self {
            dir,
            _receiver_state: receiver_state,
            receiver,
            registry,
            root,
            s3,
            endpoint,
        }
    }
}

/// A server with its own drain loop and two scheduled drains run at once,
/// on one bucket: markers are claimed with conditional writes (If-Match)
/// and a lease, so every application reaches the office exactly once.
#[test]
fn concurrent_drains_deliver_every_application_exactly_once() {
    let XtaOnS3 {
        dir,
        _receiver_state,
        mut receiver,
        registry,
        root,
        s3: _s3,
        endpoint,
    } = XtaOnS3::new();
    let env = credentials(&endpoint, S3_SECRET);
    let store = STORE;
    let form_fn = FormFn::start_with(dir.path(), &registry, store, &env, &["--drain-every", "1s"]);
    let mut references = Vec::new();
    for _ in 0..12 {
        let response = post_form(
            &form_fn.addr,
            "/submit/bielefeld/einbuergerung",
            &valid_application("de"),
            &[],
        );
        assert_eq!(response.status, 303, "{}", response.body);
        references.push(
            response
                .header("Location")
                .unwrap()
                .split("ref=")
                .nth(1)
                .unwrap()
                .to_owned(),
        );
    }
    let outbox = root.join("applications/intake/outbox");
    // The log line follows the store's answer: the markers are written whole.
    wait_until("every first attempt failed", || {
        form_fn
            .logs()
            .matches("\"event\":\"delivery_failed\"")
            .count()
            == 12
    });

    receiver.up();
    let drains: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_form-fn"))
                .env("FORM_FN_SIGNING_KEY", signing_key())
                .args(["drain", "--now", "--registry"])
                .arg(&registry)
                .args(["--store", store])
                .envs(env.iter().copied())
                .current_dir(dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for drain in drains {
        assert!(drain.wait_with_output().unwrap().status.success());
    }
    wait_until("the outbox is empty", || files_below(&outbox).is_empty());
    assert!(
        files_below(&root.join("applications/intake/claims")).is_empty(),
        "the claims of delivered packages are gone"
    );
    let mut sent = sent_ids(&receiver, "accepted");
    sent.sort();
    let mut expected: Vec<String> = references
        .iter()
        .map(|r| format!("urn:de:xta:messageid:einbuergerung-kit:05711000-{r}"))
        .collect();
    expected.sort();
    assert_eq!(sent, expected, "each application sent exactly once");
    assert_eq!(receiver.messages().len(), 12);
    drop(form_fn);
}

/// A claim left behind by a drain that died while it waited is ignored once
/// it is older than a lease: the package is not blocked.
#[test]
fn a_claim_left_by_a_dead_drain_does_not_block_the_package() {
    let XtaOnS3 {
        dir,
        _receiver_state,
        mut receiver,
        registry,
        root,
        s3: _s3,
        endpoint,
    } = XtaOnS3::new();
    let env = credentials(&endpoint, S3_SECRET);
    let store = STORE;
    let form_fn = FormFn::start_with(dir.path(), &registry, store, &env, &["--drain-every", "0"]);
    let response = post_form(
        &form_fn.addr,
        "/submit/bielefeld/einbuergerung",
        &valid_application("de"),
        &[],
    );
    assert_eq!(response.status, 303);
    let reference = response
        .header("Location")
        .unwrap()
        .split("ref=")
        .nth(1)
        .unwrap()
        .to_owned();
    // The log line follows the store's answer: the marker is written whole.
    wait_until("the first attempt failed", || {
        form_fn.logs().contains("\"event\":\"delivery_failed\"")
    });
    drop(form_fn);
    receiver.up();
    // The next attempt is the second; a stale claim for it sorts first.
    let claims = root.join("applications/intake/claims").join(&reference);
    std::fs::create_dir_all(&claims).unwrap();
    std::fs::write(claims.join("00000002-0000000001-0000000000000000"), b"").unwrap();
    let (_, out, err) = drain_with_env(dir.path(), &registry, store, &["--now"], &env);
    assert!(out.contains("delivered 1"), "{out}{err}");
    assert_eq!(sent_ids(&receiver, "accepted").len(), 1);
    assert!(
        files_below(&root.join("applications/intake/claims")).is_empty(),
        "the claims of the delivered package are gone"
    );
}
