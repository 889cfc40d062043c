//! Writing the build into its output folders without ever leaving a
//! published site absent, half built or broken by a failed build.
//!
//! A build renders every file and compares it with what the folder already
//! holds. Only files whose bytes changed are written, first into a staging
//! folder beside the output (`.<out>.staging`). Once the whole build has
//! succeeded, the changed files are renamed into place one by one (each
//! file is either old or new, never half written), files no longer produced
//! are removed, and a new manifest is written. A failed build discards the
//! staging folder and leaves the output untouched. While files are being put
//! in place the folder carries [`UPDATING`]; a build that finds it (after a
//! crash or a kill) trusts nothing it recorded and compares with the bytes
//! on disk instead, which repairs the folder. A build into an empty or new
//! folder simply renames the staging folder into place.
//!
//! Every finished folder carries a manifest, [`MANIFEST`]: which kind of
//! folder it is (the published site, or form-fn's private one) and every file
//! in it with its size and SHA-256. site-gen writes only into folders that
//! carry it, and `site-gen deploy` publishes only a folder whose manifest
//! says "site" and matches what is on disk, so a half-copied or hand-edited
//! folder, or form-fn's configuration, never reaches the bucket. The
//! manifest is how a rebuild knows what is there without reading it; a file
//! changed by hand in the output is therefore not noticed by a rebuild
//! (delete the folder to start afresh). It also records the fingerprint of
//! what the build read ([`crate::inputs`]): a build whose inputs are the
//! same as those recorded in both folders has nothing to render.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::BuildError;
use crate::file_list::FileList;

/// The manifest file in every folder site-gen wrote (never published).
pub const MANIFEST: &str = ".site-gen";

/// Present while a build puts its files in place: what the manifest says
/// can no longer be trusted.
pub const UPDATING: &str = ".site-gen.updating";

/// What a finished output folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderKind {
    /// The published site (`--out`).
    Site,
    /// form-fn's registry and form shells (`--function-out`), never published.
    Function,
}

/// One file of a finished build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    pub size: u64,
    /// SHA-256 of the bytes (hex in the manifest).
    #[serde(with = "hex::serde")]
    pub sha256: [u8; 32],
}

impl FileRecord {
    fn of(bytes: &[u8]) -> Self {
        Self {
            size: bytes.len() as u64,
            sha256: Sha256::digest(bytes).into(),
        }
    }
}

/// The manifest of a finished output folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub generator: String,
    pub kind: FolderKind,
    /// The fingerprint of everything the build read
    /// ([`crate::inputs::fingerprint`]), where it could be taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<String>,
    /// Every file (path relative to the folder, `/`-separated).
    pub files: FileList,
}

impl Manifest {
    /// Reads the manifest of `dir`; `None` if it has none or an unreadable
    /// one. Read as it streams in: the text is never held whole.
    pub fn read(dir: &Path) -> Option<Self> {
        let file = std::fs::File::open(dir.join(MANIFEST)).ok()?;
        serde_json::from_reader(std::io::BufReader::new(file)).ok()
    }
}

/// What the output folder holds before this build.
enum Previous {
    /// Nothing: the staging folder becomes the output.
    Nothing,
    /// A finished build, as its manifest records it, and the fingerprint
    /// of what it was built from.
    Recorded {
        files: FileList,
        inputs: Option<String>,
    },
    /// A build that stopped while putting files in place (or a manifest
    /// this version cannot read): compare with the bytes on disk.
    Unknown,
}

/// One output folder being built.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    kind: FolderKind,
    previous: Previous,
    /// The fingerprint of what this build read, recorded in the manifest.
    inputs: Option<String>,
    /// Every file the build produced; the changed ones are in the staging folder.
    produced: Mutex<FileList>,
}

/// What publishing changed in the output folders.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Files written (new or with changed bytes).
    pub written: usize,
    /// Files removed because the build no longer produces them.
    pub removed: usize,
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
        lock(&self.files).insert(relative.to_owned(), bytes.to_vec());
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Staging {
    /// Prepares `.<out>.staging` beside `target` and reads what `target`
    /// holds; refuses an output folder site-gen did not make. `inputs` is
    /// the fingerprint of what this build read, if it could be taken.
    pub fn new(
        target: &Path,
        kind: FolderKind,
        inputs: Option<String>,
    ) -> Result<Self, BuildError> {
        let previous = previous_build(target, kind)?;
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
            previous,
            inputs,
            produced: Mutex::new(FileList::default()),
        })
    }

    /// Records `bytes` at `relative` (`/`-separated), and writes them into
    /// the staging folder unless the output holds the same bytes there.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), BuildError> {
        let record = FileRecord::of(bytes);
        let unchanged = match &self.previous {
            Previous::Nothing => false,
            Previous::Recorded { files, .. } => files.get(relative) == Some(&record),
            Previous::Unknown => {
                std::fs::read(self.target.join(relative)).is_ok_and(|on_disk| on_disk == bytes)
            }
        };
        if !unchanged {
            let path = self.dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| BuildError::io("create", parent, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| BuildError::io("write", &path, e))?;
        }
        lock(&self.produced)
            .push(relative, record, !unchanged)
            .map_err(|e| BuildError::OutputDir(e.to_string()))
    }

    /// Drops a failed build.
    pub fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Puts the finished build in place and returns what changed.
    fn publish(self) -> Result<Published, BuildError> {
        let mut produced = std::mem::take(&mut *lock(&self.produced));
        produced.sort();
        let stale: Vec<String> = match &self.previous {
            Previous::Nothing => return self.publish_into_empty(&produced),
            Previous::Recorded { files, .. } => files
                .iter()
                .filter(|(f, _)| !produced.contains(f))
                .map(|(f, _)| f.to_owned())
                .collect(),
            Previous::Unknown => files_in(&self.target)
                .map_err(|e| BuildError::io("read", &self.target, e))?
                .into_iter()
                .filter(|f| f != MANIFEST && f != UPDATING && !produced.contains(f))
                .collect(),
        };
        let changed: Vec<&str> = produced.changed().collect();
        if let Previous::Recorded { inputs, .. } = &self.previous
            && changed.is_empty()
            && stale.is_empty()
        {
            // The same files: at most the record of what they were built from is new.
            if *inputs != self.inputs {
                write_manifest(&self.target, self.kind, self.inputs.as_deref(), &produced)?;
            }
            self.discard();
            return Ok(Published::default());
        }
        self.put_in_place(&produced, &changed, &stale)
    }

    /// The whole staging folder, with its manifest, becomes the output.
    fn publish_into_empty(&self, produced: &FileList) -> Result<Published, BuildError> {
        write_manifest(&self.dir, self.kind, self.inputs.as_deref(), produced)?;
        replace_empty(&self.target, &self.dir)?;
        Ok(Published {
            written: produced.len(),
            removed: 0,
        })
    }

    /// Renames the changed files into the output, removes the stale ones
    /// and writes the manifest, with [`UPDATING`] present throughout.
    fn put_in_place(
        self,
        produced: &FileList,
        changed: &[&str],
        stale: &[String],
    ) -> Result<Published, BuildError> {
        let marker = self.target.join(UPDATING);
        write_durably(&marker, |_| Ok(()))?;
        changed.par_iter().try_for_each(|&relative| {
            let (from, to) = (self.dir.join(relative), self.target.join(relative));
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| BuildError::io("create", parent, e))?;
            }
            if to.is_dir() {
                std::fs::remove_dir_all(&to).map_err(|e| BuildError::io("replace", &to, e))?;
            }
            std::fs::rename(&from, &to).map_err(|e| BuildError::io("publish", &to, e))
        })?;
        let mut emptied = BTreeSet::new();
        for relative in stale {
            let path = self.target.join(relative);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(BuildError::io("remove", &path, e)),
            }
            emptied.extend(path.parent().map(Path::to_path_buf));
        }
        remove_empty_folders(&self.target, emptied);
        write_manifest(&self.target, self.kind, self.inputs.as_deref(), produced)?;
        std::fs::remove_file(&marker).map_err(|e| BuildError::io("remove", &marker, e))?;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(Published {
            written: changed.len(),
            removed: stale.len(),
        })
    }
}

/// Does `target` hold a finished build of `kind` from exactly `inputs` (so
/// that rendering again would change nothing)? Only the manifest's header
/// is kept: its list of files streams past without being held, and no
/// staging folder is made.
pub fn holds_build_of(target: &Path, kind: FolderKind, inputs: Option<&str>) -> bool {
    /// A manifest as [`Manifest`] reads it, its records skipped.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Header {
        #[serde(rename = "generator")]
        _generator: serde::de::IgnoredAny,
        kind: FolderKind,
        #[serde(default)]
        inputs: Option<String>,
        #[serde(rename = "files")]
        _files: serde::de::IgnoredAny,
    }
    let Some(inputs) = inputs else {
        return false;
    };
    if target.join(UPDATING).exists() {
        return false;
    }
    let Ok(file) = std::fs::File::open(target.join(MANIFEST)) else {
        return false;
    };
    serde_json::from_reader::<_, Header>(std::io::BufReader::new(file))
        .is_ok_and(|header| header.kind == kind && header.inputs.as_deref() == Some(inputs))
}

/// What `target` holds, or an error if it is a folder site-gen did not make.
fn previous_build(target: &Path, kind: FolderKind) -> Result<Previous, BuildError> {
    if !target.exists() {
        return Ok(Previous::Nothing);
    }
    let empty = std::fs::read_dir(target)
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(false);
    if empty {
        return Ok(Previous::Nothing);
    }
    let ours = target.join(MANIFEST).exists() || target.join(UPDATING).exists();
    if !ours {
        return Err(BuildError::OutputDir(format!(
            "{} exists and was not made by site-gen; choose another folder \
             or remove it yourself",
            target.display()
        )));
    }
    if target.join(UPDATING).exists() {
        return Ok(Previous::Unknown);
    }
    match Manifest::read(target) {
        Some(manifest) if manifest.kind == kind => Ok(Previous::Recorded {
            files: manifest.files,
            inputs: manifest.inputs,
        }),
        Some(manifest) => Err(BuildError::OutputDir(format!(
            "{} holds {}, not {}; choose another folder",
            target.display(),
            kind_name(manifest.kind),
            kind_name(kind)
        ))),
        None => Ok(Previous::Unknown),
    }
}

fn kind_name(kind: FolderKind) -> &'static str {
    match kind {
        FolderKind::Site => "a site",
        FolderKind::Function => "form-fn's files",
    }
}

/// The manifest as written: [`Manifest`]'s form, from the build's records
/// without copying them.
#[derive(Serialize)]
struct ManifestOut<'a> {
    generator: String,
    kind: FolderKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    inputs: Option<&'a str>,
    files: &'a FileList,
}

/// Writes the manifest through a temporary file, so it is whole or absent.
fn write_manifest(
    dir: &Path,
    kind: FolderKind,
    inputs: Option<&str>,
    files: &FileList,
) -> Result<(), BuildError> {
    let manifest = ManifestOut {
        generator: format!("site-gen {}", env!("CARGO_PKG_VERSION")),
        kind,
        inputs,
        files,
    };
    let temporary = dir.join(format!("{MANIFEST}.new"));
    write_durably(&temporary, |out| {
        serde_json::to_writer(out, &manifest).map_err(std::io::Error::other)
    })?;
    let path = dir.join(MANIFEST);
    std::fs::rename(&temporary, &path).map_err(|e| BuildError::io("write", &path, e))
}

/// Creates `path`, fills it with `fill` and syncs it to disk.
fn write_durably(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> std::io::Result<()>,
) -> Result<(), BuildError> {
    let io = |e| BuildError::io("write", path, e);
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = std::io::BufWriter::new(&file);
    fill(&mut out).map_err(io)?;
    std::io::Write::flush(&mut out).map_err(io)?;
    drop(out);
    file.sync_all().map_err(io)
}

/// Puts `staging` where `target` is (missing or an empty folder).
fn replace_empty(target: &Path, staging: &Path) -> Result<(), BuildError> {
    if target.exists() {
        std::fs::remove_dir(target).map_err(|e| BuildError::io("replace", target, e))?;
    }
    std::fs::rename(staging, target).map_err(|e| BuildError::io("publish", target, e))
}

/// Removes the folders in `folders` that are now empty, and their parents
/// up to (not including) `root`.
fn remove_empty_folders(root: &Path, folders: BTreeSet<PathBuf>) {
    // Deepest first, so a parent is tried after its children.
    let mut folders: Vec<PathBuf> = folders.into_iter().collect();
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    for folder in folders {
        let mut current = Some(folder.as_path());
        while let Some(dir) = current.filter(|d| *d != root && d.starts_with(root)) {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
            current = dir.parent();
        }
    }
}

/// Every file under `dir`, as `/`-separated paths relative to it.
pub fn files_in(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                folders.push(entry.path());
                continue;
            }
            let path = entry.path();
            let relative = path
                .strip_prefix(dir)
                .map_err(std::io::Error::other)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.push(relative);
        }
    }
    Ok(files)
}

/// Puts every finished build in place, or, if one cannot be finished,
/// discards them all and changes nothing. Returns what changed, summed.
pub fn publish_all(stagings: Vec<Staging>) -> Result<Published, BuildError> {
    let mut total = Published::default();
    let mut stagings = stagings.into_iter();
    while let Some(staging) = stagings.next() {
        match staging.publish() {
            Ok(published) => {
                total.written += published.written;
                total.removed += published.removed;
            }
            Err(error) => {
                stagings.for_each(Staging::discard);
                return Err(error);
            }
        }
    }
    Ok(total)
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
    let hash = &hex::encode(Sha256::digest(bytes))[..FINGERPRINT_LEN];
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
        assert!(Staging::new(&out, FolderKind::Site, None).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("keep.txt")).unwrap(),
            "mine"
        );
    }

    /// Publishes one build of `files` into `out`.
    fn build(out: &Path, files: &[(&str, &str)]) -> Published {
        let staging = Staging::new(out, FolderKind::Site, None).unwrap();
        for (path, text) in files {
            staging.write(path, text.as_bytes()).unwrap();
        }
        publish_all(vec![staging]).unwrap()
    }

    fn tree(out: &Path) -> BTreeMap<String, String> {
        files_in(out)
            .unwrap()
            .into_iter()
            .map(|f| {
                let text = std::fs::read_to_string(out.join(&f)).unwrap();
                (f, text)
            })
            .collect()
    }

    #[test]
    fn a_rebuild_writes_only_changed_files_and_removes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = build(&out, &[("a/old.html", "old"), ("same.html", "same")]);
        assert_eq!(
            first,
            Published {
                written: 2,
                removed: 0
            }
        );
        let second = build(&out, &[("same.html", "same"), ("b/new.html", "new!")]);
        assert_eq!(
            second,
            Published {
                written: 1,
                removed: 1
            }
        );
        assert!(!out.join("a").exists(), "the emptied folder is gone");
        let manifest = Manifest::read(&out).unwrap();
        assert_eq!(manifest.kind, FolderKind::Site);
        assert_eq!(
            manifest
                .files
                .iter()
                .map(|(path, _)| path)
                .collect::<Vec<_>>(),
            ["b/new.html", "same.html"]
        );
        assert_eq!(
            manifest.files.get("b/new.html"),
            Some(&FileRecord::of(b"new!"))
        );
        let unchanged = build(&out, &[("same.html", "same"), ("b/new.html", "new!")]);
        assert_eq!(unchanged, Published::default());
        assert!(!out.join(UPDATING).exists());
        assert!(!dir.path().join(".out.staging").exists());
    }

    #[test]
    fn a_failed_build_leaves_the_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        build(&out, &[("index.html", "v1")]);
        let before = tree(&out);
        let failed = Staging::new(&out, FolderKind::Site, None).unwrap();
        failed.write("index.html", b"v2").unwrap();
        failed.discard();
        assert_eq!(tree(&out), before);
    }

    #[test]
    fn a_build_interrupted_while_publishing_is_repaired_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        build(&out, &[("index.html", "v1"), ("keep.html", "keep")]);
        // What a kill part-way leaves: the marker, a file of the new build in
        // place, one of a build that was never finished, the old manifest.
        std::fs::write(out.join(UPDATING), "").unwrap();
        std::fs::write(out.join("index.html"), "half").unwrap();
        std::fs::write(out.join("stray.html"), "from the killed build").unwrap();
        let repaired = build(&out, &[("index.html", "v3"), ("keep.html", "keep")]);
        assert_eq!(
            repaired,
            Published {
                written: 1,
                removed: 1
            }
        );
        let fresh = dir.path().join("fresh");
        build(&fresh, &[("index.html", "v3"), ("keep.html", "keep")]);
        assert_eq!(tree(&out), tree(&fresh));
    }

    #[test]
    fn refuses_a_folder_of_the_other_kind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        build(&out, &[("index.html", "v1")]);
        assert!(Staging::new(&out, FolderKind::Function, None).is_err());
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
