//! Real parts shared by the workspace's tests, so each crate's tests start
//! them the same way: s3s-fs (an S3-compatible server that checks SigV4
//! signatures) on 127.0.0.1, a free port, and a polling loop; and the
//! seed corpora and mutations the fuzz targets share ([`fuzz`]).

pub mod fuzz;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The access key s3s-fs is started with.
pub const S3_KEY: &str = "kit-test";
/// The secret key s3s-fs is started with.
pub const S3_SECRET: &str = "kit-test-secret";

/// A free TCP port on 127.0.0.1 (free when asked; good enough for tests).
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}

/// Waits up to 30 s until `done`, failing the test with `what` otherwise.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// s3s-fs serving the folder `root` (each sub-folder is a bucket) on
/// loopback; stopped when dropped.
pub struct S3sFs {
    child: Child,
    pub port: u16,
}

impl S3sFs {
    /// Starts s3s-fs on a free port and waits until it accepts connections.
    #[must_use]
    pub fn start(root: &Path) -> Self {
        let port = free_port();
        let child = Command::new("s3s-fs")
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", S3_KEY, "--secret-key", S3_SECRET])
            .arg(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs is installed (scripts/install-deps.sh runs cargo install s3s-fs)");
        let server = Self { child, port };
        wait_until("s3s-fs accepts connections", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        server
    }

    /// The server's process id (to freeze it with SIGSTOP in a test).
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://127.0.0.1:<port>`.
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The AWS environment that reaches this server, signing with `secret`
    /// (pass [`S3_SECRET`], or another to see a signature refused).
    #[must_use]
    pub fn environment(&self, secret: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", S3_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", secret.to_owned()),
            ("AWS_REGION", "eu-central-1".to_owned()),
            ("AWS_ENDPOINT_URL", self.endpoint()),
        ]
    }
}

impl Drop for S3sFs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
