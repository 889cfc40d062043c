//! What form-fn answers: redirects, JSON for script clients, and the HTML of
//! the form shown again (the page around it comes from site-gen, the form
//! from form-spec, so it looks exactly like the page the citizen left).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Json, Response};
use form_spec::definition::FormDefinition;
use form_spec::html::{FORM_SLOT, FormPage, escape};
use form_spec::registry::Registry;
use form_spec::submission::Refusal;
use form_spec::submit_path;
use form_spec::validate::{FieldError, Submission};
use serde_json::json;

pub fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

pub fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

pub fn created(reference: &str) -> Response {
    (StatusCode::CREATED, Json(json!({ "reference": reference }))).into_response()
}

pub fn errors_json(errors: &[FieldError]) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "errors": errors })),
    )
        .into_response()
}

/// The request was larger than the form allows (`max_attachment_bytes` of
/// documents plus the text fields): the page says the limit the form states.
pub fn too_large(status: StatusCode, json: bool, max_attachment_bytes: u64) -> Response {
    if json {
        return (status, Json(json!({ "error": "too_large" }))).into_response();
    }
    let megabytes = max_attachment_bytes.div_ceil(1024 * 1024);
    let page = simple_page(
        "Die Dateien sind zu groß",
        &format!(
            "Ihr Antrag wurde nicht gespeichert, weil die hochgeladenen Dateien zusammen zu groß sind (höchstens {megabytes} MB). Gehen Sie zurück, verkleinern Sie die Dateien oder lassen Sie einige weg, und senden Sie den Antrag noch einmal."
        ),
        &format!(
            "The files are too large together ({megabytes} MB at most): nothing was stored. Go back, make the files smaller or leave some out, and send the application again."
        ),
    );
    (status, Html(page)).into_response()
}

/// The body broke the form's bounds while it was read (more fields than the
/// form has, a value longer than its field allows, too many files): nothing
/// was stored, and the page says what to do.
pub fn refused(status: StatusCode, json: bool, refusal: &Refusal) -> Response {
    if json {
        let body = json!({ "error": "too_large", "detail": refusal.to_string() });
        return (status, Json(body)).into_response();
    }
    let page = simple_page(
        "Der Antrag passt nicht zum Formular",
        "Ihr Antrag wurde nicht gespeichert, weil er mehr oder längere Angaben enthält, als das Formular vorsieht. Öffnen Sie das Formular auf der Seite Ihrer Einbürgerungsbehörde neu, füllen Sie es aus und senden Sie es noch einmal.",
        "Your application was not stored because it holds more or longer entries than the form allows. Open the form on your naturalisation office's page again, fill it in and send it once more.",
    );
    (status, Html(page)).into_response()
}

/// Storage failed: nothing was stored, and the citizen may simply retry.
pub fn unavailable(json: bool) -> Response {
    let mut response = if json {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": "unavailable", "stored": false })),
        )
            .into_response()
    } else {
        let page = simple_page(
            "Der Antrag konnte gerade nicht gespeichert werden",
            "Es wurde nichts gespeichert. Bitte gehen Sie zurück und senden Sie den Antrag in ein paar Minuten noch einmal; Ihre Angaben stehen noch im Formular.",
            "Your application could not be stored just now and nothing was saved. Please go back and send it again in a few minutes; your answers are still in the form.",
        );
        (StatusCode::SERVICE_UNAVAILABLE, Html(page)).into_response()
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
    response
}

/// A short German page with the English text beside it (no theme needed).
fn simple_page(heading: &str, german: &str, english: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{heading}</title></head>\
         <body><main><h1>{heading}</h1><p>{german}</p><p lang=\"en\">{english}</p></main></body></html>\n",
        heading = escape(heading),
        german = escape(german),
        english = escape(english),
    )
}

/// 422: the form again with an error summary and the citizen's values.
pub fn form_again(
    registry: &Registry,
    shell: Option<&str>,
    slug: &str,
    form: &FormDefinition,
    lang: &str,
    submission: &Submission,
    errors: &[FieldError],
) -> Response {
    let action = submit_path(slug, &form.id);
    let intros = registry.form_intros.get(&form.id);
    let intro = |section: &str| -> Option<String> { intros?.get(section)?.get(lang).cloned() };
    let page = FormPage {
        form,
        countries: &registry.countries,
        nationality_extra: &registry.nationality_extra,
        lang,
        action: &action,
        intro_html: &intro,
        submitted: Some(submission),
        errors,
    };
    let form_html = page.render();
    let html = match shell {
        Some(shell) if shell.contains(FORM_SLOT) => shell.replacen(FORM_SLOT, &form_html, 1),
        _ => format!(
            "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\
             <body><main><h1>{title}</h1>{form_html}</main></body></html>\n",
            lang = escape(lang),
            title = escape(form.title.get(lang).map_or("", String::as_str)),
        ),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response()
}
