//! Input checks of every shell (the admin API, the CLI, dynamic registration): each failure names its field, so the
//! API can answer with a problem that points at it and the CLI with one line.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the API spells it, with an index for list items (`redirect_uris[1]`).
    pub field: String,
    pub message: String,
}

/// Every problem found in one input, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// Records `result`'s error, if any, against `field`.
    pub fn check(&mut self, field: impl Into<String>, result: Result<(), String>) {
        if let Err(message) = result {
            self.add(field, message);
        }
    }

    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// A required, bounded, printable text: not blank, at most `max` characters, no control
/// characters.
pub fn text(value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().count() > max {
        return Err(format!("must have at most {max} characters"));
    }
    if value.chars().any(|c| c.is_control() || is_invisible_format(c)) {
        return Err("must not contain control or invisible formatting characters".into());
    }
    Ok(())
}

/// As `text`, for a value that may hold several lines (a postal address): line breaks
/// are its only control characters.
pub fn lines(value: &str, max: usize) -> Result<(), String> {
    let other_controls = value.chars().any(|c| (c.is_control() && c != '\n' && c != '\r') || is_invisible_format(c));
    if other_controls {
        return Err("must not contain control characters other than line breaks, or invisible formatting".into());
    }
    text(&value.replace(['\n', '\r'], " "), max)
}

/// Invisible characters that change how text around them reads (bidirectional overrides,
/// zero-width joiners): a name that shows as "Wiki" must be "Wiki".
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

/// An identifier people type and URLs carry: 1 to `max` characters, no spaces or
/// control characters.
pub fn identifier(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() || value.chars().count() > max {
        return Err(format!("must have 1 to {max} characters"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(())
}

/// An absolute URL the hub will call or send people to: https, or http on a loopback
/// host (development), without a fragment.
pub fn https_url(value: &str) -> Result<(), String> {
    if value.len() > 2048 {
        return Err("must have at most 2048 characters".into());
    }
    let parsed = url::Url::parse(value).map_err(|e| format!("is not an absolute URL: {e}"))?;
    if parsed.fragment().is_some() {
        return Err("must not contain a fragment".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not contain credentials".into());
    }
    match parsed.scheme() {
        "https" if parsed.host_str().is_some() => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err("must use https (http is allowed only on loopback)".into()),
        _ => Err("must be an https URL".into()),
    }
}

/// A link the hub only passes on, for a person's browser to follow (a profile page, a
/// picture): an absolute http or https URL with a host and no credentials.
pub fn web_url(value: &str) -> Result<(), String> {
    if value.len() > 2048 {
        return Err("must have at most 2048 characters".into());
    }
    let parsed = url::Url::parse(value).map_err(|e| format!("is not an absolute URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err("must be an http or https URL".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("must not contain credentials".into());
    }
    Ok(())
}

/// An https URL on a host that may be on the public internet: no `localhost`, no IP
/// literal of a loopback, private or link-local network. (A name is checked again when
/// it resolves: `outbound::public_only`.)
pub fn public_https_url(value: &str) -> Result<(), String> {
    https_url(value)?;
    let parsed = url::Url::parse(value).map_err(|e| format!("is not an absolute URL: {e}"))?;
    if parsed.scheme() != "https" {
        return Err("must use https".into());
    }
    let private = match parsed.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost" || domain.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => !is_public_ip(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public_ip(std::net::IpAddr::V6(ip)),
        None => true,
    };
    if private {
        return Err("must be on a public host, not this machine or a private network".into());
    }
    Ok(())
}

/// Whether `ip` is on the public internet: not loopback, private, link-local (cloud
/// metadata lives there), shared, documentation, multicast or unspecified.
pub fn is_public_ip(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, ..] = ip.octets();
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_broadcast()
                || ip.is_documentation()
                || ip.is_unspecified()
                || ip.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_ip(IpAddr::V4(v4)),
            None => {
                let [first, second, ..] = ip.segments();
                !(ip.is_loopback()
                    || ip.is_unspecified()
                    || ip.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
                    || (first == 0x2001 && second == 0x0db8))
            }
        },
    }
}

pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A plausible address: something@domain, printable, no spaces. Deliverability is the
/// upstream's or the mail server's business.
pub fn email(value: &str) -> Result<(), String> {
    let plausible = value.len() <= 320
        && value.chars().all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control() && !c.is_whitespace()))
        && value
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'));
    if plausible { Ok(()) } else { Err("not an e-mail address".into()) }
}

/// A DNS domain name such as `example.com`: lowercase letters, digits and hyphens in
/// dot-separated labels.
pub fn domain_name(value: &str) -> Result<(), String> {
    let valid_label = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if value.len() > 253 || !value.contains('.') || !value.split('.').all(valid_label) {
        return Err(format!("{value} is not a lowercase domain name such as example.com"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_the_hub_calls_are_https_or_loopback() {
        assert!(https_url("https://idp.example.com/realms/x").is_ok());
        assert!(https_url("http://127.0.0.1:8080").is_ok());
        assert!(https_url("http://localhost/x").is_ok());
        assert!(https_url("http://[::1]:9000/").is_ok());
        assert!(https_url("http://idp.example.com").is_err());
        assert!(https_url("https://idp.example.com/#x").is_err());
        assert!(https_url("https://user:pw@idp.example.com/").is_err());
        assert!(https_url("ftp://idp.example.com/").is_err());
        assert!(https_url("idp.example.com").is_err());
    }

    #[test]
    fn links_people_follow_are_http_or_https() {
        assert!(web_url("https://example.com/ada").is_ok());
        assert!(web_url("http://example.com/ada.png#top").is_ok());
        for bad in
            ["javascript:alert(1)", "data:text/html,x", "ftp://example.com/", "/relative", "https://u:p@example.com/"]
        {
            assert!(web_url(bad).is_err(), "{bad}");
        }
        assert!(web_url(&format!("https://example.com/{}", "x".repeat(2048))).is_err());
        assert!(lines("12 Main St\r\nFlat 3", 30).is_ok());
        assert!(lines("a\tb", 30).is_err());
        assert!(lines("\n\n", 30).is_err(), "blank");
        assert!(lines("ab\ncd", 4).is_err(), "line breaks count");
    }

    #[test]
    fn domains_and_texts() {
        assert!(domain_name("example.com").is_ok());
        assert!(domain_name("a-b.example.co.uk").is_ok());
        assert!(domain_name("Example.com").is_err());
        assert!(domain_name("localhost").is_err());
        assert!(domain_name("-a.com").is_err());
        assert!(text("  ", 10).is_err());
        assert!(text("ok", 10).is_ok());
        assert!(text("a\u{0}b", 10).is_err());
        assert!(identifier("a b", 10).is_err());
        assert!(email("ann@example.com").is_ok());
        assert!(email("ann@localhost").is_err());
        assert!(email("ann example@example.com").is_err());
        assert!(email("@example.com").is_err());
    }

    #[test]
    fn only_public_addresses_pass() {
        let private =
            ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"];
        for address in private.iter().chain(&["::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1"]) {
            assert!(!is_public_ip(address.parse().unwrap()), "{address}");
        }
        for public in ["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111"] {
            assert!(is_public_ip(public.parse().unwrap()), "{public}");
        }
        assert!(public_https_url("https://keys.example/jwks").is_ok());
        for refused in
            ["http://keys.example/jwks", "https://localhost/jwks", "https://10.0.0.1/jwks", "https://[::1]/x"]
        {
            assert!(public_https_url(refused).is_err(), "{refused}");
        }
    }
}
