//! Form definitions shared by `site-gen` (which renders them as HTML forms)
//! and `form-fn` (which validates submissions against them), so that every
//! field rule is written exactly once.
//!
//! - [`definition`]: the model of `content/forms/<id>.yaml` and its checks;
//! - [`submission`]: what a citizen sent, read within the form's bounds;
//! - [`validate`]: a submission against a definition;
//! - [`html`]: the form as HTML, empty or with a refused submission;
//! - [`rules`]: the same checks compiled for the browser's assistant;
//! - [`registry`]: what site-gen hands form-fn in `registry.json`;
//! - [`transport`]: how applications reach the office, checked once for both;
//! - [`notify`]: whom form-fn tells that an application reached the office;
//! - [`document`]: the document inside a sealed submission, for form-fn and the office;
//! - [`date`]: calendar dates and date bounds;
//! - [`checked`]: self-checking strings and the address rules they share.

pub mod checked;
pub mod date;
pub mod definition;
pub mod document;
pub mod html;
pub mod notify;
pub mod registry;
pub mod rules;
pub mod submission;
pub mod transport;
pub mod validate;

/// The URL path on which `form-fn` accepts a form for a municipality
/// (`POST <endpoint>/submit/<slug>/<form-id>`, see docs/architecture.md).
#[must_use]
pub fn submit_path(slug: &str, form_id: &str) -> String {
    format!("/submit/{slug}/{form_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_path_follows_the_http_contract() {
        assert_eq!(
            submit_path("bielefeld", "einbuergerung"),
            "/submit/bielefeld/einbuergerung"
        );
    }
}
