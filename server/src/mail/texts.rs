//! What each e-mail says: one plain-text template per kind under `templates/mail/`, its
//! first line `Subject: …`, replaceable by a file of the same name in
//! `HUB_TEMPLATES_DIR/mail/`. Loaded and checked once at start-up.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::config::ConfigError;

const BUILT_IN: &[(&str, &str)] = &[
    ("verify_address.txt", include_str!("../../templates/mail/verify_address.txt")),
    ("register.txt", include_str!("../../templates/mail/register.txt")),
    ("account_exists.txt", include_str!("../../templates/mail/account_exists.txt")),
    ("reset_password.txt", include_str!("../../templates/mail/reset_password.txt")),
    ("changed.txt", include_str!("../../templates/mail/changed.txt")),
];

/// One message, with what its template needs. Links are single use and expire.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Letter {
    /// Follow the link to confirm that this address is yours.
    VerifyAddress { username: String, link: String, valid_for: String },
    /// Follow the link to create the account you asked for.
    Register { username: String, link: String, valid_for: String },
    /// Someone asked for a new account with this address, which already has one.
    AccountExists { reset_link: Option<String> },
    /// Follow the link to choose a new password.
    ResetPassword { username: String, link: String, valid_for: String },
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
}

pub struct Texts {
    env: Environment<'static>,
}

impl Texts {
    pub fn load(overrides: Option<&Path>, site_name: &str) -> Result<Self, ConfigError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_global("site_name", Value::from(site_name.to_owned()));
        for (name, built_in) in BUILT_IN {
            let path = overrides.map(|dir| dir.join("mail").join(name)).filter(|path| path.is_file());
            let source = match &path {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::new(format!("e-mail template {}: {e}", path.display())))?,
                None => (*built_in).to_owned(),
            };
            let shown = path.as_ref().map_or_else(|| format!("mail/{name}"), |p| p.display().to_string());
            if subject_and_body(&source).is_none() {
                return Err(ConfigError::new(format!("e-mail template {shown}: the first line must be `Subject: …`")));
            }
            env.add_template_owned(*name, source)
                .map_err(|e| ConfigError::new(format!("e-mail template {shown}: {e}")))?;
        }
        let texts = Self { env };
        texts.check_each_renders().map_err(|e| ConfigError::new(format!("e-mail template {e}")))?;
        Ok(texts)
    }

    /// The subject and the body of `letter`.
    pub fn render(&self, letter: &Letter) -> Result<(String, String), minijinja::Error> {
        let name = format!("{}.txt", letter.kind());
        let text = self.env.get_template(&name)?.render(Value::from(minijinja::value::Serde(letter)))?;
        let (subject, body) = subject_and_body(&text).unwrap_or(("", &text));
        Ok((subject.trim().to_owned(), body.trim_start_matches(['\r', '\n']).to_owned()))
    }

    /// An override that refers to a variable its message lacks fails here, not when the
    /// first person needs the message.
    fn check_each_renders(&self) -> Result<(), String> {
        let link = || "https://hub.example/x".to_owned();
        let samples = [
            Letter::VerifyAddress { username: "alice".into(), link: link(), valid_for: "24 hours".into() },
            Letter::Register { username: "alice".into(), link: link(), valid_for: "24 hours".into() },
            Letter::AccountExists { reset_link: Some(link()) },
            Letter::AccountExists { reset_link: None },
            Letter::ResetPassword { username: "alice".into(), link: link(), valid_for: "30 minutes".into() },
            Letter::Changed { username: "alice".into(), change: Change::Password, address: "192.0.2.1".into() },
        ];
        for letter in samples {
            self.render(&letter).map_err(|e| format!("{}.txt: {e}", letter.kind()))?;
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

    #[test]
    fn each_letter_has_a_subject_and_its_link() {
        let texts = Texts::load(None, "Corp ID").unwrap();
        let letter = Letter::ResetPassword {
            username: "alice".into(),
            link: "https://id.example/account/reset/abc".into(),
            valid_for: "30 minutes".into(),
        };
        let (subject, body) = texts.render(&letter).unwrap();
        assert!(subject.contains("Corp ID"), "{subject}");
        assert!(!subject.contains('\n'));
        assert!(body.contains("https://id.example/account/reset/abc") && body.contains("alice"), "{body}");
        let (_, changed) = texts
            .render(&Letter::Changed { username: "a".into(), change: Change::SecondFactorRemoved, address: "x".into() })
            .unwrap();
        assert!(changed.contains("second factor"), "{changed}");
        // Every change is said in words of its own, never the catch-all.
        let all = [
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
        let mut said = std::collections::BTreeSet::new();
        for change in all {
            let letter = Letter::Changed { username: "a".into(), change, address: "x".into() };
            let (_, body) = texts.render(&letter).unwrap();
            assert!(!body.contains("something in your account changed"), "{change:?} has no words: {body}");
            said.insert(body);
        }
        assert_eq!(said.len(), all.len());
    }

    #[test]
    fn a_broken_override_is_refused_at_load() {
        let dir = std::env::temp_dir().join(format!("hub-mail-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("mail")).unwrap();
        std::fs::write(dir.join("mail/changed.txt"), "Subject: x\n\n{{ no_such_variable }}").unwrap();
        let error = Texts::load(Some(&dir), "Hub").err().unwrap().to_string();
        assert!(error.contains("changed.txt"), "{error}");
        std::fs::write(dir.join("mail/changed.txt"), "no subject line\n").unwrap();
        assert!(Texts::load(Some(&dir), "Hub").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
