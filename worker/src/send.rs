//! Outgoing messages: the HTTP requests the providers expect, and what their answers mean for the
//! delivery. The transport itself (workerd's fetch, a fake in tests) is behind `Http`.

use crate::config::{Config, EmailProvider};
use crate::store::Attachment;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use relance_core::messages::RenderedMessage;
use sha2::Sha256;

/// Resend's endpoint for one email.
pub const RESEND_URL: &str = "https://api.resend.com/emails";

/// The methods the worker uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// Reads a rate source.
    Get,
    /// Sends an email or a webhook (a JSON body).
    Post,
}

/// A request to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: HttpMethod,
    /// Absolute URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// JSON body of a POST; empty for a GET.
    pub body: String,
}

impl HttpRequest {
    /// A GET of `url` asking for `accept`.
    pub fn get(url: &str, accept: &str) -> HttpRequest {
        HttpRequest {
            method: HttpMethod::Get,
            url: url.to_owned(),
            headers: vec![("Accept".into(), accept.to_owned())],
            body: String::new(),
        }
    }
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Body text.
    pub body: String,
}

/// No answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpFailure {
    /// No answer in time.
    Timeout,
    /// Connection or DNS failure.
    Network(String),
}

/// What the worker needs to reach the outside.
#[allow(async_fn_in_trait)] // single-threaded runtimes: no Send bound wanted
pub trait Http {
    /// Makes the request, giving up after `timeout_ms`.
    async fn fetch(&self, req: HttpRequest, timeout_ms: u32) -> Result<HttpResponse, HttpFailure>;
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Accepted.
    Accepted {
        /// The provider's id of the message, when it gives one.
        provider_message_id: Option<String>,
    },
    /// Worth trying again (timeout, network, 408, 409, 425, 429, 5xx).
    Transient(String),
    /// Refused for good (bad address, bad key...): retrying the same request cannot help.
    Permanent(String),
}

/// Classifies an HTTP exchange.
pub fn classify(result: Result<HttpResponse, HttpFailure>) -> Attempt {
    match result {
        Err(HttpFailure::Timeout) => Attempt::Transient("no answer before the timeout".into()),
        Err(HttpFailure::Network(e)) => Attempt::Transient(format!("network: {e}")),
        Ok(r) if (200..300).contains(&r.status) => {
            let id = serde_json::from_str::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned));
            Attempt::Accepted { provider_message_id: id }
        }
        Ok(r) => {
            let detail: String = r.body.chars().take(300).collect();
            let message = format!("HTTP {}: {detail}", r.status);
            if matches!(r.status, 408 | 409 | 425 | 429) || r.status >= 500 {
                Attempt::Transient(message)
            } else {
                Attempt::Permanent(message)
            }
        }
    }
}

/// The Resend request for an email. The idempotency key makes a retry after a lost answer safe:
/// Resend sends at most once per key (for 24 hours).
pub fn resend_request(
    config: &Config,
    key: &str,
    to: &[String],
    message: &RenderedMessage,
    files: &[(Attachment, Vec<u8>)],
) -> Option<HttpRequest> {
    let EmailProvider::Resend { api_key } = &config.email else { return None };
    let mut body = serde_json::json!({
        "from": config.email_from,
        "to": to,
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
    });
    if let (Some(reply_to), Some(obj)) = (&config.email_reply_to, body.as_object_mut()) {
        // A plain address carries the reminder's key, so that the reply finds its reminder.
        let address = relance_core::ledger::Email::new(reply_to)
            .map_or_else(|_| reply_to.clone(), |base| relance_core::inbound::reply_to_address(&base, key));
        obj.insert("reply_to".into(), address.into());
    }
    if let (false, Some(obj)) = (files.is_empty(), body.as_object_mut()) {
        let list: Vec<serde_json::Value> = files
            .iter()
            .map(|(a, bytes)| {
                serde_json::json!({ "filename": a.name, "content": BASE64.encode(bytes), "content_type": a.content_type })
            })
            .collect();
        obj.insert("attachments".into(), list.into());
    }
    Some(HttpRequest {
        method: HttpMethod::Post,
        url: RESEND_URL.into(),
        headers: vec![
            ("Authorization".into(), format!("Bearer {api_key}")),
            ("Content-Type".into(), "application/json".into()),
            ("Idempotency-Key".into(), key.to_owned()),
        ],
        body: body.to_string(),
    })
}

/// The webhook request: the rendered action as JSON, with the idempotency key as a header so the
/// receiver can drop a repeat, and an HMAC-SHA256 signature of the body when a secret is set.
pub fn webhook_request(config: &Config, key: &str, body: String) -> Option<HttpRequest> {
    let url = config.webhook_url.clone()?;
    let mut headers =
        vec![("Content-Type".into(), "application/json".into()), ("Idempotency-Key".into(), key.to_owned())];
    if let Some(secret) = &config.webhook_secret {
        headers.push(("X-Relance-Signature".into(), format!("sha256={}", sign(secret, &body))));
    }
    Some(HttpRequest { method: HttpMethod::Post, url, headers, body })
}

/// Hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &str, body: &str) -> String {
    // HMAC takes keys of any length: new_from_slice cannot fail for it.
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body.as_bytes());
            mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
        }
        Err(_) => String::new(),
    }
}
