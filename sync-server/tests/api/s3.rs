//! A loopback S3 double: a real HTTP server on 127.0.0.1 that speaks the part of the S3 REST
//! API a blob store uses — path-style `PUT`, `GET` and `HEAD` of objects — and checks every
//! request's AWS Signature Version 4 (the canonical request, the string to sign, the derived
//! key, the payload's SHA-256) before it reads the request, as S3 does. A wrong key is a 403
//! `SignatureDoesNotMatch`; a missing object is a 404 `NoSuchKey`, with S3's XML error bodies.
// Refusals are whole responses (`Result<_, Response>`): a test double, not a hot path.
#![allow(clippy::result_large_err)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

pub const ACCESS_KEY: &str = "AKIAFIELDSTONETEST01";
pub const SECRET_KEY: &str = "s3-double-secret-key/0123456789abcdefghij";
pub const REGION: &str = "eu-west-2";
pub const BUCKET: &str = "fieldstone-test";

#[derive(Default)]
pub struct Bucket {
    /// Objects by key (without the bucket).
    pub objects: BTreeMap<String, Vec<u8>>,
    /// Each request as `METHOD key status`.
    pub seen: Vec<String>,
}

#[derive(Clone)]
pub struct S3 {
    pub bucket: Arc<Mutex<Bucket>>,
}

impl S3 {
    /// Starts the double; answers it and its endpoint (`http://127.0.0.1:N`).
    pub async fn start() -> (S3, String) {
        let s3 = S3 {
            bucket: Arc::default(),
        };
        let app = axum::Router::new().fallback(handle).with_state(s3.clone());
        let addr = crate::support::serve_loopback(app).await;
        (s3, format!("http://{addr}"))
    }

    pub fn keys(&self) -> Vec<String> {
        self.bucket
            .lock()
            .expect("bucket")
            .objects
            .keys()
            .cloned()
            .collect()
    }

    pub fn seen(&self) -> Vec<String> {
        self.bucket.lock().expect("bucket").seen.clone()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [("content-type", "application/xml")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        ),
    )
        .into_response()
}

/// Checks the request's SigV4 signature as S3 would; `Err` is the refusal to send.
fn verify(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<(), Response> {
    let denied = |why: &str| error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", why);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let auth = header("authorization").ok_or_else(|| {
        error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "no Authorization header",
        )
    })?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| denied("not AWS4-HMAC-SHA256"))?;
    let mut parts = BTreeMap::new();
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| denied("malformed Authorization"))?;
        parts.insert(k.to_owned(), v.to_owned());
    }
    let credential = parts
        .get("Credential")
        .ok_or_else(|| denied("no Credential"))?;
    let signed_headers = parts
        .get("SignedHeaders")
        .ok_or_else(|| denied("no SignedHeaders"))?;
    let signature = parts
        .get("Signature")
        .ok_or_else(|| denied("no Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    if scope.len() != 5 || scope[0] != ACCESS_KEY {
        return Err(error(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "unknown access key",
        ));
    }
    if scope[2] != REGION || scope[3] != "s3" || scope[4] != "aws4_request" {
        return Err(denied("wrong credential scope"));
    }
    let amz_date = header("x-amz-date").ok_or_else(|| denied("no x-amz-date"))?;
    if !amz_date.starts_with(scope[1]) {
        return Err(denied("x-amz-date is not the scope's day"));
    }
    let payload_hash =
        header("x-amz-content-sha256").ok_or_else(|| denied("no x-amz-content-sha256"))?;
    if payload_hash != "UNSIGNED-PAYLOAD" && payload_hash != hex(&Sha256::digest(body)) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "XAmzContentSHA256Mismatch",
            "the body's SHA-256 is not x-amz-content-sha256",
        ));
    }
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let value = header(name).ok_or_else(|| denied("a signed header is missing"))?;
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let mut query: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .collect();
    query.sort_unstable();
    let query: Vec<String> = query
        .into_iter()
        .map(|p| {
            if p.contains('=') {
                p.to_owned()
            } else {
                format!("{p}=")
            }
        })
        .collect();
    let canonical = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        uri.path(),
        query.join("&"),
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{}/{REGION}/s3/aws4_request\n{}",
        scope[1],
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = hmac(format!("AWS4{SECRET_KEY}").as_bytes(), scope[1]);
    let key = hmac(&key, REGION);
    let key = hmac(&key, "s3");
    let key = hmac(&key, "aws4_request");
    if hex(&hmac(&key, &to_sign)) != *signature {
        return Err(denied(
            "The request signature we calculated does not match the signature you provided",
        ));
    }
    Ok(())
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex(&Sha256::digest(bytes))[..32])
}

const LAST_MODIFIED: &str = "Tue, 08 Dec 2026 00:00:00 GMT";

async fn handle(
    State(s3): State<S3>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().trim_start_matches('/').to_owned();
    let answer = (|| {
        verify(&method, &uri, &headers, &body)?;
        let (bucket, key) = path.split_once('/').unwrap_or((path.as_str(), ""));
        if bucket != BUCKET {
            return Err(error(
                StatusCode::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist",
            ));
        }
        let mut store = s3.bucket.lock().expect("bucket");
        match method {
            Method::PUT => {
                let tag = etag(&body);
                store.objects.insert(key.to_owned(), body.to_vec());
                Ok(([("etag", tag)], "").into_response())
            }
            Method::GET | Method::HEAD => {
                let Some(bytes) = store.objects.get(key) else {
                    return Err(error(
                        StatusCode::NOT_FOUND,
                        "NoSuchKey",
                        "The specified key does not exist.",
                    ));
                };
                let headers = [
                    ("etag", etag(bytes)),
                    ("last-modified", LAST_MODIFIED.to_owned()),
                    ("content-type", "application/octet-stream".to_owned()),
                ];
                // A HEAD answer's body is dropped on the way out, its length kept.
                Ok((headers, bytes.clone()).into_response())
            }
            _ => Err(error(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "not served by this double",
            )),
        }
    })();
    let response = answer.unwrap_or_else(|refused| refused);
    let key = path.split_once('/').map(|(_, k)| k).unwrap_or("");
    s3.bucket
        .lock()
        .expect("bucket")
        .seen
        .push(format!("{method} {key} {}", response.status().as_u16()));
    response
}
