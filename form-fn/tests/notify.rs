//! The office is told that an application arrived, with real parts: form-fn
//! as a process delivering to the sample's folder mailbox, a real SMTP
//! server on 127.0.0.1 (aiosmtpd, tests/smtp/server.py) that requires
//! STARTTLS with the test PKI's certificate and a login, and a small HTTP
//! server in this test for the webhook. Applications carry canary values:
//! none may reach a message, a webhook body or the log. A notification that
//! fails never holds up the delivery and arrives once its server is up.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use common::*;
use hmac::{Hmac, KeyInit, Mac};

const SUBMIT: &str = "/submit/bielefeld/einbuergerung";
const SMTP_USER: &str = "form-fn@einbuergerung.example";
const SMTP_PASSWORD: &str = "test-only smtp password";
const OFFICE: &str = "einbuergerung@bielefeld.example";
const HOOK_SECRET: &str = "0123456789abcdef-notify-secret-for-tests-only";
/// Values only the citizen typed: they must never leave the sealed package.
const CANARIES: [&str; 4] = [
    "Kanarienvogel",
    "Quendolyn",
    "Canaryville",
    "quendolyn.canary@example.org",
];

fn canary_application() -> Vec<(String, String)> {
    let fields = with(valid_application("de"), "family_name", CANARIES[0]);
    let fields = with(fields, "given_names", CANARIES[1]);
    let fields = with(fields, "birth_place", CANARIES[2]);
    with(fields, "email", CANARIES[3])
}

/// Any canary in `text`, with where it was.
fn assert_no_canary(text: &str, place: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "{canary} leaked into {place}");
    }
}

/// tests/smtp/server.py in the project's virtualenv: STARTTLS required,
/// login required, every message kept in `out`.
struct SmtpServer {
    child: Child,
    out: PathBuf,
}

impl SmtpServer {
    fn start(port: u16, out: &Path) -> Self {
        let python = repo_root().join("deploy/.venv/bin/python3");
        let child = Command::new(&python)
            .arg(repo_root().join("tests/smtp/server.py"))
            .args(["--port", &port.to_string()])
            .args([
                "--cert",
                &pki("server.pem"),
                "--key",
                &pki("server-key.pem"),
            ])
            .args(["--user", SMTP_USER, "--password", SMTP_PASSWORD, "--out"])
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("deploy/.venv has aiosmtpd (scripts/install-deps.sh test installs it)");
        let server = Self {
            child,
            out: out.to_path_buf(),
        };
        wait_until("the SMTP server listens", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        server
    }

    /// Every message it took: its record (envelope, login, decoded subject
    /// and text) and its raw bytes.
    fn messages(&self) -> Vec<(serde_json::Value, String)> {
        files_below(&self.out)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|record| {
                let raw = std::fs::read(record.with_extension("eml")).expect("raw message");
                (
                    serde_json::from_slice(&std::fs::read(&record).expect("record"))
                        .expect("record JSON"),
                    String::from_utf8_lossy(&raw).into_owned(),
                )
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request the test webhook received: its head and body.
#[derive(Debug, Clone)]
struct Hooked {
    head: String,
    body: Vec<u8>,
}

impl Hooked {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// A small HTTP server on 127.0.0.1: answers with `statuses` in turn (the
/// last one from then on) and keeps every request.
fn hook_server(statuses: Vec<u16>) -> (u16, Arc<Mutex<Vec<Hooked>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    std::thread::spawn(move || {
        for (index, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            while reader.read_line(&mut head).is_ok_and(|n| n > 2) {}
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            kept.lock().expect("lock").push(Hooked { head, body });
            let status = statuses[index.min(statuses.len() - 1)];
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (port, seen)
}

struct Setup {
    dir: tempfile::TempDir,
    registry: PathBuf,
    store: PathBuf,
}

impl Setup {
    /// The sample site (Bielefeld delivers to its folder mailbox) with
    /// Bielefeld's `notify` set to `notify`.
    fn new(notify: serde_json::Value) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let function = build_site(dir.path());
        let registry = set_notify(&function, "bielefeld", notify);
        let store = dir.path().join("store");
        std::fs::write(
            dir.path().join("smtp-password"),
            format!("{SMTP_PASSWORD}\n"),
        )
        .unwrap();
        Self {
            dir,
            registry,
            store,
        }
    }

    fn form_fn(&self) -> FormFn {
        FormFn::start_with(
            self.dir.path(),
            &self.registry,
            self.store.to_str().unwrap(),
            &self.env(),
            &["--drain-every", "0"],
        )
    }

    fn env(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("NOTIFY_SMTP_USER", SMTP_USER),
            ("NOTIFY_HOOK_SECRET", HOOK_SECRET),
        ]
    }

    fn drain_now(&self) -> String {
        let (code, out, err) = drain_with_env(
            self.dir.path(),
            &self.registry,
            self.store.to_str().unwrap(),
            &["--now"],
            &self.env(),
        );
        assert_eq!(code, 0, "{out}{err}");
        assert_no_canary(&err, "the drain's log");
        out
    }

    /// The notification marker of `reference`, while one is queued.
    fn marker(&self, reference: &str) -> Option<serde_json::Value> {
        std::fs::read(self.store.join("notify").join(reference))
            .ok()
            .map(|bytes| serde_json::from_slice(&bytes).expect("marker JSON"))
    }

    fn in_mailbox(&self, reference: &str) -> bool {
        let mailbox = self.dir.path().join("mailboxes/bielefeld");
        mailbox.join(format!("{reference}.age")).is_file()
            && mailbox.join(format!("{reference}.json")).is_file()
    }

    fn submit(&self, form_fn: &FormFn) -> String {
        let response = post_form(&form_fn.addr, SUBMIT, &canary_application(), &[]);
        assert_eq!(response.status, 303, "{}", response.body);
        response
            .header("Location")
            .and_then(|l| l.split("ref=").nth(1))
            .expect("reference")
            .to_owned()
    }
}

fn email_notify(port: u16) -> serde_json::Value {
    serde_json::json!({"email": {
        "to": [OFFICE],
        "from": "antraege@einbuergerung.example",
        "smtp": {
            "host": "127.0.0.1",
            "port": port,
            "username": {"env": "NOTIFY_SMTP_USER"},
            "password": {"file": "smtp-password"},
            "server_ca": {"file": pki("ca.pem")},
            "timeout_seconds": 5,
        },
    }})
}

#[test]
fn an_email_tells_the_office_over_starttls_and_carries_no_value_from_the_application() {
    let port = free_port();
    let setup = Setup::new(email_notify(port));
    let smtp = SmtpServer::start(port, &setup.dir.path().join("smtp"));
    let form_fn = setup.form_fn();
    assert!(
        form_fn.logs().contains(&format!(
            "notifications: bielefeld: e-mail to {OFFICE} (SMTP 127.0.0.1:{port})"
        )),
        "form-fn says at start where notifications go: {}",
        form_fn.logs()
    );
    let reference = setup.submit(&form_fn);
    wait_for_empty_outbox(&setup.store);
    assert!(setup.in_mailbox(&reference), "delivered");
    wait_until("the notification was sent", || {
        setup.marker(&reference).is_none() && !smtp.messages().is_empty()
    });

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "exactly one message: {messages:?}");
    let (record, raw) = &messages[0];
    assert_eq!(record["rcpt_tos"], serde_json::json!([OFFICE]));
    assert_eq!(record["mail_from"], "antraege@einbuergerung.example");
    assert_eq!(record["login"], SMTP_USER, "logged in with the account");
    assert_eq!(record["encrypted"], true, "sent only after STARTTLS");
    assert_eq!(record["auto_submitted"], "auto-generated");
    let subject = record["subject"].as_str().unwrap();
    assert_eq!(
        subject,
        format!("Neuer Einbürgerungsantrag {reference} – Bielefeld")
    );
    let text = record["text"].as_str().unwrap();
    for expected in [
        format!("Referenz:     {reference}"),
        "Kommune:      Bielefeld (bielefeld, AGS 05711000)".to_owned(),
        "Eingegangen:  ".to_owned(),
        "office fetch --from mailboxes/bielefeld --to eingang".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected:?} missing in:\n{text}");
    }
    assert_no_canary(raw, "the raw message");
    assert_no_canary(text, "the message text");
    assert_no_canary(&form_fn.logs(), "form-fn's log");
    assert!(form_fn.logs().contains("\"event\":\"notified\""));
}

#[test]
fn a_failing_smtp_server_does_not_stop_delivery_and_the_email_arrives_once_it_is_up() {
    let smtp_port = free_port();
    let (hook_port, hooked) = hook_server(vec![204]);
    let mut notify = email_notify(smtp_port);
    notify["webhook"] = serde_json::json!({
        "url": format!("http://127.0.0.1:{hook_port}/neu"),
    });
    let setup = Setup::new(notify);
    let form_fn = setup.form_fn();
    let reference = setup.submit(&form_fn);
    wait_for_empty_outbox(&setup.store);
    assert!(
        setup.in_mailbox(&reference),
        "delivered although nobody can be told"
    );
    wait_until("a failed notification", || {
        setup
            .marker(&reference)
            .is_some_and(|m| m["last_error"].is_string())
    });
    let marker = setup.marker(&reference).unwrap();
    assert_eq!(marker["attempts"], 1);
    assert_eq!(marker["email_sent"], false);
    assert_eq!(marker["webhook_sent"], true, "the webhook got it at once");
    let error = marker["last_error"].as_str().unwrap();
    assert!(error.starts_with("e-mail: "), "{error}");
    assert_no_canary(&marker.to_string(), "the notification marker");
    let logs = form_fn.logs();
    assert!(
        logs.contains("\"event\":\"notification_failed\"") && logs.contains(&reference),
        "{logs}"
    );
    assert_no_canary(&logs, "form-fn's log");

    let smtp = SmtpServer::start(smtp_port, &setup.dir.path().join("smtp"));
    let out = setup.drain_now();
    assert!(out.contains("offices notified 1"), "{out}");
    assert_eq!(setup.marker(&reference), None, "done with it");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].0["subject"]
            .as_str()
            .unwrap()
            .contains(&reference)
    );
    assert_eq!(
        hooked.lock().unwrap().len(),
        1,
        "the webhook is not told twice"
    );

    let out = setup.drain_now();
    assert!(!out.contains("offices notified"), "nothing left: {out}");
    assert_eq!(smtp.messages().len(), 1);
}

#[test]
fn a_webhook_gets_reference_times_and_municipality_signed_and_retried() {
    let (port, hooked) = hook_server(vec![503, 204]);
    let setup = Setup::new(serde_json::json!({"webhook": {
        "url": format!("http://127.0.0.1:{port}/neu"),
        "secret": {"env": "NOTIFY_HOOK_SECRET"},
    }}));
    let form_fn = setup.form_fn();
    let reference = setup.submit(&form_fn);
    wait_for_empty_outbox(&setup.store);
    assert!(setup.in_mailbox(&reference));
    wait_until("a refused notification", || {
        setup
            .marker(&reference)
            .is_some_and(|m| m["last_error"].is_string())
    });
    assert!(
        setup.marker(&reference).unwrap()["last_error"]
            .as_str()
            .unwrap()
            .contains("HTTP 503")
    );
    let out = setup.drain_now();
    assert!(out.contains("offices notified 1"), "{out}");
    assert_eq!(setup.marker(&reference), None);

    let seen = hooked.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "refused once, then accepted");
    let body: serde_json::Value = serde_json::from_slice(&seen[1].body).unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ags",
            "delivered_at",
            "municipality",
            "received_at",
            "reference"
        ]
    );
    assert_eq!(body["reference"], reference.as_str());
    assert_eq!(body["municipality"], "bielefeld");
    assert_eq!(body["ags"], "05711000");
    assert!(body["delivered_at"].as_str().unwrap() >= body["received_at"].as_str().unwrap());
    assert_no_canary(&String::from_utf8_lossy(&seen[1].body), "the webhook body");
    assert_eq!(
        seen[0].header("Idempotency-Key"),
        seen[1].header("Idempotency-Key"),
        "one key for every attempt"
    );
    let timestamp = seen[1].header("callback-timestamp").expect("signed");
    let mut mac = <Hmac<sha2::Sha512> as KeyInit>::new_from_slice(HOOK_SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&seen[1].body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(seen[1].header("callback-authentication"), Some(expected));
}

/// A helper process, stopped when the test ends, however it ends.
struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The SMTP password as the README's Go live has it: a secret in AWS
/// Secrets Manager (the stand-in on 127.0.0.1), read like the transports'.
#[test]
fn the_smtp_password_comes_from_aws_secrets_manager_like_the_other_secrets() {
    let smtp_port = free_port();
    let mut notify = email_notify(smtp_port);
    notify["email"]["smtp"]["password"] =
        serde_json::json!({"aws_secret": "einbuergerung/bielefeld/smtp"});
    let setup = Setup::new(notify);
    let secrets = setup.dir.path().join("secrets.json");
    std::fs::write(
        &secrets,
        serde_json::json!({"einbuergerung/bielefeld/smtp": SMTP_PASSWORD}).to_string(),
    )
    .unwrap();
    let log = setup.dir.path().join("secrets-manager.log");
    let port = free_port();
    let _manager = Stopped(
        Command::new("python3")
            .arg(repo_root().join("tests/aws/secrets_manager.py"))
            .args([&port.to_string(), "notify-test", secrets.to_str().unwrap()])
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the Secrets Manager stand-in"),
    );
    wait_until("the Secrets Manager stand-in listens", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let smtp = SmtpServer::start(smtp_port, &setup.dir.path().join("smtp"));
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut env = setup.env();
    env.extend([
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "notify-test"),
        ("AWS_SECRET_ACCESS_KEY", "notify-test-secret"),
        ("AWS_REGION", "eu-central-1"),
    ]);
    let form_fn = FormFn::start_with(
        setup.dir.path(),
        &setup.registry,
        setup.store.to_str().unwrap(),
        &env,
        &["--drain-every", "0"],
    );
    let reference = setup.submit(&form_fn);
    wait_until("the notification was sent", || {
        setup.marker(&reference).is_none() && !smtp.messages().is_empty()
    });
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].0["login"], SMTP_USER,
        "the password from the secret worked"
    );
    let requests = std::fs::read_to_string(&log).unwrap();
    assert!(
        requests.contains("einbuergerung/bielefeld/smtp")
            && requests.contains("\"outcome\": \"found\""),
        "{requests}"
    );
    assert!(!form_fn.logs().contains(SMTP_PASSWORD), "never logged");
}
