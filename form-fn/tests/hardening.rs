//! form-fn against clients that behave as attackers do: bodies built to
//! exhaust memory, values longer than their fields, floods of files, clients
//! that send slowly or not at all, a stop while a client stalls. Each gets a
//! clear refusal or a closed connection, and nothing is stored.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use common::*;

const SUBMIT: &str = "/submit/bielefeld/einbuergerung";

struct Setup {
    _dir: tempfile::TempDir,
    store: PathBuf,
    form_fn: FormFn,
}

/// form-fn with the sample registry and `extra` serve arguments.
fn setup(extra: &[&str]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let function = build_site(dir.path());
    let store = dir.path().join("store");
    let form_fn = FormFn::start_with(
        dir.path(),
        &function.join("registry.json"),
        store.to_str().unwrap(),
        &[],
        extra,
    );
    Setup {
        _dir: dir,
        store,
        form_fn,
    }
}

fn refused_at_once(s: &Setup, response: &Response) {
    assert_eq!(response.status, 413, "{}", response.body);
    assert!(
        response.body.contains("mehr oder längere Angaben"),
        "the clear page: {}",
        response.body
    );
    assert!(files_below(&s.store).is_empty(), "nothing stored");
}

#[test]
fn a_flood_of_empty_pairs_is_refused_while_it_is_read() {
    let s = setup(&[]);
    let body = "=&".repeat(2_000_000);
    let response = request(
        &s.form_fn.addr,
        "POST",
        SUBMIT,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    refused_at_once(&s, &response);
}

#[test]
fn values_longer_than_their_field_and_floods_of_parts_are_refused() {
    let s = setup(&[]);
    let long = with(valid_application("de"), "family_name", &"A".repeat(5_000));
    refused_at_once(&s, &post_form(&s.form_fn.addr, SUBMIT, &long, &[]));

    let many: Vec<(String, String)> = (0..5_000)
        .map(|i| (format!("x{i}"), String::new()))
        .collect();
    refused_at_once(&s, &post_multipart(&s.form_fn.addr, SUBMIT, &many, &[]));

    let pdf: &[u8] = b"%PDF-1.7\n";
    let files: Vec<(&str, &str, &[u8])> = (0..50).map(|_| ("documents", "a.pdf", pdf)).collect();
    refused_at_once(
        &s,
        &post_multipart(&s.form_fn.addr, SUBMIT, &valid_application("de"), &files),
    );

    let (_, mut body) = multipart(&valid_application("de"), &[]);
    let huge_header = format!(
        "--B\r\nContent-Disposition: form-data; name=\"family_name\"\r\nX-Padding: {}\r\n\r\nx\r\n--B--\r\n",
        "p".repeat(8_000)
    );
    body.clear();
    body.extend_from_slice(huge_header.as_bytes());
    let response = request(
        &s.form_fn.addr,
        "POST",
        SUBMIT,
        &[("Content-Type", "multipart/form-data; boundary=B")],
        &body,
    );
    refused_at_once(&s, &response);
}

#[test]
fn refused_and_invalid_answers_are_never_cached() {
    let s = setup(&[]);
    let wrong = with(valid_application("de"), "postcode", "33");
    let response = post_form(&s.form_fn.addr, SUBMIT, &wrong, &[]);
    assert_eq!(response.status, 422);
    assert!(
        response.body.contains("value=\"33\""),
        "the citizen's values are on the page"
    );
    assert_eq!(response.header("Cache-Control"), Some("no-store"));
    let accepted = post_form(&s.form_fn.addr, SUBMIT, &valid_application("de"), &[]);
    assert_eq!(accepted.status, 303);
    assert_eq!(accepted.header("Cache-Control"), Some("no-store"));
}

/// Reads until the server closes the connection; `None` if it is still
/// open after `wait`.
fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

#[test]
fn a_client_that_sends_its_head_or_body_too_slowly_is_cut_off() {
    let s = setup(&["--header-timeout", "1s", "--body-timeout", "1s"]);
    let mut head = TcpStream::connect(&s.form_fn.addr).unwrap();
    head.write_all(b"POST /submit/bielefeld/einbuergerung HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    assert!(
        read_until_closed(&mut head, Duration::from_secs(20)).is_some(),
        "an unfinished request head is not held open"
    );

    let mut body = TcpStream::connect(&s.form_fn.addr).unwrap();
    body.write_all(
        b"POST /submit/bielefeld/einbuergerung HTTP/1.1\r\nHost: x\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nlang=de",
    )
    .unwrap();
    let answer = read_until_closed(&mut body, Duration::from_secs(20))
        .expect("an unfinished body is not held open");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );

    let mut idle = TcpStream::connect(&s.form_fn.addr).unwrap();
    assert!(
        read_until_closed(&mut idle, Duration::from_secs(20)).is_some(),
        "an idle connection is closed"
    );
    assert!(files_below(&s.store).is_empty());
}

#[test]
fn connections_beyond_the_limit_wait_for_a_free_one() {
    let s = setup(&["--max-connections", "1", "--header-timeout", "60s"]);
    let held = TcpStream::connect(&s.form_fn.addr).unwrap();
    // Let the server take the first connection before the second arrives.
    std::thread::sleep(Duration::from_millis(300));
    let mut waiting = TcpStream::connect(&s.form_fn.addr).unwrap();
    waiting
        .write_all(b"GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_until_closed(&mut waiting, Duration::from_millis(800)),
        None,
        "not served while the one allowed connection is open"
    );
    drop(held);
    let answer = read_until_closed(&mut waiting, Duration::from_secs(20))
        .expect("served once the connection is free");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

#[test]
fn a_stop_does_not_wait_for_a_stalled_client() {
    let mut s = setup(&["--shutdown-grace", "1s", "--body-timeout", "300s"]);
    let mut stalled = TcpStream::connect(&s.form_fn.addr).unwrap();
    stalled
        .write_all(
            b"POST /submit/bielefeld/einbuergerung HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nlang",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &s.form_fn.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    wait_until("form-fn stopped", || s.form_fn.has_exited());
    drop(stalled);
}

#[test]
fn a_serving_form_fn_writes_no_core_dump() {
    let s = setup(&[]);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", s.form_fn.pid())).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
}

#[test]
fn a_body_that_trickles_in_is_cut_off_as_a_whole() {
    let s = setup(&["--body-timeout", "2s"]);
    let mut stream = TcpStream::connect(&s.form_fn.addr).unwrap();
    stream
        .write_all(
            b"POST /submit/bielefeld/einbuergerung HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
        )
        .unwrap();
    // A byte every half second: never silent long enough for an idle timeout.
    let mut cut_off = false;
    for _ in 0..40 {
        std::thread::sleep(Duration::from_millis(500));
        if stream.write_all(b"a").is_err() {
            cut_off = true;
            break;
        }
    }
    let answer = read_until_closed(&mut stream, Duration::from_secs(20)).unwrap_or_default();
    assert!(
        cut_off || answer.starts_with("HTTP/1.1 408"),
        "the trickle was not stopped: {answer}"
    );
    assert!(files_below(&s.store).is_empty());
}
