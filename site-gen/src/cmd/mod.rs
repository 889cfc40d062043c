//! One module per subcommand of `site-gen`.

pub mod build;
pub mod deploy;
