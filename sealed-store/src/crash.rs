//! Named steps at which a test can have the process killed, as `kill -9`
//! would: `SEALED_STORE_KILL_AT=<step>` makes the process send itself
//! SIGKILL when it reaches that step, so no destructor, flush or reply runs.
//! Only debug builds read the variable; in release builds the steps are
//! no-ops. The durability test kills form-fn at each of [`STEPS`].

/// Every step, in the order a submission passes them.
pub const STEPS: &[&str] = &[
    "journal-written",
    "journal-synced",
    "linked-1",
    "linked-2",
    "answered",
    "checkpoint-synced",
];

/// Kills this process if the test asked for it at `step`.
pub(crate) fn point(step: &str) {
    #[cfg(debug_assertions)]
    {
        static KILL_AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        let kill_at = KILL_AT.get_or_init(|| std::env::var("SEALED_STORE_KILL_AT").ok());
        if kill_at.as_deref() == Some(step) {
            // SAFETY: kill takes plain integers; it ends this process.
            unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}

/// [`point`] for the n-th of several alike steps (`linked-1`, `linked-2`).
pub(crate) fn point_n(step: &str, n: usize) {
    if cfg!(debug_assertions) {
        point(&format!("{step}-{n}"));
    }
}
