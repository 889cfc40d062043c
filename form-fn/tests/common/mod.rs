//! Helpers for form-fn's tests: a sample site built by site-gen, form-fn
//! started as a real process on 127.0.0.1, a tiny HTTP client, and the
//! Debian `age` CLI to open what was stored.
#![allow(dead_code)] // each test binary uses only some helpers

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The sample site's form-fn signing key (test only), as form-fn reads it
/// from `FORM_FN_SIGNING_KEY`.
pub fn signing_key() -> String {
    std::fs::read_to_string(repo_root().join("tests/keys/form-fn-signing.txt"))
        .expect("tests/keys/form-fn-signing.txt")
}

/// Builds the repository's sample site with the form online; returns
/// form-fn's folder (`registry.json`, `shells/`).
pub fn build_site(dir: &Path) -> PathBuf {
    let mut options = site_gen::BuildOptions::new(repo_root(), dir.join("public"));
    options.form_endpoint = Some(
        "http://127.0.0.1:8081"
            .to_owned()
            .try_into()
            .expect("endpoint"),
    );
    site_gen::build(&options).expect("sample site builds");
    options.function_out
}

pub struct FormFn {
    child: Child,
    pub addr: String,
    pub log: PathBuf,
}

impl FormFn {
    /// Starts `form-fn serve` on a free port, working in `dir` (where the
    /// sample municipalities' folder mailboxes are); logs go to `dir/form-fn-<n>.log`.
    pub fn start(dir: &Path, registry: &Path, store: &str, env: &[(&str, &str)]) -> Self {
        Self::start_with(dir, registry, store, env, &[])
    }

    /// As [`FormFn::start`], with more arguments for `serve`.
    pub fn start_with(
        dir: &Path,
        registry: &Path,
        store: &str,
        env: &[(&str, &str)],
        extra: &[&str],
    ) -> Self {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let log = dir.join(format!(
            "form-fn-{}.log",
            STARTED.fetch_add(1, Ordering::SeqCst)
        ));
        let file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_form-fn"))
            .env("FORM_FN_SIGNING_KEY", signing_key())
            .args(["serve", "--listen", "127.0.0.1:0", "--registry"])
            .arg(registry)
            .args(["--store", store])
            .args(extra)
            .current_dir(dir)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("form-fn starts");
        // Owned before waiting, so that a failed start still kills the process.
        let mut started = Self {
            child,
            addr: String::new(),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = started.logs();
            if let Some(rest) = text.split("listening on http://").nth(1) {
                started.addr = rest.split('/').next().unwrap_or_default().to_owned();
                return started;
            }
            assert!(Instant::now() < deadline, "form-fn did not start:\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The process id (to send it a signal).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has ended.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Waits (up to 30 s) for the process to end; the signal that ended
    /// it, if one did.
    pub fn wait_for_end(&mut self) -> Option<i32> {
        use std::os::unix::process::ExitStatusExt;
        wait_until("form-fn ended", || self.has_exited());
        self.child.wait().ok().and_then(|status| status.signal())
    }
}

impl Drop for FormFn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a fresh connection to 127.0.0.1.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to form-fn");
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send head");
    // The server may answer (413) before reading a large body.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

pub fn post_form(
    addr: &str,
    path: &str,
    fields: &[(String, String)],
    extra: &[(&str, &str)],
) -> Response {
    let body = serde_urlencoded::to_string(fields).expect("encode");
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    headers.extend_from_slice(extra);
    request(addr, "POST", path, &headers, body.as_bytes())
}

/// POSTs text fields and files as multipart/form-data.
pub fn post_multipart(
    addr: &str,
    path: &str,
    fields: &[(String, String)],
    files: &[(&str, &str, &[u8])],
) -> Response {
    let (content_type, body) = multipart(fields, files);
    request(
        addr,
        "POST",
        path,
        &[("Content-Type", &content_type)],
        &body,
    )
}

/// A multipart body with text fields and files: (content type, body).
pub fn multipart(fields: &[(String, String)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----form-fn-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A complete, valid application for an adult Turkish citizen.
pub fn valid_application(lang: &str) -> Vec<(String, String)> {
    [
        ("lang", lang),
        ("family_name", "Yılmaz"),
        ("given_names", "Ayşe Nur"),
        ("birth_date", "1990-05-17"),
        ("birth_place", "İzmir"),
        ("birth_country", "TR"),
        ("sex", "female"),
        ("nationalities.0.country", "TR"),
        ("id_document", "passport"),
        ("id_document_number", "U12345678"),
        ("id_document_country", "TR"),
        ("id_document_valid_until", "2031-04-30"),
        ("street", "Niederwall 1"),
        ("postcode", "33602"),
        ("city", "Bielefeld"),
        ("email", "ayse@example.org"),
        ("resident_since", "2015-03-01"),
        ("permit", "settlement_permit"),
        ("permit_basis", "§ 9 AufenthG"),
        ("long_stays_abroad", "no"),
        ("marital_status", "married"),
        ("marriage_date", "2012-06-15"),
        ("spouse_name", "Mehmet Yılmaz"),
        ("spouse_nationality", "TR"),
        ("spouse_applies", "yes"),
        ("children.0.given_names", "Elif"),
        ("children.0.family_name", "Yılmaz"),
        ("children.0.birth_date", "2016-09-01"),
        ("children.0.birth_place", "Bielefeld"),
        ("children.0.nationality", "TR"),
        ("german_proof", "certificate"),
        ("test_proof", "test_certificate"),
        ("livelihood", "employed"),
        ("benefits", "no"),
        ("convicted", "no"),
        ("proceedings_pending", "no"),
        ("fdgo_declaration", "yes"),
        ("responsibility_declaration", "yes"),
        ("truthful", "yes"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

pub fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_owned(), value.to_owned()));
    fields
}

/// Every file below `dir`.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_below(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Waits (up to 30 s) until form-fn delivered everything in `store`'s outbox.
pub fn wait_for_empty_outbox(store: &Path) {
    wait_until("every application delivered (outbox empty)", || {
        files_below(&store.join("outbox")).is_empty()
    });
}

/// Waits (up to 30 s) until a folder store's journal is checkpointed: what
/// form-fn stored is durable by name, and a restart replays nothing.
pub fn wait_for_checkpoint(store: &Path) {
    wait_until("the store's journal checkpointed", || {
        files_below(&store.join(".journal")).is_empty()
    });
}

/// Opens a stored submission with the Debian `age` CLI and the test identity.
pub fn decrypt(slug: &str, file: &Path) -> serde_json::Value {
    let identity = repo_root().join("tests/keys").join(format!("{slug}.txt"));
    let output = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&identity)
        .arg(file)
        .output()
        .expect("the age CLI is installed (scripts/install-deps.sh)");
    assert!(
        output.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the plaintext is JSON")
}

pub use test_support::{free_port, wait_until};

/// Replaces `slug`'s transport in the `registry.json` of a built site.
pub fn set_transport(function: &Path, slug: &str, transport: serde_json::Value) -> PathBuf {
    let path = function.join("registry.json");
    let mut registry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("registry")).expect("registry JSON");
    registry["municipalities"][slug]["transport"] = transport;
    std::fs::write(&path, serde_json::to_vec_pretty(&registry).expect("JSON")).expect("write");
    path
}

/// Sets `slug`'s `notify` in the `registry.json` of a built site.
pub fn set_notify(function: &Path, slug: &str, notify: serde_json::Value) -> PathBuf {
    let path = function.join("registry.json");
    let mut registry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("registry")).expect("registry JSON");
    registry["municipalities"][slug]["notify"] = notify;
    std::fs::write(&path, serde_json::to_vec_pretty(&registry).expect("JSON")).expect("write");
    path
}

/// The test PKI (tests/pki): CA, form-fn's client identity.
pub fn pki(name: &str) -> String {
    repo_root()
        .join("tests/pki")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// XTA 2 settings pointing at a test receiver on `port`.
pub fn xta2_transport(port: u16) -> serde_json::Value {
    serde_json::json!({"xta2": {
        "send_url": format!("https://127.0.0.1:{port}/xta/send"),
        "management_url": format!("https://127.0.0.1:{port}/xta/management"),
        "client_identity": {"file": pki("client-identity.pem")},
        "server_ca": {"file": pki("ca.pem")},
        "author_prefix": "ekit",
        "reader_prefix": "sta",
        "service": "urn:de:example:einbuergerung:antrag",
        "timeout_seconds": 2,
    }})
}

/// The test double of the office's XTA 2 server or webhook intake
/// (tests/xta2/receiver.py), a separate process with its own TLS stack.
pub struct Receiver {
    child: Option<Child>,
    pub port: u16,
    pub state: PathBuf,
    args: Vec<String>,
}

impl Receiver {
    /// XTA 2: requires form-fn's client certificate.
    pub fn xta2(state: &Path) -> Self {
        Self::start(
            state,
            free_port(),
            vec!["--client-ca".to_owned(), pki("ca.pem")],
        )
    }

    /// A webhook intake that checks signatures made with `secret`.
    pub fn webhook(state: &Path, secret: &str) -> Self {
        Self::start(
            state,
            free_port(),
            vec!["--webhook-secret".to_owned(), secret.to_owned()],
        )
    }

    fn start(state: &Path, port: u16, args: Vec<String>) -> Self {
        let mut receiver = Self {
            child: None,
            port,
            state: state.to_path_buf(),
            args,
        };
        receiver.up();
        receiver
    }

    /// Starts the process (again, on the same port, with what it recorded).
    pub fn up(&mut self) {
        assert!(self.child.is_none(), "receiver already running");
        let log = std::fs::File::create(self.state.with_extension("log")).expect("log");
        let child = Command::new("python3")
            .arg(repo_root().join("tests/xta2/receiver.py"))
            .args(["--port", &self.port.to_string(), "--state"])
            .arg(&self.state)
            .args([
                "--cert",
                &pki("server.pem"),
                "--key",
                &pki("server-key.pem"),
            ])
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("python3 runs the test receiver");
        self.child = Some(child);
        let port = self.port;
        wait_until("the receiver listens", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }

    /// Stops the process: the office's server is down.
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The next `times` requests get `behaviour` (fail, timeout, drop_after_accept).
    pub fn misbehave(&self, behaviour: &str, times: u32) {
        std::fs::create_dir_all(&self.state).expect("state");
        std::fs::write(
            self.state.join("control.json"),
            serde_json::json!({"behaviour": behaviour, "times": times}).to_string(),
        )
        .expect("control file");
    }

    /// Every request it saw: op, message_id, outcome, detail.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.state.join("requests.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("receiver log line"))
            .collect()
    }

    /// How often it saw `op` with `outcome`.
    pub fn count(&self, op: &str, outcome: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["op"] == op && r["outcome"] == outcome)
            .count()
    }

    /// The requests it accepted and kept, as files (`.xml`, or `.json` for webhooks).
    pub fn messages(&self) -> Vec<PathBuf> {
        files_below(&self.state.join("messages"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "xml" || e == "json"))
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.down();
    }
}

/// The message ids of `sendMessage` requests the receiver logged with `outcome`.
pub fn sent_ids(receiver: &Receiver, outcome: &str) -> Vec<String> {
    receiver
        .requests()
        .iter()
        .filter(|r| r["op"] == "sendMessage" && r["outcome"] == outcome)
        .map(|r| r["message_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `form-fn drain` once, in `dir`: (exit code, stdout, stderr).
pub fn drain(dir: &Path, registry: &Path, store: &str, extra: &[&str]) -> (i32, String, String) {
    drain_with_env(dir, registry, store, extra, &[])
}

pub fn drain_with_env(
    dir: &Path,
    registry: &Path,
    store: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_form-fn"))
        .env("FORM_FN_SIGNING_KEY", signing_key())
        .arg("drain")
        .arg("--registry")
        .arg(registry)
        .args(["--store", store])
        .args(extra)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("form-fn drain runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `office` CLI, built beside form-fn by `cargo test --workspace`.
pub fn office(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let binary = Path::new(env!("CARGO_BIN_EXE_form-fn")).with_file_name("office");
    assert!(
        binary.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (make test does)",
        binary.display()
    );
    Command::new(binary)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("office runs")
}

/// The outbox marker of `reference` in a folder store, if still there.
pub fn marker(store: &Path, reference: &str) -> Option<serde_json::Value> {
    std::fs::read(store.join("outbox").join(reference))
        .ok()
        .map(|bytes| serde_json::from_slice(&bytes).expect("marker JSON"))
}
