//! `site-gen deploy`: publishes a finished build to S3-compatible storage,
//! uploading only what changed.
//!
//! - Only a complete site build is published: its manifest must say "site"
//!   and list exactly the files on disk (form-fn's folder says "function" and
//!   is refused, so its transport settings can never go online).
//! - Every object carries the SHA-256 of its content in its metadata
//!   (`x-amz-meta-sha256`); a file is unchanged when that hash equals the
//!   local one. ETags are never compared: multipart uploads and encryption
//!   make them something other than a content hash.
//! - Reading each object's metadata costs a request per file, so each deploy
//!   leaves a record of what it uploaded, [`RECORD`] under the prefix: key →
//!   hash, as in the objects' metadata. The next deploy takes the hashes from
//!   the record and asks the bucket only about keys it lacks. Keys about to be
//!   uploaded leave the record before the upload starts, so an interrupted
//!   deploy never leaves a record that vouches for an object it did not
//!   finish. `--verify` (and a missing or unreadable record) reads every
//!   object's metadata instead; `--delete` lists the prefix, so objects
//!   deleted behind deploy's back are found and put back.
//! - Order keeps the live site whole: fingerprinted assets first, pages next,
//!   the index last, deletions (with `--delete`) only after every upload
//!   succeeded. An interrupted deploy leaves old and new files side by side,
//!   and the next run finishes the job, because each run compares afresh.
//! - Every key stays under the prefix: keys are the manifest's relative
//!   paths (checked to be plain) behind the prefix, and deletion only
//!   considers what a listing of that prefix returned.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use futures_util::{StreamExt, TryStreamExt, stream};
use indicatif::ProgressBar;
use rayon::prelude::*;
use sealed_store::aws::innermost;
use sealed_store::s3::{ClientOptions, S3Location};
use serde::{Deserialize, Serialize};

use sealed_store::package::sha256_hex;

use crate::output::{FolderKind, MANIFEST, Manifest, files_in, is_fingerprinted};

/// Metadata key of the content hash (sent as `x-amz-meta-sha256`).
const HASH_METADATA: &str = "sha256";
/// The deploy record under the prefix: which hash each uploaded key has.
/// The CloudFront Function does not serve paths that start with a dot.
pub const RECORD: &str = ".site-gen-deployed.json";
/// The largest deploy record read (about 100 bytes per file: a million files).
const MAX_RECORD_BYTES: i64 = 128 * 1024 * 1024;
/// Requests in flight at once.
const CONCURRENCY: usize = 32;

#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The site folder `site-gen build --out` wrote.
    pub from: PathBuf,
    pub to: S3Location,
    pub client: ClientOptions,
    /// List what would change; change nothing.
    pub dry_run: bool,
    /// Remove objects under the prefix that the build no longer has.
    pub delete: bool,
    /// Read every object's metadata rather than trust the deploy record
    /// (after the bucket was changed by other means).
    pub verify: bool,
}

/// What a deploy did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeploySummary {
    pub uploaded: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub bytes_uploaded: u64,
}

/// One change, as reported while planning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `key`, absent from the bucket or different there.
    Upload { key: String, new: bool },
    /// `key`, in the bucket but no longer in the build.
    Delete { key: String },
}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// `--from` is not a complete site build.
    #[error("{0}")]
    NotABuild(String),
    /// The storage could not be reached, refused, or lacks the bucket.
    #[error("{0}")]
    Storage(String),
}

/// What the bucket has under a key.
enum Remote {
    Absent,
    /// There, with its size and the content hash in its metadata if it has one.
    Present {
        size: Option<u64>,
        hash: Option<String>,
    },
}

/// The deploy record ([`RECORD`]).
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    generator: String,
    /// Relative path → SHA-256 of the content uploaded there.
    objects: BTreeMap<String, String>,
}

/// A file of the build, with what the bucket needs to know about it.
#[derive(Debug, Clone)]
struct LocalFile {
    /// `/`-separated path inside the build.
    relative: String,
    path: PathBuf,
    size: u64,
    sha256: String,
}

/// Publishes `options.from` to `options.to`; `on_change` hears every upload
/// and deletion as it is planned (or, in a dry run, instead of it).
pub async fn deploy(
    options: &DeployOptions,
    progress: &ProgressBar,
    on_change: &(dyn Fn(&Change) + Sync),
) -> Result<DeploySummary, DeployError> {
    let local = read_build(&options.from, progress)?;
    let client = sealed_store::s3::client_with_credentials(&options.client)
        .await
        .map_err(|cause| {
            DeployError::Storage(format!(
                "no AWS credentials found ({cause}): set AWS_PROFILE (after `aws sso login` if \
                 you use SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ))
        })?;
    let bucket = Bucket {
        client: &client,
        location: &options.to,
    };
    // The record is read first: it also proves the bucket can be reached.
    let mut record = bucket.read_record().await?;
    if options.verify {
        record.clear();
    }
    let listed = if options.delete {
        Some(bucket.list(progress).await?)
    } else {
        None
    };
    if let Some(listed) = &listed {
        // An object gone from the bucket is not vouched for by the record.
        record.retain(|relative, _| listed.contains(&options.to.key(relative)));
    }
    let (uploads, unchanged) = bucket.changed_files(&local, &record, progress).await?;
    let produced: HashSet<String> = local.iter().map(|f| options.to.key(&f.relative)).collect();
    let deletions: Vec<String> = listed
        .iter()
        .flatten()
        .filter(|key| {
            key.starts_with(&options.to.prefix)
                && !produced.contains(*key)
                && **key != options.to.key(RECORD)
        })
        .cloned()
        .collect();
    for (file, new) in &uploads {
        on_change(&Change::Upload {
            key: options.to.key(&file.relative),
            new: *new,
        });
    }
    for key in &deletions {
        on_change(&Change::Delete { key: key.clone() });
    }
    let summary = DeploySummary {
        uploaded: uploads.len(),
        unchanged,
        deleted: deletions.len(),
        bytes_uploaded: uploads.iter().map(|(f, _)| f.size).sum(),
    };
    if !options.dry_run {
        let uploads: Vec<LocalFile> = uploads.into_iter().map(|(file, _)| file).collect();
        if !uploads.is_empty() {
            for file in &uploads {
                record.remove(&file.relative);
            }
            bucket.write_record(&record).await?;
            bucket.upload(&uploads, progress).await?;
        }
        bucket.delete(&deletions, progress).await?;
        let complete: BTreeMap<String, String> = local
            .iter()
            .map(|f| (f.relative.clone(), f.sha256.clone()))
            .collect();
        if complete != record || !uploads.is_empty() {
            bucket.write_record(&complete).await?;
        }
    }
    progress.finish_and_clear();
    Ok(summary)
}

/// Checks that `dir` is a complete site build and hashes its files.
fn read_build(dir: &Path, progress: &ProgressBar) -> Result<Vec<LocalFile>, DeployError> {
    let refuse = |why: String| {
        DeployError::NotABuild(format!(
            "{} is not a complete site-gen build: {why}; run `site-gen build` and deploy \
             the folder it wrote with --out",
            dir.display()
        ))
    };
    let manifest = Manifest::read(dir).ok_or_else(|| refuse(format!("it has no {MANIFEST}")))?;
    if manifest.kind != FolderKind::Site {
        return Err(DeployError::NotABuild(format!(
            "{} is form-fn's folder (registry and form shells with transport settings): it \
             is never published; deploy the site folder instead",
            dir.display()
        )));
    }
    let on_disk = files_on_disk(dir).map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if let Some(extra) = on_disk.keys().find(|f| !manifest.files.contains(f)) {
        return Err(refuse(format!("{extra} was not written by the build")));
    }
    for (relative, record) in manifest.files.iter() {
        if !is_plain_path(relative) {
            return Err(refuse(format!("its manifest names `{relative}`")));
        }
        match on_disk.get(relative) {
            None => return Err(refuse(format!("{relative} is missing"))),
            Some(found) if *found != record.size => {
                return Err(refuse(format!("{relative} was changed after the build")));
            }
            Some(_) => {}
        }
    }
    progress.set_message("hashing");
    progress.set_length(manifest.files.len() as u64);
    manifest
        .files
        .par_iter()
        .map(|(relative, record)| {
            let path = dir.join(relative);
            let bytes =
                std::fs::read(&path).map_err(|e| refuse(format!("cannot read {relative}: {e}")))?;
            progress.inc(1);
            Ok(LocalFile {
                relative: relative.to_owned(),
                path,
                size: record.size,
                sha256: sha256_hex(&bytes),
            })
        })
        .collect()
}

/// Every file under `dir` but the manifest, with its size.
fn files_on_disk(dir: &Path) -> std::io::Result<BTreeMap<String, u64>> {
    files_in(dir)?
        .into_iter()
        .filter(|relative| relative != MANIFEST)
        .map(|relative| {
            let size = std::fs::metadata(dir.join(&relative))?.len();
            Ok((relative, size))
        })
        .collect()
}

/// A relative path that cannot leave the prefix: no `.`/`..`, empty parts or
/// backslashes, not absolute.
fn is_plain_path(relative: &str) -> bool {
    !relative.is_empty()
        && !relative.contains('\\')
        && relative
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The bucket and prefix a deploy writes to.
struct Bucket<'a> {
    client: &'a aws_sdk_s3::Client,
    location: &'a S3Location,
}

impl Bucket<'_> {
    /// Every key under the prefix.
    async fn list(&self, progress: &ProgressBar) -> Result<HashSet<String>, DeployError> {
        progress.set_message("listing the bucket");
        progress.set_length(0);
        progress.set_position(0);
        let mut objects = HashSet::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.location.bucket)
            .prefix(&self.location.prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.refused("list", e))?;
            objects.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key().map(str::to_owned)),
            );
            progress.set_position(objects.len() as u64);
        }
        Ok(objects)
    }

    /// The files to upload (absent or different in the bucket, with
    /// whether they are new there) and the number unchanged. The record
    /// gives the hash of what it lists; the bucket is asked about the rest.
    async fn changed_files(
        &self,
        local: &[LocalFile],
        record: &BTreeMap<String, String>,
        progress: &ProgressBar,
    ) -> Result<(Vec<(LocalFile, bool)>, usize), DeployError> {
        let mut changed = Vec::new();
        let mut unchanged = 0;
        let mut to_ask = Vec::new();
        for file in local {
            match record.get(&file.relative) {
                Some(hash) if *hash == file.sha256 => unchanged += 1,
                Some(_) => changed.push((file.clone(), false)),
                None => to_ask.push(file),
            }
        }
        progress.set_message("comparing");
        progress.set_length(to_ask.len() as u64);
        progress.set_position(0);
        let asked: Vec<(LocalFile, Remote)> = stream::iter(to_ask)
            .map(|file| async move {
                let remote = self.remote(&file.relative).await?;
                progress.inc(1);
                Ok::<_, DeployError>((file.clone(), remote))
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        for (file, remote) in asked {
            match remote {
                Remote::Absent => changed.push((file, true)),
                // The size as well: a store that wrote an object's metadata
                // but not all of its bytes (an upload cut off) is caught.
                Remote::Present {
                    size: Some(size),
                    hash: Some(hash),
                } if hash == file.sha256 && size == file.size => unchanged += 1,
                Remote::Present { .. } => changed.push((file, false)),
            }
        }
        // Assets before the pages that link them, the index last.
        changed.sort_by_key(|(f, _)| (upload_rank(&f.relative), f.relative.clone()));
        Ok((changed, unchanged))
    }

    /// Whether the bucket has `relative`, and the content hash it carries.
    async fn remote(&self, relative: &str) -> Result<Remote, DeployError> {
        let head = self
            .client
            .head_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(relative))
            .send()
            .await;
        match head {
            Ok(head) => Ok(Remote::Present {
                size: head.content_length().and_then(|n| u64::try_from(n).ok()),
                hash: head.metadata().and_then(|m| m.get(HASH_METADATA)).cloned(),
            }),
            Err(error)
                if error
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 404) =>
            {
                Ok(Remote::Absent)
            }
            Err(error) => Err(self.refused("read", error)),
        }
    }

    /// The record of the last deploy; empty if there is none or it cannot
    /// be read as one (then every object's metadata is read instead).
    async fn read_record(&self) -> Result<BTreeMap<String, String>, DeployError> {
        let answer = self
            .client
            .get_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(RECORD))
            .send()
            .await;
        match answer {
            // A record larger than any site makes is not read: every
            // object's metadata is asked for instead.
            Ok(object) if object.content_length().unwrap_or(0) > MAX_RECORD_BYTES => {
                Ok(BTreeMap::new())
            }
            Ok(object) => {
                let bytes = object.body.collect().await.map_err(|e| {
                    DeployError::Storage(format!("cannot read {}: {e}", self.location.key(RECORD)))
                })?;
                Ok(serde_json::from_slice::<Record>(&bytes.into_bytes())
                    .map(|r| r.objects)
                    .unwrap_or_default())
            }
            Err(error)
                if error
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 404) =>
            {
                match error.code() {
                    Some("NoSuchBucket") => Err(self.refused("list", error)),
                    _ => Ok(BTreeMap::new()),
                }
            }
            Err(error) => Err(self.refused("list", error)),
        }
    }

    async fn write_record(&self, objects: &BTreeMap<String, String>) -> Result<(), DeployError> {
        let record = Record {
            generator: format!("site-gen {}", env!("CARGO_PKG_VERSION")),
            objects: objects.clone(),
        };
        let json = serde_json::to_vec(&record)
            .map_err(|e| DeployError::Storage(format!("cannot write the deploy record: {e}")))?;
        self.client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(RECORD))
            .body(ByteStream::from(json))
            .content_type("application/json; charset=utf-8")
            .cache_control("no-store")
            .send()
            .await
            .map_err(|e| self.refused("upload to", e))?;
        Ok(())
    }

    async fn upload(&self, files: &[LocalFile], progress: &ProgressBar) -> Result<(), DeployError> {
        progress.set_message("uploading");
        progress.set_length(files.len() as u64);
        progress.set_position(0);
        // Ranks one after the other, so no page goes online before its assets.
        let mut start = 0;
        while start < files.len() {
            let rank = upload_rank(&files[start].relative);
            let end = files[start..]
                .iter()
                .position(|f| upload_rank(&f.relative) != rank)
                .map_or(files.len(), |n| start + n);
            stream::iter(&files[start..end])
                .map(|file| async move {
                    self.put(file).await?;
                    progress.inc(1);
                    Ok::<_, DeployError>(())
                })
                .buffer_unordered(CONCURRENCY)
                .try_collect::<()>()
                .await?;
            start = end;
        }
        Ok(())
    }

    async fn put(&self, file: &LocalFile) -> Result<(), DeployError> {
        let body = ByteStream::from_path(&file.path).await.map_err(|e| {
            DeployError::NotABuild(format!("cannot read {}: {e}", file.path.display()))
        })?;
        self.client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(&file.relative))
            .body(body)
            .content_type(content_type(&file.relative))
            .cache_control(cache_control(&file.relative))
            .metadata(HASH_METADATA, &file.sha256)
            .send()
            .await
            .map_err(|e| self.refused("upload to", e))?;
        Ok(())
    }

    async fn delete(&self, keys: &[String], progress: &ProgressBar) -> Result<(), DeployError> {
        progress.set_message("deleting");
        progress.set_length(keys.len() as u64);
        progress.set_position(0);
        stream::iter(keys)
            .map(|key| async move {
                self.client
                    .delete_object()
                    .bucket(&self.location.bucket)
                    .key(key)
                    .send()
                    .await
                    .map_err(|e| self.refused("delete from", e))?;
                progress.inc(1);
                Ok::<_, DeployError>(())
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await
    }

    /// One line that says what went wrong and what to check.
    fn refused<E: ProvideErrorMetadata + std::error::Error + 'static>(
        &self,
        action: &str,
        error: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> DeployError {
        let location = self.location;
        let status = error.raw_response().map(|r| r.status().as_u16());
        let code = error.code().unwrap_or_default().to_owned();
        let message = match (&error, status, code.as_str()) {
            (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_), _, _)
            | (SdkError::ConstructionFailure(_), _, _) => format!(
                "cannot {action} {location}: the storage did not answer ({}); check \
                 --endpoint and the network",
                innermost(&error)
            ),
            (_, _, "NoSuchBucket") | (_, Some(404), _) if action == "list" => format!(
                "cannot {action} {location}: the bucket `{}` does not exist; create it \
                 first (deploy/template.yaml does) or check the name",
                location.bucket
            ),
            (_, Some(401 | 403), _) => format!(
                "cannot {action} {location}: the storage refused the credentials ({}); check \
                 AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and that they may \
                 write to the bucket",
                if code.is_empty() {
                    "access denied"
                } else {
                    &code
                }
            ),
            _ => format!(
                "cannot {action} {location}: the storage answered {}{}",
                status.map_or_else(|| "with an error".to_owned(), |s| format!("HTTP {s}")),
                if code.is_empty() {
                    String::new()
                } else {
                    format!(" ({code})")
                }
            ),
        };
        DeployError::Storage(message)
    }
}

/// 0: fingerprinted assets; 1: other files; 2: pages; 3: the index.
fn upload_rank(relative: &str) -> u8 {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if relative == "index.html" {
        3
    } else if name.ends_with(".html") {
        2
    } else if is_fingerprinted(name) {
        0
    } else {
        1
    }
}

/// The media type of a published file; text with its charset.
fn content_type(relative: &str) -> &'static str {
    let extension = relative.rsplit_once('.').map_or("", |(_, e)| e);
    match extension {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Fingerprinted assets never change under their name: cached for a year.
/// Pages and the index change with every edit: a few minutes. The
/// confirmation page shows the citizen's reference (from its address): kept
/// in no cache.
fn cache_control(relative: &str) -> &'static str {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if relative.ends_with("/apply/done/index.html") {
        "no-store"
    } else if is_fingerprinted(name) {
        "public, max-age=31536000, immutable"
    } else if name.ends_with(".html") {
        "public, max-age=300"
    } else {
        "public, max-age=3600"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_follow_the_kind_of_file() {
        assert_eq!(content_type("a/b/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/style.0123456789abcdef.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            content_type("bonn/coat-of-arms.svg"),
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(content_type("x"), "application/octet-stream");
        assert_eq!(
            cache_control("assets/site.0123456789abcdef.js"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("index.html"), "public, max-age=300");
        assert_eq!(cache_control("koeln/de/index.html"), "public, max-age=300");
        assert_eq!(cache_control("sitemap.xml"), "public, max-age=3600");
        assert_eq!(cache_control("koeln/de/apply/done/index.html"), "no-store");
    }

    #[test]
    fn assets_go_first_and_the_index_last() {
        let mut files = vec![
            "index.html",
            "koeln/de/index.html",
            "sitemap.xml",
            "assets/style.0123456789abcdef.css",
        ];
        files.sort_by_key(|f| upload_rank(f));
        assert_eq!(
            files,
            [
                "assets/style.0123456789abcdef.css",
                "sitemap.xml",
                "koeln/de/index.html",
                "index.html"
            ]
        );
    }

    #[test]
    fn paths_stay_inside_the_prefix() {
        assert!(is_plain_path("koeln/de/index.html"));
        assert!(!is_plain_path("../x"));
        assert!(!is_plain_path("/x"));
        assert!(!is_plain_path("a//b"));
        assert!(!is_plain_path("a\\b"));
        assert!(!is_plain_path(""));
    }
}
