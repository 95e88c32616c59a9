//! The hub's outgoing e-mail (SPEC §7a): address verification, password reset, and notices
//! of changes to an account, sent over SMTP (`HUB_SMTP_*`) through lettre. Nothing above
//! this module sees a lettre type.
//!
//! A message is sent in the background: the page that asked for it answers at once, in the
//! same time whether or not an account was found, and an SMTP server that is slow or down
//! costs the person nothing but the message (the failure is logged, never the link).

mod notices;
mod texts;

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

pub use notices::{notify, notify_at};
use texts::Texts;
pub use texts::{Change, Letter};

use crate::config::{ConfigError, Settings, SmtpTls};
use crate::i18n::Catalogues;

/// How long one conversation with the SMTP server may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    texts: std::sync::Arc<Texts>,
    tasks: tokio_util::task::TaskTracker,
}

impl Mailer {
    /// The mailer the settings describe, or none without `HUB_SMTP_HOST`. A bad sender or
    /// a broken message template override is refused here, at start-up.
    pub fn from_settings(
        settings: &Settings,
        catalogues: std::sync::Arc<Catalogues>,
        tasks: tokio_util::task::TaskTracker,
    ) -> Result<Option<Self>, ConfigError> {
        let Some(host) = settings.smtp_host.as_deref() else { return Ok(None) };
        let from = settings.smtp_from.as_deref().unwrap_or_default();
        let from: Mailbox = from.parse().map_err(|e| ConfigError::new(format!("HUB_SMTP_FROM {from:?}: {e}")))?;
        let tls = |required: bool| {
            TlsParameters::new(host.to_owned())
                .map(|parameters| if required { Tls::Required(parameters) } else { Tls::Wrapper(parameters) })
                .map_err(|e| ConfigError::new(format!("HUB_SMTP_HOST: {e}")))
        };
        let tls = match settings.smtp_tls {
            SmtpTls::Starttls => tls(true)?,
            SmtpTls::Tls => tls(false)?,
            SmtpTls::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.smtp_port())
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        if let (Some(username), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder = builder.credentials(Credentials::new(username.clone(), password.expose_secret().to_owned()));
        }
        let texts = Texts::load(settings.templates_dir.as_deref(), &settings.site_name, catalogues)?;
        Ok(Some(Self { transport: builder.build(), from, texts: std::sync::Arc::new(texts), tasks }))
    }

    /// Sends `letter` to `to` in the background, in the language of `locale` (the reader's
    /// profile), else of the page that asked for it. An address the message cannot carry
    /// is logged and dropped, like a failed delivery.
    pub fn send(&self, to: &str, locale: Option<&str>, letter: Letter) {
        let kind = letter.kind();
        let language = self.texts.language_for(locale);
        let message = match self.compose(to, &language, &letter) {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(kind, error = %error, "e-mail not sent");
                return;
            }
        };
        let transport = self.transport.clone();
        self.tasks.spawn(async move {
            match transport.send(message).await {
                Ok(_) => {
                    tracing::info!(kind, "e-mail sent");
                    metrics::counter!("hub_emails_total", "kind" => kind, "outcome" => "sent").increment(1);
                }
                Err(error) => {
                    tracing::error!(kind, error = %crate::telemetry::ErrorChain(&error), "e-mail not sent");
                    metrics::counter!("hub_emails_total", "kind" => kind, "outcome" => "failed").increment(1);
                }
            }
        });
    }

    fn compose(&self, to: &str, language: &str, letter: &Letter) -> Result<Message, Box<dyn std::error::Error>> {
        let to: Mailbox = to.parse()?;
        let (subject, body) = self.texts.render(letter, language)?;
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?)
    }
}
