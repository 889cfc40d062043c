//! Delivery to the office with real parts: form-fn as a process, the test
//! XTA 2 server and webhook intake (tests/xta2/receiver.py: its own TLS
//! stack, every XTA request checked by xmllint against the published
//! schemas), folder mailboxes, `form-fn drain`, and the office CLI opening
//! what arrived with the office's identity.

mod common;

use std::path::{Path, PathBuf};

use base64::Engine;
use common::*;

const SUBMIT: &str = "/submit/bielefeld/einbuergerung";
const WEBHOOK_SECRET: &str = "0123456789abcdef-webhook-secret-for-tests-only";

struct Setup {
    dir: tempfile::TempDir,
    function: PathBuf,
    registry: PathBuf,
    store: PathBuf,
}

impl Setup {
    /// The sample site with bielefeld's transport replaced by `transport`
    /// (`None`: the sample's folder mailbox).
    fn new(transport: Option<serde_json::Value>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let function = build_site(dir.path());
        let registry = match transport {
            Some(transport) => set_transport(&function, "bielefeld", transport),
            None => function.join("registry.json"),
        };
        let store = dir.path().join("store");
        Self {
            dir,
            function,
            registry,
            store,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// form-fn serving, forwarding each application at once, no periodic drain.
    fn form_fn(&self, env: &[(&str, &str)]) -> FormFn {
        FormFn::start_with(
            self.dir.path(),
            &self.registry,
            self.store.to_str().unwrap(),
            env,
            &["--drain-every", "0"],
        )
    }

    fn drain(&self, extra: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        drain_with_env(
            self.dir.path(),
            &self.registry,
            self.store.to_str().unwrap(),
            extra,
            env,
        )
    }

    fn marker(&self, reference: &str) -> Option<serde_json::Value> {
        marker(&self.store, reference)
    }

    /// Waits until the first attempt for `reference` failed.
    fn wait_for_failed_attempt(&self, reference: &str) -> serde_json::Value {
        wait_until("a failed first attempt", || {
            self.marker(reference)
                .is_some_and(|m| m["last_error"].is_string())
        });
        self.marker(reference).unwrap()
    }

    /// Opens packages with the office CLI and bielefeld's identity.
    fn office_open(&self, packages: &[PathBuf]) -> std::process::Output {
        let identity = repo_root().join("tests/keys/bielefeld.txt");
        let out = self.path("opened");
        let registry = self.function.join("registry.json");
        let mut args = vec![
            "open",
            "--identity",
            identity.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--registry",
            registry.to_str().unwrap(),
        ];
        args.extend(packages.iter().map(|p| p.to_str().unwrap()));
        office(&args, &[])
    }

    /// What `office open` wrote for `reference`.
    fn opened(&self, reference: &str) -> (serde_json::Value, String) {
        let folder = self.path("opened").join(reference);
        let document = serde_json::from_slice(
            &std::fs::read(folder.join("application.json")).expect("application.json"),
        )
        .expect("JSON");
        let summary = std::fs::read_to_string(folder.join("summary.html")).expect("summary");
        (document, summary)
    }
}

fn submit(form_fn: &FormFn, fields: &[(String, String)]) -> String {
    let response = post_form(&form_fn.addr, SUBMIT, fields, &[]);
    assert_eq!(response.status, 303, "{}", response.body);
    response
        .header("Location")
        .and_then(|l| l.split("ref=").nth(1))
        .expect("reference")
        .to_owned()
}

fn message_id(reference: &str) -> String {
    format!("urn:de:xta:messageid:einbuergerung-kit:05711000-{reference}")
}

/// The package and its metadata out of a recorded `sendMessage`, written as
/// the office's XTA client would hand them over: `<reference>.age` + `.json`.
fn unpack_xta_message(xml_file: &Path, into: &Path) -> PathBuf {
    let xml = std::fs::read_to_string(xml_file).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let content = |name: &str| {
        let node = document
            .descendants()
            .find(|n| n.has_tag_name(("http://xoev.de/transport/xta/211", name)))
            .unwrap_or_else(|| panic!("xta:{name} in the message"));
        let file = node.attribute("filename").unwrap().to_owned();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(node.text().unwrap_or_default().trim())
            .unwrap();
        (file, bytes)
    };
    std::fs::create_dir_all(into).unwrap();
    let (age_name, sealed) = content("Message");
    let (json_name, meta) = content("Attachment");
    std::fs::write(into.join(&json_name), meta).unwrap();
    std::fs::write(into.join(&age_name), sealed).unwrap();
    into.join(age_name)
}

#[test]
fn xta2_round_trip_from_the_citizen_to_the_office() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let form_fn = setup.form_fn(&[]);
    let canary = "Kanarienvogel-7f3a9c";
    let reference = submit(
        &form_fn,
        &with(valid_application("de"), "birth_place", canary),
    );
    wait_for_empty_outbox(&setup.store);

    assert_eq!(sent_ids(&receiver, "accepted"), [message_id(&reference)]);
    assert_eq!(
        receiver.count("getTransportReport", "unknown"),
        0,
        "a first attempt sends without asking"
    );
    let messages = receiver.messages();
    assert_eq!(messages.len(), 1, "the office got one message");
    let raw = std::fs::read_to_string(&messages[0]).unwrap();
    assert!(
        !raw.contains(canary) && !raw.contains("Yılmaz"),
        "nothing the citizen typed crosses the transport in plaintext"
    );
    assert!(raw.contains("<oscimeta:Identifier type=\"xoev\" name=\"Bielefeld\" category=\"Einbürgerungsbehörde\">sta:05711000</oscimeta:Identifier>"));

    let package = unpack_xta_message(&messages[0], &setup.path("xta-inbox"));
    let opened = setup.office_open(&[package]);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let (document, summary) = setup.opened(&reference);
    assert_eq!(document["reference"], reference.as_str());
    assert_eq!(document["values"]["family_name"], "Yılmaz");
    assert_eq!(document["values"]["birth_place"], canary);
    assert!(
        summary.contains("<dt>Familienname</dt><dd>Yılmaz</dd>"),
        "{summary}"
    );
    assert!(
        summary.contains("Türkei (TR)"),
        "countries by name: {summary}"
    );

    let logs = form_fn.logs();
    assert!(logs.contains("\"event\":\"delivered\"") && logs.contains(&reference));
    assert!(!logs.contains(canary), "logs carry no field value");
}

#[test]
fn an_office_that_is_down_gets_every_application_once_when_it_is_back() {
    let receiver_state = tempfile::tempdir().unwrap();
    let mut receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    receiver.down();
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let form_fn = setup.form_fn(&[]);
    let references = [
        submit(&form_fn, &valid_application("de")),
        submit(&form_fn, &valid_application("en")),
    ];
    for reference in &references {
        let marker = setup.wait_for_failed_attempt(reference);
        assert!(
            marker["last_error"]
                .as_str()
                .unwrap()
                .contains("unreachable"),
            "{marker}"
        );
    }

    let (code, out, err) = setup.drain(&["--now", "--alert-after", "0"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("delivered 0, failed 2"), "{out}");
    assert!(
        err.contains("\"event\":\"delivery_overdue\""),
        "the office is alerted: {err}"
    );
    for reference in &references {
        assert!(setup.store.join("alerts").join(reference).exists());
    }
    let (_, out, err) = setup.drain(&["--now", "--alert-after", "0"], &[]);
    assert!(out.contains("delivered 0, failed 2"), "{out}");
    assert_eq!(
        err.matches("delivery_overdue").count(),
        0,
        "alerted once, not at every attempt"
    );
    assert_eq!(setup.marker(&references[0]).unwrap()["attempts"], 3);

    receiver.up();
    let (_, out, _) = setup.drain(&[], &[]);
    assert!(
        out.contains("delivered 0") && out.contains("not yet due 2"),
        "the backoff holds: {out}"
    );
    assert!(
        receiver.requests().is_empty(),
        "nothing was sent before it was due"
    );
    let (_, out, _) = setup.drain(&["--now"], &[]);
    assert!(out.contains("delivered 2, failed 0"), "{out}");

    let mut sent = sent_ids(&receiver, "accepted");
    sent.sort();
    let mut expected: Vec<String> = references.iter().map(|r| message_id(r)).collect();
    expected.sort();
    assert_eq!(sent, expected, "each application arrived exactly once");
    assert_eq!(
        receiver.count("getTransportReport", "unknown"),
        2,
        "after failed attempts form-fn asks before it sends"
    );
    assert!(files_below(&setup.store.join("outbox")).is_empty());
    assert!(files_below(&setup.store.join("alerts")).is_empty());
    drop(form_fn);
}

#[test]
fn an_answer_lost_after_the_office_accepted_does_not_make_a_second_copy() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    receiver.misbehave("drop_after_accept", 1);
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let form_fn = setup.form_fn(&[]);
    let reference = submit(&form_fn, &valid_application("de"));
    setup.wait_for_failed_attempt(&reference);
    assert_eq!(sent_ids(&receiver, "dropped"), [message_id(&reference)]);

    let (_, out, err) = setup.drain(&["--now"], &[]);
    assert!(out.contains("delivered 1"), "{out}{err}");
    assert_eq!(receiver.count("getTransportReport", "known"), 1);
    assert!(
        sent_ids(&receiver, "accepted").is_empty(),
        "not sent again: the server had it"
    );
    assert_eq!(receiver.messages().len(), 1, "one copy at the office");
    assert!(setup.marker(&reference).is_none());
}

#[test]
fn server_errors_and_timeouts_are_retried_until_delivered() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    receiver.misbehave("fail", 1);
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let form_fn = setup.form_fn(&[]);
    let reference = submit(&form_fn, &valid_application("de"));
    let marker = setup.wait_for_failed_attempt(&reference);
    assert!(
        marker["last_error"]
            .as_str()
            .unwrap()
            .contains("XTAWSTechnicalProblemException 9030"),
        "the XTA fault is named: {marker}"
    );

    receiver.misbehave("timeout", 1);
    let (_, out, _) = setup.drain(&["--now"], &[]);
    assert!(out.contains("failed 1"), "{out}");
    let marker = setup.marker(&reference).unwrap();
    assert!(
        marker["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer in time"),
        "{marker}"
    );

    let (_, out, _) = setup.drain(&["--now"], &[]);
    assert!(out.contains("delivered 1"), "{out}");
    assert_eq!(sent_ids(&receiver, "accepted"), [message_id(&reference)]);
    drop(form_fn);
}

#[test]
fn an_application_whose_forwarding_was_cut_off_by_a_crash_is_delivered_by_the_drain() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    // The office's server takes its time: form-fn dies while it waits.
    receiver.misbehave("timeout", 1);
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let form_fn = setup.form_fn(&[]);
    let reference = submit(&form_fn, &valid_application("de"));
    wait_until("the forward is under way", || {
        receiver.count("sendMessage", "timeout") == 1
    });
    drop(form_fn); // SIGKILL
    let marker = setup.marker(&reference).expect("still in the outbox");
    assert_eq!(
        marker["attempts"], 1,
        "the attempt was recorded before it was made"
    );

    let (code, out, err) = setup.drain(&["--now"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("delivered 1"), "{out}{err}");
    assert_eq!(sent_ids(&receiver, "accepted"), [message_id(&reference)]);
    assert!(setup.marker(&reference).is_none());
}

fn webhook_transport(port: u16) -> serde_json::Value {
    serde_json::json!({"webhook": {
        "url": format!("https://127.0.0.1:{port}/webhook"),
        "secret": {"env": "BIELEFELD_WEBHOOK_SECRET"},
        "server_ca": {"file": pki("ca.pem")},
        "timeout_seconds": 2,
    }})
}

#[test]
fn webhooks_are_signed_and_a_repeat_is_not_a_second_copy() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::webhook(&receiver_state.path().join("hook"), WEBHOOK_SECRET);
    receiver.misbehave("drop_after_accept", 1);
    let setup = Setup::new(Some(webhook_transport(receiver.port)));
    let env = [("BIELEFELD_WEBHOOK_SECRET", WEBHOOK_SECRET)];
    let form_fn = setup.form_fn(&env);
    let reference = submit(&form_fn, &valid_application("de"));
    setup.wait_for_failed_attempt(&reference);

    let (_, out, err) = setup.drain(&["--now"], &env);
    assert!(out.contains("delivered 1"), "{out}{err}");
    assert_eq!(receiver.count("webhook", "dropped"), 1);
    assert_eq!(
        receiver.count("webhook", "duplicate"),
        1,
        "the retry carried the same Idempotency-Key"
    );
    let messages = receiver.messages();
    assert_eq!(messages.len(), 1, "one copy at the office");
    let body: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&messages[0]).unwrap()).unwrap();
    assert_eq!(body["metadata"]["reference"], reference.as_str());
    let raw = String::from_utf8(std::fs::read(&messages[0]).unwrap()).unwrap();
    assert!(!raw.contains("Yılmaz"), "no plaintext in the webhook");

    let inbox = setup.path("hook-inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let package = inbox.join(format!("{reference}.age"));
    std::fs::write(
        &package,
        base64::engine::general_purpose::STANDARD
            .decode(body["package"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    std::fs::write(
        inbox.join(format!("{reference}.json")),
        body["metadata"].to_string(),
    )
    .unwrap();
    let opened = setup.office_open(&[package]);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    assert_eq!(
        setup.opened(&reference).0["values"]["given_names"],
        "Ayşe Nur"
    );
}

#[test]
fn a_wrong_webhook_secret_is_refused_and_the_application_waits() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::webhook(&receiver_state.path().join("hook"), WEBHOOK_SECRET);
    let setup = Setup::new(Some(webhook_transport(receiver.port)));
    let form_fn = setup.form_fn(&[(
        "BIELEFELD_WEBHOOK_SECRET",
        "a-secret-long-enough-but-not-the-office-one",
    )]);
    let reference = submit(&form_fn, &valid_application("de"));
    let marker = setup.wait_for_failed_attempt(&reference);
    assert!(
        marker["last_error"].as_str().unwrap().contains("HTTP 401"),
        "{marker}"
    );
    assert_eq!(receiver.count("webhook", "invalid"), 1);
    assert!(receiver.messages().is_empty());

    let (_, out, err) = setup.drain(&["--now"], &[]);
    assert!(out.contains("failed 1"), "{out}");
    assert!(
        err.contains("environment variable BIELEFELD_WEBHOOK_SECRET is not set"),
        "a missing secret is named, never shown: {err}"
    );
    let (_, out, err) = setup.drain(&["--now"], &[("BIELEFELD_WEBHOOK_SECRET", "short")]);
    assert!(out.contains("failed 1"), "{out}");
    assert!(
        err.contains("5 bytes are too few") && !err.contains("short"),
        "a weak secret is refused, never shown: {err}"
    );
    let (_, out, _) = setup.drain(&["--now"], &[("BIELEFELD_WEBHOOK_SECRET", WEBHOOK_SECRET)]);
    assert!(out.contains("delivered 1"), "{out}");
    assert_eq!(receiver.count("webhook", "accepted"), 1);
}

/// The sample's folder mailbox, fetched, opened and acknowledged by the office.
#[test]
fn the_office_fetches_opens_and_acknowledges_from_its_mailbox() {
    let setup = Setup::new(None);
    let form_fn = setup.form_fn(&[]);
    let references = [
        submit(&form_fn, &valid_application("de")),
        submit(&form_fn, &valid_application("en")),
    ];
    wait_for_empty_outbox(&setup.store);
    let mailbox = setup.path("mailboxes/bielefeld");
    let mailbox = mailbox.to_str().unwrap();
    let inbox = setup.path("inbox");
    let inbox_arg = inbox.to_str().unwrap();

    let fetched = office(&["fetch", "--from", mailbox, "--to", inbox_arg], &[]);
    let out = String::from_utf8_lossy(&fetched.stdout);
    assert!(fetched.status.success() && out.contains("2 new"), "{out}");
    let again = office(&["fetch", "--from", mailbox, "--to", inbox_arg], &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 new, 2 already here"));

    let packages: Vec<PathBuf> = references
        .iter()
        .map(|r| inbox.join(format!("{r}.age")))
        .collect();
    let opened = setup.office_open(&packages);
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    for reference in &references {
        assert_eq!(setup.opened(reference).0["values"]["family_name"], "Yılmaz");
    }
    let twice = setup.office_open(&packages[..1]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("was opened before"));

    let acked = office(
        &["ack", "--from", mailbox, &references[0], &references[1]],
        &[],
    );
    assert!(
        acked.status.success(),
        "{}",
        String::from_utf8_lossy(&acked.stderr)
    );
    let later = office(
        &[
            "fetch",
            "--from",
            mailbox,
            "--to",
            setup.path("inbox2").to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        String::from_utf8_lossy(&later.stdout).contains("0 new, 0 already here"),
        "acknowledged packages are not fetched again"
    );
    let unknown = office(&["ack", "--from", mailbox, "ZZZZ-ZZZZ-ZZZZ"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not in the mailbox"));
    drop(form_fn);
}

/// Another office's key, a changed byte, a file that is no identity: a
/// clear error each time, and nothing written.
#[test]
fn a_wrong_identity_or_a_changed_package_is_refused_and_nothing_is_written() {
    let setup = Setup::new(None);
    let form_fn = setup.form_fn(&[]);
    let reference = submit(&form_fn, &valid_application("de"));
    wait_for_empty_outbox(&setup.store);
    let mailbox = setup.path("mailboxes/bielefeld");
    let package = mailbox.join(format!("{reference}.age"));
    let out = setup.path("opened");
    let registry = setup.function.join("registry.json");
    let open_with = |identity: &str, package: &Path| {
        office(
            &[
                "open",
                "--identity",
                repo_root()
                    .join("tests/keys")
                    .join(identity)
                    .to_str()
                    .unwrap(),
                "--registry",
                registry.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                package.to_str().unwrap(),
            ],
            &[],
        )
    };

    let other = open_with("bonn.txt", &package);
    assert_eq!(other.status.code(), Some(1));
    let message = String::from_utf8_lossy(&other.stderr);
    assert!(
        message.contains("not encrypted to this identity"),
        "{message}"
    );
    assert!(message.contains("nothing was written"), "{message}");

    let changed_dir = setup.path("changed");
    std::fs::create_dir_all(&changed_dir).unwrap();
    let mut bytes = std::fs::read(&package).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let changed = changed_dir.join(format!("{reference}.age"));
    std::fs::write(&changed, &bytes).unwrap();
    let refused = open_with("bielefeld.txt", &changed);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("without its signed metadata"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    std::fs::copy(
        mailbox.join(format!("{reference}.json")),
        changed_dir.join(format!("{reference}.json")),
    )
    .unwrap();
    let refused = open_with("bielefeld.txt", &changed);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("does not match its metadata"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let not_identity = open_with("README.md", &package);
    assert_eq!(not_identity.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_identity.stderr).contains("is not an age identity file"));

    assert!(
        files_below(&out).is_empty() && !out.join(&reference).exists(),
        "nothing half-written: {:?}",
        files_below(&out)
    );
    let good = open_with("bielefeld.txt", &package);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    drop(form_fn);
}

/// An intake host that only accepts and queues (as the Lambda intake does)
/// needs no transport secret; a drain elsewhere, which has it, delivers.
#[test]
fn a_queue_only_intake_needs_no_secret_and_leaves_delivery_to_the_drain() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::webhook(&receiver_state.path().join("hook"), WEBHOOK_SECRET);
    let setup = Setup::new(Some(webhook_transport(receiver.port)));
    let delivering = setup.form_fn(&[]);
    assert!(
        delivering
            .logs()
            .contains("\"event\":\"transport_unusable\""),
        "a delivering server checks its transports at start: {}",
        delivering.logs()
    );
    drop(delivering);

    let intake = FormFn::start_with(
        setup.dir.path(),
        &setup.registry,
        setup.store.to_str().unwrap(),
        &[],
        &["--queue-only"],
    );
    assert!(
        !intake.logs().contains("transport_unusable"),
        "{}",
        intake.logs()
    );
    let reference = submit(&intake, &valid_application("de"));
    assert_eq!(setup.marker(&reference).expect("queued")["attempts"], 0);
    drop(intake);
    assert!(receiver.requests().is_empty(), "the intake sent nothing");

    let env = [("BIELEFELD_WEBHOOK_SECRET", WEBHOOK_SECRET)];
    let (code, out, err) = setup.drain(&[], &env);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("delivered 1, failed 0"), "{out}");
    assert_eq!(receiver.count("webhook", "accepted"), 1);
    assert!(setup.marker(&reference).is_none());
}

/// `{ aws_secret: … }`: form-fn reads the webhook's key from Secrets
/// Manager (the test stand-in, tests/aws/secrets_manager.py) with its own
/// credentials when delivery starts, signs with it, and never shows it.
#[test]
fn a_secret_from_aws_secrets_manager_signs_the_delivery() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::webhook(&receiver_state.path().join("hook"), WEBHOOK_SECRET);
    let mut transport = webhook_transport(receiver.port);
    transport["webhook"]["secret"] =
        serde_json::json!({"aws_secret": "einbuergerung/bielefeld/webhook"});
    let setup = Setup::new(Some(transport));
    // form-fn's signing key from Secrets Manager too, as the README's Go live has it.
    let mut registry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&setup.registry).unwrap()).unwrap();
    registry["signing"]["key"] = serde_json::json!({"aws_secret": "einbuergerung/signing-key"});
    std::fs::write(&setup.registry, registry.to_string()).unwrap();
    let secrets = setup.path("secrets.json");
    std::fs::write(
        &secrets,
        serde_json::json!({
            "einbuergerung/bielefeld/webhook": WEBHOOK_SECRET,
            "einbuergerung/signing-key": signing_key(),
        })
        .to_string(),
    )
    .unwrap();
    let log = setup.path("secrets-manager.log");
    let port = free_port();
    let script = repo_root().join("tests/aws/secrets_manager.py");
    let _manager = Stopped(
        std::process::Command::new("python3")
            .arg(&script)
            .args([
                &port.to_string(),
                "delivery-test",
                secrets.to_str().unwrap(),
            ])
            .arg(&log)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs the Secrets Manager stand-in"),
    );
    wait_until("the Secrets Manager stand-in listens", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let endpoint = format!("http://127.0.0.1:{port}");
    let env = [
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "delivery-test"),
        ("AWS_SECRET_ACCESS_KEY", "delivery-test-secret"),
        ("AWS_REGION", "eu-central-1"),
    ];
    let form_fn = setup.form_fn(&env);
    let reference = submit(&form_fn, &valid_application("de"));
    wait_until("delivered with the fetched key", || {
        receiver.count("webhook", "accepted") == 1
    });
    wait_until("the outbox marker is gone", || {
        setup.marker(&reference).is_none()
    });
    let requests = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        requests.lines().count(),
        2,
        "each read once, when delivery started: {requests}"
    );
    assert!(requests.contains("\"outcome\": \"found\""), "{requests}");
    assert!(!form_fn.logs().contains(WEBHOOK_SECRET));

    // A secret that cannot be read: named in the log, and the application waits.
    let other = Setup::new(Some({
        let mut t = webhook_transport(receiver.port);
        t["webhook"]["secret"] = serde_json::json!({"aws_secret": "einbuergerung/nobody"});
        t
    }));
    let (_, out, err) = other.drain(&["--now"], &env);
    assert!(out.contains("delivered 0"), "{out}");
    // (The same for form-fn's own signing key: without it nothing is sent.)
    assert!(
        err.contains("secret_unreadable") && err.contains("einbuergerung/nobody"),
        "{err}"
    );
}

/// A helper process, stopped when the test ends, however it ends.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `sendMessage` itself times out (not the report of a later attempt), and
/// the server that sent it keeps running: the application waits, the drain
/// delivers it once.
#[test]
fn a_send_that_times_out_is_tried_again_while_form_fn_keeps_running() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    receiver.misbehave("timeout", 1);
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let mut form_fn = setup.form_fn(&[]);
    let reference = submit(&form_fn, &valid_application("de"));
    let marker = setup.wait_for_failed_attempt(&reference);
    assert_eq!(receiver.count("sendMessage", "timeout"), 1);
    assert!(
        marker["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer in time"),
        "{marker}"
    );
    assert!(!form_fn.has_exited(), "form-fn keeps serving");
    let (_, out, err) = setup.drain(&["--now"], &[]);
    assert!(out.contains("delivered 1"), "{out}{err}");
    assert_eq!(sent_ids(&receiver, "accepted"), [message_id(&reference)]);
    assert_eq!(receiver.messages().len(), 1);
}

/// The XTA server has the message, but its transport report is red (a
/// critical error) or still open: neither counts as delivered. Red alerts at
/// once; nothing is sent twice; a green report ends it.
#[test]
fn a_red_or_open_transport_report_is_no_delivery() {
    let receiver_state = tempfile::tempdir().unwrap();
    let receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    receiver.misbehave("drop_after_accept", 1);
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let form_fn = setup.form_fn(&[]);
    let reference = submit(&form_fn, &valid_application("de"));
    setup.wait_for_failed_attempt(&reference);

    receiver.misbehave("report_red", 1);
    let (_, out, err) = setup.drain(&["--now"], &[]);
    assert!(
        out.contains("delivered 0") && out.contains("failed 1"),
        "{out}"
    );
    assert!(
        err.contains("\"event\":\"delivery_failed_at_receiver\""),
        "{err}"
    );
    let marker = setup.marker(&reference).expect("still pending");
    assert!(
        marker["last_error"].as_str().unwrap().contains("red"),
        "{marker}"
    );
    assert!(
        setup.store.join("alerts").join(&reference).is_file(),
        "the office and operators are alerted"
    );

    receiver.misbehave("report_open", 1);
    let (_, out, _) = setup.drain(&["--now"], &[]);
    assert!(out.contains("failed 1"), "{out}");
    assert!(
        setup.marker(&reference).unwrap()["last_error"]
            .as_str()
            .unwrap()
            .contains("still in transport")
    );

    let (_, out, _) = setup.drain(&["--now"], &[]);
    assert!(out.contains("delivered 1"), "{out}");
    assert!(
        sent_ids(&receiver, "accepted").is_empty(),
        "never sent twice"
    );
    assert_eq!(receiver.messages().len(), 1, "one copy at the office");
    assert!(setup.marker(&reference).is_none());
    assert!(!setup.store.join("alerts").join(&reference).exists());
}

/// A queued application whose sealed package is gone (lost in a power cut,
/// deleted by a retention rule too early) is alerted and kept: the citizen
/// may hold a receipt for it.
#[test]
fn a_queued_application_whose_package_is_gone_is_alerted_not_dropped() {
    let receiver_state = tempfile::tempdir().unwrap();
    let mut receiver = Receiver::xta2(&receiver_state.path().join("xta"));
    receiver.down();
    let setup = Setup::new(Some(xta2_transport(receiver.port)));
    let form_fn = setup.form_fn(&[]);
    let reference = submit(&form_fn, &valid_application("de"));
    setup.wait_for_failed_attempt(&reference);
    // Gone after it was durable: a journal not yet checkpointed would
    // bring it back.
    wait_for_checkpoint(&setup.store);
    drop(form_fn);
    for package in files_below(&setup.store.join("submissions")) {
        std::fs::remove_file(package).unwrap();
    }
    // Queued two hours ago.
    let marker_file = setup.store.join("outbox").join(&reference);
    let mut marker: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&marker_file).unwrap()).unwrap();
    let queued = marker["queued_at"].as_u64().unwrap() - 7200;
    marker["queued_at"] = queued.into();
    std::fs::write(&marker_file, marker.to_string()).unwrap();

    let (_, out, err) = setup.drain(&["--now"], &[]);
    assert!(out.contains("failed 1"), "{out}");
    assert!(err.contains("\"event\":\"package_missing\""), "{err}");
    assert!(marker_file.is_file(), "the marker stays");
    assert!(setup.store.join("alerts").join(&reference).is_file());
    let (_, _, err) = setup.drain(&["--now"], &[]);
    assert!(!err.contains("package_missing"), "alerted once: {err}");
    assert!(marker_file.is_file());
}
