//! Files only their owner may read: the office's identity and whatever an
//! opened application holds, form-fn's signing key. Created new (never
//! overwriting), owner-only, synced before they count as written.

use std::io::Write;
use std::path::Path;

/// Creates `path` with `bytes`; fails with `AlreadyExists` if it is there.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Creates the folder `path` (and its parents), owner-only.
pub fn create_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Creates the folder `path` itself, owner-only; fails if anything is there
/// already (a folder, a file, or a link someone placed to redirect the
/// writes), so what follows is written only into a folder this process made.
pub fn create_new_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}
