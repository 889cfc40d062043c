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
/// http there; everywhere else citizens' data travels over https only.
#[must_use]
pub fn is_loopback_http(value: &str) -> bool {
    ["http://127.0.0.1", "http://localhost"]
        .iter()
        .any(|prefix| {
            value
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        })
}

/// Is `value` an https address with a host, free of characters that break
/// out of an attribute or a header?
#[must_use]
pub fn is_https_url(value: &str) -> bool {
    let host = value
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
    host.is_some_and(|host| !host.is_empty())
        && !value
            .chars()
            .any(|c| c.is_whitespace() || "<>\"'`".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_only_this_machine() {
        assert!(is_loopback_http("http://127.0.0.1:8081"));
        assert!(is_loopback_http("http://localhost/x"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.example"));
        assert!(!is_loopback_http("http://forms.bielefeld.de"));
    }

    #[test]
    fn https_urls_need_a_host_and_no_markup() {
        assert!(is_https_url("https://www.bielefeld.de/"));
        assert!(!is_https_url("http://www.bielefeld.de/"));
        assert!(!is_https_url("https://"));
        assert!(!is_https_url("https://x.de/\"><script>"));
    }
}
