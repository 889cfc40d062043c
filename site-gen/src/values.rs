//! Checked values an editor writes in YAML (official key, postcode, phone,
//! e-mail, web address, age recipient, clock time). Each one refuses a wrong
//! value while parsing, so the error points at the exact line and column.

use form_spec::checked::{is_https_url, is_loopback_http};
use form_spec::checked_string;

fn all_digits(value: &str, count: usize) -> bool {
    value.len() == count && value.bytes().all(|b| b.is_ascii_digit())
}

checked_string!(
    /// Amtlicher Gemeindeschlüssel: 8 digits, the first two a German state (01–16).
    Ags,
    |value| {
        let state = value.get(..2).and_then(|s| s.parse::<u8>().ok());
        match state {
            Some(1..=16) if all_digits(value, 8) => Ok(()),
            _ => Err(format!(
                "`{value}` is not an official municipality key (AGS): expected 8 digits \
                 starting with a state number 01–16, e.g. \"05711000\"; write it in quotes"
            )),
        }
    }
);

impl Ags {
    /// True for keys of a Kreis or a kreisfreie Stadt, whose municipality part is `000`.
    pub fn is_district_level(&self) -> bool {
        self.0.ends_with("000")
    }
}

checked_string!(
    /// A German postcode: 5 digits.
    Postcode,
    |value| {
        if all_digits(value, 5) {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a postcode: expected 5 digits in quotes, e.g. \"33602\""
            ))
        }
    }
);

checked_string!(
    /// A phone number in international form, as people dial it from a mobile.
    Phone,
    |value| {
        let rest = value.strip_prefix("+49").unwrap_or("");
        let digits = rest.bytes().filter(u8::is_ascii_digit).count();
        if !rest.is_empty()
            && rest.bytes().all(|b| b.is_ascii_digit() || b" -/".contains(&b))
            && (6..=13).contains(&digits)
        {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a phone number: expected \"+49\" followed by the number \
                 without its leading 0, digits separated by spaces or hyphens, \
                 e.g. \"+49 521 51-0\""
            ))
        }
    }
);

checked_string!(
    /// An e-mail address (a plain syntax check; offices' addresses are simple).
    Email,
    |value| {
        // The citizens' rule, and no apostrophe in an office's published address.
        if form_spec::validate::is_email(value) && !value.contains('\'') {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not an e-mail address: expected name@domain, e.g. \
                 \"einbuergerung@stadt.example\""
            ))
        }
    }
);

checked_string!(
    /// An https:// address: citizens' data and links never go over plain HTTP.
    HttpsUrl,
    |value| {
        if is_https_url(value) {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a web address: expected one starting with https://, \
                 e.g. \"https://www.stadt.example/einbuergerung\""
            ))
        }
    }
);

checked_string!(
    /// Where the site is published: https, or plain http on this machine.
    SiteUrl,
    |value| {
        if is_https_url(value) || is_loopback_http(value) {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a site address: expected https://… \
                 (http:// only for 127.0.0.1 or localhost)"
            ))
        }
    }
);

checked_string!(
    /// Where form-fn listens: https, or plain http on this machine for a demo.
    FormEndpoint,
    |value| {
        let local = is_loopback_http(value);
        let https = is_https_url(value);
        if (https || local) && !value.ends_with('/') && !value.contains(['?', '#']) {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not a form endpoint: expected an https:// address without a \
                 trailing slash (http:// only for 127.0.0.1 or localhost), e.g. \
                 \"https://forms.stadt.example\""
            ))
        }
    }
);

/// `scheme://host[:port]` of an address site-gen checked (https, or http on
/// loopback): what browsers compare as an origin.
pub fn origin_of(url: &str) -> String {
    form_spec::checked::origin_of(url).unwrap_or_else(|| url.to_owned())
}

/// The bech32 alphabet of age recipients.
const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

checked_string!(
    /// The public key of an office, as `age-keygen` prints it (`age1…`, 62 characters).
    AgeRecipient,
    |value| {
        let ok = value.len() == 62
            && value.starts_with("age1")
            && value[4..].chars().all(|c| BECH32.contains(c));
        if ok {
            Ok(())
        } else {
            Err(format!(
                "`{value}` is not an age recipient: expected the public key line printed \
                 by `age-keygen`, 62 characters starting with \"age1\""
            ))
        }
    }
);

checked_string!(
    /// A clock time "HH:MM" (24 hours).
    ClockTime,
    |value| {
        let parsed = value.split_once(':').and_then(|(h, m)| {
            (h.len() == 2 && m.len() == 2)
                .then(|| Some((h.parse::<u8>().ok()?, m.parse::<u8>().ok()?)))
                .flatten()
        });
        match parsed {
            Some((h, m)) if h < 24 && m < 60 => Ok(()),
            _ => Err(format!(
                "`{value}` is not a clock time: expected HH:MM in quotes, e.g. \"08:30\""
            )),
        }
    }
);

checked_string!(
    /// Text that must not be empty (names, streets).
    NonEmpty,
    |value| {
        if value.trim().is_empty() {
            Err("expected a non-empty text".to_owned())
        } else {
            Ok(())
        }
    }
);

/// Is `value` usable as the slug of a URL path (lowercase ASCII, digits, `-`)?
pub fn is_slug(value: &str) -> bool {
    // `assets` is the theme's folder in the published site.
    value != "assets"
        && !value.is_empty()
        && !value.starts_with('-')
        && !value.ends_with('-')
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T: TryFrom<String, Error = String>>(value: &str) -> bool {
        T::try_from(value.to_owned()).is_ok()
    }

    #[test]
    fn ags_needs_eight_digits_and_a_state() {
        assert!(ok::<Ags>("05711000"));
        assert!(!ok::<Ags>("5711000"));
        assert!(!ok::<Ags>("17000000"));
        assert!(!ok::<Ags>("0571100a"));
    }

    #[test]
    fn phone_must_be_international() {
        assert!(ok::<Phone>("+49 521 51-0"));
        assert!(!ok::<Phone>("0521 510"));
        assert!(!ok::<Phone>("+49 call us"));
    }

    #[test]
    fn web_addresses_must_use_https() {
        assert!(ok::<HttpsUrl>("https://www.bielefeld.de/"));
        assert!(!ok::<HttpsUrl>("http://www.bielefeld.de/"));
        assert!(!ok::<HttpsUrl>("https://"));
        assert!(!ok::<HttpsUrl>("https://x.de/\"><script>"));
    }

    #[test]
    fn form_endpoints_are_https_or_local() {
        assert!(ok::<FormEndpoint>("https://forms.bielefeld.de"));
        assert!(ok::<FormEndpoint>("http://127.0.0.1:8081"));
        assert!(!ok::<FormEndpoint>("http://forms.bielefeld.de"));
        assert!(!ok::<FormEndpoint>("http://127.0.0.1.evil.example"));
        assert!(!ok::<FormEndpoint>("https://forms.bielefeld.de/"));
    }

    #[test]
    fn age_recipients_are_checked_for_shape() {
        let good = format!("age1{}", "q".repeat(58));
        assert!(ok::<AgeRecipient>(&good));
        assert!(!ok::<AgeRecipient>(&good.replace('q', "b")));
        assert!(!ok::<AgeRecipient>("age1short"));
    }

    #[test]
    fn times_and_slugs() {
        assert!(ok::<ClockTime>("08:30"));
        assert!(!ok::<ClockTime>("8:30"));
        assert!(!ok::<ClockTime>("24:00"));
        assert!(is_slug("kreis-paderborn"));
        assert!(!is_slug("Köln"));
        assert!(!is_slug("-x"));
    }
}
