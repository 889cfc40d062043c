//! Everything a build reads, as one fingerprint, so that a rebuild whose
//! inputs are all the same as last time renders nothing.
//!
//! A rebuild compares every page it renders with the output folder's
//! manifest and writes only what changed; but rendering 1.4 million pages
//! to find that nothing did takes most of a minute. The manifest therefore
//! also records this fingerprint of what the build read: the generator
//! itself (the bytes of the running executable), the overrides given on the
//! command line, and every file in the folders a build reads from. When
//! both output folders carry the fingerprint of the inputs as they are now,
//! the output is what this build would write, and rendering is skipped.
//! Loading and checking still happen, so editors see every warning.
//!
//! The fingerprint errs on the side of building: every file in those
//! folders counts, read or not, and anything that cannot be read (a folder
//! that cannot be listed, a symbolic link in a loop, the executable) means
//! no fingerprint, and so a full build. A link to nothing counts by its
//! name and target.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::build::BuildOptions;

/// What a build reads below its root: `site.yaml` and these folders, whole.
pub const INPUTS: [&str; 5] = ["site.yaml", "content", "themes", "municipalities", "data"];

/// The SHA-256 (hex) of the generator, the overrides in `options` and every
/// file of [`INPUTS`] below `options.root` (its path, length and bytes);
/// `None` if any of it cannot be read.
#[must_use]
pub fn fingerprint(options: &BuildOptions) -> Option<String> {
    let mut hash = Sha256::new();
    let generator = std::env::current_exe().ok()?;
    hash_labelled(&mut hash, b"generator");
    hash_file(&mut hash, &generator)?;
    let overrides = format!(
        "base_url={:?} form_endpoint={:?}",
        options.base_url.as_ref().map(ToString::to_string),
        options.form_endpoint.as_ref().map(ToString::to_string)
    );
    hash_labelled(&mut hash, overrides.as_bytes());
    for input in INPUTS {
        hash_input(&mut hash, &options.root, input)?;
    }
    Some(hex::encode(hash.finalize()))
}

/// Every file below `root/input` in name order (links followed), or the
/// file itself, each with its path relative to `root`.
fn hash_input(hash: &mut Sha256, root: &Path, input: &str) -> Option<()> {
    let top = root.join(input);
    if !top.exists() {
        hash_labelled(hash, format!("absent {input}").as_bytes());
        return Some(());
    }
    let walk = walkdir::WalkDir::new(&top)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            // A link to nothing (an editor's lock file, say): the build
            // cannot read it either, so its name and target are what count.
            Err(error) if error.loop_ancestor().is_none() => {
                let path = error.path()?;
                let target = std::fs::read_link(path).ok()?;
                let relative = path.strip_prefix(root).ok()?;
                let link = format!("link {} -> {}", relative.display(), target.display());
                hash_labelled(hash, link.as_bytes());
                continue;
            }
            Err(_) => return None,
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(root).ok()?;
        hash_labelled(hash, relative.to_string_lossy().as_bytes());
        hash_file(hash, entry.path())?;
    }
    Some(())
}

/// `bytes` with their length first, so that no two sequences of labels
/// hash alike.
fn hash_labelled(hash: &mut Sha256, bytes: &[u8]) {
    hash.update((bytes.len() as u64).to_le_bytes());
    hash.update(bytes);
}

/// The file's length and bytes, read in pieces (no file is held whole).
fn hash_file(hash: &mut Sha256, path: &Path) -> Option<()> {
    let mut file = std::fs::File::open(path).ok()?;
    hash.update(file.metadata().ok()?.len().to_le_bytes());
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Some(()),
            Ok(read) => hash.update(&buffer[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in [
            ("site.yaml", "theme: default\n"),
            ("content/de/kosten.md", "Gebühr"),
            ("themes/default/templates/page.html", "<p>"),
            ("municipalities/bielefeld.yaml", "name: Bielefeld\n"),
            ("data/gemeinden.csv", "key;name\n"),
        ] {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn every_input_and_override_changes_the_fingerprint_and_nothing_else_does() {
        let dir = tree();
        let options = BuildOptions::new(dir.path(), dir.path().join("public"));
        let first = fingerprint(&options).expect("readable");
        assert_eq!(fingerprint(&options).as_ref(), Some(&first), "stable");

        std::fs::create_dir_all(dir.path().join("public")).unwrap();
        std::fs::write(dir.path().join("public/index.html"), "output").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
        assert_eq!(fingerprint(&options).as_ref(), Some(&first), "not inputs");

        let mut seen = vec![first];
        for input in INPUTS {
            let file = dir.path().join(input);
            let file = if file.is_dir() {
                file.join("new.txt")
            } else {
                file
            };
            std::fs::write(&file, "changed").unwrap();
            let now = fingerprint(&options).unwrap();
            assert!(!seen.contains(&now), "{input} changed");
            seen.push(now);
        }
        let with_base_url = BuildOptions {
            base_url: Some(
                "https://staging.example.org/"
                    .to_owned()
                    .try_into()
                    .unwrap(),
            ),
            ..options
        };
        assert!(!seen.contains(&fingerprint(&with_base_url).unwrap()));
    }

    #[test]
    fn a_renamed_file_changes_the_fingerprint() {
        let dir = tree();
        let options = BuildOptions::new(dir.path(), dir.path().join("public"));
        let before = fingerprint(&options).unwrap();
        std::fs::rename(
            dir.path().join("municipalities/bielefeld.yaml"),
            dir.path().join("municipalities/bielefeld-stadt.yaml"),
        )
        .unwrap();
        assert_ne!(fingerprint(&options).unwrap(), before);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_nothing_counts_by_its_target() {
        let dir = tree();
        let options = BuildOptions::new(dir.path(), dir.path().join("public"));
        let before = fingerprint(&options).unwrap();
        let lock = dir.path().join("content/de/.#kosten.md");
        std::os::unix::fs::symlink("editor@host.1234", &lock).unwrap();
        let with_lock = fingerprint(&options).expect("still a fingerprint");
        assert_ne!(with_lock, before);
        assert_eq!(fingerprint(&options).unwrap(), with_lock, "stable");
        std::fs::remove_file(&lock).unwrap();
        std::os::unix::fs::symlink("editor@host.5678", &lock).unwrap();
        assert_ne!(fingerprint(&options).unwrap(), with_lock);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_loop_means_no_fingerprint() {
        let dir = tree();
        std::os::unix::fs::symlink(dir.path().join("content"), dir.path().join("content/loop"))
            .unwrap();
        let options = BuildOptions::new(dir.path(), dir.path().join("public"));
        assert_eq!(fingerprint(&options), None, "a full build instead");
    }
}
