//! What each e-mail says, in its reader's language: one plain-text template per kind and
//! language, its first line `Subject: …`. English under `templates/mail/`, the others
//! under `templates/mail/<code>/`; a file of the same path in `HUB_TEMPLATES_DIR/mail/`
//! replaces one or adds a language. A language without a message's template sends it in
//! English. Loaded and checked once at start-up.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::config::ConfigError;
use crate::i18n::{Catalogues, FALLBACK};

/// The messages' file names.
const KINDS: &[&str] =
    &["verify_address.txt", "register.txt", "account_exists.txt", "reset_password.txt", "changed.txt"];

/// The built-in templates, by language and file name.
const BUILT_IN: &[(&str, &str, &str)] = &[
    ("en", "verify_address.txt", include_str!("../../templates/mail/verify_address.txt")),
    ("en", "register.txt", include_str!("../../templates/mail/register.txt")),
    ("en", "account_exists.txt", include_str!("../../templates/mail/account_exists.txt")),
    ("en", "reset_password.txt", include_str!("../../templates/mail/reset_password.txt")),
    ("en", "changed.txt", include_str!("../../templates/mail/changed.txt")),
    ("de", "verify_address.txt", include_str!("../../templates/mail/de/verify_address.txt")),
    ("de", "register.txt", include_str!("../../templates/mail/de/register.txt")),
    ("de", "account_exists.txt", include_str!("../../templates/mail/de/account_exists.txt")),
    ("de", "reset_password.txt", include_str!("../../templates/mail/de/reset_password.txt")),
    ("de", "changed.txt", include_str!("../../templates/mail/de/changed.txt")),
    ("fr", "verify_address.txt", include_str!("../../templates/mail/fr/verify_address.txt")),
    ("fr", "register.txt", include_str!("../../templates/mail/fr/register.txt")),
    ("fr", "account_exists.txt", include_str!("../../templates/mail/fr/account_exists.txt")),
    ("fr", "reset_password.txt", include_str!("../../templates/mail/fr/reset_password.txt")),
    ("fr", "changed.txt", include_str!("../../templates/mail/fr/changed.txt")),
];

/// One message, with what its template needs. Links are single use and expire.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Letter {
    /// Follow the link to confirm that this address is yours.
    VerifyAddress {
        username: String,
        link: String,
        #[serde(skip)]
        valid_for: Duration,
    },
    /// Follow the link to create the account you asked for.
    Register {
        username: String,
        link: String,
        #[serde(skip)]
        valid_for: Duration,
    },
    /// Someone asked for a new account with this address, which already has one.
    AccountExists { reset_link: Option<String> },
    /// Follow the link to choose a new password.
    ResetPassword {
        username: String,
        link: String,
        #[serde(skip)]
        valid_for: Duration,
    },
    /// Your account changed (`change` names what); if it was not you, act.
    Changed { username: String, change: Change, address: String },
}

/// The account changes a notice is sent for; the template says each in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Password,
    PasswordReset,
    /// Sent to the old address.
    Email,
    SecondFactorAdded,
    SecondFactorRemoved,
    PasskeyAdded,
    PasskeyRemoved,
    UpstreamLinked,
    UpstreamUnlinked,
}

impl Letter {
    pub fn kind(&self) -> &'static str {
        match self {
            Letter::VerifyAddress { .. } => "verify_address",
            Letter::Register { .. } => "register",
            Letter::AccountExists { .. } => "account_exists",
            Letter::ResetPassword { .. } => "reset_password",
            Letter::Changed { .. } => "changed",
        }
    }

    /// How long the letter's link works, where it has one.
    fn valid_for(&self) -> Option<Duration> {
        match self {
            Letter::VerifyAddress { valid_for, .. }
            | Letter::Register { valid_for, .. }
            | Letter::ResetPassword { valid_for, .. } => Some(*valid_for),
            Letter::AccountExists { .. } | Letter::Changed { .. } => None,
        }
    }
}

pub struct Texts {
    env: Environment<'static>,
    catalogues: Arc<Catalogues>,
}

impl Texts {
    pub fn load(overrides: Option<&Path>, site_name: &str, catalogues: Arc<Catalogues>) -> Result<Self, ConfigError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_global("site_name", Value::from(site_name.to_owned()));
        let mut sources: std::collections::BTreeMap<(String, &str), (String, String)> = BUILT_IN
            .iter()
            .map(|(code, name, text)| {
                let shown = if *code == FALLBACK { format!("mail/{name}") } else { format!("mail/{code}/{name}") };
                (((*code).to_owned(), *name), (shown, (*text).to_owned()))
            })
            .collect();
        if let Some(dir) = overrides.map(|dir| dir.join("mail")) {
            for code in catalogues.codes() {
                let folder = if code == FALLBACK { dir.clone() } else { dir.join(code) };
                for name in KINDS {
                    let path = folder.join(name);
                    if path.is_file() {
                        let shown = path.display().to_string();
                        let text = std::fs::read_to_string(&path)
                            .map_err(|e| ConfigError::new(format!("e-mail template {shown}: {e}")))?;
                        sources.insert((code.clone(), *name), (shown, text));
                    }
                }
            }
        }
        for ((code, name), (shown, text)) in sources {
            if subject_and_body(&text).is_none() {
                return Err(ConfigError::new(format!("e-mail template {shown}: the first line must be `Subject: …`")));
            }
            env.add_template_owned(format!("{code}/{name}"), text)
                .map_err(|e| ConfigError::new(format!("e-mail template {shown}: {e}")))?;
        }
        let texts = Self { env, catalogues };
        texts.check_each_renders().map_err(|e| ConfigError::new(format!("e-mail template {e}")))?;
        Ok(texts)
    }

    /// The language a letter to someone whose profile says `locale` is written in: that
    /// one where the hub has it, else the language of the page they are on, else English.
    pub fn language_for(&self, locale: Option<&str>) -> String {
        let codes = self.catalogues.codes();
        locale
            .and_then(|locale| crate::i18n::negotiate::matching(codes, locale))
            .map(str::to_owned)
            .unwrap_or_else(|| crate::i18n::current(&self.catalogues).code)
    }

    /// The subject and the body of `letter`, in `code` (where it has a template).
    pub fn render(&self, letter: &Letter, code: &str) -> Result<(String, String), minijinja::Error> {
        let name = format!("{}.txt", letter.kind());
        let template = self
            .env
            .get_template(&format!("{code}/{name}"))
            .or_else(|_| self.env.get_template(&format!("{FALLBACK}/{name}")))?;
        let valid_for = letter.valid_for().map(|ttl| self.in_words(code, ttl));
        let context = minijinja::context! { valid_for, ..Value::from(minijinja::value::Serde(letter)) };
        let text = template.render(context)?;
        let (subject, body) = subject_and_body(&text).unwrap_or(("", &text));
        // A value an override puts in the subject (a username) cannot break the header.
        let subject = subject.trim().chars().filter(|c| !c.is_control()).collect();
        Ok((subject, body.trim_start_matches(['\r', '\n']).to_owned()))
    }

    /// A link's lifetime in words: in minutes up to two hours, then in hours.
    fn in_words(&self, code: &str, ttl: Duration) -> String {
        let minutes = ttl.as_secs().div_ceil(60).max(1);
        let (key, count) = match minutes {
            0..=1 => ("duration.minute", 1),
            2..=119 => ("duration.minutes", minutes),
            _ => ("duration.hours", minutes / 60),
        };
        let args = [("count".to_owned(), count.to_string())];
        self.catalogues.text(code, key, &args).unwrap_or_else(|| format!("{minutes} min"))
    }

    /// An override that refers to a variable its message lacks fails here, not when the
    /// first person needs the message.
    fn check_each_renders(&self) -> Result<(), String> {
        let link = || "https://hub.example/x".to_owned();
        let day = Duration::from_secs(24 * 3600);
        let samples = [
            Letter::VerifyAddress { username: "alice".into(), link: link(), valid_for: day },
            Letter::Register { username: "alice".into(), link: link(), valid_for: day },
            Letter::AccountExists { reset_link: Some(link()) },
            Letter::AccountExists { reset_link: None },
            Letter::ResetPassword { username: "alice".into(), link: link(), valid_for: Duration::from_secs(1800) },
            Letter::Changed { username: "alice".into(), change: Change::Password, address: "192.0.2.1".into() },
        ];
        for code in self.catalogues.codes() {
            for letter in &samples {
                self.render(letter, code).map_err(|e| format!("{code}/{}.txt: {e}", letter.kind()))?;
            }
        }
        Ok(())
    }
}

fn subject_and_body(text: &str) -> Option<(&str, &str)> {
    let (first, rest) = text.split_once('\n')?;
    Some((first.strip_prefix("Subject:")?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(overrides: Option<&Path>) -> Result<Texts, ConfigError> {
        Texts::load(overrides, "Corp ID", Arc::new(Catalogues::load(None).unwrap()))
    }

    const ALL_CHANGES: [Change; 9] = [
        Change::Password,
        Change::PasswordReset,
        Change::Email,
        Change::SecondFactorAdded,
        Change::SecondFactorRemoved,
        Change::PasskeyAdded,
        Change::PasskeyRemoved,
        Change::UpstreamLinked,
        Change::UpstreamUnlinked,
    ];

    #[test]
    fn each_letter_has_a_subject_and_its_link_in_each_language() {
        let texts = texts(None).unwrap();
        let letter = Letter::ResetPassword {
            username: "alice".into(),
            link: "https://id.example/account/reset/abc".into(),
            valid_for: Duration::from_secs(30 * 60),
        };
        let (subject, body) = texts.render(&letter, "en").unwrap();
        assert!(subject.contains("Corp ID"), "{subject}");
        assert!(!subject.contains('\n'));
        assert!(body.contains("https://id.example/account/reset/abc") && body.contains("alice"), "{body}");
        assert!(body.contains("for 30 minutes"), "{body}");
        let (german_subject, german) = texts.render(&letter, "de").unwrap();
        assert!(german_subject.contains("Passwort") && german.contains("30 Minuten lang"), "{german}");
        assert!(german.contains("https://id.example/account/reset/abc"));
        let (_, french) = texts.render(&letter, "fr").unwrap();
        assert!(french.contains("pendant 30 minutes"), "{french}");
        // A language without mail templates (an operator's it.toml) writes in English.
        assert_eq!(texts.render(&letter, "it").unwrap().1, body);
    }

    #[test]
    fn lifetimes_are_said_in_the_letters_language() {
        let texts = texts(None).unwrap();
        assert_eq!(texts.in_words("en", Duration::from_secs(20)), "1 minute");
        assert_eq!(texts.in_words("en", Duration::from_secs(30 * 60)), "30 minutes");
        assert_eq!(texts.in_words("en", Duration::from_secs(24 * 3600)), "24 hours");
        assert_eq!(texts.in_words("de", Duration::from_secs(24 * 3600)), "24 Stunden");
        assert_eq!(texts.in_words("fr", Duration::from_secs(60)), "1 minute");
    }

    #[test]
    fn every_change_has_words_of_its_own_in_every_language() {
        let texts = texts(None).unwrap();
        for code in ["en", "de", "fr"] {
            let mut said = std::collections::BTreeSet::new();
            for change in ALL_CHANGES {
                let letter = Letter::Changed { username: "a".into(), change, address: "x".into() };
                let (_, body) = texts.render(&letter, code).unwrap();
                let catch_all = ["something in your account changed", "etwas geändert", "quelque chose a changé"];
                assert!(!catch_all.iter().any(|words| body.contains(words)), "{code} {change:?}: {body}");
                said.insert(body);
            }
            assert_eq!(said.len(), ALL_CHANGES.len(), "{code}");
        }
    }

    #[test]
    fn the_readers_locale_chooses_the_language() {
        let texts = texts(None).unwrap();
        assert_eq!(texts.language_for(Some("de-AT")), "de");
        assert_eq!(texts.language_for(Some("fr")), "fr");
        // Outside a request, and for a language the hub lacks: English.
        assert_eq!(texts.language_for(Some("ja")), "en");
        assert_eq!(texts.language_for(None), "en");
    }

    #[test]
    fn a_broken_override_is_refused_at_load() {
        let dir = std::env::temp_dir().join(format!("hub-mail-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("mail/de")).unwrap();
        std::fs::write(dir.join("mail/changed.txt"), "Subject: x\n\n{{ no_such_variable }}").unwrap();
        let error = texts(Some(&dir)).err().unwrap().to_string();
        assert!(error.contains("changed.txt"), "{error}");
        std::fs::write(dir.join("mail/changed.txt"), "no subject line\n").unwrap();
        assert!(texts(Some(&dir)).is_err());
        std::fs::remove_file(dir.join("mail/changed.txt")).unwrap();
        std::fs::write(dir.join("mail/de/register.txt"), "Subject: x\n\n{{ link }} {{ valid_for }} {{ nope }}")
            .unwrap();
        let error = texts(Some(&dir)).err().unwrap().to_string();
        assert!(error.contains("de/register.txt"), "{error}");
        std::fs::write(dir.join("mail/de/register.txt"), "Subject: Neu\n\n{{ link }}, {{ valid_for }}").unwrap();
        let (subject, body) = texts(Some(&dir))
            .unwrap()
            .render(
                &Letter::Register { username: "a".into(), link: "L".into(), valid_for: Duration::from_secs(60) },
                "de",
            )
            .unwrap();
        assert_eq!((subject.as_str(), body.as_str()), ("Neu", "L, 1 Minute"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
