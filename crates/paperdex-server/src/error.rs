//! Errors as the API answers them: a stable code a client can branch on (one
//! [`ErrorCode`] list, shared with the CLI), its status, and a message a person can read.
//! Internal failures are logged in full and answered generically.

use axum::Json;
use axum::extract::State;
use axum::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paperdex_index::{ClientError, ErrorCode, INTERNAL_MESSAGE, IndexError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::Limits;

/// The body of every error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code, one of README.md's list (`paperdex_index::ErrorCode`):
    /// `invalid_parameter`, `query_too_long`, `paper_not_found`, `not_found`,
    /// `method_not_allowed`, `payload_too_large`, `uri_too_long`, `headers_too_large`,
    /// `bad_request`, `invalid_host`, `index_not_found`, `index_locked`, `index_damaged`, `timeout`,
    /// `shutting_down`, `internal`.
    #[schema(example = "invalid_parameter")]
    pub code: String,
    /// A sentence for people, naming the parameter or thing at fault.
    #[schema(example = "limit must be an integer between 1 and 200, not \"0\"")]
    pub message: String,
}

/// An error answer: a [`ClientError`] (the rule for what a client is told, shared with the MCP
/// server) with its HTTP status and JSON body.
#[derive(Debug)]
pub struct ApiError(ClientError);

impl ApiError {
    /// An error with `code` (which gives the status) and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError(ClientError::new(code, message))
    }

    /// A 400 naming the parameter at fault.
    pub fn invalid_parameter(name: &str, problem: impl std::fmt::Display) -> ApiError {
        ApiError(ClientError::invalid_parameter(name, problem))
    }

    /// A 500: `detail` goes to the log, never to the client.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError(ClientError::internal(detail))
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        status_of(self.0.code)
    }
}

/// The HTTP status of `code`.
pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl From<IndexError> for ApiError {
    fn from(error: IndexError) -> ApiError {
        ApiError(ClientError::from(error))
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(error: tokio::task::JoinError) -> ApiError {
        ApiError::internal(format!("search task failed: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let ClientError { code, message } = self.0;
        let body = ErrorBody { error: ErrorDetail { code: code.as_str().to_string(), message } };
        (status, Json(body)).into_response()
    }
}

/// Gives a JSON body to error answers made by layers that know nothing of our format (the
/// timeout's 503, the body limit's 413, the router's 405 for a method a route lacks), and logs
/// them.
pub(crate) async fn json_errors(State(limits): State<Limits>, response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, allowed_methods(response.headers())),
        // Named with the limit, as every other refusal of a size is.
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::PayloadTooLarge,
            format!("the request body is over the limit of {} bytes (the API reads no body)", limits.max_body_bytes),
        ),
        // Most of a timed-out request's time can be its wait for a turn behind slow searches:
        // the message says so, and `Retry-After` when to ask again.
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => {
            (ErrorCode::Timeout, ClientError::out_of_time(limits.timeout).message)
        }
        StatusCode::URI_TOO_LONG => (ErrorCode::UriTooLong, "request target too long".into()),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (ErrorCode::HeadersTooLarge, "request headers too large".into()),
        s if s.is_client_error() => (ErrorCode::BadRequest, "bad request".into()),
        _ => (ErrorCode::Internal, INTERNAL_MESSAGE.into()),
    };
    tracing::warn!(%status, %code, "{message}");
    let mut answer =
        (status, Json(ErrorBody { error: ErrorDetail { code: code.to_string(), message } })).into_response();
    // Keep headers such as `Allow` that tell the client what to do instead.
    for (name, value) in response.headers() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        answer.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    answer
}

/// A 405's message, read from the `Allow` header the router set from the route's methods: the
/// message said "GET only" beside `Allow: GET,HEAD`; read from the header, the two cannot part.
fn allowed_methods(headers: &HeaderMap) -> String {
    let allowed: Vec<&str> = headers
        .get_all(ALLOW)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|method| !method.is_empty())
        .collect();
    match allowed.as_slice() {
        [] => "this path does not answer this method".into(),
        [one] => format!("this path answers {one} only"),
        [first @ .., last] => format!("this path answers {} and {last} only", first.join(", ")),
    }
}
