//! form-fn as AWS Lambda runs it: the package `make lambda` assembled
//! (`deploy/package/`: the bootstrap cargo-lambda built, registry.json,
//! shells/), started the way Lambda starts it, under cargo-lambda's runtime
//! emulator, and invoked through the emulator's function-URL endpoint, which
//! turns each real HTTP request into a function-URL event (binary bodies
//! base64-encoded, as AWS does). Applications land in s3s-fs and open with
//! the age CLI.
//!
//! Needs the package, so it is ignored by a plain `cargo test`; `make
//! lambda-test` builds the package and runs it with `LAMBDA_PACKAGE` set.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::*;
use test_support::{S3_SECRET, S3sFs};

/// A process that is stopped when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The Lambda runtime emulator and the function, connected to it.
struct Lambda {
    _emulator: Running,
    _function: Running,
    addr: String,
    log: PathBuf,
}

impl Lambda {
    fn start(package: &std::path::Path, work: &std::path::Path, s3: &S3sFs) -> Self {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        // cargo-lambda looks for a Cargo.toml where it runs.
        let emulator = Command::new("cargo")
            .args(["lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1"])
            .args(["-P", &port.to_string()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cargo-lambda is installed (scripts/install-deps.sh lambda)");
        let emulator = Running(emulator);
        wait_until("the Lambda emulator listens", || {
            std::net::TcpStream::connect(&addr).is_ok()
        });
        let log = work.join("function.log");
        let function = Command::new(package.join("bootstrap"))
            // Lambda runs the function in its package folder (/var/task).
            .current_dir(package)
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", format!("http://{addr}/.rt"))
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("FORM_FN_MODE", "http")
            .env("FORM_FN_STORE", "s3://applications")
            .envs(s3.environment(S3_SECRET))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("the package has a bootstrap");
        Self {
            _emulator: emulator,
            _function: Running(function),
            addr,
            log,
        }
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// The function URL of the emulated function `_`.
const SUBMIT: &str = "/lambda-url/_/submit/bielefeld/einbuergerung";

#[test]
#[ignore = "needs the package of `make lambda`; `make lambda-test` runs it"]
fn the_lambda_package_accepts_applications_through_a_function_url() {
    let package = PathBuf::from(
        std::env::var("LAMBDA_PACKAGE").expect("LAMBDA_PACKAGE names the folder make lambda wrote"),
    );
    assert!(
        package.join("registry.json").is_file() && package.join("shells").is_dir(),
        "the package carries the registry and the form shells"
    );
    let dir = tempfile::tempdir().unwrap();
    let buckets = dir.path().join("s3");
    std::fs::create_dir_all(buckets.join("applications")).unwrap();
    let s3 = S3sFs::start(&buckets);
    let lambda = Lambda::start(&package, dir.path(), &s3);
    let stored = || files_below(&buckets.join("applications/submissions"));

    // An urlencoded application: 303 to the confirmation page, sealed in the bucket.
    let response = post_form(&lambda.addr, SUBMIT, &valid_application("de"), &[]);
    assert_eq!(response.status, 303, "{}\n{}", response.body, lambda.logs());
    let location = response.header("Location").unwrap_or_default().to_owned();
    assert!(
        location.contains("/bielefeld/de/apply/done/?ref="),
        "{location}"
    );
    let first = location.split("ref=").nth(1).unwrap().to_owned();
    assert_eq!(stored().len(), 1);
    let document = decrypt("bielefeld", &stored()[0]);
    assert_eq!(document["reference"], first.as_str());
    assert_eq!(document["values"]["family_name"], "Yılmaz");

    // A multipart application with a document: the event carries it base64.
    let pdf: &[u8] = b"%PDF-1.7\n% passport scan \xff\xfe binary\n";
    let response = post_multipart(
        &lambda.addr,
        SUBMIT,
        &valid_application("en"),
        &[("documents", "Passport.pdf", pdf)],
    );
    assert_eq!(response.status, 303, "{}\n{}", response.body, lambda.logs());
    let second = response
        .header("Location")
        .and_then(|l| l.split("ref=").nth(1))
        .unwrap()
        .to_owned();
    let file = stored()
        .into_iter()
        .find(|f| f.to_string_lossy().ends_with(&format!("{second}.age")))
        .expect("the second application is stored");
    let document = decrypt("bielefeld", &file);
    assert_eq!(document["language"], "en");
    let attachment = &document["attachments"][0];
    assert_eq!(attachment["name"], "Passport.pdf");
    assert_eq!(attachment["media_type"], "application/pdf");

    // A wrong application: the form again with the errors, nothing stored.
    let wrong = with(valid_application("de"), "postcode", "33");
    let response = post_form(&lambda.addr, SUBMIT, &wrong, &[]);
    assert_eq!(response.status, 422);
    assert!(response.body.contains("class=\"error-summary\""));

    // More than Lambda takes (6 MB): the clear page, with the limit the form states.
    let big = vec![b'%'; 6 * 1024 * 1024 + 1];
    let response = post_multipart(
        &lambda.addr,
        SUBMIT,
        &valid_application("de"),
        &[("documents", "big.pdf", &big)],
    );
    assert_eq!(response.status, 413, "{}", response.body);
    assert!(
        response.body.contains("höchstens 4 MB"),
        "{}",
        response.body
    );
    assert_eq!(stored().len(), 2, "nothing more stored");
    assert!(
        !lambda.logs().contains("Yılmaz"),
        "no value the citizen typed in the function's log"
    );
}
