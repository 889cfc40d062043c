//! Durable storage of sealed submissions, never overwriting: a local folder
//! or any S3-compatible bucket (endpoint and keys from the usual AWS
//! environment variables). Only ciphertext ever reaches it.

use std::io::Write;
use std::path::{Path, PathBuf};

use aws_sdk_s3::primitives::ByteStream;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An object with this key exists already; nothing was changed.
    #[error("{0} exists already")]
    Exists(String),
    /// The storage could not be reached or refused the write.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

pub enum Store {
    Folder(PathBuf),
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
        prefix: String,
    },
}

impl Store {
    /// `s3://bucket[/prefix]` or a folder path.
    pub fn from_spec(spec: &str) -> Result<Self, String> {
        let Some(rest) = spec.strip_prefix("s3://") else {
            if spec.is_empty() {
                return Err("expected a folder or s3://bucket[/prefix]".to_owned());
            }
            return Ok(Self::Folder(PathBuf::from(spec)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err("expected s3://bucket[/prefix]".to_owned());
        }
        let prefix = prefix.trim_matches('/');
        Ok(Self::S3 {
            client: s3_client_from_env(),
            bucket: bucket.to_owned(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
        })
    }

    /// Writes `bytes` under `key` unless something is there already; returns
    /// only once the bytes are durable (fsync, or the bucket's acknowledgement).
    pub async fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        match self {
            Self::Folder(root) => {
                let path = root.join(key);
                tokio::task::spawn_blocking(move || write_new_file(&path, &bytes))
                    .await
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?
            }
            Self::S3 {
                client,
                bucket,
                prefix,
            } => {
                let full_key = format!("{prefix}{key}");
                let result = client
                    .put_object()
                    .bucket(bucket)
                    .key(&full_key)
                    .if_none_match("*")
                    .content_type("application/octet-stream")
                    .body(ByteStream::from(bytes))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(error) => {
                        let status = error.raw_response().map(|r| r.status().as_u16());
                        if status == Some(412) {
                            Err(StoreError::Exists(full_key))
                        } else {
                            Err(StoreError::Unavailable(format!(
                                "PutObject failed{}",
                                status
                                    .map(|s| format!(" with HTTP {s}"))
                                    .unwrap_or_default()
                            )))
                        }
                    }
                }
            }
        }
    }
}

/// Write to a temporary name, sync, then link to the final name (which fails
/// if it exists): a reader never sees half a file, nothing is overwritten.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let unavailable = |e: std::io::Error| StoreError::Unavailable(e.to_string());
    let dir = path
        .parent()
        .ok_or_else(|| StoreError::Unavailable("no folder".to_owned()))?;
    std::fs::create_dir_all(dir).map_err(unavailable)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.partial"));
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
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(StoreError::Exists(path.display().to_string()))
        }
        Err(error) => Err(unavailable(error)),
    }
}

/// An S3 client from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
/// AWS_SESSION_TOKEN, AWS_REGION and AWS_ENDPOINT_URL(_S3), as in Lambda or
/// for any S3-compatible store.
fn s3_client_from_env() -> aws_sdk_s3::Client {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let credentials = aws_sdk_s3::config::Credentials::new(
        var("AWS_ACCESS_KEY_ID").unwrap_or_default(),
        var("AWS_SECRET_ACCESS_KEY").unwrap_or_default(),
        var("AWS_SESSION_TOKEN"),
        None,
        "environment",
    );
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| "eu-central-1".to_owned());
    let mut config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(region))
        .credentials_provider(credentials);
    if let Some(endpoint) = var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL")) {
        // S3-compatible servers address buckets by path, not by host name.
        config = config.endpoint_url(endpoint).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_store_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::Folder(dir.path().to_path_buf());
        store.put_new("a/b/x.age", b"first".to_vec()).await.unwrap();
        let again = store.put_new("a/b/x.age", b"second".to_vec()).await;
        assert!(matches!(again, Err(StoreError::Exists(_))));
        assert_eq!(
            std::fs::read(dir.path().join("a/b/x.age")).unwrap(),
            b"first"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a/b")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn store_specs() {
        assert!(matches!(Store::from_spec("/var/x"), Ok(Store::Folder(_))));
        assert!(Store::from_spec("s3://").is_err());
        match Store::from_spec("s3://bucket/some/prefix/") {
            Ok(Store::S3 { bucket, prefix, .. }) => assert_eq!(
                (bucket.as_str(), prefix.as_str()),
                ("bucket", "some/prefix/")
            ),
            _ => panic!("expected s3"),
        }
    }
}
