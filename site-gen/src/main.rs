//! The `site-gen` command line: `site-gen build [--root DIR] [--out DIR]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use site_gen::values::{FormEndpoint, SiteUrl};
use site_gen::{BuildError, BuildOptions, build};

#[derive(Parser)]
#[command(
    name = "site-gen",
    version,
    about = "Builds the naturalization service site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the whole site from content, municipalities and theme.
    Build {
        /// Folder with site.yaml, content/, municipalities/ and themes/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder; replaced as a whole when the build succeeds.
        #[arg(long, default_value = "public")]
        out: PathBuf,
        /// Public address of the site, overriding site.yaml (e.g. for staging).
        #[arg(long)]
        base_url: Option<String>,
        /// Where form-fn accepts applications, overriding site.yaml
        /// (e.g. http://127.0.0.1:8081 for a local demo).
        #[arg(long)]
        form_endpoint: Option<String>,
        /// Print pages per second, wall time and peak memory.
        #[arg(long)]
        stats: bool,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build {
            root,
            out,
            base_url,
            form_endpoint,
            stats,
        } => {
            let base_url = match base_url.map(SiteUrl::try_from).transpose() {
                Ok(url) => url,
                Err(message) => {
                    eprintln!("error: --base-url: {message}");
                    return ExitCode::from(2);
                }
            };
            let form_endpoint = match form_endpoint.map(FormEndpoint::try_from).transpose() {
                Ok(endpoint) => endpoint,
                Err(message) => {
                    eprintln!("error: --form-endpoint: {message}");
                    return ExitCode::from(2);
                }
            };
            let options = BuildOptions {
                root,
                out,
                base_url,
                form_endpoint,
            };
            match build(&options) {
                Ok(report) => {
                    let seconds = report.elapsed.as_secs_f64();
                    println!(
                        "built {} pages for {} municipalities into {} in {:.2} s",
                        report.pages,
                        report.municipalities,
                        options.out.display(),
                        seconds
                    );
                    if stats {
                        println!(
                            "stats: pages={} seconds={seconds:.3} pages_per_second={:.0} peak_rss_mib={}",
                            report.pages,
                            report.pages as f64 / seconds.max(1e-9),
                            peak_rss_mib()
                                .map_or_else(|| "unknown".to_owned(), |m| format!("{m:.1}"))
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
    }
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
