//! `site-gen check`: every problem of the site's sources, one line each as
//! `file:line:column: error|warning: message`, or one JSON array; exit code
//! 1 when there is an error.

use std::path::PathBuf;
use std::process::ExitCode;

use site_gen::check::{Severity, check_site};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Folder with site.yaml, content/, municipalities/ and themes/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// `text`: one line per problem; `json`: one array of
    /// {"file", "line", "column", "severity", "code", "message"}.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: Args) -> ExitCode {
    // On a terminal, a spinner while a large site is checked; hidden otherwise.
    let spinner = indicatif::ProgressBar::new_spinner().with_message("checking…");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let checked = check_site(&args.root);
    spinner.finish_and_clear();
    let findings = match checked {
        Ok(findings) => findings,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match args.format {
        Format::Text => {
            for finding in &findings {
                println!("{finding}");
            }
        }
        Format::Json => match serde_json::to_string_pretty(&findings) {
            Ok(json) => println!("{json}"),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if matches!(args.format, Format::Text) {
        eprintln!(
            "{errors} error{}, {} warning{}",
            if errors == 1 { "" } else { "s" },
            findings.len() - errors,
            if findings.len() - errors == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
