//! S3 clients for form-fn's store, the offices' mailboxes and `site-gen
//! deploy`, made in one place; the addresses they take (`s3://bucket[/prefix]`)
//! are read by form-spec's [`S3Location`], the one `s3://` parser.
//!
//! Credentials and region come from the standard AWS chain (`aws-config`):
//! environment variables, the shared config and credentials files (profiles,
//! SSO, `credential_process`), and the instance or task role. That is what
//! Lambda gives a function and what municipal IT already uses for the AWS CLI.
//! Any S3-compatible store works with an endpoint address and path-style
//! bucket addressing.

use tokio::sync::OnceCell;

pub use form_spec::checked::S3Location;

/// How to reach the store, beyond what the AWS chain says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// Another S3-compatible store than AWS S3 (else `AWS_ENDPOINT_URL(_S3)` or AWS).
    pub endpoint: Option<String>,
    /// Address buckets as `endpoint/bucket/key` rather than `bucket.endpoint/key`.
    pub path_style: bool,
}

impl ClientOptions {
    /// As form-fn and the office run: an endpoint from `AWS_ENDPOINT_URL_S3`
    /// or `AWS_ENDPOINT_URL` means an S3-compatible server, addressed by path.
    #[must_use]
    pub fn from_environment() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let endpoint = var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL"));
        Self {
            path_style: endpoint.is_some(),
            endpoint,
        }
    }
}

/// A client configured from the AWS chain and `options`.
pub async fn client(options: &ClientOptions) -> aws_sdk_s3::Client {
    client_for(&load(options).await, options)
}

/// As [`client`], but first makes sure the chain finds credentials, so a
/// command can say so at once; the error says which sources were tried.
pub async fn client_with_credentials(
    options: &ClientOptions,
) -> Result<aws_sdk_s3::Client, String> {
    use aws_sdk_s3::config::ProvideCredentials;
    let shared = load(options).await;
    if let Some(provider) = shared.credentials_provider() {
        provider
            .provide_credentials()
            .await
            .map_err(|error| crate::aws::innermost(&error))?;
    }
    Ok(client_for(&shared, options))
}

async fn load(options: &ClientOptions) -> aws_config::SdkConfig {
    crate::aws::sdk_config(options.endpoint.as_deref()).await
}

fn client_for(shared: &aws_config::SdkConfig, options: &ClientOptions) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(shared)
        .force_path_style(options.path_style)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// One client per process for the stores and mailboxes configured by the
/// environment, made on first use; they share its connection pool.
pub(crate) async fn shared_client() -> &'static aws_sdk_s3::Client {
    static CLIENT: OnceCell<aws_sdk_s3::Client> = OnceCell::const_new();
    CLIENT
        .get_or_init(|| async { client(&ClientOptions::from_environment()).await })
        .await
}
