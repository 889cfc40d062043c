//! `form-fn`: receives a submitted application, validates it with `form-spec`,
//! encrypts it to the responsible office and stores it.
//!
//! Walking-skeleton stub: the application-form issue implements the handler.
//! Until then the binary explains itself and exits non-zero, so nobody mistakes
//! it for a working intake.

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "form-fn is not implemented yet; it will accept POST {} (see DESIGN.md)",
        form_spec::submit_path("<slug>", "<form-id>")
    );
    ExitCode::from(2)
}
