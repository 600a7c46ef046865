//! Blobs in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Backblaze B2, Wasabi …)
//! through the `object_store` crate, for a server that should not keep files on its own disk or
//! runs as several processes: `[blobs.s3]` in the configuration. Objects are
//! `<prefix>/<org>/<name>`, so one bucket can hold several servers' files under their own
//! prefixes and one organisation's files never share a key with another's.
//!
//! [`BlobStore`] is blocking (routes call it on `crate::blocking`'s threads); `object_store` is
//! async, so each call is run to completion on the server's runtime from that blocking thread.

use super::store::BlobStore;
use crate::config::Secret;
use fieldstone_model::OrgId;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStoreExt, PutPayload, RetryConfig};
use serde::Deserialize;
use std::io;
use std::time::Duration;

/// `[blobs.s3]` in the configuration file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The bucket (it must exist; the server never creates or lists buckets).
    pub bucket: String,
    /// The service's address: `https://s3.eu-west-1.amazonaws.com`,
    /// `https://<account>.r2.cloudflarestorage.com`, `http://127.0.0.1:9000` (MinIO). Unset:
    /// AWS for `region`.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The region requests are signed for (`auto` for R2).
    #[serde(default = "default_region")]
    pub region: String,
    pub access_key_id: String,
    /// Never logged.
    pub secret_access_key: Secret,
    /// Where under the bucket this server's objects go (no leading or trailing `/`).
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Allows an `http://` endpoint (a MinIO on the same private network); off by default so a
    /// typo cannot send files and signatures in the clear.
    #[serde(default)]
    pub allow_http: bool,
    /// Seconds one request may take before it is retried (at most three tries).
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_region() -> String {
    "us-east-1".into()
}
fn default_prefix() -> String {
    "fieldstone-blobs".into()
}
fn default_timeout_secs() -> u64 {
    30
}

impl S3Config {
    /// What is wrong with it, each as a sentence naming the key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let bucket_ok = (3..=63).contains(&self.bucket.len())
            && self
                .bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            problems.push(
                "blobs.s3.bucket must be 3 to 63 lower-case letters, digits, dots or hyphens"
                    .into(),
            );
        }
        if let Some(endpoint) = &self.endpoint {
            match reqwest::Url::parse(endpoint) {
                Ok(url) if url.scheme() == "https" => {}
                Ok(url) if url.scheme() == "http" && self.allow_http => {}
                Ok(url) if url.scheme() == "http" => problems.push(
                    "blobs.s3.endpoint is http://: set blobs.s3.allow_http = true to allow that"
                        .into(),
                ),
                _ => problems.push(
                    "blobs.s3.endpoint must be an https:// address, like https://s3.eu-west-1.amazonaws.com"
                        .into(),
                ),
            }
        }
        if self.region.trim().is_empty() {
            problems.push("blobs.s3.region must not be empty".into());
        }
        if self.access_key_id.trim().is_empty() || self.secret_access_key.expose().is_empty() {
            problems.push("blobs.s3.access_key_id and secret_access_key are both needed".into());
        }
        if self.prefix.starts_with('/')
            || self.prefix.ends_with('/')
            || self
                .prefix
                .split('/')
                .any(|part| part.is_empty() || part == "..")
        {
            problems.push(
                "blobs.s3.prefix must be folder names joined by /, without a leading or trailing /"
                    .into(),
            );
        }
        if !(1..=300).contains(&self.timeout_secs) {
            problems.push("blobs.s3.timeout_secs must be between 1 and 300".into());
        }
        problems
    }
}

/// Blobs as objects in a bucket.
pub struct S3BlobStore {
    bucket: AmazonS3,
    prefix: String,
}

impl S3BlobStore {
    pub fn new(config: &S3Config) -> Result<Self, String> {
        let retry = RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(config.timeout_secs.saturating_mul(3)),
            ..RetryConfig::default()
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(config.secret_access_key.expose())
            .with_allow_http(config.allow_http)
            .with_retry(retry)
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(Duration::from_secs(config.timeout_secs))
                    .with_allow_http(config.allow_http),
            );
        if let Some(endpoint) = &config.endpoint {
            // Path-style (`<endpoint>/<bucket>/<key>`): what MinIO and most S3-compatible
            // services answer without DNS set up for each bucket.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        let bucket = builder
            .build()
            .map_err(|e| format!("blobs.s3 cannot be used: {e}"))?;
        Ok(Self {
            bucket,
            prefix: config.prefix.clone(),
        })
    }

    fn key(&self, org: OrgId, name: &str) -> Path {
        Path::from(format!("{}/{org}/{name}", self.prefix))
    }

    /// Runs one request to completion from a blocking thread.
    fn wait<T>(
        &self,
        request: impl std::future::Future<Output = object_store::Result<T>>,
    ) -> io::Result<Option<T>> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| io::Error::other("the S3 blob store is used outside the server"))?;
        match runtime.block_on(request) {
            Ok(value) => Ok(Some(value)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io::Error::other(format!("S3: {e}"))),
        }
    }
}

impl BlobStore for S3BlobStore {
    fn put(&self, org: OrgId, name: &str, bytes: &[u8]) -> io::Result<()> {
        let key = self.key(org, name);
        // A single PUT is whole or absent, as the trait asks (blobs are at most 40 MiB, under
        // S3's 5 GiB single-request limit).
        let payload = PutPayload::from(bytes.to_vec());
        self.wait(self.bucket.put(&key, payload))?;
        Ok(())
    }

    fn get(&self, org: OrgId, name: &str) -> io::Result<Option<Vec<u8>>> {
        let key = self.key(org, name);
        self.wait(async {
            let found = self.bucket.get(&key).await?;
            found.bytes().await
        })
        .map(|bytes| bytes.map(|b| b.to_vec()))
    }

    fn size(&self, org: OrgId, name: &str) -> io::Result<Option<u64>> {
        let key = self.key(org, name);
        self.wait(self.bucket.head(&key))
            .map(|meta| meta.map(|m| m.size))
    }
}
