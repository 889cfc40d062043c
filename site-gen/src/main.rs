//! The `site-gen` command line: parses the arguments and hands each
//! subcommand to its module in `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "site-gen",
    version,
    about = "Builds the naturalization service site and publishes it to object storage"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the whole site from content, municipalities and theme.
    Build(cmd::build::Args),
    /// Check the sources for mistakes, broken links and outdated legal wording.
    Check(cmd::check::Args),
    /// Preview the site on 127.0.0.1, rebuilt and reloaded whenever a file is saved.
    Serve(cmd::serve::Args),
    /// Write a new file to fill in, e.g. `new municipality --slug … --name … --ags …`.
    #[command(subcommand)]
    New(cmd::new::What),
    /// Upload a finished build to S3-compatible storage: only what changed.
    Deploy(cmd::deploy::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::New(what) => cmd::new::run(what),
        Command::Deploy(args) => cmd::deploy::run(args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
