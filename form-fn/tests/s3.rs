//! form-fn against a real S3-compatible server on loopback (s3s-fs, which
//! checks SigV4 signatures): the same code path as AWS S3 in production.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const KEY: &str = "form-fn-test";
const SECRET: &str = "form-fn-test-secret";

struct S3sFs {
    child: Child,
    port: u16,
}

impl Drop for S3sFs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_s3s_fs(root: &std::path::Path) -> S3sFs {
    let port = free_port();
    let child = Command::new("s3s-fs")
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            KEY,
            "--secret-key",
            SECRET,
        ])
        .arg(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("s3s-fs is installed (scripts/install-deps.sh runs cargo install s3s-fs)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "s3s-fs did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    S3sFs { child, port }
}

#[test]
fn applications_land_encrypted_in_the_bucket_and_an_outage_is_503() {
    let dir = tempfile::tempdir().unwrap();
    let public = build_site(dir.path());
    let root = dir.path().join("s3");
    std::fs::create_dir_all(root.join("applications")).unwrap();
    let s3 = start_s3s_fs(&root);
    let endpoint = format!("http://127.0.0.1:{}", s3.port);
    let env = [
        ("AWS_ACCESS_KEY_ID", KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", "eu-central-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
    ];
    let form_fn = FormFn::start(
        dir.path(),
        &public.join("_registry.json"),
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

    let wrong_keys = [
        ("AWS_ACCESS_KEY_ID", KEY),
        ("AWS_SECRET_ACCESS_KEY", "wrong"),
        ("AWS_REGION", "eu-central-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
    ];
    let unsigned = FormFn::start(
        dir.path(),
        &public.join("_registry.json"),
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
