//! Where sealed (age-encrypted) applications are kept, shared by form-fn,
//! which writes them, and the office's tools, which collect them. Only
//! ciphertext and the metadata beside it ever pass through here.
//!
//! - [`store`]: a folder or an S3-compatible bucket, with writes that never
//!   overwrite and never leave half a file;
//! - [`package`]: the metadata that travels with every sealed package;
//! - [`mailbox`]: the layout of a mailbox an office collects from;
//! - [`s3`]: S3 clients for `s3://` addresses;
//! - [`aws`]: configuration from the standard AWS chain, for every AWS client;
//! - `journal`: group commit for the folder store;
//! - [`crash`]: named steps where a test can kill the process;
//! - [`process`]: no core dumps in the programs that hold plaintext;
//! - [`private`]: owner-only files (keys, opened applications).

pub mod aws;
pub mod crash;
mod journal;
pub mod mailbox;
pub mod package;
pub mod private;
pub mod process;
pub mod s3;
pub mod store;

pub use store::{Store, StoreError, Version};
