//! Where original documents are kept: R2 on the edge, a map in the native tests. Keys are
//! `documents/<sha256 of the bytes>`, so the same file stored twice is one object.

use sha2::{Digest, Sha256};
use std::fmt;

/// A storage failure: the request fails as a whole, and nothing is recorded in D1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobError(pub String);

impl fmt::Display for BlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document storage: {}", self.0)
    }
}

/// What the worker needs of an object store.
#[allow(async_fn_in_trait)] // single-threaded runtimes (workerd, the tests): no Send bound wanted
pub trait Blobs {
    /// Stores `bytes` under `key` (replacing what is there: keys are content hashes).
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), BlobError>;
    /// The bytes under `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError>;
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The object key of a document.
pub fn document_key(sha256: &str) -> String {
    format!("documents/{sha256}")
}

/// A store with nothing in it and no room: for deployments and tests that keep no documents.
pub struct NoBlobs;

impl Blobs for NoBlobs {
    async fn put(&self, _key: &str, _bytes: Vec<u8>) -> Result<(), BlobError> {
        Err(BlobError("no document store is bound (R2 binding `DOCUMENTS`)".into()))
    }

    async fn get(&self, _key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        Ok(None)
    }
}
