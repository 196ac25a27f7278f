//! The handlers and the OpenAPI document generated from them.
//!
//! Every handler checks its parameters first (a 400 names the one at fault), then runs the
//! index work on the blocking pool: searching, embedding a query and reading stored papers are
//! CPU work that must not stall the async workers.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use paperdex_index::limits::quote;
use paperdex_index::{Cancel, ErrorCode, SearchEngine, SearchRequest, SortOrder};
use tokio::sync::Semaphore;
use utoipa::OpenApi;

use crate::dto::{
    FilterParams, Health, Hit, LatestOrderParams, Mode, ModelHealth, OrderParams, PageParams, PaperView, RelatedParams,
    RelatedResponse, SearchParams, SearchResponse, SectionView, SourceView,
};
use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::params::Params;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub engine: Arc<SearchEngine>,
    /// The OpenAPI document, rendered once.
    pub openapi: Arc<String>,
    /// Turns for index work ([`crate::Limits::workers`]).
    pub workers: Arc<Semaphore>,
    /// What `/healthz` last found: the generation it last read, and the index problem it
    /// last logged (each problem is logged once, when it is first seen).
    pub health: Arc<std::sync::Mutex<HealthSeen>>,
}

/// What `/healthz` remembers between probes.
#[derive(Debug, Default)]
pub(crate) struct HealthSeen {
    /// The generation of the last commit read: still what the server answers from when the
    /// commit record cannot be read any more.
    pub generation: u64,
    /// The index problem last logged.
    pub logged: Option<String>,
    /// The generation at which a request found the index's files damaged (`index_damaged`):
    /// the commit record reads well while a segment does not, so only a request that read
    /// the damaged part can tell, and the probe says so until a new commit replaces it.
    pub damaged_at: Option<u64>,
}

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "paperdex",
        description = "Search AI research papers (Chinese digests and English abstracts) by keyword and meaning. \
                       Errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(search, latest, paper, related, healthz, openapi_json),
    components(schemas(ErrorBody, ErrorDetail, SearchResponse, Hit, Mode, RelatedResponse, PaperView, SectionView, SourceView, Health, ModelHealth)),
    tags((name = "papers", description = "Search and read papers"), (name = "meta", description = "The server itself")),
    modifiers(&ServerWideResponses)
)]
pub struct ApiDoc;

/// The answers the server gives on every route before a handler runs (the host check, the
/// method, the body and head limits): listed on each operation, so that a client generated
/// from the document expects them.
struct ServerWideResponses;

impl utoipa::Modify for ServerWideResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error_body = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build()
        };
        let answers = [
            ("405", error_body("The method is not GET or HEAD (`method_not_allowed`); `Allow` lists them")),
            ("413", error_body("The request has a body over the server's limit (`payload_too_large`)")),
            ("421", error_body("The Host header names no host this server answers for (`invalid_host`)")),
            (
                "414",
                error_body(
                    "The request target is over the server's limit (`uri_too_long`); one over 64 KiB, which the \
                     HTTP library refuses itself, gets no body and the connection is closed",
                ),
            ),
            (
                "431",
                error_body(
                    "The headers are over the server's limit (`headers_too_large`); a head over 128 KiB, or of \
                     over 100 headers, gets no body and the connection is closed",
                ),
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.head].into_iter().flatten() {
                for (status, answer) in &answers {
                    operation.responses.responses.entry(status.to_string()).or_insert_with(|| answer.clone().into());
                }
            }
        }
    }
}

/// Raises its flag when dropped: when the timeout drops a request's future, the work it
/// started learns that nobody waits for it any more.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// What a request's index work costs, and so whether it waits for a worker turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    /// A search, a listing or a related list: milliseconds to a second of CPU. At most
    /// [`crate::Limits::workers`] run at once.
    Search,
    /// One stored paper read by id: 0.011 ms in the search bench. It waits for no search:
    /// behind eight slow searches, `/api/papers/{id}` took 4.3 s.
    Lookup,
}

/// Runs `work` on the blocking pool, a [`Work::Search`] once a worker turn is free. Waiting
/// for the turn counts against the request's timeout; a request that times out while waiting
/// never starts, and one that times out while working is cancelled (the work checks the flag
/// in its loops). The turn is held until the work has really ended, so never more than
/// [`crate::Limits::workers`] searches run, whatever their clients did.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    kind: Work,
    work: impl FnOnce(&SearchEngine, &Cancel) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let turn = match kind {
        Work::Search => Some(
            Arc::clone(&state.workers)
                .acquire_owned()
                .await
                .map_err(|_| ApiError::new(ErrorCode::ShuttingDown, "the server is shutting down"))?,
        ),
        Work::Lookup => None,
    };
    let engine = Arc::clone(&state.engine);
    let seen = Arc::clone(&state.health);
    let cancel = Cancel::new();
    let guard = CancelOnDrop(cancel.clone());
    let answer = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        cancel.check()?;
        let answer = work(&engine, &cancel);
        if answer.as_ref().is_err_and(|error| error.code() == ErrorCode::IndexDamaged) {
            let generation = engine.index().generation().ok();
            seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).damaged_at = generation;
        }
        answer
    })
    .await?;
    drop(guard);
    answer
}

/// Search papers.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "papers",
    params(SearchParams, PageParams, FilterParams, OrderParams),
    responses(
        (status = 200, description = "Hits, best first", body = SearchResponse),
        (status = 400, description = "A parameter is missing, malformed or out of range, e.g. a bad date or an unknown source (`invalid_parameter`, naming it), or q is too long (`query_too_long`)", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
        (status = 503, description = "The request took too long and was stopped (`timeout`): the server is busy or the search too costly; ask again", body = ErrorBody),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let params = Params::parse(raw.as_deref())?
        .only(&["q", "mode", "limit", "offset", "since", "until", "lang", "source", "section", "sort"])?;
    let mut request =
        SearchRequest::new(params.query()?).mode(params.mode()?).limit(params.limit()?).offset(params.offset()?);
    request.filter = params.filter()?;
    request.sort = params.sort()?;
    let results =
        blocking(&state, Work::Search, move |engine, cancel| Ok(engine.search_until(&request, cancel)?)).await?;
    Ok(Json(results.into()))
}

/// The papers the filters admit, newest first (by the day a digest or daily list first
/// listed them): what came out since a day, with no query to type. The answer has the shape
/// of a search's, its `query` empty.
#[utoipa::path(
    get,
    path = "/api/papers",
    tag = "papers",
    params(PageParams, FilterParams, LatestOrderParams),
    responses(
        (status = 200, description = "Papers, newest first", body = SearchResponse),
        (status = 400, description = "A parameter is malformed or out of range, e.g. a bad date, or is not one of this endpoint's (`invalid_parameter`, naming it; a query goes to /api/search)", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
        (status = 503, description = "The request took too long and was stopped (`timeout`): the server is busy; ask again", body = ErrorBody),
    )
)]
pub(crate) async fn latest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    if params.get("q").is_some() {
        return Err(ApiError::invalid_parameter(
            "q",
            "is not a parameter of /api/papers, which lists papers newest first: search with /api/search?q=…&sort=date",
        ));
    }
    let params = params.only(&LATEST_PARAMETERS)?;
    // A client that reuses its search's parameters may send the order this list always has.
    if !LATEST_ORDERS.contains(&params.sort()?) && params.get("sort").is_some_and(|v| !v.trim().is_empty()) {
        return Err(ApiError::invalid_parameter(
            "sort",
            "can only be date here: /api/papers lists papers newest first, with no query to rank by",
        ));
    }
    let (filter, offset, limit) = (params.filter()?, params.offset()?, params.limit()?);
    let results =
        blocking(&state, Work::Search, move |engine, _| Ok(engine.index().newest(&filter, offset, limit)?)).await?;
    Ok(Json(results.into()))
}

/// What `GET /api/papers` reads: a search's filters and paging (its order is always by date).
const LATEST_PARAMETERS: [&str; 8] = ["limit", "offset", "since", "until", "lang", "source", "section", "sort"];

/// The orders `GET /api/papers` takes in `sort` (its document lists them from here): the one
/// its list is in, newest first, as there is no query to rank by.
pub(crate) const LATEST_ORDERS: [SortOrder; 1] = [SortOrder::Date];

/// The id from the path, or a 400 when it cannot be decoded.
fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    match path {
        Ok(Path(id)) => Ok(id),
        // In the words a query parameter's bad bytes get (`Params::parse`).
        Err(PathRejection::FailedToDeserializePathParams(error))
            if matches!(error.kind(), axum::extract::path::ErrorKind::InvalidUtf8InPathParam { .. }) =>
        {
            Err(ApiError::invalid_parameter("id", "is not valid UTF-8 once percent-decoded"))
        }
        Err(rejection) => {
            Err(ApiError::invalid_parameter("id", format!("cannot be read: {}", quote(&rejection.body_text()))))
        }
    }
}

/// One paper: its summary section by section and its sources.
#[utoipa::path(
    get,
    path = "/api/papers/{id}",
    tag = "papers",
    params(("id" = String, Path, description = "arXiv id or a paper's link, as one path segment (an old-style id's `/` encoded: `hep-th%2F9901001`)", example = "2602.02958")),
    responses(
        (status = 200, description = "The paper", body = PaperView),
        (status = 400, description = "The id is not an arXiv id, or a query parameter was given (`invalid_parameter`)", body = ErrorBody),
        (status = 404, description = "No such paper (`paper_not_found`)", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
        (status = 503, description = "The request took too long and was stopped (`timeout`): the server is busy or the search too costly; ask again", body = ErrorBody),
    )
)]
pub(crate) async fn paper(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PaperView>, ApiError> {
    let id = path_id(path)?;
    Params::parse(raw.as_deref())?.only(&[])?;
    let paper = blocking(&state, Work::Lookup, move |engine, _| Ok(engine.index().paper(&id)?)).await?;
    Ok(Json(PaperView::from(&paper)))
}

/// Papers related to one paper, by meaning and shared words.
#[utoipa::path(
    get,
    path = "/api/papers/{id}/related",
    tag = "papers",
    params(("id" = String, Path, description = "arXiv id or a paper's link, as one path segment (an old-style id's `/` encoded: `hep-th%2F9901001`)", example = "2602.02958"), RelatedParams),
    responses(
        (status = 200, description = "Related papers, most related first", body = RelatedResponse),
        (status = 400, description = "Bad limit, or the id is not an arXiv id (`invalid_parameter`)", body = ErrorBody),
        (status = 404, description = "No such paper (`paper_not_found`)", body = ErrorBody),
        (status = 500, description = "Internal error", body = ErrorBody),
        (status = 503, description = "The request took too long and was stopped (`timeout`): the server is busy or the search too costly; ask again", body = ErrorBody),
    )
)]
pub(crate) async fn related(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<RelatedResponse>, ApiError> {
    let id = path_id(path)?;
    let limit = Params::parse(raw.as_deref())?.only(&["limit"])?.limit()?;
    let results =
        blocking(&state, Work::Search, move |engine, cancel| Ok(engine.related_until(&id, limit, cancel)?)).await?;
    Ok(Json(results.into()))
}

/// Whether the server is up, what it serves and whether the model is loaded.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    responses(
        (status = 200, description = "Up", body = Health),
        (status = 500, description = "Internal error", body = ErrorBody)
    )
)]
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    // Off the searches' queue: a probe waiting its turn behind 16 heavy searches took 2–4.6 s,
    // and one with a short timeout would call a busy server dead. What it reads is cheap; a
    // vector load under way never makes it wait (`PaperIndex::refresh_vectors`), though the
    // first caller to see a new commit loads it, a probe as a search would.
    let (engine, seen) = (Arc::clone(&state.engine), Arc::clone(&state.health));
    let health = tokio::task::spawn_blocking(move || -> Result<Health, ApiError> {
        let index = engine.index();
        // One snapshot: the generation is read from the last commit, the counts from what the
        // searches see, which picks commits up a moment later; made to see the same commit
        // (read again if an ingest committed in between), so the figures belong together.
        let mut attempts = 0;
        loop {
            // A commit that cannot be read (the index folder deleted under the server) is a
            // degraded server, not a failed probe: searches still answer from what is loaded.
            let (generation, index_problem) = {
                let mut seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match index.generation() {
                    Ok(generation) if seen.damaged_at == Some(generation) => {
                        seen.generation = generation;
                        let problem = format!(
                            "a request found the index's files damaged at generation {generation} (the server \
                             log names the error): move the index folder away and ingest again"
                        );
                        (generation, Some(problem))
                    }
                    Ok(generation) => {
                        seen.generation = generation;
                        seen.logged = None;
                        (generation, None)
                    }
                    Err(error) => {
                        let problem = if index.root().exists() {
                            error.to_string()
                        } else {
                            format!(
                                "the index folder {} is gone (deleted or moved while the server ran): searches \
                                 answer from what was loaded, and the next start fails until it is back",
                                index.root().display()
                            )
                        };
                        if seen.logged.as_ref() != Some(&problem) {
                            tracing::warn!(%problem, "the index's last commit cannot be read; searches answer from what is loaded");
                            seen.logged = Some(problem.clone());
                        }
                        (seen.generation, Some(problem))
                    }
                }
            };
            if index_problem.is_none() {
                index.reload()?;
            }
            engine.refresh();
            let vectors = index.vectors();
            let vectors_problem = index.vectors_problem().map(|problem| problem.to_string());
            // Vectors no query can be embedded for serve no one: hybrid and vector searches
            // answer by keywords, which a monitor should hear of as it does of lost vectors.
            let unused_vectors = engine.embedder().is_none() && vectors.as_ref().is_some_and(|v| v.set.live_len() > 0);
            let degraded = index_problem.is_some() || vectors_problem.is_some() || unused_vectors;
            let health = Health {
                status: if degraded { "degraded" } else { "ok" }.into(),
                index_problem,
                vectors_problem,
                papers: index.len(),
                vectors: vectors.as_ref().map_or(0, |v| v.set.live_len() as u64),
                vector_model: vectors.as_ref().map(|v| v.set.model().to_string()),
                model: ModelHealth {
                    loaded: engine.embedder().is_some(),
                    name: engine.embedder().map(|e| e.model_name().to_string()),
                    reason: engine.no_model_reason().map(str::to_string),
                },
                generation,
            };
            attempts += 1;
            if health.index_problem.is_some() || index.generation().ok() == Some(generation) || attempts == 3 {
                return Ok(health);
            }
        }
    })
    .await??;
    Ok(Json(health))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
pub(crate) async fn openapi_json(State(state): State<AppState>) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], state.openapi.as_str().to_owned()).into_response()
}

/// The web page: one self-contained file, no outside resources.
const PAGE: &str = include_str!("../web/index.html");

/// Inline script and style only, no outside resources, no framing.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                           connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; \
                           frame-ancestors 'none'";

pub(crate) async fn page() -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY)),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        PAGE,
    )
        .into_response()
}

/// Any path no route answers.
pub(crate) async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(ErrorCode::NotFound, format!("no such endpoint: {}", quote(uri.path())))
}
