//! The preview's web server: pages from memory, a small script that reloads
//! the tab when the site was rebuilt (server-sent events), and the build
//! error as an overlay on every page while there is one. The script and the
//! overlay exist in serve mode only; built sites never contain them.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::LiveSite;

/// Where the preview's own files live; no site path starts like this.
const PREFIX: &str = "/_site-gen/";

// The page knows the version it was served in; the events say the current
// one (at once, and after each rebuild), so a rebuild that finished while
// the page was loading is not missed.
const RELOAD_JS: &str = "\
// site-gen serve: reload this tab when the site was rebuilt.\n\
(function () {\n\
  var script = document.currentScript;\n\
  var seen = script && script.getAttribute(\"data-version\");\n\
  if (!window.EventSource) return;\n\
  var events = new EventSource(\"/_site-gen/events\");\n\
  events.onopen = function () { document.documentElement.setAttribute(\"data-site-gen\", \"live\"); };\n\
  events.addEventListener(\"version\", function (e) { if (e.data !== seen) location.reload(); });\n\
})();\n";

const OVERLAY_CSS: &str = "\
#site-gen-error { position: fixed; inset: 0 0 auto 0; z-index: 1000; max-height: 60vh; \
overflow: auto; margin: 0; padding: 1rem 1.25rem; background: #fff4f4; color: #1a1a1a; \
border-bottom: 0.4rem solid #b00020; font: 1rem/1.5 system-ui, sans-serif; }\n\
#site-gen-error pre { white-space: pre-wrap; font: 0.95rem/1.4 ui-monospace, monospace; }\n";

/// What the handlers share: the site, and the port the preview answers on.
#[derive(Clone)]
struct Preview {
    live: Arc<LiveSite>,
    port: u16,
}

impl Preview {
    /// Only requests addressed to this machine: another site a browser
    /// visits cannot read the preview by pointing its own name here (DNS
    /// rebinding).
    fn allows(&self, headers: &HeaderMap) -> bool {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        host == format!("127.0.0.1:{}", self.port) || host == format!("localhost:{}", self.port)
    }
}

/// The preview's routes: its script, style and events, then the site.
pub fn router(live: Arc<LiveSite>, port: u16) -> Router {
    Router::new()
        .route(
            "/_site-gen/reload.js",
            get(|| async { asset(RELOAD_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/_site-gen/overlay.css",
            get(|| async { asset(OVERLAY_CSS, "text/css; charset=utf-8") }),
        )
        .route("/_site-gen/events", get(events))
        .fallback(get(page))
        .with_state(Preview { live, port })
}

fn asset(body: &'static str, media_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// The current version of the site at once, then each new one.
async fn events(State(preview): State<Preview>, headers: HeaderMap) -> Response {
    if !preview.allows(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let versions = preview.live.subscribe();
    let stream =
        futures_util::stream::unfold((versions, true), |(mut versions, first)| async move {
            if !first {
                versions.changed().await.ok()?;
            }
            let version = *versions.borrow_and_update();
            let event = Event::default().event("version").data(version.to_string());
            Some((Ok::<_, Infallible>(event), (versions, false)))
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A file of the site, pages with the reload script (and the error overlay).
async fn page(State(preview): State<Preview>, headers: HeaderMap, uri: Uri) -> Response {
    if !preview.allows(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let served = preview.live.served();
    let version = preview.live.version();
    let path = uri.path();
    let Some(relative) = path.strip_prefix('/') else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if path.starts_with(PREFIX) || path.contains("..") {
        return not_found(&served, version);
    }
    let key = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_owned()
    };
    if let Some(bytes) = served.files.get(&key) {
        return file(
            &key,
            bytes,
            served.error.as_deref(),
            version,
            StatusCode::OK,
        );
    }
    if served.files.contains_key(&format!("{key}/index.html")) {
        let location = format!("{path}/");
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    not_found(&served, version)
}

fn not_found(served: &super::Served, version: u64) -> Response {
    let page = served
        .files
        .get("404.html")
        .map_or(&b"not found"[..], |page| &page[..]);
    file(
        "404.html",
        page,
        served.error.as_deref(),
        version,
        StatusCode::NOT_FOUND,
    )
}

fn file(
    key: &str,
    bytes: &[u8],
    error: Option<&str>,
    version: u64,
    status: StatusCode,
) -> Response {
    let media_type = media_type(key);
    let body = if key.ends_with(".html") {
        Body::from(inject(&String::from_utf8_lossy(bytes), error, version))
    } else {
        Body::from(bytes.to_vec())
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn media_type(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("vtt") => "text/vtt; charset=utf-8",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The page with the reload script, and the error over it while there is one.
pub(super) fn inject(html: &str, error: Option<&str>, version: u64) -> String {
    let mut extra = format!(
        "<link rel=\"stylesheet\" href=\"/_site-gen/overlay.css\">\
         <script src=\"/_site-gen/reload.js\" data-version=\"{version}\" defer></script>"
    );
    if let Some(error) = error {
        extra.push_str(&format!(
            "<div id=\"site-gen-error\" role=\"alert\"><strong>The build stopped; \
             this is the last good version. Fix this and save:</strong><pre>{}</pre></div>",
            form_spec::html::escape(error)
        ));
    }
    // The page's policy allows no connections; the reload script needs one
    // to this server.
    let html = html.replacen(CSP_DEFAULT, CSP_WITH_EVENTS, 1);
    match html.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &html[..at], &html[at..]),
        None => format!("{html}{extra}"),
    }
}

/// How the built pages' security policy starts (in the escaped `<meta>`).
pub const CSP_DEFAULT: &str = "default-src &#39;none&#39;;";
/// The policy's start in serve mode: events from this server allowed.
pub const CSP_WITH_EVENTS: &str = "default-src &#39;none&#39;; connect-src &#39;self&#39;;";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_and_an_escaped_error_go_before_the_end_of_the_body() {
        let page = inject(
            "<html><body><p>x</p></body></html>",
            Some("a.md:1:2: <b> expected"),
            7,
        );
        assert!(
            page.contains(
                "<script src=\"/_site-gen/reload.js\" data-version=\"7\" defer></script>"
            )
        );
        assert!(page.contains("a.md:1:2: &lt;b&gt; expected"));
        assert!(page.ends_with("</pre></div></body></html>"));
        assert!(!inject("<body></body>", None, 0).contains("site-gen-error"));
        let meta = "<meta content=\"default-src &#39;none&#39;; script-src x\"><body></body>";
        assert!(
            inject(meta, None, 0)
                .contains("&#39;none&#39;; connect-src &#39;self&#39;; script-src x")
        );
    }
}
