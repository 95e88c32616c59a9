//! Message catalogues: one TOML file per language (`server/locales/en.toml` …), sections
//! of keys (`[login] title = "Sign in"`), `{name}` placeholders filled by the page. A file
//! in `HUB_TEMPLATES_DIR/locales/` replaces texts of a built-in language or adds one
//! (`it.toml`). English is complete; another language lacking a text shows the English.
//! Loaded and checked once at start-up: a file that is not TOML, names a text English
//! does not have (a typo), or uses a placeholder English's text does not give, is refused
//! with one line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The built-in languages; English first, the fallback.
const BUILT_IN: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en.toml")),
    ("de", include_str!("../../locales/de.toml")),
    ("fr", include_str!("../../locales/fr.toml")),
];

pub const FALLBACK: &str = "en";

#[derive(Debug, thiserror::Error)]
#[error("message catalogue {file}: {problem}")]
pub struct CatalogueError {
    file: String,
    problem: String,
}

/// Every language's texts, by key (`login.title`).
#[derive(Debug, Clone)]
pub struct Catalogues {
    /// Language codes, English first, then by code.
    codes: Vec<String>,
    texts: BTreeMap<String, BTreeMap<String, String>>,
    /// The English messages with placeholders, to match composed messages against.
    patterns: Vec<Pattern>,
}

impl Catalogues {
    pub fn load(overrides: Option<&Path>) -> Result<Self, CatalogueError> {
        let mut texts = BTreeMap::new();
        for (code, source) in BUILT_IN {
            let parsed = parse(&format!("locales/{code}.toml"), source)?;
            texts.insert((*code).to_owned(), parsed);
        }
        if let Some(dir) = overrides.map(|dir| dir.join("locales")).filter(|dir| dir.is_dir()) {
            for (code, path) in override_files(&dir)? {
                let shown = path.display().to_string();
                let source = std::fs::read_to_string(&path)
                    .map_err(|e| CatalogueError { file: shown.clone(), problem: e.to_string() })?;
                let parsed = parse(&shown, &source)?;
                texts.entry(code).or_default().extend(parsed);
            }
        }
        let patterns =
            texts[FALLBACK].keys().filter_map(|key| key.strip_prefix("messages.")).filter_map(Pattern::new).collect();
        let catalogues = Self { codes: ordered(&texts), texts, patterns };
        catalogues.check()?;
        Ok(catalogues)
    }

    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// The language's own name for itself (`[language] name`), for the switch.
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.texts.get(code).and_then(|texts| texts.get("language.name")).map_or(code, String::as_str)
    }

    /// The text of `key` in `code` (else in English), its placeholders filled from `args`;
    /// none for a key English does not have.
    pub fn text(&self, code: &str, key: &str, args: &[(String, String)]) -> Option<String> {
        let text = self.texts.get(code).and_then(|texts| texts.get(key)).or_else(|| self.english().get(key))?;
        Some(fill(text, args))
    }

    /// A message the server composed (in English), in `code` if its catalogue translates
    /// it (`[messages]`, keyed by the English text, as gettext does); else none. A key
    /// with placeholders (`Please wait {minutes} min.`) matches a message with anything in
    /// their place, and the translation gets what stood there.
    pub fn message(&self, code: &str, english: &str) -> Option<String> {
        let texts = self.texts.get(code)?;
        if let Some(text) = texts.get(&format!("messages.{english}")) {
            return Some(text.clone());
        }
        self.patterns.iter().find_map(|pattern| {
            let values = pattern.captures(english)?;
            let text = texts.get(&format!("messages.{}", pattern.key))?;
            Some(fill(text, &values))
        })
    }

    fn english(&self) -> &BTreeMap<String, String> {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.texts.get(FALLBACK).unwrap_or(&EMPTY)
    }

    /// Every text of every language is one English has, with no placeholder English lacks.
    fn check(&self) -> Result<(), CatalogueError> {
        let english = self.english();
        for (code, texts) in &self.texts {
            let file = format!("locales/{code}.toml");
            for (key, text) in texts {
                let Some(original) = english.get(key) else {
                    return Err(CatalogueError { file, problem: format!("{key} is not a text of the pages") });
                };
                let extra: Vec<String> = placeholders(text).difference(&placeholders(original)).cloned().collect();
                if !extra.is_empty() {
                    let problem = format!("{key} uses {{{}}}, which the page does not give", extra.join("}, {"));
                    return Err(CatalogueError { file, problem });
                }
            }
        }
        Ok(())
    }
}

/// `dir/*.toml`, by the language code each names.
fn override_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>, CatalogueError> {
    let shown = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| CatalogueError { file: shown.clone(), problem: e.to_string() })?;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(code) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".toml")) else {
            continue;
        };
        let code = code.to_ascii_lowercase();
        let well_formed = !code.is_empty()
            && code.len() <= 12
            && code.split('-').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !well_formed {
            let problem = "the file name must be a language tag, such as it.toml or pt-br.toml".to_owned();
            return Err(CatalogueError { file: path.display().to_string(), problem });
        }
        files.push((code, path));
    }
    files.sort();
    Ok(files)
}

/// The file's texts as `section.key`.
fn parse(file: &str, source: &str) -> Result<BTreeMap<String, String>, CatalogueError> {
    let error = |problem: String| CatalogueError { file: file.to_owned(), problem };
    let table: toml::Table = source.parse().map_err(|e: toml::de::Error| error(e.message().to_owned()))?;
    let mut texts = BTreeMap::new();
    for (section, entries) in table {
        let toml::Value::Table(entries) = entries else {
            return Err(error(format!("{section} must be a [section] of texts")));
        };
        for (key, text) in entries {
            let toml::Value::String(text) = text else {
                return Err(error(format!("{section}.{key} must be a string")));
            };
            texts.insert(format!("{section}.{key}"), text);
        }
    }
    Ok(texts)
}

fn ordered(texts: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let mut codes: Vec<String> = texts.keys().filter(|code| *code != FALLBACK).cloned().collect();
    codes.insert(0, FALLBACK.to_owned());
    codes
}

/// An English message with `{placeholders}`: the literal text around them, in order.
#[derive(Debug, Clone)]
struct Pattern {
    key: String,
    /// The text before the first placeholder, then each placeholder and the text after it.
    first: String,
    rest: Vec<(String, String)>,
}

impl Pattern {
    fn new(key: &str) -> Option<Self> {
        let mut parts = key.split('{');
        let first = parts.next()?.to_owned();
        let rest: Vec<(String, String)> = parts
            .map(|part| part.split_once('}').map(|(name, text)| (name.to_owned(), text.to_owned())))
            .collect::<Option<_>>()?;
        (!rest.is_empty()).then(|| Self { key: key.to_owned(), first, rest })
    }

    /// What stood in each placeholder's place, if `message` is this pattern filled in.
    fn captures(&self, message: &str) -> Option<Vec<(String, String)>> {
        let mut remaining = message.strip_prefix(self.first.as_str())?;
        let mut values = Vec::with_capacity(self.rest.len());
        for (index, (name, text)) in self.rest.iter().enumerate() {
            let last = index + 1 == self.rest.len();
            let end = if last {
                remaining.strip_suffix(text.as_str()).map(str::len)?
            } else {
                remaining.find(text.as_str()).filter(|_| !text.is_empty())?
            };
            if end == 0 {
                return None;
            }
            values.push((name.clone(), remaining[..end].to_owned()));
            remaining = &remaining[end + text.len()..];
        }
        Some(values)
    }
}

/// `text` with each `{name}` of `args` replaced by its value, in one pass: a value that
/// itself reads `{other}` stays as it is. An unknown `{name}` is left in place.
pub fn fill(text: &str, args: &[(String, String)]) -> String {
    let mut filled = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.split_once('}').and_then(|(name, _)| Some((name, args.iter().find(|(n, _)| n == name)?)));
        match value {
            Some((name, (_, value))) => {
                filled.push_str(value);
                rest = &after[name.len() + 1..];
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    filled
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_language_has_every_english_text() {
        let catalogues = Catalogues::load(None).unwrap();
        assert_eq!(catalogues.codes(), ["en", "de", "fr"]);
        let english: BTreeSet<&String> = catalogues.english().keys().collect();
        for code in ["de", "fr"] {
            let keys: BTreeSet<&String> = catalogues.texts[code].keys().collect();
            let missing: Vec<_> = english.difference(&keys).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
        }
        assert_eq!(catalogues.name_of("de"), "Deutsch");
        assert_eq!(catalogues.name_of("fr"), "Français");
    }

    #[test]
    fn placeholders_are_filled_and_english_is_the_fallback() {
        let catalogues = Catalogues::load(None).unwrap();
        let args = [("client".to_owned(), "Wiki".to_owned())];
        let german = catalogues.text("de", "login.to_continue", &args).unwrap();
        assert!(german.contains("Wiki") && !german.contains('{'), "{german}");
        assert_eq!(catalogues.text("xx", "login.title", &[]).as_deref(), Some("Sign in"));
        assert_eq!(catalogues.text("de", "no.such_key", &[]), None);
        assert_eq!(
            catalogues.message("de", "Invalid username or password.").as_deref(),
            Some("Benutzername oder Passwort ist falsch.")
        );
        assert_eq!(catalogues.message("de", "A message no one translated."), None);
        assert_eq!(
            catalogues.message("fr", "Too many failed attempts. Please wait 42 s and try again.").as_deref(),
            Some("Trop d’essais infructueux. Veuillez patienter 42 s et réessayer.")
        );
        assert_eq!(catalogues.message("fr", "Too many failed attempts. Please wait  s and try again."), None);
        assert_eq!(catalogues.message("fr", "Too many failed attempts. Please wait 42 s."), None);
    }

    #[test]
    fn a_value_is_not_filled_in_again() {
        let args = [("a".to_owned(), "{b}".to_owned()), ("b".to_owned(), "B".to_owned())];
        assert_eq!(fill("{a} and {b}, {c} {", &args), "{b} and B, {c} {");
        assert_eq!(fill("", &args), "");
    }

    #[test]
    fn a_broken_override_is_refused() {
        let dir = std::env::temp_dir().join(format!("hub-locales-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("locales")).unwrap();
        let refused = |text: &str| {
            std::fs::write(dir.join("locales/de.toml"), text).unwrap();
            Catalogues::load(Some(&dir)).err().map(|e| e.to_string())
        };
        assert!(refused("[login]\ntitle = \"Einloggen\"\n").is_none(), "a replaced text is fine");
        assert!(refused("[login\n").unwrap().contains("de.toml"));
        assert!(refused("[login]\ntitel = \"x\"\n").unwrap().contains("login.titel is not a text"));
        assert!(refused("[login]\ntitle = \"{user}\"\n").unwrap().contains("{user}"));
        std::fs::remove_file(dir.join("locales/de.toml")).unwrap();
        std::fs::write(dir.join("locales/it.toml"), "[login]\ntitle = \"Accedi\"\n").unwrap();
        let with_italian = Catalogues::load(Some(&dir)).unwrap();
        assert_eq!(with_italian.codes(), ["en", "de", "fr", "it"]);
        assert_eq!(with_italian.text("it", "login.title", &[]).as_deref(), Some("Accedi"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
