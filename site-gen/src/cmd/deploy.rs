//! `site-gen deploy`: uploads a finished build to S3-compatible storage,
//! only what changed (see `site_gen::deploy`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sealed_store::s3::{ClientOptions, S3Location};
use site_gen::deploy::{Change, DeployOptions, DeploySummary, deploy};

#[derive(clap::Args)]
pub struct Args {
    /// The site folder `site-gen build --out` wrote.
    #[arg(long, default_value = "public")]
    from: PathBuf,
    /// Where to publish: s3://BUCKET or s3://BUCKET/PREFIX.
    #[arg(long, value_parser = parse_location)]
    to: S3Location,
    /// An S3-compatible store instead of AWS S3, e.g. http://127.0.0.1:9000.
    #[arg(long)]
    endpoint: Option<String>,
    /// Address the bucket by path (endpoint/bucket/key), as most
    /// S3-compatible stores expect.
    #[arg(long)]
    path_style: bool,
    /// List what would change; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Remove objects under the prefix that the build no longer has.
    #[arg(long)]
    delete: bool,
    /// Read every object's metadata instead of trusting the record of the
    /// last deploy (after the bucket was changed by other means).
    #[arg(long)]
    verify: bool,
    /// `json`: exactly one JSON object with the counts on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_location(spec: &str) -> Result<S3Location, String> {
    S3Location::parse(spec)
        .unwrap_or_else(|| Err(format!("`{spec}`: expected s3://BUCKET[/PREFIX]")))
}

pub fn run(args: Args) -> ExitCode {
    let options = DeployOptions {
        from: args.from,
        to: args.to,
        client: ClientOptions {
            endpoint: args.endpoint,
            path_style: args.path_style,
        },
        dry_run: args.dry_run,
        delete: args.delete,
        verify: args.verify,
    };
    let progress = progress_bar(args.format);
    let (format, dry_run) = (args.format, args.dry_run);
    let report_change = move |change: &Change| {
        if !dry_run {
            return;
        }
        let line = match change {
            Change::Upload { key, new: true } => format!("would upload {key} (new)"),
            Change::Upload { key, new: false } => format!("would upload {key} (changed)"),
            Change::Delete { key } => format!("would delete {key}"),
        };
        // stdout carries only the JSON object in JSON mode.
        match format {
            Format::Text => println!("{line}"),
            Format::Json => eprintln!("{line}"),
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    match runtime.block_on(deploy(&options, &progress, &report_change)) {
        Ok(summary) => {
            match format {
                Format::Json => println!("{}", serde_json::json!(summary)),
                Format::Text => println!("{}", summary_line(&options, &summary, started)),
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            progress.finish_and_clear();
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A bar on a terminal; nothing in CI, in pipes, or with JSON output.
fn progress_bar(format: Format) -> ProgressBar {
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if format == Format::Json || !interactive {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg:>18} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn summary_line(options: &DeployOptions, summary: &DeploySummary, started: Instant) -> String {
    let counts = format!(
        "{} uploaded ({}), {} unchanged, {} deleted",
        summary.uploaded,
        human_bytes(summary.bytes_uploaded),
        summary.unchanged,
        summary.deleted
    );
    let seconds = started.elapsed().as_secs_f64();
    if options.dry_run {
        format!(
            "dry run of {} to {}, nothing was changed: would be {counts} ({seconds:.1} s)",
            options.from.display(),
            options.to
        )
    } else {
        format!(
            "deployed {} to {}: {counts} in {seconds:.1} s",
            options.from.display(),
            options.to
        )
    }
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}
