//! Fuzz targets of form-fn (property tests over mutated seed files, see
//! `tests/fuzz/`): the real router answers every body with a clear status,
//! never 500 and never a panic; every XTA reply is read or refused.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use sealed_store::Store;
use test_support::fuzz::{config, corpus, mutated};
use tower::Service;

use crate::accept::Sealer;
use crate::app::{AppState, router};
use crate::transport::xta2_message::read_answer;

/// The sample site's registry and shells, built once into a temporary folder.
fn app(dir: &std::path::Path) -> axum::Router {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut options = site_gen::BuildOptions::new(&root, dir.join("public"));
    options.form_endpoint = Some(
        "http://127.0.0.1:8081"
            .to_owned()
            .try_into()
            .expect("endpoint"),
    );
    site_gen::build(&options).expect("the sample site builds");
    let text =
        std::fs::read_to_string(options.function_out.join("registry.json")).expect("registry");
    let registry = serde_json::from_str(&text).expect("registry JSON");
    router(Arc::new(AppState::new(
        Arc::new(registry),
        options.function_out.join("shells"),
        Sealer::new(Arc::new(Store::folder(dir.join("store")))),
        None,
    )))
}

#[test]
fn fuzz_submissions_get_a_clear_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = app(dir.path());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut seeds = corpus("submission-urlencoded");
    seeds.extend(corpus("submission-multipart"));
    let content_types = prop::sample::select(vec![
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=B",
        "multipart/form-data; boundary=\"B\"; charset=utf-8",
        "text/plain",
    ]);
    let mut runner = proptest::test_runner::TestRunner::new(config());
    let outcome = runner.run(
        &(mutated(seeds), content_types, any::<bool>()),
        |(body, content_type, json)| {
            let mut request = Request::post("/submit/bielefeld/einbuergerung")
                .header("content-type", content_type);
            if json {
                request = request.header("accept", "application/json");
            }
            let request = request.body(Body::from(body)).expect("request");
            let response = runtime
                .block_on(app.clone().call(request))
                .unwrap_or_else(|never| match never {});
            let status = response.status();
            prop_assert!(
                [
                    StatusCode::SEE_OTHER,
                    StatusCode::CREATED,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ]
                .contains(&status),
                "answered {status}"
            );
            Ok(())
        },
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[test]
fn the_valid_seeds_are_accepted_so_the_fuzzer_reaches_sealing_and_storing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = app(dir.path());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for (folder, content_type) in [
        ("submission-urlencoded", "application/x-www-form-urlencoded"),
        ("submission-multipart", "multipart/form-data; boundary=B"),
    ] {
        let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fuzz")
            .join(folder)
            .join("valid.txt");
        let body = std::fs::read(&seed).expect("seed");
        let request = Request::post("/submit/bielefeld/einbuergerung")
            .header("content-type", content_type)
            .body(Body::from(body))
            .expect("request");
        let response = runtime
            .block_on(app.clone().call(request))
            .unwrap_or_else(|never| match never {});
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{folder}/valid.txt must stay a valid application (update it with the form)"
        );
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_xta_answers_are_read_or_refused(reply in mutated(corpus("xta-answers"))) {
        // Whatever the XTA server (or whoever pretends to be it) answers:
        // an answer or an error, never a panic.
        let _ = read_answer(&reply);
    }
}
