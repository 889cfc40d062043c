//! Helpers for the integration tests: a copy of the repository's sample tree
//! in a temporary folder that a test may break on purpose.
#![allow(dead_code)] // each test binary uses only some helpers

use std::path::{Path, PathBuf};

use site_gen::{BuildError, BuildOptions, BuildReport, EditorError, build};

/// The repository root (site.yaml, content/, municipalities/, themes/).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub struct Tree {
    pub dir: tempfile::TempDir,
}

impl Tree {
    /// The sample tree with only the municipalities named (all when empty).
    pub fn sample(municipalities: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = repo_root();
        for part in ["content", "themes", "data"] {
            copy_dir(&root.join(part), &dir.path().join(part));
        }
        let mut site = std::fs::read_to_string(root.join("site.yaml")).expect("site.yaml");
        if !municipalities.is_empty() && !municipalities.contains(&"bielefeld") {
            // The sample operator is not part of this tree: the first one stands in.
            site = site.replace(
                "operator: bielefeld",
                &format!("operator: {}", municipalities[0]),
            );
        }
        std::fs::write(dir.path().join("site.yaml"), site).expect("site.yaml");
        let target = dir.path().join("municipalities");
        std::fs::create_dir_all(&target).expect("municipalities");
        for entry in walkdir::WalkDir::new(root.join("municipalities"))
            .min_depth(1)
            .max_depth(1)
        {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.trim_end_matches(".yaml");
            if municipalities.is_empty() || municipalities.contains(&stem) {
                let to = target.join(&name);
                if entry.file_type().is_dir() {
                    copy_dir(entry.path(), &to);
                } else {
                    std::fs::copy(entry.path(), &to).expect("copy municipality");
                }
            }
        }
        Self { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    /// form-fn's folder beside the site (`registry.json`, `shells/`).
    pub fn function_out(&self) -> PathBuf {
        self.dir.path().join("function")
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("read fixture file")
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write fixture file");
    }

    /// Replaces the first occurrence of `from` in a file, failing loudly if absent.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = self.read(relative);
        assert!(text.contains(from), "{relative} does not contain {from:?}");
        self.write(relative, &text.replacen(from, to, 1));
    }

    /// Gives `slug` an office key whose identity is not committed here (as
    /// after `office keygen`), so the form may go online anywhere; returns it.
    pub fn use_own_recipient(&self, slug: &str) -> String {
        let recipient = age::x25519::Identity::generate().to_public().to_string();
        self.set_recipient(slug, &recipient);
        recipient
    }

    /// Gives site.yaml a signing key whose private half is not committed
    /// here (as after `form-fn keygen`); returns its public key.
    pub fn use_own_signing_key(&self) -> String {
        let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
        let public = sealed_store::package::public_key_text(&key.verifying_key());
        self.set_signing_key(&public);
        public
    }

    /// Replaces the public signing key in site.yaml with `public`.
    pub fn set_signing_key(&self, public: &str) {
        let text: String = self
            .read("site.yaml")
            .lines()
            .map(|line| match line.starts_with("    - \"ed25519:") {
                true => format!("    - \"{public}\"\n"),
                false => format!("{line}\n"),
            })
            .collect();
        assert!(
            text.contains(public),
            "site.yaml has no signing key to replace"
        );
        self.write("site.yaml", &text);
    }

    /// Replaces every recipient in `municipalities/<slug>.yaml` with `recipient`.
    pub fn set_recipient(&self, slug: &str, recipient: &str) {
        let file = format!("municipalities/{slug}.yaml");
        let text: String = self
            .read(&file)
            .lines()
            .map(|line| match line.starts_with("  - \"age1") {
                true => format!("  - \"{recipient}\"\n"),
                false => format!("{line}\n"),
            })
            .collect();
        assert!(
            text.contains(recipient),
            "{file} has no recipient to replace"
        );
        self.write(&file, &text);
    }

    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative)).expect("remove fixture file");
    }

    pub fn build(&self) -> Result<BuildReport, BuildError> {
        self.build_with_endpoint(None)
    }

    /// Builds with the application form online at `endpoint`.
    pub fn build_with_endpoint(&self, endpoint: Option<&str>) -> Result<BuildReport, BuildError> {
        build(&BuildOptions {
            form_endpoint: endpoint.map(|e| e.to_owned().try_into().expect("valid endpoint")),
            ..BuildOptions::new(self.root(), self.out())
        })
    }

    /// Builds, expecting the editor mistakes to stop it; returns them.
    pub fn editor_errors(&self) -> Vec<EditorError> {
        match self.build() {
            Err(BuildError::Editor(errors)) => errors,
            Err(other) => panic!("expected an editor error, got: {other}"),
            Ok(_) => panic!("expected the build to stop, but it succeeded"),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `text` as the site's templates escape it in HTML text.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
