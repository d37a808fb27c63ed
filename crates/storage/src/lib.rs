//! # chat-storage
//!
//! Where attachment bytes live: the [`ObjectStorage`] port of `chat-domain`
//! implemented with the `object_store` crate, over
//!
//! - a **local folder** (the embedded default: `{CHAT_DATA_DIR}/storage`,
//!   or `CHAT_STORAGE_URL=file:///absolute/path`), fine for one node;
//! - **S3-compatible storage** (`CHAT_STORAGE_URL=s3://bucket/prefix`),
//!   configured by the usual variables: `AWS_ENDPOINT` (MinIO, Ceph, R2,
//!   moto…), `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!   `AWS_SESSION_TOKEN`, `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint,
//!   `AWS_VIRTUAL_HOSTED_STYLE_REQUEST`; every node sees every file.
//!
//! Keys are `attachments/{customer}/{attachment}` (see
//! [`chat_domain::attachment::Attachment::key_for`]); the same suite of
//! tests (tests/storage.rs) runs against both adapters.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chat_domain::attachment::{ObjectStorage, StorageError};
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// A storage configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `CHAT_STORAGE_URL` is not `s3://bucket[/prefix]` or `file:///path`.
    #[error("CHAT_STORAGE_URL: {0}")]
    Url(String),
    /// The local folder cannot be created or opened.
    #[error("storage folder {path}: {message}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The S3 client cannot be built from this configuration.
    #[error("S3 storage: {0}")]
    S3(String),
}

/// Where the bytes go, parsed from `CHAT_STORAGE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageUrl {
    /// A local folder.
    Folder(PathBuf),
    /// An S3-compatible bucket, objects under `prefix` (may be empty).
    S3 {
        /// The bucket.
        bucket: String,
        /// The key prefix, without leading or trailing slashes.
        prefix: String,
    },
}

impl StorageUrl {
    /// Parses `CHAT_STORAGE_URL`; unset or empty means the folder `storage`
    /// under `data_dir`.
    pub fn parse(url: Option<&str>, data_dir: &Path) -> Result<Self, ConfigError> {
        let url = url.map(str::trim).filter(|u| !u.is_empty());
        let Some(url) = url else {
            return Ok(Self::Folder(data_dir.join("storage")));
        };
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid = (3..=63).contains(&bucket.len())
                && bucket
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b));
            if !valid {
                return Err(ConfigError::Url(format!(
                    "{bucket:?} is not an S3 bucket name (3 to 63 lowercase letters, digits, '-' or '.')"
                )));
            }
            return Ok(Self::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        if let Some(path) = url.strip_prefix("file://") {
            let path = PathBuf::from(path);
            if !path.is_absolute() {
                return Err(ConfigError::Url(
                    "file:// needs an absolute path (file:///var/lib/chat/files)".into(),
                ));
            }
            return Ok(Self::Folder(path));
        }
        Err(ConfigError::Url(format!(
            "expected s3://bucket/prefix or file:///absolute/path, got {url:?}"
        )))
    }
}

/// The object storage: an [`ObjectStorage`] over any `object_store` backend.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<dyn ObjectStore>,
    describe: String,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

impl Storage {
    /// Opens the storage `url` names. `aws_vars` are the `AWS_*` settings
    /// (name, value) for S3, usually `std::env::vars()`: passed in, so
    /// tests configure a client without touching the process environment.
    pub fn open(
        url: &StorageUrl,
        aws_vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        match url {
            StorageUrl::Folder(dir) => Self::folder(dir),
            StorageUrl::S3 { bucket, prefix } => Self::s3(bucket, prefix, aws_vars),
        }
    }

    /// A local folder (created if missing).
    pub fn folder(dir: &Path) -> Result<Self, ConfigError> {
        let fail = |e: &dyn std::fmt::Display| ConfigError::Folder {
            path: dir.to_owned(),
            message: e.to_string(),
        };
        // Customers' files: readable by this user only (like the rest of
        // the data directory), whatever the umask.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| fail(&e))?;
        // Empty per-customer folders go away with their last file.
        let fs = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| fail(&e))?
            .with_automatic_cleanup(true);
        Ok(Self {
            inner: Arc::new(fs),
            describe: format!("folder {}", dir.display()),
        })
    }

    /// An S3-compatible bucket; `prefix` is prepended to every key.
    pub fn s3(
        bucket: &str,
        prefix: &str,
        aws_vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        // The tree's TLS provider (ring), if no one installed one yet; an
        // https endpoint needs it. Already installed is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new().with_bucket_name(bucket);
        for (name, value) in aws_vars {
            if !name.starts_with("AWS_") {
                continue;
            }
            // Unknown AWS_ variables (the CLI's own) are not ours to refuse.
            if let Ok(key) = name.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
                builder = builder.with_config(key, value);
            }
        }
        let s3 = builder
            .build()
            .map_err(|e| ConfigError::S3(e.to_string()))?;
        let describe = format!("s3://{bucket}/{prefix}");
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(Self { inner, describe })
    }
}

fn path(key: &str) -> Result<ObjectPath, StorageError> {
    ObjectPath::parse(key).map_err(|e| StorageError::Backend(format!("invalid key {key:?}: {e}")))
}

fn map_err(key: &str, e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { .. } => StorageError::NotFound(key.to_owned()),
        other => {
            tracing::warn!(key, error = %other, "object storage failure");
            StorageError::Backend(other.to_string())
        }
    }
}

#[async_trait]
impl ObjectStorage for Storage {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.inner
            .put(&path(key)?, PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| map_err(key, e))
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let got = self
            .inner
            .get(&path(key)?)
            .await
            .map_err(|e| map_err(key, e))?;
        let bytes = got.bytes().await.map_err(|e| map_err(key, e))?;
        Ok(bytes.to_vec())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.inner.delete(&path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(map_err(key, e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let prefix = path(prefix)?;
        let mut keys: Vec<String> = self
            .inner
            .list(Some(&prefix))
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .map_err(|e| map_err(prefix.as_ref(), e))?;
        keys.sort();
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let data = Path::new("/data");
        assert_eq!(
            StorageUrl::parse(None, data).unwrap(),
            StorageUrl::Folder("/data/storage".into())
        );
        assert_eq!(
            StorageUrl::parse(Some("s3://chat-files/prod/eu/"), data).unwrap(),
            StorageUrl::S3 {
                bucket: "chat-files".into(),
                prefix: "prod/eu".into()
            }
        );
        assert_eq!(
            StorageUrl::parse(Some("file:///srv/files"), data).unwrap(),
            StorageUrl::Folder("/srv/files".into())
        );
        assert!(StorageUrl::parse(Some("s3://Bad_Bucket"), data).is_err());
        assert!(StorageUrl::parse(Some("file://relative"), data).is_err());
        assert!(StorageUrl::parse(Some("gs://bucket"), data).is_err());
    }
}
