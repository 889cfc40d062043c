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

/// Builds the repository's sample site with the form online; returns the
/// folder holding `_registry.json`.
pub fn build_site(dir: &Path) -> PathBuf {
    let out = dir.join("public");
    site_gen::build(&site_gen::BuildOptions {
        root: repo_root(),
        out: out.clone(),
        base_url: None,
        form_endpoint: Some(
            "http://127.0.0.1:8081"
                .to_owned()
                .try_into()
                .expect("endpoint"),
        ),
    })
    .expect("sample site builds");
    out
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
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let log = dir.join(format!(
            "form-fn-{}.log",
            STARTED.fetch_add(1, Ordering::SeqCst)
        ));
        let file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_form-fn"))
            .args(["serve", "--listen", "127.0.0.1:0", "--registry"])
            .arg(registry)
            .args(["--store", store])
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
        ("nationalities.0.since", "1990-05-17"),
        ("street", "Niederwall 1"),
        ("postcode", "33602"),
        ("city", "Bielefeld"),
        ("email", "ayse@example.org"),
        ("resident_since", "2015-03-01"),
        ("permit", "settlement_permit"),
        ("marital_status", "married"),
        ("spouse_name", "Mehmet Yılmaz"),
        ("children.0.given_names", "Elif"),
        ("children.0.family_name", "Yılmaz"),
        ("children.0.birth_date", "2016-09-01"),
        ("german_proof", "certificate"),
        ("test_proof", "test_certificate"),
        ("livelihood", "employed"),
        ("benefits", "no"),
        ("convicted", "no"),
        ("proceedings_pending", "no"),
        ("fdgo_declaration", "yes"),
        ("responsibility_declaration", "yes"),
        ("truthful", "yes"),
        ("privacy_notice", "yes"),
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
    let deadline = Instant::now() + Duration::from_secs(30);
    while !files_below(&store.join("outbox")).is_empty() {
        assert!(
            Instant::now() < deadline,
            "still waiting for delivery: {:?}",
            files_below(&store.join("outbox"))
        );
        std::thread::sleep(Duration::from_millis(20));
    }
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
