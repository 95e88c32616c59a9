//! The e-mail settings (`HUB_SMTP_*`, self-registration, link lifetimes) and their checks.
//! The sender's address is parsed where the message is built (`outbound::mail`), which
//! refuses a bad one at start-up.

use serde::{Deserialize, Serialize};

use super::{ConfigError, Settings};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a server on this machine (a local relay, a test server).
    None,
}

impl Settings {
    /// Whether the hub can send e-mail at all.
    pub fn mail_enabled(&self) -> bool {
        self.smtp_host.is_some()
    }

    pub fn smtp_port(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.smtp_tls {
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        })
    }

    pub(super) fn validate_mail(&self) -> Result<(), ConfigError> {
        let Some(host) = &self.smtp_host else {
            if self.self_registration {
                return Err(ConfigError::new(
                    "HUB_SELF_REGISTRATION needs e-mail to verify addresses: set HUB_SMTP_HOST and HUB_SMTP_FROM",
                ));
            }
            return Ok(());
        };
        if host.is_empty() || host.contains(['/', ' ', '@']) {
            return Err(ConfigError::new(format!("HUB_SMTP_HOST must be a host name or address, not {host:?}")));
        }
        if self.smtp_from.as_deref().is_none_or(str::is_empty) {
            return Err(ConfigError::new("HUB_SMTP_FROM must name the sender when HUB_SMTP_HOST is set"));
        }
        if self.smtp_tls == SmtpTls::None && !is_local(host) {
            return Err(ConfigError::new(
                "HUB_SMTP_TLS=none is only for a server on this machine: use starttls or tls",
            ));
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err(ConfigError::new("set both HUB_SMTP_USERNAME and HUB_SMTP_PASSWORD, or neither"));
        }
        Ok(())
    }
}

fn is_local(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(host: &str, tls: SmtpTls) -> Settings {
        Settings {
            smtp_host: Some(host.into()),
            smtp_from: Some("Hub <hub@example.com>".into()),
            smtp_tls: tls,
            ..Settings::default()
        }
    }

    #[test]
    fn plain_smtp_is_only_for_this_machine() {
        assert!(smtp("127.0.0.1", SmtpTls::None).validate().is_ok());
        assert!(smtp("localhost", SmtpTls::None).validate().is_ok());
        assert!(smtp("mail.example.com", SmtpTls::None).validate().is_err());
        assert!(smtp("mail.example.com", SmtpTls::Starttls).validate().is_ok());
    }

    #[test]
    fn a_sender_and_whole_credentials_are_required() {
        let no_sender = Settings { smtp_from: None, ..smtp("mail.example.com", SmtpTls::Tls) };
        assert!(no_sender.validate().is_err());
        let half = Settings { smtp_username: Some("hub".into()), ..smtp("mail.example.com", SmtpTls::Tls) };
        assert!(half.validate().is_err());
        assert_eq!(smtp("mail.example.com", SmtpTls::Tls).smtp_port(), 465);
    }

    #[test]
    fn self_registration_needs_mail() {
        assert!(Settings { self_registration: true, ..Settings::default() }.validate().is_err());
        assert!(Settings { self_registration: true, ..smtp("127.0.0.1", SmtpTls::None) }.validate().is_ok());
    }
}
