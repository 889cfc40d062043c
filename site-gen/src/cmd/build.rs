//! `site-gen build`: the site into `--out`, form-fn's registry and form
//! shells into `--function-out`.

use std::path::PathBuf;
use std::process::ExitCode;

use site_gen::values::{FormEndpoint, SiteUrl};
use site_gen::{BuildError, BuildOptions, build};

#[derive(clap::Args)]
pub struct Args {
    /// Folder with site.yaml, content/, municipalities/ and themes/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where the published site is written; only changed files, and only when the build succeeds.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// Where form-fn's registry.json and form shells are written (never
    /// publish this folder); written the same way as --out.
    #[arg(long, default_value = "function")]
    function_out: PathBuf,
    /// Public address of the site, overriding site.yaml (e.g. for staging).
    #[arg(long, value_parser = |s: &str| SiteUrl::try_from(s.to_owned()))]
    base_url: Option<SiteUrl>,
    /// Where form-fn accepts applications, overriding site.yaml
    /// (e.g. http://127.0.0.1:8081 for a local demo).
    #[arg(long, value_parser = |s: &str| FormEndpoint::try_from(s.to_owned()))]
    form_endpoint: Option<FormEndpoint>,
    /// Print pages per second, wall time and peak memory.
    #[arg(long)]
    stats: bool,
    /// Print where the time went: inputs, load, Markdown, validate, templates, write.
    #[arg(long)]
    timings: bool,
}

pub fn run(args: Args) -> ExitCode {
    let options = BuildOptions {
        root: args.root,
        out: args.out,
        function_out: args.function_out,
        base_url: args.base_url,
        form_endpoint: args.form_endpoint,
        progress: true,
    };
    match build(&options) {
        Ok(report) => {
            for warning in &report.warnings {
                eprintln!("warning: {warning}");
            }
            let seconds = report.elapsed.as_secs_f64();
            if report.unchanged {
                println!(
                    "nothing to build: {} and {} hold the build of exactly these inputs \
                     ({} municipalities checked in {:.2} s); 0 files written, 0 removed",
                    options.out.display(),
                    options.function_out.display(),
                    report.municipalities,
                    seconds
                );
            } else {
                println!(
                    "built {} pages for {} municipalities into {} (form-fn's files: {}) in {:.2} s; \
                 {} files written, {} removed",
                    report.pages,
                    report.municipalities,
                    options.out.display(),
                    options.function_out.display(),
                    seconds,
                    report.published.written,
                    report.published.removed
                );
            }
            if args.timings {
                println!("{}", format_timings(&report.timings));
            }
            if args.stats {
                println!(
                    "stats: pages={} written={} removed={} seconds={seconds:.3} \
                     pages_per_second={:.0} peak_rss_mib={}",
                    report.pages,
                    report.published.written,
                    report.published.removed,
                    report.pages as f64 / seconds.max(1e-9),
                    peak_rss_mib().map_or_else(|| "unknown".to_owned(), |m| format!("{m:.1}"))
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            report_error(&error);
            ExitCode::FAILURE
        }
    }
}

/// `timings: load 12.0 ms · Markdown 4.1 ms · …`, one line.
pub fn format_timings(timings: &[(&str, std::time::Duration)]) -> String {
    let phases: Vec<String> = timings
        .iter()
        .map(|(phase, took)| format!("{phase} {:.1} ms", took.as_secs_f64() * 1000.0))
        .collect();
    format!("timings: {}", phases.join(" · "))
}

fn report_error(error: &BuildError) {
    match error {
        BuildError::Editor(errors) => {
            eprintln!(
                "error: the build stopped; nothing was written. {} thing{} to fix:",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            for error in errors {
                eprintln!("{error}");
                if let Some(snippet) = &error.snippet {
                    eprintln!("{snippet}\n");
                }
            }
        }
        other => eprintln!("error: {other}"),
    }
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
