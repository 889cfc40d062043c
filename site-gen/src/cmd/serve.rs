//! `site-gen serve`: a live preview on 127.0.0.1 that rebuilds when a file is
//! saved and reloads open tabs; build errors show in the terminal and over
//! the page, and the last good pages stay served.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use site_gen::BuildOptions;
use site_gen::build::Scope;
use site_gen::serve::{Files, LiveSite, Rebuild, rebuild, router, scope_of, start_watching};
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
    /// Where form-fn's registry and shells are written for a local form-fn
    /// (default: `function` in the root).
    #[arg(long)]
    function_out: Option<PathBuf>,
    /// Print where the time of each rebuild went.
    #[arg(long)]
    timings: bool,
}

pub fn run(args: Args) -> ExitCode {
    match serve(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: Args) -> Result<(), String> {
    // notify reports absolute paths: the root must be absolute too.
    let root = std::fs::canonicalize(&args.root)
        .map_err(|e| format!("cannot open {}: {e}", args.root.display()))?;
    let address = format!("127.0.0.1:{}", args.port);
    let base_url = SiteUrl::try_from(format!("http://{address}/"))?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start: {e}"))?;
    // Bound before the first build, so a busy port changes nothing.
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(&address))
        .map_err(|e| format!("cannot listen on {address}: {e}; choose another --port"))?;
    let options = BuildOptions {
        base_url: Some(base_url),
        form_endpoint: args.form_endpoint,
        function_out: args.function_out.unwrap_or_else(|| root.join("function")),
        progress: true,
        ..BuildOptions::new(&root, root.join("public"))
    };
    // Watched before the first build: a save during it starts a rebuild after it.
    let watching = start_watching(&root).map_err(|e| e.to_string());
    let live = Arc::new(LiveSite::new(Files::new()));
    let mut function = Files::new();
    let first = rebuild(&options, &live, &mut function, &Scope::All);
    if let Rebuild::Built { rendered, took, .. } = &first {
        println!(
            "built {rendered} pages in {:.0} ms",
            took.as_secs_f64() * 1000.0
        );
    }
    print_outcome(&first, args.timings, false);
    println!(
        "serving http://{address}/ and watching content/, themes/, municipalities/ and site.yaml (Ctrl+C stops)"
    );
    let watched = Arc::clone(&live);
    std::thread::spawn(move || {
        let watching = watching.map(|watching| {
            watching.run(|paths| {
                let names: Vec<String> = paths
                    .iter()
                    .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
                    .collect();
                println!("changed: {}", names.join(", "));
                // After a failed build scope_of answers everything.
                let scope = scope_of(&root, &paths, &watched);
                let outcome = rebuild(&options, &watched, &mut function, &scope);
                print_outcome(&outcome, args.timings, true);
                true
            });
        });
        if let Err(error) = watching {
            eprintln!("error: {error}; pages are served but not rebuilt");
        }
    });
    // Open tabs keep their event streams open, so there is no waiting for
    // them: Ctrl+C ends the preview at once.
    runtime.block_on(async move {
        tokio::select! {
            served = axum::serve(listener, router(live, args.port)) => served.map_err(|e| e.to_string()),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}

fn print_outcome(outcome: &Rebuild, timings: bool, changes: bool) {
    match outcome {
        Rebuild::Built {
            changed,
            took,
            timings: phases,
            ..
        } => {
            if changes {
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
            }
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
