//! Strings that check themselves while they are parsed, so that a mistake is
//! reported where it was written (site-gen's YAML, with line and column) and a
//! registry that bypassed site-gen is refused by form-fn with the same words.

/// Defines a newtype over `String` that only holds values `$check` accepts;
/// `$check` returns what was expected, in words an editor understands.
#[macro_export]
macro_rules! checked_string {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                let check: fn(&str) -> Result<(), String> = $check;
                check(&value).map(|()| Self(value))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Is `value` a plain-http address on this machine? Demos and tests may use
/// http there; everywhere else citizens' data travels over https only. The
/// host must be exactly `localhost`, an address in 127.0.0.0/8 or `[::1]`,
/// and there must be no user part (`http://localhost:80@evil.example` is
/// evil.example).
#[must_use]
pub fn is_loopback_http(value: &str) -> bool {
    let Some(url) = parsed(value, "http") else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

/// Is `value` an https address with a host, without a user part, free of
/// characters that break out of an attribute or a header?
#[must_use]
pub fn is_https_url(value: &str) -> bool {
    parsed(value, "https").is_some_and(|url| url.host().is_some())
}

/// `value` as a URL of `scheme`, if it is one without user info and without
/// characters that could break out of an attribute or a header.
fn parsed(value: &str, scheme: &str) -> Option<url::Url> {
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"'`\\".contains(c))
    {
        return None;
    }
    let url = url::Url::parse(value).ok()?;
    let plain = url.scheme() == scheme && url.username().is_empty() && url.password().is_none();
    plain.then_some(url)
}

/// `scheme://host[:port]` of an address, as browsers compare origins
/// (default ports left out); `None` if it is not a URL with a host.
#[must_use]
pub fn origin_of(value: &str) -> Option<String> {
    let url = url::Url::parse(value).ok()?;
    url.host()?;
    Some(url.origin().ascii_serialization())
}

/// A bucket and a key prefix inside it: the one reader of `s3://` addresses
/// (form-fn's store, the offices' mailboxes, `site-gen deploy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Empty (the whole bucket), or ending in `/`.
    pub prefix: String,
}

impl S3Location {
    /// Reads `s3://bucket[/prefix]`; `None` if `spec` does not start with `s3://`.
    pub fn parse(spec: &str) -> Option<Result<Self, String>> {
        let rest = spec.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if !is_bucket_name(bucket) {
            return Some(Err(format!(
                "`{spec}`: expected s3://BUCKET[/PREFIX] with a bucket name of 3–63 \
                 lowercase letters, digits, dots and hyphens"
            )));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|part| part == "." || part == "..") || prefix.contains("//") {
            return Some(Err(format!(
                "`{spec}`: the prefix must be a plain path without `.`, `..` or empty parts"
            )));
        }
        Some(Ok(Self {
            bucket: bucket.to_owned(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
        }))
    }

    /// The full key of `relative` inside this location.
    #[must_use]
    pub fn key(&self, relative: &str) -> String {
        format!("{}{relative}", self.prefix)
    }
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

/// S3 bucket names: 3–63 of `a-z 0-9 . -`, starting and ending with a letter or digit.
fn is_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Whether the checked string type `T` accepts `value` (for the tests of
/// the modules that define such types).
#[cfg(test)]
pub(crate) fn accepts<T: TryFrom<String, Error = String>>(value: &str) -> bool {
    T::try_from(value.to_owned()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_only_this_machine() {
        assert!(is_loopback_http("http://127.0.0.1:8081"));
        assert!(is_loopback_http("http://127.8.9.10:8081"));
        assert!(is_loopback_http("http://localhost/x"));
        assert!(is_loopback_http("http://[::1]:8081"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.example"));
        assert!(!is_loopback_http("http://localhost.evil.example"));
        assert!(!is_loopback_http("http://forms.bielefeld.de"));
        assert!(!is_loopback_http("https://localhost"));
        // A user part hides the real host.
        assert!(!is_loopback_http("http://localhost:443@forms.evil.example"));
        assert!(!is_loopback_http("http://127.0.0.1@evil.example/"));
        assert!(!is_loopback_http("http://user:pw@localhost/"));
    }

    #[test]
    fn https_urls_need_a_host_and_no_user_or_markup() {
        assert!(is_https_url("https://www.bielefeld.de/"));
        assert!(!is_https_url("http://www.bielefeld.de/"));
        assert!(!is_https_url("https://"));
        assert!(!is_https_url("https://x.de/\"><script>"));
        assert!(!is_https_url("https://good.example@evil.example/"));
        assert!(!is_https_url("https://user:pw@good.example/"));
    }

    #[test]
    fn origins_are_what_browsers_compare() {
        assert_eq!(
            origin_of("https://a.example/x?y").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(
            origin_of("https://a.example:443/").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8081").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(origin_of("not a url"), None);
    }

    #[test]
    fn s3_locations() {
        let at = |spec: &str| S3Location::parse(spec).map(|r| r.map(|l| l.to_string()));
        assert_eq!(at("/var/x"), None);
        assert_eq!(at("s3://bucket"), Some(Ok("s3://bucket/".to_owned())));
        assert_eq!(
            at("s3://bucket/a/b/"),
            Some(Ok("s3://bucket/a/b/".to_owned()))
        );
        assert!(matches!(at("s3://"), Some(Err(_))));
        assert!(matches!(at("s3://Bucket"), Some(Err(_))));
        assert!(matches!(at("s3://bucket/../x"), Some(Err(_))));
        assert!(matches!(at("s3://bucket/a//b"), Some(Err(_))));
        let location = S3Location::parse("s3://site-bucket/nrw").unwrap().unwrap();
        assert_eq!(location.key("index.html"), "nrw/index.html");
    }
}
