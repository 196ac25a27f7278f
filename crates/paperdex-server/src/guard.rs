//! Checks made before routing: the Host header (DNS rebinding) and the size of the request
//! target and head. Each refusal is the usual JSON error and is logged.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use paperdex_index::ErrorCode;
use paperdex_index::limits::quote;
use tokio::sync::Semaphore;

use crate::Limits;
use crate::error::ApiError;

/// Which Host headers the server answers.
///
/// A web page can make a visitor's browser send requests to a name it controls that it then
/// points at 127.0.0.1 (DNS rebinding); the browser sends that name as Host. So a name is
/// answered only when it is `localhost` on a loopback server or one the operator allowed; an
/// IP address only when it is the bound one (any, on an unspecified address), since
/// rebinding needs a name.
#[derive(Debug, Clone)]
pub struct HostCheck {
    bound: SocketAddr,
    names: Vec<String>,
}

impl HostCheck {
    /// Accepts the address `bound` and `names` (compared without case or a trailing dot).
    pub fn new(bound: SocketAddr, names: &[String]) -> HostCheck {
        let names = names.iter().map(|n| n.trim_end_matches('.').to_ascii_lowercase()).collect();
        HostCheck { bound, names }
    }

    /// Whether a request with this Host header value is answered.
    pub fn allows(&self, host: &str) -> bool {
        let Some(name) = strip_port(host) else { return false };
        let literal = match name.strip_prefix('[') {
            Some(inner) => match inner.strip_suffix(']') {
                Some(inner) => inner,
                None => return false,
            },
            None => name,
        };
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let bound = self.bound.ip();
            return bound.is_unspecified() || ip == bound || (ip.is_loopback() && bound.is_loopback());
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let loopback = self.bound.ip().is_loopback() || self.bound.ip().is_unspecified();
        (loopback && name == "localhost") || self.names.contains(&name)
    }
}

/// `host` without its `:port`; IPv6 literals keep their brackets. `None` when what follows
/// the last colon is no port (digits, or nothing: RFC 3986 allows an empty one): read up to
/// that colon, `127.0.0.1:7811@evil.example` was answered as `127.0.0.1`.
fn strip_port(host: &str) -> Option<&str> {
    let (name, port) = match host.rfind(':') {
        Some(colon) if host.starts_with('[') && host[..colon].ends_with(']') => (&host[..colon], &host[colon + 1..]),
        Some(_) if host.starts_with('[') => (host, ""),
        Some(colon) if host[..colon].contains(':') => (host, ""),
        Some(colon) => (&host[..colon], &host[colon + 1..]),
        None => (host, ""),
    };
    (port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

/// What [`check`] needs.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    pub hosts: HostCheck,
    pub limits: Limits,
}

/// Refuses, before routing, a request with a Host the server does not answer, a target over
/// [`Limits::max_uri_bytes`] or a head over [`Limits::max_header_bytes`].
pub(crate) async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    if let Some(refusal) = refusal(&guard, &request) {
        tracing::warn!(code = %refusal.code(), "refused a request: {}", refusal.message());
        return refusal.into_response();
    }
    next.run(request).await
}

fn refusal(guard: &Guard, request: &Request) -> Option<ApiError> {
    let target = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > guard.limits.max_uri_bytes {
        return Some(ApiError::new(
            ErrorCode::UriTooLong,
            format!("the request target is {target} bytes long; the limit is {}", guard.limits.max_uri_bytes),
        ));
    }
    let head: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if head > guard.limits.max_header_bytes {
        return Some(ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!("the request headers are {head} bytes; the limit is {}", guard.limits.max_header_bytes),
        ));
    }
    // An absolute-form target (`GET http://host/...`) names the host itself.
    let host = request.uri().authority().map(|a| a.as_str().to_string()).or_else(|| {
        let mut values = request.headers().get_all(HOST).iter();
        match (values.next(), values.next()) {
            (Some(value), None) => Some(String::from_utf8_lossy(value.as_bytes()).into_owned()),
            _ => None,
        }
    });
    match host {
        Some(host) if guard.hosts.allows(&host) => None,
        Some(host) => Some(ApiError::new(
            ErrorCode::InvalidHost,
            format!(
                "this server does not answer for host {}: use its address, or start it with --allow-host NAME",
                quote(&host)
            ),
        )),
        None => Some(ApiError::new(ErrorCode::InvalidHost, "exactly one Host header is required")),
    }
}

/// Handles the request holding one of the turns of [`Limits::max_in_flight`], waiting for it
/// when all are taken. It runs inside the request's timeout, so the wait counts against it:
/// a request queued behind slow ones gets its 503 `timeout` when its own time is up.
pub(crate) async fn one_of_the_requests_in_flight(
    State(turns): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    match turns.acquire().await {
        Ok(_turn) => next.run(request).await,
        // The semaphore is never closed; were it, no request could be handled.
        Err(_) => ApiError::new(ErrorCode::ShuttingDown, "the server is shutting down").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bound: &str, names: &[&str]) -> HostCheck {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        HostCheck::new(bound.parse().expect("address"), &names)
    }

    #[test]
    fn a_loopback_server_answers_its_address_and_localhost_only() {
        let hosts = check("127.0.0.1:7700", &[]);
        for good in ["127.0.0.1:7700", "127.0.0.1", "localhost:7700", "LOCALHOST", "[::1]:7700", "localhost."] {
            assert!(hosts.allows(good), "{good}");
        }
        for bad in [
            "evil.example:7700",
            "evil.example",
            "10.0.0.1:7700",
            "localhost.evil.example",
            "",
            "[::1",
            "127.0.0.1:7700@evil.example",
            "localhost:7700@evil.example",
            "[::1]:7700@evil.example",
            "127.0.0.1:77000000",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }

    #[test]
    fn configured_names_are_answered() {
        let hosts = check("0.0.0.0:80", &["papers.example.org"]);
        assert!(hosts.allows("papers.example.org") && hosts.allows("Papers.Example.Org:80"));
        assert!(hosts.allows("192.168.1.5:80"), "any address of an unspecified bind");
        assert!(!hosts.allows("other.example.org"));
    }
}
