//! Relance core: the whole domain of chasing unpaid invoices, pure and deterministic.
#![deny(missing_docs)]

pub mod allocation;
pub mod analytics;
pub mod answers;
pub mod calendar;
pub mod compact;
pub mod date;
#[cfg(feature = "einvoice")]
pub mod einvoice;
pub mod error;
pub mod import;
#[cfg(feature = "inbound")]
pub mod inbound;
pub mod json;
pub mod ledger;
pub mod lifecycle;
pub mod messages;
pub mod money;
pub mod parallel;
pub mod penalty;
pub mod planner;
pub mod policy;
pub mod rate_sources;
pub mod rates;
pub mod terms;
pub mod zone;

pub use error::{Error, ErrorCode, Result};
