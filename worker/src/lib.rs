//! `relance-worker`: the Cloudflare Worker that sends due reminders on a cron trigger and serves the
//! ledger API over D1 (issue 6). Adapter only: the scheduling logic is `relance_core::planner`
//! (`due_actions`), so the worker claims, sends and records, and nothing else.

pub use relance_core;
