//! Which language a page is in: the person's own choice at the language switch, then the
//! app's `ui_locales` (OIDC Core §3.1.2.1), then the browser's `Accept-Language` (RFC 9110
//! §12.5.4), then English. A tag matches a catalogue exactly, or by its primary language
//! (`de-CH` reads `de`).

/// The languages in `header`, most wanted first; `q=0` (not wanted) left out.
pub fn accepted(header: &str) -> Vec<String> {
    let mut ranked: Vec<(u16, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), |q| q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16))?;
            let well_formed =
                !tag.is_empty() && tag.len() <= 35 && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            (well_formed && quality > 0).then_some((quality, position, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, _, tag)| tag).collect()
}

/// The catalogue among `available` for `tag`, if there is one.
pub fn matching<'a>(available: &'a [String], tag: &str) -> Option<&'a str> {
    let tag = tag.trim().to_ascii_lowercase();
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    available
        .iter()
        .find(|code| **code == tag)
        .or_else(|| available.iter().find(|code| *code == primary))
        .map(String::as_str)
}

/// The first of `wanted` (in order) that a catalogue serves.
pub fn first_available<I, S>(available: &[String], wanted: I) -> Option<&str>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    wanted.into_iter().find_map(|tag| matching(available, tag.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_ranked_by_quality_then_order() {
        assert_eq!(accepted("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"), ["fr-ch", "fr", "en", "de"]);
        assert_eq!(accepted("de;q=0.5, en;q=0.9"), ["en", "de"]);
        assert_eq!(accepted("en;q=0, de"), ["de"], "q=0 is 'not this one'");
        assert_eq!(accepted("da, en-gb;q=0.8, en;q=0.7"), ["da", "en-gb", "en"]);
        assert!(accepted("").is_empty() && accepted(";;;,q=").is_empty());
        assert_eq!(accepted("de;q=banana, fr"), ["fr"], "a malformed quality drops its item");
    }

    #[test]
    fn a_regional_tag_reads_its_language() {
        let available = vec!["de".to_owned(), "en".to_owned(), "fr".to_owned(), "pt-br".to_owned()];
        assert_eq!(matching(&available, "de-CH"), Some("de"));
        assert_eq!(matching(&available, "pt-BR"), Some("pt-br"));
        assert_eq!(matching(&available, "pt"), None);
        assert_eq!(first_available(&available, ["it", "fr-CA", "de"]), Some("fr"));
        assert_eq!(first_available(&available, "it nl".split(' ')), None);
    }
}
