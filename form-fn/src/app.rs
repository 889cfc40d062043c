//! The HTTP handler, the same in Lambda and in the local server:
//! parse → validate (form-spec) → seal, queue and store (`accept`) → 303 to
//! the confirmation page (or 201 JSON) → forward (`forward`, local server
//! only). Statuses follow docs/architecture.md: 404 unknown municipality or form, 405
//! wrong method, 413 too large, 415 unsupported media type, 422 invalid, 503
//! storage unavailable; never 500 for bad input. Logs carry reference, municipality, sizes and timings
//! only, never a value the citizen typed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::to_bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use form_spec::date::{Date, UtcTime};
use form_spec::registry::Registry;
use form_spec::submission::Limits;
use form_spec::validate::{FieldError, Submission, validate};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::accept::{Application, Sealer};
use crate::forward::{Forwarder, When};
use crate::intake::{BodyKind, parse_body};
use crate::pages;

/// Bytes a form's text fields and multipart framing may add to its uploads.
const TEXT_ALLOWANCE: usize = 256 * 1024;

pub struct AppState {
    registry: Arc<Registry>,
    /// What a submission of each form may hold, computed once at start.
    limits: BTreeMap<String, Limits>,
    /// Folder with `<slug>/<lang>.html`: the form page around the form.
    shells: PathBuf,
    /// Seals, queues and stores accepted applications.
    pub sealer: Sealer,
    /// Forwards each stored application at once (the local server); in
    /// Lambda, where nothing runs after the answer, the scheduled drain does.
    forwarder: Option<Arc<Forwarder>>,
}

impl AppState {
    pub fn new(
        registry: Arc<Registry>,
        shells: PathBuf,
        sealer: Sealer,
        forwarder: Option<Arc<Forwarder>>,
    ) -> Self {
        let limits = registry
            .forms
            .iter()
            .map(|(id, form)| (id.clone(), Limits::of(form)))
            .collect();
        Self {
            registry,
            limits,
            shells,
            sealer,
            forwarder,
        }
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    let security = security_headers(&state.registry.site_origin);
    let mut router = Router::new()
        .route("/submit/{slug}/{form_id}", post(submit).options(preflight))
        .fallback(not_found)
        .with_state(state);
    for (name, value) in security {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
}

/// Headers on every answer, as the site's CDN sends them: the pages form-fn
/// shows (a refused application, an error) load only the site's own files,
/// send forms only back here or to the site, and are never framed. Nothing
/// is kept in a cache: a refused application's page holds what the citizen
/// typed, and every answer belongs to one submission.
fn security_headers(site_origin: &str) -> Vec<(header::HeaderName, HeaderValue)> {
    let csp = format!(
        "default-src 'none'; script-src {site_origin}; style-src {site_origin}; \
         img-src {site_origin}; form-action 'self' {site_origin}; frame-ancestors 'none'; \
         base-uri 'none'"
    );
    let mut headers = vec![
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    // The origin came through form-spec's checks; should it still not fit
    // a header, the other headers are sent and pages keep their <meta> policy.
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.push((header::CONTENT_SECURITY_POLICY, value));
    }
    headers
}

async fn not_found() -> Response {
    pages::plain(StatusCode::NOT_FOUND, "Not found")
}

/// Whether reading a body failed because the client stopped sending.
fn timed_out(error: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = current.source();
    }
    false
}

/// CORS is granted to the municipality's own site only.
fn cors_headers(state: &AppState, request_headers: &HeaderMap, response: &mut Response) {
    let allowed = request_headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_some_and(|origin| origin == state.registry.site_origin);
    if allowed && let Ok(origin) = HeaderValue::from_str(&state.registry.site_origin) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

async fn preflight(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    cors_headers(&state, &headers, &mut response);
    if response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    {
        let h = response.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, accept"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

fn today() -> Date {
    UtcTime::now().date
}

async fn submit(
    State(state): State<Arc<AppState>>,
    Path((slug, form_id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let headers = request.headers().clone();
    let (status, reference, size, mut response) = handle(&state, &slug, &form_id, request).await;
    cors_headers(&state, &headers, &mut response);
    tracing::info!(
        municipality = %slug,
        form = %form_id,
        status = status.as_u16(),
        reference = reference.as_deref().unwrap_or("-"),
        bytes = size,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "submission"
    );
    response
}

/// Returns the status, the reference (if stored), the body size and the response.
async fn handle(
    state: &AppState,
    slug: &str,
    form_id: &str,
    request: Request,
) -> (StatusCode, Option<String>, usize, Response) {
    let json = wants_json(request.headers());
    let registry = &state.registry;
    let (Some(entry), Some(form), Some(limits)) = (
        registry
            .municipalities
            .get(slug)
            .filter(|m| m.forms.iter().any(|f| f == form_id)),
        registry.forms.get(form_id),
        state.limits.get(form_id),
    ) else {
        let status = StatusCode::NOT_FOUND;
        return (
            status,
            None,
            0,
            pages::plain(status, "Unknown municipality or form"),
        );
    };
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let Some(kind) = BodyKind::of(&content_type) else {
        let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return (
            status,
            None,
            0,
            pages::plain(
                status,
                "Send application/x-www-form-urlencoded or multipart/form-data",
            ),
        );
    };
    let limit = usize::try_from(form.max_attachment_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(TEXT_ALLOWANCE);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        return (
            status,
            None,
            declared.unwrap_or(0),
            pages::too_large(status, json, form.max_attachment_bytes),
        );
    }
    let body = match to_bytes(request.into_body(), limit).await {
        Ok(body) => body,
        Err(error) if timed_out(&error) => {
            let status = StatusCode::REQUEST_TIMEOUT;
            return (
                status,
                None,
                0,
                pages::plain(status, "The body came too slowly"),
            );
        }
        Err(_) => {
            let status = StatusCode::PAYLOAD_TOO_LARGE;
            return (
                status,
                None,
                limit,
                pages::too_large(status, json, form.max_attachment_bytes),
            );
        }
    };
    let size = body.len();
    let submission = match parse_body(kind, body, limits).await {
        Ok(submission) => submission,
        Err(refusal) => {
            let status = StatusCode::PAYLOAD_TOO_LARGE;
            return (status, None, size, pages::refused(status, json, &refusal));
        }
    };
    let lang = submission
        .value("lang")
        .filter(|l| entry.languages.iter().any(|known| known == l))
        .unwrap_or("de")
        .to_owned();
    let done = format!(
        "{}{}{slug}/{lang}/apply/done/",
        registry.site_origin, registry.base_path
    );
    if submission.is_spam() {
        // Bots get what they expect; nothing is stored.
        let status = StatusCode::SEE_OTHER;
        return (status, None, size, pages::redirect(&done));
    }
    let validated = match validate(
        form,
        &registry.countries,
        &registry.nationality_extra,
        &submission,
        &lang,
        today(),
    ) {
        Ok(validated) => validated,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let response = refused(state, slug, form_id, &lang, &submission, &errors, json).await;
            return (status, None, size, response);
        }
    };
    drop(submission);
    let application = Application {
        slug: slug.to_owned(),
        entry: entry.clone(),
        form_id: form_id.to_owned(),
        form_version: form.version,
        language: lang,
        validated,
    };
    let Some(stored) = state.sealer.seal_and_store(application).await else {
        let status = StatusCode::SERVICE_UNAVAILABLE;
        return (status, None, size, pages::unavailable(json));
    };
    // The key holds only the municipality's key, the date and the reference.
    tracing::info!(municipality = %slug, reference = %stored.reference, key = %stored.key, bytes = stored.sealed_bytes, "stored");
    if let Some(forwarder) = &state.forwarder {
        let forwarder = Arc::clone(forwarder);
        let reference = stored.reference.clone();
        tokio::spawn(async move { forwarder.forward(&reference, When::Due).await });
    }
    if json {
        (
            StatusCode::CREATED,
            Some(stored.reference.clone()),
            size,
            pages::created(&stored.reference),
        )
    } else {
        let location = format!("{done}?ref={}", stored.reference);
        (
            StatusCode::SEE_OTHER,
            Some(stored.reference),
            size,
            pages::redirect(&location),
        )
    }
}

async fn refused(
    state: &AppState,
    slug: &str,
    form_id: &str,
    lang: &str,
    submission: &Submission,
    errors: &[FieldError],
    json: bool,
) -> Response {
    if json {
        return pages::errors_json(errors);
    }
    let shell = tokio::fs::read_to_string(state.shells.join(slug).join(format!("{lang}.html")))
        .await
        .ok();
    let form = &state.registry.forms[form_id];
    pages::form_again(
        &state.registry,
        shell.as_deref(),
        slug,
        form,
        lang,
        submission,
        errors,
    )
}
