//! `site-gen deploy` against a real S3-compatible server on loopback
//! (s3s-fs, which checks SigV4 signatures): only what changed is uploaded,
//! nothing outside the prefix is touched, `--dry-run` changes nothing, an
//! interrupted deploy converges, and bad credentials, a missing bucket or a
//! dead endpoint get one clear line and change nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::Tree;
use test_support::{S3_SECRET, S3sFs, wait_until};

/// A sample site, an s3s-fs serving `<dir>/s3`, and the bucket `site`.
struct Setup {
    tree: Tree,
    s3: S3sFs,
    buckets: PathBuf,
}

impl Setup {
    fn new() -> Self {
        let tree = Tree::sample(&["bielefeld", "koeln"]);
        tree.build().expect("sample site builds");
        let buckets = tree.path("s3");
        std::fs::create_dir_all(buckets.join("site")).unwrap();
        let s3 = S3sFs::start(&buckets);
        Self { tree, s3, buckets }
    }

    /// `site-gen deploy --from <out> --to <to> …` with working credentials.
    fn deploy(&self, to: &str, extra: &[&str]) -> Output {
        self.deploy_as(to, extra, S3_SECRET, &self.s3.endpoint())
    }

    fn deploy_as(&self, to: &str, extra: &[&str], secret: &str, endpoint: &str) -> Output {
        self.command(to, extra, secret, endpoint)
            .output()
            .expect("site-gen runs")
    }

    fn command(&self, to: &str, extra: &[&str], secret: &str, endpoint: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_site-gen"));
        command
            .arg("deploy")
            .arg("--from")
            .arg(self.tree.out())
            .args(["--to", to, "--endpoint", endpoint, "--path-style"])
            .args(extra)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ACCESS_KEY_ID", test_support::S3_KEY)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_REGION", "eu-central-1");
        command
    }

    /// Deploys with `--format json`; returns the counts.
    fn deploy_json(&self, to: &str, extra: &[&str]) -> Counts {
        let output = self.deploy(to, &[&["--format", "json"], extra].concat());
        assert!(output.status.success(), "{}", text(&output.stderr));
        let stdout = text(&output.stdout);
        assert_eq!(
            stdout.lines().count(),
            1,
            "exactly one JSON object: {stdout}"
        );
        serde_json::from_str(&stdout).expect("JSON")
    }

    /// An S3 client of the test's own, with the server's keys.
    fn client(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("eu-central-1"))
            .credentials_provider(aws_sdk_s3::config::Credentials::new(
                test_support::S3_KEY,
                S3_SECRET,
                None,
                None,
                "test",
            ))
            .endpoint_url(self.s3.endpoint())
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// Every object of `bucket` as it is stored: key → content.
    fn objects(&self, bucket: &str) -> BTreeMap<String, Vec<u8>> {
        files(&self.buckets.join(bucket))
    }
}

#[derive(Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Counts {
    uploaded: usize,
    unchanged: usize,
    deleted: usize,
    bytes_uploaded: u64,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file below `dir` (s3s-fs's own sidecar files excluded): relative path → content.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .into_owned();
            let hidden = relative.split('/').any(|part| part.starts_with('.'));
            (!hidden).then(|| (relative, std::fs::read(e.path()).unwrap_or_default()))
        })
        .collect()
}

/// The published files of the build (its manifest excluded).
fn site_files(tree: &Tree) -> BTreeMap<String, Vec<u8>> {
    files(&tree.out())
}

/// What `prefix/…` holds in the bucket, with the prefix taken off.
fn under(objects: &BTreeMap<String, Vec<u8>>, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    objects
        .iter()
        .filter_map(|(key, bytes)| Some((key.strip_prefix(prefix)?.to_owned(), bytes.clone())))
        .collect()
}

/// Keys the dry run would upload.
fn would_upload(output: &Output) -> Vec<String> {
    text(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("would upload "))
        .map(|rest| rest.split(' ').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn only_what_changed_is_uploaded_and_nothing_outside_the_prefix_is_touched() {
    let s = Setup::new();
    s.tree.write("s3/site/other/keep.txt", "not ours");
    s.tree.write("s3/site/nrw-old/keep.txt", "not ours either");
    let local = site_files(&s.tree);

    let first = s.deploy_json("s3://site/nrw", &[]);
    assert_eq!(
        first.uploaded,
        local.len(),
        "the first deploy uploads every file"
    );
    assert_eq!((first.unchanged, first.deleted), (0, 0));
    assert_eq!(
        first.bytes_uploaded,
        local.values().map(|b| b.len() as u64).sum::<u64>()
    );
    assert_eq!(
        under(&s.objects("site"), "nrw/"),
        local,
        "the bucket holds the build"
    );

    let second = s.deploy_json("s3://site/nrw", &[]);
    assert_eq!(
        second,
        Counts {
            uploaded: 0,
            unchanged: local.len(),
            deleted: 0,
            bytes_uploaded: 0
        }
    );

    // One block edited: exactly the pages whose bytes changed go up.
    s.tree.edit(
        "content/de/kosten.md",
        "255 Euro",
        "255 Euro (Stand: geprüft)",
    );
    s.tree.build().unwrap();
    let edited = site_files(&s.tree);
    let changed: Vec<String> = edited
        .iter()
        .filter(|(path, bytes)| local.get(*path) != Some(bytes))
        .map(|(path, _)| format!("nrw/{path}"))
        .collect();
    assert!(
        !changed.is_empty() && changed.iter().all(|k| k.ends_with("/de/index.html")),
        "the German service pages changed: {changed:?}"
    );
    let before = s.objects("site");
    let dry = s.deploy("s3://site/nrw", &["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert_eq!(
        would_upload(&dry),
        changed,
        "the dry run lists what would change"
    );
    assert_eq!(s.objects("site"), before, "and changes nothing");
    let third = s.deploy_json("s3://site/nrw", &[]);
    assert_eq!(third.uploaded, changed.len());
    assert_eq!(third.unchanged, edited.len() - changed.len());
    assert_eq!(under(&s.objects("site"), "nrw/"), edited);

    // A municipality leaves: without --delete its pages stay, with it they go,
    // and nothing outside the prefix is touched.
    s.tree.remove("municipalities/koeln.yaml");
    s.tree.build().unwrap();
    let smaller = site_files(&s.tree);
    let kept = s.deploy_json("s3://site/nrw", &[]);
    assert_eq!(kept.deleted, 0);
    assert!(s.objects("site").contains_key("nrw/koeln/de/index.html"));
    let gone = edited.keys().filter(|k| !smaller.contains_key(*k)).count();
    assert!(gone > 0);
    let deleted = s.deploy_json("s3://site/nrw", &["--delete"]);
    assert_eq!(deleted.deleted, gone);
    let objects = s.objects("site");
    assert_eq!(under(&objects, "nrw/"), smaller);
    assert_eq!(objects["other/keep.txt"], b"not ours");
    assert_eq!(objects["nrw-old/keep.txt"], b"not ours either");
}

#[test]
fn objects_carry_their_hash_type_and_caching() {
    let s = Setup::new();
    s.deploy_json("s3://site", &[]);
    let page = std::fs::read_to_string(s.tree.out().join("bielefeld/de/index.html")).unwrap();
    let css = page
        .split("href=\"/assets/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = s.client();
    let head = |key: &str| {
        runtime
            .block_on(client.head_object().bucket("site").key(key).send())
            .unwrap_or_else(|e| panic!("{key}: {e}"))
    };
    let html = head("bielefeld/de/index.html");
    assert_eq!(html.content_type(), Some("text/html; charset=utf-8"));
    assert_eq!(html.cache_control(), Some("public, max-age=300"));
    assert_eq!(
        html.metadata()
            .and_then(|m| m.get("sha256"))
            .map(String::as_str),
        Some(sealed_store::package::sha256_hex(page.as_bytes()).as_str())
    );
    let style = head(&format!("assets/{css}"));
    assert_eq!(style.content_type(), Some("text/css; charset=utf-8"));
    assert_eq!(
        style.cache_control(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        head("sitemap.xml").cache_control(),
        Some("public, max-age=3600")
    );
}

/// Objects changed or deleted by other means: the record of the last deploy
/// does not know, `--verify` reads every object's hash, and `--delete` lists
/// the prefix and puts back what is missing.
#[test]
fn verify_and_delete_repair_what_was_changed_behind_deploys_back() {
    let s = Setup::new();
    let local = site_files(&s.tree);
    s.deploy_json("s3://site", &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = s.client();
    runtime
        .block_on(
            client
                .put_object()
                .bucket("site")
                .key("koeln/de/index.html")
                .body(b"<p>changed by hand</p>".to_vec().into())
                .send(),
        )
        .unwrap();
    runtime
        .block_on(
            client
                .delete_object()
                .bucket("site")
                .key("bielefeld/en/index.html")
                .send(),
        )
        .unwrap();
    assert_eq!(
        s.deploy_json("s3://site", &[]).uploaded,
        0,
        "the record is trusted"
    );
    let verified = s.deploy_json("s3://site", &["--verify"]);
    assert_eq!(verified.uploaded, 2, "{verified:?}");
    assert_eq!(s.objects("site"), local);

    runtime
        .block_on(
            client
                .delete_object()
                .bucket("site")
                .key("bielefeld/en/index.html")
                .send(),
        )
        .unwrap();
    let repaired = s.deploy_json("s3://site", &["--delete"]);
    assert_eq!(
        (repaired.uploaded, repaired.deleted),
        (1, 0),
        "{repaired:?}"
    );
    assert_eq!(s.objects("site"), local);
}

#[test]
fn an_interrupted_deploy_converges_when_run_again() {
    let s = Setup::new();
    let local = site_files(&s.tree);
    let mut deploy = s
        .command("s3://site/nrw", &[], S3_SECRET, &s.s3.endpoint())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Freeze the store as the first objects arrive, then kill the deploy.
    wait_until("the first upload", || !s.objects("site").is_empty());
    signal("STOP", s.s3.pid());
    let _ = deploy.kill();
    let _ = deploy.wait();
    signal("CONT", s.s3.pid());
    let partial = under(&s.objects("site"), "nrw/");
    assert!(
        partial.len() < local.len(),
        "the deploy was interrupted ({} of {})",
        partial.len(),
        local.len()
    );
    let again = s.deploy_json("s3://site/nrw", &[]);
    assert!(again.uploaded >= local.len() - partial.len());
    assert_eq!(under(&s.objects("site"), "nrw/"), local);
    assert_eq!(s.deploy_json("s3://site/nrw", &[]).uploaded, 0);
}

fn signal(name: &str, pid: u32) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn storage_failures_get_one_clear_line_and_change_nothing() {
    let s = Setup::new();
    s.deploy_json("s3://site", &[]);
    s.tree.remove("municipalities/koeln.yaml");
    s.tree.build().unwrap();
    let before = s.objects("site");
    let dead = format!("http://127.0.0.1:{}", test_support::free_port());
    for (to, secret, endpoint, expected) in [
        (
            "s3://site",
            "wrong-secret",
            s.s3.endpoint(),
            "refused the credentials",
        ),
        (
            "s3://no-such-bucket",
            S3_SECRET,
            s.s3.endpoint(),
            "does not exist",
        ),
        ("s3://site", S3_SECRET, dead, "did not answer"),
    ] {
        let output = s.deploy_as(to, &["--delete"], secret, &endpoint);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(expected),
            "{stderr}"
        );
        assert!(text(&output.stdout).is_empty());
        assert_eq!(
            s.objects("site"),
            before,
            "nothing changed, nothing deleted"
        );
    }
}

#[test]
fn only_a_complete_site_build_is_published() {
    let s = Setup::new();
    let refused = |from: &Path, expected: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_site-gen"))
            .arg("deploy")
            .arg("--from")
            .arg(from)
            .args([
                "--to",
                "s3://site",
                "--endpoint",
                &s.s3.endpoint(),
                "--path-style",
            ])
            .env("AWS_ACCESS_KEY_ID", test_support::S3_KEY)
            .env("AWS_SECRET_ACCESS_KEY", S3_SECRET)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(s.objects("site").is_empty(), "nothing uploaded");
    };
    let plain = s.tree.path("plain");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("index.html"), "<h1>hand-made</h1>").unwrap();
    refused(&plain, "is not a complete site-gen build");
    refused(&s.tree.function_out(), "form-fn's folder");
    s.tree.write("public/extra.html", "added by hand");
    refused(&s.tree.out(), "extra.html was not written by the build");
    s.tree.remove("public/extra.html");
    s.tree.remove("public/bielefeld/de/index.html");
    refused(&s.tree.out(), "bielefeld/de/index.html is missing");
}
