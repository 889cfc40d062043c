//! `site-gen serve`: a live preview on 127.0.0.1 that rebuilds when a file is
//! saved and reloads open tabs; build errors show in the terminal and over
//! the page, and the last good pages stay served.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use site_gen::BuildOptions;
use site_gen::build::Scope;
use site_gen::serve::{Files, LiveSite, Rebuild, rebuild, router, scope_of, watch};
use site_gen::values::{FormEndpoint, SiteUrl};

use super::build::format_timings;

#[derive(clap::Args)]
pub struct Args {
    /// Folder with site.yaml, content/, municipalities/ and themes/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Where a local form-fn accepts applications (e.g. http://127.0.0.1:8081).
    #[arg(long, value_parser = |s: &str| FormEndpoint::try_from(s.to_owned()))]
    form_endpoint: Option<FormEndpoint>,
    /// Where form-fn's registry and shells are written for a local form-fn.
    #[arg(long, default_value = "function")]
    function_out: PathBuf,
    /// Print where the time of each rebuild went.
    #[arg(long)]
    timings: bool,
}

pub fn run(args: Args) -> ExitCode {
    let address = format!("127.0.0.1:{}", args.port);
    let base_url = match SiteUrl::try_from(format!("http://{address}/")) {
        Ok(url) => url,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let options = BuildOptions {
        base_url: Some(base_url),
        form_endpoint: args.form_endpoint,
        function_out: args.function_out,
        progress: true,
        ..BuildOptions::new(&args.root, args.root.join("public"))
    };
    let live = Arc::new(LiveSite::new(Files::new()));
    let mut function = Files::new();
    match rebuild(&options, &live, &mut function, &Scope::All) {
        Rebuild::Built { changed, took, .. } => println!(
            "built {} pages in {:.0} ms",
            changed.len(),
            took.as_secs_f64() * 1000.0
        ),
        failed => print_outcome(&failed, args.timings),
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match runtime.block_on(tokio::net::TcpListener::bind(&address)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {address}: {error}; choose another --port");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "serving http://{address}/ and watching content/, themes/, municipalities/ and site.yaml (Ctrl+C stops)"
    );
    let watched = Arc::clone(&live);
    let root = args.root.clone();
    let timings = args.timings;
    std::thread::spawn(move || {
        let watching = watch(&root, |paths| {
            let names: Vec<String> = paths
                .iter()
                .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
                .collect();
            println!("changed: {}", names.join(", "));
            let scope = scope_of(&root, &paths, &watched);
            print_outcome(&rebuild(&options, &watched, &mut function, &scope), timings);
            true
        });
        if let Err(error) = watching {
            eprintln!("error: {error}; pages are served but not rebuilt");
        }
    });
    let served = runtime.block_on(async move {
        axum::serve(listener, router(live))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_outcome(outcome: &Rebuild, timings: bool) {
    match outcome {
        Rebuild::Built {
            changed,
            took,
            timings: phases,
        } => {
            let shown: Vec<&str> = changed.iter().take(5).map(String::as_str).collect();
            let more = changed.len().saturating_sub(shown.len());
            println!(
                "rebuilt in {:.0} ms: {} page{} changed{}{}",
                took.as_secs_f64() * 1000.0,
                changed.len(),
                if changed.len() == 1 { "" } else { "s" },
                if shown.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", shown.join(", "))
                },
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
            if timings {
                println!("{}", format_timings(phases));
            }
        }
        Rebuild::Failed(message) => {
            eprintln!(
                "error: the build stopped; the last good pages stay served. To fix:\n{message}"
            );
        }
    }
}
