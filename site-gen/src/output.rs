//! Writing the build: into fresh staging folders that replace the output
//! folders only when the whole build succeeded, so a failed build leaves the
//! previous site (and form-fn's folder) untouched.
//!
//! Every finished folder carries a manifest, [`MANIFEST`]: which kind of
//! folder it is (the published site, or form-fn's private one) and every file
//! in it with its size. site-gen replaces only folders that carry it, and
//! `site-gen deploy` publishes only a folder whose manifest says "site" and
//! matches what is on disk, so a half-copied or hand-edited folder, or
//! form-fn's configuration, never reaches the bucket.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use sealed_store::package::sha256_hex;
use serde::{Deserialize, Serialize};

use crate::error::BuildError;

/// The manifest file in every folder site-gen wrote (never published).
pub const MANIFEST: &str = ".site-gen";

/// What a finished output folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderKind {
    /// The published site (`--out`).
    Site,
    /// form-fn's registry and form shells (`--function-out`), never published.
    Function,
}

/// The manifest of a finished output folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub generator: String,
    pub kind: FolderKind,
    /// Every file (path relative to the folder, `/`-separated) and its size.
    pub files: BTreeMap<String, u64>,
}

impl Manifest {
    /// Reads the manifest of `dir`; `None` if it has none or an unreadable one.
    pub fn read(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// One output folder being built.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    kind: FolderKind,
    written: Mutex<BTreeMap<String, u64>>,
}

/// Where a build puts its files: a staging folder on disk, or memory (what
/// `site-gen serve` answers with).
pub trait Sink: Sync {
    /// Stores `bytes` at `relative` (`/`-separated).
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), BuildError>;
}

impl Sink for Staging {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), BuildError> {
        Staging::write(self, relative, bytes)
    }
}

/// A build's files in memory, by path.
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySink {
    /// The files written, by path.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Sink for MemorySink {
    fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), BuildError> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(relative.to_owned(), bytes.to_vec());
        Ok(())
    }
}

impl Staging {
    /// Prepares `.<out>.staging` beside `target`; refuses an output folder
    /// site-gen did not make.
    pub fn new(target: &Path, kind: FolderKind) -> Result<Self, BuildError> {
        if target.exists() && !target.join(MANIFEST).exists() {
            let empty = std::fs::read_dir(target)
                .map(|mut entries| entries.next().is_none())
                .unwrap_or(false);
            if !empty {
                return Err(BuildError::OutputDir(format!(
                    "{} exists and was not made by site-gen; choose another folder \
                     or remove it yourself",
                    target.display()
                )));
            }
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".to_owned());
        let dir = target.with_file_name(format!(".{name}.staging"));
        if dir.exists() {
            remove_tree(&dir)?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| BuildError::io("create", &dir, e))?;
        Ok(Self {
            dir,
            target: target.to_path_buf(),
            kind,
            written: Mutex::new(BTreeMap::new()),
        })
    }

    /// Writes `bytes` at `relative` (`/`-separated) inside the staging folder.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), BuildError> {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| BuildError::io("create", parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| BuildError::io("write", &path, e))?;
        self.written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(relative.to_owned(), bytes.len() as u64);
        Ok(())
    }

    /// Writes the manifest: the folder is complete.
    fn seal(&self) -> Result<(), BuildError> {
        let files = std::mem::take(
            &mut *self
                .written
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let manifest = Manifest {
            generator: format!("site-gen {}", env!("CARGO_PKG_VERSION")),
            kind: self.kind,
            files,
        };
        let json = serde_json::to_vec(&manifest)
            .map_err(|e| BuildError::OutputDir(format!("cannot write the manifest: {e}")))?;
        let path = self.dir.join(MANIFEST);
        std::fs::write(&path, json).map_err(|e| BuildError::io("write", &path, e))
    }

    /// Drops a failed build.
    pub fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Replaces every output folder with its finished build, or, if one cannot
/// be finished, discards them all and changes nothing. The previous folders
/// are moved aside first and deleted only once every new one is in place;
/// if a move fails, the ones already moved are put back.
pub fn publish_all(stagings: Vec<Staging>) -> Result<(), BuildError> {
    if let Err(error) = stagings.iter().try_for_each(Staging::seal) {
        stagings.into_iter().for_each(Staging::discard);
        return Err(error);
    }
    let mut placed: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for staging in &stagings {
        let previous = staging.target.with_file_name(format!(
            ".{}.previous",
            staging
                .target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let moved = (|| {
            if previous.exists() {
                remove_tree(&previous)?;
            }
            let had_one = staging.target.exists();
            if had_one {
                std::fs::rename(&staging.target, &previous)
                    .map_err(|e| BuildError::io("replace", &staging.target, e))?;
            }
            std::fs::rename(&staging.dir, &staging.target)
                .map_err(|e| BuildError::io("publish", &staging.target, e))?;
            Ok(had_one.then(|| previous.clone()))
        })();
        match moved {
            Ok(previous) => placed.push((staging.target.clone(), previous)),
            Err(error) => {
                // Put back what was replaced; the new builds go.
                for (target, previous) in placed {
                    let _ = std::fs::remove_dir_all(&target);
                    if let Some(previous) = previous {
                        let _ = std::fs::rename(previous, &target);
                    }
                }
                return Err(error);
            }
        }
    }
    for previous in placed.into_iter().filter_map(|(_, previous)| previous) {
        remove_tree(&previous)?;
    }
    Ok(())
}

/// Deletes a folder tree, its top-level entries in parallel.
fn remove_tree(dir: &Path) -> Result<(), BuildError> {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| BuildError::io("clear", dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|path| {
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        removed.map_err(|e| BuildError::io("clear", path, e))
    })?;
    std::fs::remove_dir(dir).map_err(|e| BuildError::io("clear", dir, e))
}

/// `style.css` → `style.<first 16 hex digits of its SHA-256>.css`: a name
/// that changes with the content, so browsers may keep it forever.
pub fn fingerprinted_name(name: &str, bytes: &[u8]) -> String {
    let hash = &sha256_hex(bytes)[..FINGERPRINT_LEN];
    match name.rsplit_once('.') {
        Some((stem, extension)) => format!("{stem}.{hash}.{extension}"),
        None => format!("{name}.{hash}"),
    }
}

/// Hex digits of the content hash in a fingerprinted name.
pub const FINGERPRINT_LEN: usize = 16;

/// Does `name` (a file name) carry a content fingerprint?
pub fn is_fingerprinted(name: &str) -> bool {
    let mut parts = name.rsplit('.');
    let _extension = parts.next();
    parts.next().is_some_and(|hash| {
        hash.len() == FINGERPRINT_LEN
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }) && parts.next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_foreign_non_empty_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("keep.txt"), "mine").unwrap();
        assert!(Staging::new(&out, FolderKind::Site).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn publish_replaces_a_previous_build_and_records_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = Staging::new(&out, FolderKind::Site).unwrap();
        first.write("old.html", b"old").unwrap();
        publish_all(vec![first]).unwrap();
        let second = Staging::new(&out, FolderKind::Site).unwrap();
        second.write("a/new.html", b"new!").unwrap();
        publish_all(vec![second]).unwrap();
        assert!(out.join("a/new.html").exists());
        assert!(!out.join("old.html").exists());
        let manifest = Manifest::read(&out).unwrap();
        assert_eq!(manifest.kind, FolderKind::Site);
        assert_eq!(
            manifest.files.into_iter().collect::<Vec<_>>(),
            [("a/new.html".to_owned(), 4)]
        );
    }

    #[test]
    fn fingerprints_name_the_content() {
        let name = fingerprinted_name("style.css", b"body{}");
        assert!(
            name.starts_with("style.") && name.ends_with(".css"),
            "{name}"
        );
        assert_ne!(name, fingerprinted_name("style.css", b"body{ }"));
        assert!(is_fingerprinted(&name));
        assert!(!is_fingerprinted("style.css"));
        assert!(!is_fingerprinted("index.html"));
        assert!(!is_fingerprinted("0123456789abcdef.css"));
    }
}
