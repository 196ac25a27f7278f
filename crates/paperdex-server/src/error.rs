//! Errors as the API answers them: a stable code a client can branch on, a status, and a
//! message a person can read. Internal failures are logged in full and answered generically.

use axum::Json;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paperdex_index::IndexError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `invalid_parameter`, `query_too_long`, `paper_not_found`, `not_found`,
    /// `method_not_allowed`, `payload_too_large`, `timeout`, `internal`.
    #[schema(example = "invalid_parameter")]
    pub code: String,
    /// A sentence for people, naming the parameter or thing at fault.
    #[schema(example = "limit must be an integer between 1 and 200, not \"0\"")]
    pub message: String,
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// A 400 naming the parameter at fault.
    pub fn invalid_parameter(name: &str, problem: impl std::fmt::Display) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "invalid_parameter", message: format!("{name} {problem}") }
    }

    /// A 400 for a query over the length limit.
    pub fn query_too_long(chars: usize, limit: usize) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "query_too_long",
            message: format!("q is {chars} characters long; the limit is {limit}"),
        }
    }

    /// A 404 for a paper id the index does not hold.
    pub fn paper_not_found(id: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "paper_not_found",
            message: format!("no paper with id {id:?} in the index"),
        }
    }

    /// A 500: `detail` goes to the log, never to the client.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error; the server log has the details".into(),
        }
    }

    /// An error with any status; `code` and `message` as given.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<IndexError> for ApiError {
    fn from(error: IndexError) -> ApiError {
        match error {
            IndexError::PaperNotFound(id) => ApiError::paper_not_found(&id),
            // The handlers check every parameter first; this is the library's own check.
            IndexError::InvalidQuery(message) => {
                ApiError { status: StatusCode::BAD_REQUEST, code: "invalid_parameter", message }
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(error: tokio::task::JoinError) -> ApiError {
        ApiError::internal(format!("search task failed: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message } };
        (self.status, Json(body)).into_response()
    }
}

/// Gives a JSON body to error answers made by layers that know nothing of our format (the
/// timeout's 503, the body limit's 413, a 405 for a method a route lacks).
pub(crate) async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this path answers GET only"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "request body too large"),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => {
            ("timeout", "the request took too long and was stopped")
        }
        s if s.is_client_error() => ("bad_request", "bad request"),
        _ => ("internal", "internal error; the server log has the details"),
    };
    let mut answer = ApiError::new(status, code, message).into_response();
    // Keep headers such as `Allow` that tell the client what to do instead.
    for (name, value) in response.headers() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    answer
}
