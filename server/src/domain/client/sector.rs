//! The sector of a pairwise client (OIDC Core §8.1): clients of one sector see a user
//! under the same `sub`, clients of other sectors under another. It is the host of the
//! client's `sector_identifier_uri`, or, without one, the single host of its redirect
//! URIs; a loopback host (a native app's) names no one, so such a client is a sector of
//! its own. The sector document itself (a JSON array that must list every redirect URI)
//! is fetched where the client is saved, by `manage::clients`.

use super::super::protocol::SubjectType;
use super::super::validation::{self, FieldErrors};

/// The sector's host, when there is one to name.
pub(super) fn host(sector_identifier_uri: Option<&str>, redirect_uris: &[String]) -> Option<String> {
    let host_of = |uri: &str| url::Url::parse(uri).ok()?.host_str().map(str::to_ascii_lowercase);
    match sector_identifier_uri {
        Some(uri) => host_of(uri),
        None => redirect_uris
            .first()
            .filter(|uri| !url::Url::parse(uri).is_ok_and(|url| validation::is_loopback(&url)))
            .and_then(|uri| host_of(uri)),
    }
}

/// A pairwise client names its sector: by a sector_identifier_uri, or by redirect URIs
/// that share one host (OIDC Registration 1.0 §5).
pub(super) fn check(
    subject_type: SubjectType,
    sector_identifier_uri: Option<&str>,
    redirect_uris: &[String],
    errors: &mut FieldErrors,
) {
    if let Some(uri) = sector_identifier_uri {
        errors.check("sector_identifier_uri", validation::https_url(uri));
    }
    if subject_type != SubjectType::Pairwise || sector_identifier_uri.is_some() {
        return;
    }
    let mut hosts: Vec<Option<String>> =
        redirect_uris.iter().map(|uri| host(None, std::slice::from_ref(uri))).collect();
    hosts.sort();
    hosts.dedup();
    match hosts.as_slice() {
        [] => errors.add(
            "sector_identifier_uri",
            "a pairwise client names its sector: a sector_identifier_uri, or redirect_uris on one host",
        ),
        [_] => {}
        _ => errors.add(
            "sector_identifier_uri",
            "redirect_uris on several hosts need a sector_identifier_uri listing them (OIDC Core §8.1)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|uri| uri.to_string()).collect()
    }

    #[test]
    fn the_sector_is_the_document_host_else_the_redirect_host() {
        let redirects = uris(&["https://App.example.com/cb"]);
        assert_eq!(host(None, &redirects).as_deref(), Some("app.example.com"));
        assert_eq!(
            host(Some("https://sector.example.org/uris.json"), &redirects).as_deref(),
            Some("sector.example.org")
        );
        assert_eq!(host(None, &uris(&["http://127.0.0.1/cb"])), None, "a native app's loopback names no sector");
    }

    #[test]
    fn redirect_uris_on_several_hosts_need_a_document() {
        let mut errors = FieldErrors::new();
        let spread = uris(&["https://a.example.com/cb", "https://b.example.com/cb"]);
        check(SubjectType::Pairwise, None, &spread, &mut errors);
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["sector_identifier_uri"]);

        let mut errors = FieldErrors::new();
        check(SubjectType::Pairwise, Some("https://sector.example.org/uris.json"), &spread, &mut errors);
        assert!(errors.is_empty());

        let mut errors = FieldErrors::new();
        check(SubjectType::Public, None, &spread, &mut errors);
        assert!(errors.is_empty(), "public subjects need no sector");
    }

    #[test]
    fn the_document_is_fetched_over_https() {
        let mut errors = FieldErrors::new();
        check(SubjectType::Pairwise, Some("http://sector.example.org/uris.json"), &[], &mut errors);
        assert!(!errors.is_empty());
    }
}
