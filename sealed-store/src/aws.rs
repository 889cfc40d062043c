//! Configuration from the standard AWS chain, for every AWS client of the
//! kit (S3 here, Secrets Manager in form-fn): environment variables, the
//! shared config and credentials files (profiles, SSO, `credential_process`),
//! and the instance, task or function role, as the AWS CLI reads them.

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;

/// Region used when the chain names none; S3-compatible stores ignore it.
const FALLBACK_REGION: &str = "eu-central-1";

/// The shared configuration; `endpoint` replaces the AWS endpoints (an
/// S3-compatible store). Service-specific endpoints such as
/// `AWS_ENDPOINT_URL_SECRETS_MANAGER` are read from the environment.
pub async fn sdk_config(endpoint: Option<&str>) -> aws_config::SdkConfig {
    let region = RegionProviderChain::default_provider().or_else(FALLBACK_REGION);
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).region(region);
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// The innermost cause of an error: the part that names what failed.
#[must_use]
pub fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
