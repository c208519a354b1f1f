//! The worker's settings, read once per request or run from wrangler vars and secrets. A bad value
//! is reported by name; nothing falls back silently to a default the operator did not choose.

use relance_core::rate_sources::Source;
use std::fmt;

/// How emails leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailProvider {
    /// Local mode: messages are recorded in the D1 `outbox` table, nothing leaves the machine.
    Outbox,
    /// Resend's HTTP API, with its `Idempotency-Key` header.
    Resend {
        /// `RESEND_API_KEY` (a secret).
        api_key: String,
    },
}

/// Everything configurable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `API_TOKEN` (a secret): the bearer token of the HTTP API. Without it the API refuses all.
    pub api_token: Option<String>,
    /// `EMAIL_PROVIDER`: `outbox` (default) or `resend`.
    pub email: EmailProvider,
    /// `EMAIL_FROM`: the sender address, `Name <billing@example.com>`.
    pub email_from: String,
    /// `EMAIL_REPLY_TO`: optional. A plain address (`relances@acme.example`) is plus-addressed
    /// per reminder (`relances+<key>@acme.example`), so that a reply finds its reminder; route
    /// that address to this worker (Email Routing) to hear the replies.
    pub email_reply_to: Option<String>,
    /// `REPLY_FORWARD_TO`: where every reply received is forwarded (the creditor's inbox), read or
    /// not, so that none is lost.
    pub reply_forward_to: Option<String>,
    /// `MAX_INBOUND_BYTES`: a reply larger than this is not parsed (recorded as unreadable, and
    /// forwarded all the same).
    pub max_inbound_bytes: usize,
    /// `WEBHOOK_URL`: optional; receives every action as JSON (SMS, letters, automation).
    pub webhook_url: Option<String>,
    /// `WEBHOOK_SECRET` (a secret): signs webhook bodies (HMAC-SHA256, `X-Relance-Signature`).
    pub webhook_secret: Option<String>,
    /// `BATCH_SIZE`: most actions one run handles (sends and tasks); the rest waits for the next.
    pub batch_size: usize,
    /// `LEASE_SECONDS`: how long a claim holds before another run may retry it. Longer than the
    /// longest run (batch size x send time-out) with a margin, so that a live claim is never
    /// taken over; by default that plus `LEASE_MARGIN_SECONDS`.
    pub lease_seconds: i64,
    /// `MAX_ATTEMPTS`: attempts before a delivery is marked failed.
    pub max_attempts: i64,
    /// `RETRY_BASE_SECONDS`: first back-off; it doubles with each attempt.
    pub retry_base_seconds: i64,
    /// `SEND_TIMEOUT_MS`: a provider call taking longer counts as failed (and is retried).
    pub send_timeout_ms: u32,
    /// `MAX_BODY_BYTES`: largest request body the API reads.
    pub max_body_bytes: usize,
    /// `MAX_DOCUMENT_BYTES`: largest e-invoice (`POST /v1/import/einvoice`) the API reads; at most
    /// what the core reads (10 MiB).
    pub max_document_bytes: usize,
    /// `LIFECYCLE_AWAIT_DAYS`: days a "payment sent" status (211) holds the reminders while the
    /// money travels, before they resume.
    pub lifecycle_await_days: u32,
    /// `CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser (`*` for any).
    pub cors_origins: Vec<String>,
    /// `RATES_CRON`: the cron trigger (as written in wrangler.toml) that refreshes the reference
    /// rates; every other trigger sends reminders.
    pub rates_cron: String,
    /// `RATE_SOURCES`: the tables fetched (all of `rate_sources::Source::ALL` by default,
    /// `none` for none), each from its official address or `RATE_URL_<TABLE>` (a mirror, a test).
    pub rate_sources: Vec<RateSource>,
}

/// A reference-rate publication the daily trigger reads, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateSource {
    /// Which publication (it names the table it feeds).
    pub source: Source,
    /// Its address.
    pub url: String,
}

/// The daily trigger of wrangler.toml that refreshes the rates, unless `RATES_CRON` says another.
pub const DEFAULT_RATES_CRON: &str = "0 5 * * *";

/// A setting with a value it cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "setting {}: {}", self.name, self.message)
    }
}

fn number<T: std::str::FromStr + PartialOrd + Copy + fmt::Display>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    min: T,
    max: T,
) -> Result<T, ConfigError> {
    let Some(raw) = get(name).filter(|v| !v.trim().is_empty()) else { return Ok(default) };
    match raw.trim().parse::<T>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        _ => Err(ConfigError { name, message: format!("`{raw}` is not a number from {min} to {max}") }),
    }
}

impl Config {
    /// Reads the settings through `get` (a wrangler var or secret by name).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let non_empty = |name: &str| get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let email = match non_empty("EMAIL_PROVIDER").as_deref().unwrap_or("outbox") {
            "outbox" => EmailProvider::Outbox,
            "resend" => EmailProvider::Resend {
                api_key: non_empty("RESEND_API_KEY").ok_or_else(|| ConfigError {
                    name: "RESEND_API_KEY",
                    message: "EMAIL_PROVIDER is `resend`: set the secret with `wrangler secret put RESEND_API_KEY`"
                        .into(),
                })?,
            },
            other => {
                return Err(ConfigError {
                    name: "EMAIL_PROVIDER",
                    message: format!("`{other}` is not a provider; use `outbox` or `resend`"),
                })
            }
        };
        let email_from = non_empty("EMAIL_FROM").unwrap_or_default();
        if email != EmailProvider::Outbox && !email_from.contains('@') {
            return Err(ConfigError { name: "EMAIL_FROM", message: "the sender address is required to send".into() });
        }
        let webhook_url = non_empty("WEBHOOK_URL");
        if let Some(url) = &webhook_url {
            http_url("WEBHOOK_URL", url)?;
        }
        let batch_size = number(&get, "BATCH_SIZE", 100, 1, 10_000)?;
        let send_timeout_ms = number(&get, "SEND_TIMEOUT_MS", 10_000, 100, 60_000)?;
        Ok(Config {
            api_token: non_empty("API_TOKEN"),
            email,
            email_from,
            email_reply_to: non_empty("EMAIL_REPLY_TO"),
            reply_forward_to: match non_empty("REPLY_FORWARD_TO") {
                Some(a) if relance_core::ledger::Email::new(&a).is_err() => {
                    return Err(ConfigError {
                        name: "REPLY_FORWARD_TO",
                        message: format!("`{a}` is not an email address"),
                    })
                }
                other => other,
            },
            max_inbound_bytes: number(&get, "MAX_INBOUND_BYTES", 10_485_760, 1_024, 26_214_400)?,
            webhook_url,
            webhook_secret: non_empty("WEBHOOK_SECRET"),
            batch_size,
            lease_seconds: lease_seconds(&get, longest_run_seconds(batch_size, send_timeout_ms))?,
            max_attempts: number(&get, "MAX_ATTEMPTS", 5, 1, 50)?,
            retry_base_seconds: number(&get, "RETRY_BASE_SECONDS", 900, 1, 86_400)?,
            send_timeout_ms,
            max_body_bytes: number(&get, "MAX_BODY_BYTES", 1_048_576, 1_024, 10_485_760)?,
            max_document_bytes: number(
                &get,
                "MAX_DOCUMENT_BYTES",
                relance_core::einvoice::MAX_DOCUMENT_BYTES,
                1_024,
                relance_core::einvoice::MAX_DOCUMENT_BYTES,
            )?,
            lifecycle_await_days: number(
                &get,
                "LIFECYCLE_AWAIT_DAYS",
                relance_core::lifecycle::DEFAULT_AWAIT_PAYMENT_DAYS,
                1,
                60,
            )?,
            cors_origins: non_empty("CORS_ORIGINS")
                .map(|v| v.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect())
                .unwrap_or_default(),
            rates_cron: non_empty("RATES_CRON").unwrap_or_else(|| DEFAULT_RATES_CRON.to_owned()),
            rate_sources: rate_sources(&non_empty)?,
        })
    }

    /// The largest body read for a request to `path`: documents are larger than JSON.
    pub fn body_limit(&self, path: &str) -> usize {
        if path.trim_end_matches('/') == "/v1/import/einvoice" {
            self.max_document_bytes
        } else {
            self.max_body_bytes
        }
    }

    /// The longest a run can take: every claim of a full batch waiting for its send's time-out.
    pub fn longest_run_seconds(&self) -> i64 {
        longest_run_seconds(self.batch_size, self.send_timeout_ms)
    }

    /// The provider's name as recorded on deliveries.
    pub fn provider_name(&self) -> &'static str {
        match self.email {
            EmailProvider::Outbox => "outbox",
            EmailProvider::Resend { .. } => "resend",
        }
    }
}

fn http_url(name: &'static str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(ConfigError { name, message: format!("`{url}` is not an http(s) URL") })
    }
}

/// `RATE_SOURCES` and their `RATE_URL_<TABLE>`.
fn rate_sources(non_empty: &impl Fn(&str) -> Option<String>) -> Result<Vec<RateSource>, ConfigError> {
    let names = non_empty("RATE_SOURCES").unwrap_or_else(|| Source::ALL.map(Source::table).join(","));
    if names == "none" {
        return Ok(Vec::new());
    }
    let mut out: Vec<RateSource> = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let source = Source::of_table(name).ok_or_else(|| ConfigError {
            name: "RATE_SOURCES",
            message: format!(
                "`{name}` is not a source; use `none` or some of {}",
                Source::ALL.map(Source::table).join(", ")
            ),
        })?;
        let variable = match source {
            Source::EcbMro => "RATE_URL_ECB_MRO",
            Source::Bundesbank => "RATE_URL_DE_BASISZINSSATZ",
            Source::BankOfEngland => "RATE_URL_BOE_BANK_RATE",
            Source::FrLegalIndividuals => "RATE_URL_FR_LEGAL_INDIVIDUALS",
            Source::FrLegalOther => "RATE_URL_FR_LEGAL_OTHER",
        };
        let url = non_empty(variable).unwrap_or_else(|| source.address().0.to_owned());
        http_url(variable, &url)?;
        if !out.iter().any(|s| s.source == source) {
            out.push(RateSource { source, url });
        }
    }
    Ok(out)
}

/// A full batch of claims, each waiting for its send's time-out.
fn longest_run_seconds(batch_size: usize, send_timeout_ms: u32) -> i64 {
    i64::try_from(batch_size).unwrap_or(i64::MAX).saturating_mul(i64::from(send_timeout_ms.div_ceil(1000)))
}

/// Beyond the longest run, how long a claim is kept by default.
pub const LEASE_MARGIN_SECONDS: i64 = 300;

/// The least margin a lease must keep beyond the longest run: a minute, or the run's own length
/// for a run shorter than that.
pub fn least_lease_margin(longest_run: i64) -> i64 {
    longest_run.clamp(1, 60)
}

/// `LEASE_SECONDS`, or by default the longest run plus `LEASE_MARGIN_SECONDS`; one shorter than
/// the longest run plus `least_lease_margin` would let a live claim be taken over, and is refused.
fn lease_seconds(get: &impl Fn(&str) -> Option<String>, longest_run: i64) -> Result<i64, ConfigError> {
    let default = longest_run.saturating_add(LEASE_MARGIN_SECONDS);
    let lease = number(get, "LEASE_SECONDS", default, 2, 7 * 86_400)?;
    if lease < longest_run.saturating_add(least_lease_margin(longest_run)) {
        return Err(ConfigError {
            name: "LEASE_SECONDS",
            message: format!(
                "{lease} s is shorter than the longest run (BATCH_SIZE x SEND_TIMEOUT_MS = {longest_run} s) with its margin: \
                 a claim still being sent could be taken over and sent twice"
            ),
        });
    }
    Ok(lease)
}
