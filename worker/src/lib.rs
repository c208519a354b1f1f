//! `relance-worker`: the Cloudflare Worker. A cron trigger sends the reminders that are due,
//! exactly once; an authenticated HTTP API manages the ledger; storage is D1, and R2 for the
//! documents (e-invoices) that reminders attach.
//!
//! Everything but the entry points is plain Rust over three small traits, `db::Database`,
//! `send::Http` and `blobs::Blobs`, so the orchestration is tested natively (SQLite, a fake
//! transport, a map) as well as in Miniflare on the built worker.

pub mod api;
pub mod blobs;
pub mod clock;
pub mod config;
pub mod cron;
pub mod db;
pub(crate) mod einvoice;
pub mod inbound;
pub mod rates;
pub mod send;
pub mod store;

#[cfg(target_arch = "wasm32")]
mod edge;
