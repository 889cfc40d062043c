//! Durable storage for sealed packages and the small markers beside them: a
//! local folder or any S3-compatible bucket (endpoint and keys from the usual
//! AWS environment variables). Writes are all-or-nothing: a reader never sees
//! half a file, and `put_new` never overwrites. An application's marker and
//! package are written together with `put_new_together`, in a folder by group
//! commit (`journal`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_s3::primitives::ByteStream;

use crate::journal::{self, GroupCommit};
use crate::s3::{S3Location, shared_client};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An object with this key exists already; nothing was changed.
    #[error("{0} exists already")]
    Exists(String),
    /// The storage could not be reached or refused the operation.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// A conditional write found the object changed (or gone) since it was
    /// read; nothing was written.
    #[error("{0} was changed by someone else")]
    Changed(String),
}

/// A folder on this machine's disk, with the committer of its
/// [`Store::put_new_together`] writes, started on first use.
pub struct FolderStore {
    root: PathBuf,
    committer: std::sync::OnceLock<GroupCommit>,
}

impl FolderStore {
    fn committer(&self) -> &GroupCommit {
        self.committer
            .get_or_init(|| GroupCommit::start(self.root.clone()))
    }
}

/// What a versioned read saw: the object's ETag in S3, its SHA-256 in a
/// folder. [`Store::put_if`] writes only over that same version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(String);

pub enum Store {
    Folder(FolderStore),
    /// A bucket and prefix, reached with the process's shared client.
    S3 {
        location: S3Location,
    },
}

impl Store {
    /// `s3://bucket[/prefix]` or a folder path.
    pub fn from_spec(spec: &str) -> Result<Self, String> {
        match S3Location::parse(spec) {
            Some(location) => location.map(|location| Self::S3 { location }),
            None if spec.is_empty() => Err("expected a folder or s3://bucket[/prefix]".to_owned()),
            None => Ok(Self::folder(spec)),
        }
    }

    /// A store in the folder `root`.
    pub fn folder(root: impl Into<PathBuf>) -> Self {
        Self::Folder(FolderStore {
            root: root.into(),
            committer: std::sync::OnceLock::new(),
        })
    }

    /// Where this store is, for messages (no credentials in it).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(FolderStore { root, .. }) => root.display().to_string(),
            Self::S3 { location } => location.to_string(),
        }
    }

    /// Writes `bytes` under `key` unless something is there already; returns
    /// only once the bytes are durable (fsync, or the bucket's acknowledgement).
    pub async fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.write(key, bytes, Replace::Never).await
    }

    /// Writes new objects that belong together (an application's outbox
    /// marker, then its sealed package), in order, none over an existing
    /// one: `Exists` if a name is taken, and then none of them is left.
    /// Returns only once all of them are durable.
    ///
    /// Folder: group commit. The objects of every caller waiting at the same
    /// moment are appended to one journal and made durable with one sync,
    /// then linked under their names; after a crash, [`Store::recover`]
    /// links again what the journal holds. S3: one conditional PutObject
    /// each, in order; a refused one removes those written before it, and a
    /// crash in between can leave the first ones only.
    pub async fn put_new_together(
        &self,
        objects: Vec<(String, Vec<u8>)>,
    ) -> Result<(), StoreError> {
        match self {
            Self::Folder(folder) => folder.committer().commit(objects).await,
            Self::S3 { .. } => {
                let keys: Vec<String> = objects.iter().map(|(key, _)| key.clone()).collect();
                for (index, (key, bytes)) in objects.into_iter().enumerate() {
                    if let Err(error) = self.put_new(&key, bytes).await {
                        for earlier in &keys[..index] {
                            let _ = self.delete(earlier).await;
                        }
                        return Err(error);
                    }
                }
                Ok(())
            }
        }
    }

    /// Folder: links again what the journals of processes that died hold
    /// (see [`Store::put_new_together`]) and returns how many writes that
    /// were; call it before serving. S3: nothing to do.
    pub async fn recover(&self) -> Result<usize, StoreError> {
        match self {
            Self::Folder(FolderStore { root, .. }) => {
                let root = root.clone();
                blocking(move || journal::recover(&root)).await
            }
            Self::S3 { .. } => Ok(0),
        }
    }

    /// Folder: returns once every write committed so far is durable under
    /// its name and no journal of this process is left to replay; call it
    /// when stopping. S3: nothing to do.
    pub async fn settle(&self) {
        if let Self::Folder(folder) = self
            && let Some(committer) = folder.committer.get()
        {
            committer.settle().await;
        }
    }

    /// Writes `bytes` under `key`, replacing what was there as a whole.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.write(key, bytes, Replace::Whole).await
    }

    async fn write(&self, key: &str, bytes: Vec<u8>, replace: Replace) -> Result<(), StoreError> {
        match self {
            Self::Folder(FolderStore { root, .. }) => {
                let path = root.join(key);
                blocking(move || write_file(&path, &bytes, replace)).await
            }
            Self::S3 { location } => {
                let (client, bucket, prefix) =
                    (shared_client().await, &location.bucket, &location.prefix);
                let full_key = format!("{prefix}{key}");
                let mut request = client
                    .put_object()
                    .bucket(bucket)
                    .key(&full_key)
                    .content_type("application/octet-stream")
                    .body(ByteStream::from(bytes));
                if replace == Replace::Never {
                    request = request.if_none_match("*");
                }
                match request.send().await {
                    Ok(_) => Ok(()),
                    Err(error) => {
                        let status = error.raw_response().map(|r| r.status().as_u16());
                        if status == Some(412) {
                            Err(StoreError::Exists(full_key))
                        } else {
                            Err(unavailable_s3("PutObject", status))
                        }
                    }
                }
            }
        }
    }

    /// The bytes under `key` and their version, or `None` if there is nothing.
    pub async fn get_versioned(&self, key: &str) -> Result<Option<(Vec<u8>, Version)>, StoreError> {
        match self {
            Self::Folder(FolderStore { root, .. }) => {
                Ok(read_file(root.join(key)).await?.map(|bytes| {
                    let version = Version(crate::package::sha256_hex(&bytes));
                    (bytes, version)
                }))
            }
            Self::S3 { location } => {
                let result = shared_client()
                    .await
                    .get_object()
                    .bucket(&location.bucket)
                    .key(location.key(key))
                    .send()
                    .await;
                match result {
                    Ok(object) => {
                        let version = Version(object.e_tag().unwrap_or_default().to_owned());
                        let data =
                            object.body.collect().await.map_err(|e| {
                                StoreError::Unavailable(format!("GetObject body: {e}"))
                            })?;
                        Ok(Some((data.into_bytes().to_vec(), version)))
                    }
                    Err(error) => match error.raw_response().map(|r| r.status().as_u16()) {
                        Some(404) => Ok(None),
                        status => Err(unavailable_s3("GetObject", status)),
                    },
                }
            }
        }
    }

    /// Replaces `key` with `bytes` only if it is still at `expected` (compare
    /// and swap): S3 `If-Match` on the ETag; in a folder, under an exclusive
    /// lock on a lock file beside it, which the system releases if the
    /// process dies. Returns the new version; `Changed` if someone else wrote
    /// or removed it in between, and then nothing is written.
    pub async fn put_if(
        &self,
        key: &str,
        bytes: Vec<u8>,
        expected: &Version,
    ) -> Result<Version, StoreError> {
        match self {
            Self::Folder(FolderStore { root, .. }) => {
                let path = root.join(key);
                let expected = expected.clone();
                let key = key.to_owned();
                blocking(move || put_file_if(&path, &bytes, &expected, &key)).await
            }
            Self::S3 { location } => {
                let answer = shared_client()
                    .await
                    .put_object()
                    .bucket(&location.bucket)
                    .key(location.key(key))
                    .content_type("application/octet-stream")
                    .if_match(&expected.0)
                    .body(ByteStream::from(bytes))
                    .send()
                    .await;
                match answer {
                    Ok(output) => Ok(Version(output.e_tag().unwrap_or_default().to_owned())),
                    Err(error) => match error.raw_response().map(|r| r.status().as_u16()) {
                        Some(404 | 409 | 412) => Err(StoreError::Changed(location.key(key))),
                        status => Err(unavailable_s3("PutObject", status)),
                    },
                }
            }
        }
    }

    /// The bytes under `key`, or `None` if there is nothing.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Self::Folder(FolderStore { root, .. }) => read_file(root.join(key)).await,
            Self::S3 { .. } => Ok(self.get_versioned(key).await?.map(|(bytes, _)| bytes)),
        }
    }

    /// Removes `key`; nothing there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            Self::Folder(FolderStore { root, .. }) => {
                let path = root.join(key);
                blocking(move || match std::fs::remove_file(&path) {
                    Ok(()) => {
                        // A conditional write that waits for the lock then
                        // finds the file gone: it writes nothing.
                        if let Some(lock) = lock_path(&path) {
                            let _ = std::fs::remove_file(lock);
                        }
                        sync_parent(&path);
                        Ok(())
                    }
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    Err(error) => Err(StoreError::Unavailable(error.to_string())),
                })
                .await
            }
            Self::S3 { location } => shared_client()
                .await
                .delete_object()
                .bucket(&location.bucket)
                .key(location.key(key))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    unavailable_s3(
                        "DeleteObject",
                        e.raw_response().map(|r| r.status().as_u16()),
                    )
                }),
        }
    }

    /// Names of the objects directly inside `folder` (not in sub-folders),
    /// sorted; a missing folder is empty.
    pub async fn list(&self, folder: &str) -> Result<Vec<String>, StoreError> {
        let folder = folder.trim_matches('/');
        let mut names = match self {
            Self::Folder(FolderStore { root, .. }) => {
                let dir = if folder.is_empty() {
                    root.clone()
                } else {
                    root.join(folder)
                };
                blocking(move || list_folder(&dir)).await?
            }
            Self::S3 { location } => {
                let (client, bucket, prefix) =
                    (shared_client().await, &location.bucket, &location.prefix);
                let full = if folder.is_empty() {
                    prefix.clone()
                } else {
                    format!("{prefix}{folder}/")
                };
                let mut names = Vec::new();
                let mut pages = client
                    .list_objects_v2()
                    .bucket(bucket)
                    .prefix(&full)
                    .delimiter("/")
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| {
                        unavailable_s3(
                            "ListObjectsV2",
                            e.raw_response().map(|r| r.status().as_u16()),
                        )
                    })?;
                    names.extend(
                        page.contents()
                            .iter()
                            .filter_map(|object| object.key()?.strip_prefix(&full))
                            .map(ToOwned::to_owned),
                    );
                }
                names
            }
        };
        names.sort();
        Ok(names)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replace {
    Never,
    Whole,
}

/// The bytes of `path`, or `None` if there is no such file.
async fn read_file(path: PathBuf) -> Result<Option<Vec<u8>>, StoreError> {
    blocking(move || match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(StoreError::Unavailable(error.to_string())),
    })
    .await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
}

fn unavailable_s3(operation: &str, status: Option<u16>) -> StoreError {
    StoreError::Unavailable(format!(
        "{operation} failed{}",
        status
            .map(|s| format!(" with HTTP {s}"))
            .unwrap_or_default()
    ))
}

/// Write to a temporary name and sync, then link (`Never`: fails if the name
/// exists) or rename (`Whole`) it into place and sync the folder.
fn write_file(path: &Path, bytes: &[u8], replace: Replace) -> Result<(), StoreError> {
    let unavailable = |e: std::io::Error| StoreError::Unavailable(e.to_string());
    let dir = prepared_folder(path)?;
    let temporary = temporary_name(dir, path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .map_err(unavailable)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(unavailable(error));
    }
    let placed = match replace {
        Replace::Never => {
            let linked = std::fs::hard_link(&temporary, path);
            let _ = std::fs::remove_file(&temporary);
            linked
        }
        Replace::Whole => std::fs::rename(&temporary, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        }),
    };
    name_taken_or_unavailable(placed.inspect(|()| sync_parent(path)), path)
}

/// The folder `path` goes in, created with every missing folder above it.
fn prepared_folder(path: &Path) -> Result<&Path, StoreError> {
    let dir = path
        .parent()
        .ok_or_else(|| StoreError::Unavailable("no folder".to_owned()))?;
    create_dirs_durably(dir, &mut |parent| sync_dir(parent))
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    Ok(dir)
}

/// What giving a file its name came to: a name already taken is `Exists`.
fn name_taken_or_unavailable(placed: std::io::Result<()>, path: &Path) -> Result<(), StoreError> {
    match placed {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(StoreError::Exists(path.display().to_string()))
        }
        Err(error) => Err(StoreError::Unavailable(error.to_string())),
    }
}

/// Writes a new file whole (an unnamed file, then a hard link that fails if
/// the name is taken; a temporary name where the file system has no unnamed
/// files) without syncing it: for objects a journal has made durable already.
pub(crate) fn link_new_unsynced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = prepared_folder(path)?;
    let linked = match write_unnamed(dir, bytes) {
        Ok(file) => link_unnamed(&file, path),
        // A file system without unnamed files: a temporary name instead.
        Err(error) if error.raw_os_error() == Some(libc::EOPNOTSUPP) => {
            let temporary = temporary_name(dir, path);
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temporary)
                .and_then(|mut file| file.write_all(bytes));
            let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
            let _ = std::fs::remove_file(&temporary);
            linked
        }
        Err(error) => Err(error),
    };
    name_taken_or_unavailable(linked, path)
}

/// A file with `bytes` and no name yet (`O_TMPFILE` in `dir`): one name to
/// make instead of a temporary one made and removed.
fn write_unnamed(dir: &Path, bytes: &[u8]) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .mode(0o666) // less the umask, as for any new file
        .custom_flags(libc::O_TMPFILE)
        .open(dir)?;
    file.write_all(bytes)?;
    Ok(file)
}

/// Gives an unnamed file its name; fails if the name is taken.
fn link_unnamed(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    let source = std::ffi::CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
    let target = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated strings that live until after
    // the call; linkat only reads them.
    let linked = unsafe {
        libc::linkat(
            libc::AT_FDCWD,
            source.as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            libc::AT_SYMLINK_FOLLOW,
        )
    };
    if linked == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// A dot name beside `path`, unique per write, so that concurrent writers
/// of one key never share it.
fn temporary_name(dir: &Path, path: &Path) -> PathBuf {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sequence = WRITES.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}-{sequence}.partial", std::process::id()))
}

/// Creates `dir` and every missing folder above it, syncing the folder each
/// new one was made in: after a power loss the whole path to a package is
/// there, not only the package's own name in its last folder.
fn create_dirs_durably(
    dir: &Path,
    sync: &mut dyn FnMut(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut current = dir;
    while !current.is_dir() {
        missing.push(current);
        match current.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => current = parent,
            _ => break,
        }
    }
    for folder in missing.into_iter().rev() {
        match std::fs::create_dir(folder) {
            Ok(()) => {}
            // Another writer made it first; it syncs its parent itself.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
        if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync(parent)?;
        }
    }
    Ok(())
}

pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// The folder store's compare and swap: under an exclusive lock on
/// `.<name>.lock` beside the file, write only if the file is still what the
/// caller read.
fn put_file_if(
    path: &Path,
    bytes: &[u8],
    expected: &Version,
    key: &str,
) -> Result<Version, StoreError> {
    let unavailable = |e: std::io::Error| StoreError::Unavailable(e.to_string());
    let lock = lock_path(path).ok_or_else(|| StoreError::Unavailable("no file name".to_owned()))?;
    let lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(unavailable)?;
    lock_file.lock().map_err(unavailable)?;
    let current = match std::fs::read(path) {
        Ok(current) => Some(crate::package::sha256_hex(&current)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(unavailable(error)),
    };
    if current.as_deref() != Some(expected.0.as_str()) {
        return Err(StoreError::Changed(key.to_owned()));
    }
    write_file(path, bytes, Replace::Whole)?;
    // The lock is released when `lock_file` is closed.
    Ok(Version(crate::package::sha256_hex(bytes)))
}

/// `.<name>.lock` beside `path`: a dot file, so listings leave it out.
fn lock_path(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy();
    Some(path.with_file_name(format!(".{name}.lock")))
}

/// Makes a new or removed name durable.
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
}

fn list_folder(dir: &Path) -> Result<Vec<String>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(StoreError::Unavailable(error.to_string())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Dot files are writes in progress.
        if !name.starts_with('.') && entry.file_type().is_ok_and(|t| t.is_file()) {
            names.push(name);
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_store_never_overwrites_with_put_new() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::folder(dir.path());
        store.put_new("a/b/x.age", b"first".to_vec()).await.unwrap();
        let again = store.put_new("a/b/x.age", b"second".to_vec()).await;
        assert!(matches!(again, Err(StoreError::Exists(_))));
        assert_eq!(store.get("a/b/x.age").await.unwrap().unwrap(), b"first");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a/b")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[tokio::test]
    async fn put_replaces_get_reads_list_names_delete_removes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::folder(dir.path());
        assert_eq!(store.get("outbox/A").await.unwrap(), None);
        assert!(store.list("outbox").await.unwrap().is_empty());
        store.put("outbox/B", b"1".to_vec()).await.unwrap();
        store.put("outbox/A", b"1".to_vec()).await.unwrap();
        store.put("outbox/A", b"2".to_vec()).await.unwrap();
        store.put("outbox/sub/C", b"3".to_vec()).await.unwrap();
        assert_eq!(store.get("outbox/A").await.unwrap().unwrap(), b"2");
        assert_eq!(store.list("outbox/").await.unwrap(), ["A", "B"]);
        store.delete("outbox/A").await.unwrap();
        store.delete("outbox/A").await.unwrap();
        assert_eq!(store.list("outbox").await.unwrap(), ["B"]);
    }

    #[test]
    fn every_new_folder_on_the_way_is_synced_in_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("submissions")).unwrap();
        let target = dir.path().join("submissions/05711000/2026/11");
        let mut synced = Vec::new();
        create_dirs_durably(&target, &mut |p| {
            synced.push(p.strip_prefix(dir.path()).unwrap().to_path_buf());
            Ok(())
        })
        .unwrap();
        assert!(target.is_dir());
        let names: Vec<String> = synced.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            names,
            [
                "submissions",
                "submissions/05711000",
                "submissions/05711000/2026"
            ]
        );
        synced.clear();
        create_dirs_durably(&target, &mut |p| {
            synced.push(p.to_path_buf());
            Ok(())
        })
        .unwrap();
        assert!(synced.is_empty(), "nothing new, nothing to sync");
    }

    #[tokio::test]
    async fn a_conditional_write_succeeds_only_over_the_version_it_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::folder(dir.path());
        store.put("outbox/A", b"1".to_vec()).await.unwrap();
        let (_, first) = store.get_versioned("outbox/A").await.unwrap().unwrap();
        let second = store
            .put_if("outbox/A", b"2".to_vec(), &first)
            .await
            .unwrap();
        assert!(matches!(
            store.put_if("outbox/A", b"3".to_vec(), &first).await,
            Err(StoreError::Changed(_))
        ));
        assert_eq!(store.get("outbox/A").await.unwrap().unwrap(), b"2");
        store.delete("outbox/A").await.unwrap();
        assert!(
            matches!(
                store.put_if("outbox/A", b"4".to_vec(), &second).await,
                Err(StoreError::Changed(_))
            ),
            "a removed object is not revived"
        );
        assert_eq!(store.get("outbox/A").await.unwrap(), None);
        assert!(
            store.list("outbox").await.unwrap().is_empty(),
            "no lock file listed"
        );
    }

    #[test]
    fn store_specs() {
        assert!(matches!(Store::from_spec("/var/x"), Ok(Store::Folder(_))));
        assert!(Store::from_spec("s3://").is_err());
        assert!(Store::from_spec("").is_err());
        match Store::from_spec("s3://bucket/some/prefix/") {
            Ok(store @ Store::S3 { .. }) => {
                assert_eq!(store.describe(), "s3://bucket/some/prefix/");
            }
            _ => panic!("expected s3"),
        }
    }
}
