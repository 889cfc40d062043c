//! One module per subcommand of `site-gen`.

pub mod build;
pub mod check;
pub mod deploy;
pub mod new;
pub mod serve;
