//! The contexts of the self-service pages (SPEC §7a): the account page, and the pages of
//! recovery by e-mail (ask for a reset link, follow an e-mailed link, sign up).

use serde::Serialize;

use super::Page;

/// `account.html`: every section of the account page, each a form of its own.
#[derive(Debug, Serialize)]
pub struct AccountPage {
    pub csrf_token: String,
    pub username: String,
    /// What was just done, said once after the form's redirect.
    pub notice: Option<String>,
    /// A refused form: its section (`profile`, `email`, `password` …) and why.
    pub error: Option<SectionError>,
    pub actions: AccountActions,
    pub profile: ProfileFields,
    pub email: Option<String>,
    pub email_verified: bool,
    /// Whether a change of address is confirmed by e-mail (else it is set unverified).
    pub mail_enabled: bool,
    pub has_password: bool,
    pub second_factor: SecondFactorSummary,
    /// How many passkeys the person has registered.
    pub passkeys: usize,
    pub upstreams: Vec<UpstreamRow>,
    /// The enabled Social Login Keys the person has not linked yet.
    pub linkable: Vec<LinkableKey>,
    pub sessions: Vec<SessionRow>,
    pub consents: Vec<ConsentRow>,
    /// Signed in within the last minutes: the sensitive changes go ahead without asking
    /// for a new sign-in.
    pub recent: bool,
}

#[derive(Debug, Serialize)]
pub struct SectionError {
    pub section: &'static str,
    pub message: String,
}

/// Where each form posts.
#[derive(Debug, Serialize)]
pub struct AccountActions {
    pub profile: String,
    pub email: String,
    pub password: String,
    pub sessions: String,
    pub consents: String,
    pub upstreams: String,
    pub link_upstream: String,
    pub second_factor: String,
    pub second_factor_remove: String,
    pub passkeys: String,
    pub sign_out: String,
}

/// The profile claims a person edits themselves.
#[derive(Debug, Default, Serialize)]
pub struct ProfileFields {
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub nickname: String,
    pub zoneinfo: String,
    pub locale: String,
}

#[derive(Debug, Serialize)]
pub struct SecondFactorSummary {
    pub enrolled: bool,
    pub enrolled_at: Option<String>,
    pub recovery_codes_left: usize,
}

#[derive(Debug, Serialize)]
pub struct UpstreamRow {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub linked_at: String,
    pub last_used_at: String,
    /// False for the only way the person can sign in.
    pub can_unlink: bool,
}

#[derive(Debug, Serialize)]
pub struct LinkableKey {
    pub slug: String,
    pub display_name: String,
}

#[derive(Debug, Serialize)]
pub struct SessionRow {
    pub sid: String,
    pub started_at: String,
    pub address: Option<String>,
    pub device: Option<String>,
    /// The upstream the sign-in went through, if any.
    pub via: Option<String>,
    /// This browser's session.
    pub current: bool,
}

#[derive(Debug, Serialize)]
pub struct ConsentRow {
    pub id: String,
    pub client_name: String,
    pub scopes: Vec<String>,
    pub granted_at: String,
}

/// `account_reset.html`: "Forgot your password?" — the username or address to send a
/// reset link to; after the post, `sent` says that a message is on its way if an account
/// matched, whatever was found.
#[derive(Debug, Serialize)]
pub struct ResetRequestPage {
    pub action: String,
    pub csrf_token: String,
    pub sent: bool,
    pub error: Option<String>,
}

/// `account_link.html`: what an e-mailed link does, with the button that does it
/// (`purpose`: `reset_password` with the new password's fields, `verify_email`,
/// `register`), or, once done, `done` with the message.
#[derive(Debug, Serialize)]
pub struct LinkPage {
    pub action: String,
    pub csrf_token: String,
    pub purpose: &'static str,
    pub username: String,
    /// The address a verification link confirms.
    pub email: Option<String>,
    pub error: Option<String>,
    pub done: Option<String>,
    /// Where to go next: the account page.
    pub account_href: String,
}

/// `account_sign_up.html`: the self-registration form; after the post, `sent` says to
/// look for the message.
#[derive(Debug, Serialize)]
pub struct SignUpPage {
    pub action: String,
    pub csrf_token: String,
    pub username: String,
    pub email: String,
    pub name: String,
    pub sent: bool,
    /// A refused field (`username`, `email`, `password` …) and why.
    pub errors: Vec<FieldMessage>,
}

#[derive(Debug, Serialize)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

impl Page for AccountPage {
    const TEMPLATE: &'static str = "account.html";
}

impl Page for ResetRequestPage {
    const TEMPLATE: &'static str = "account_reset.html";
}

impl Page for LinkPage {
    const TEMPLATE: &'static str = "account_link.html";
}

impl Page for SignUpPage {
    const TEMPLATE: &'static str = "account_sign_up.html";
}

/// A full account page: for the start-up check of an override, and the tests.
pub(super) fn sample_account_with(recent: bool, has_password: bool) -> AccountPage {
    let at = |path: &str| format!("/account/{path}");
    AccountPage {
        csrf_token: "tok".into(),
        username: "alice".into(),
        notice: Some("Your profile is saved.".into()),
        error: Some(SectionError { section: "password", message: "The current password is not right.".into() }),
        actions: AccountActions {
            profile: at("profile"),
            email: at("email"),
            password: at("password"),
            sessions: at("sessions"),
            consents: at("consents"),
            upstreams: at("upstreams"),
            link_upstream: at("upstreams/link"),
            second_factor: at("second-factor"),
            second_factor_remove: at("second-factor/remove"),
            passkeys: at("passkeys"),
            sign_out: "/logout".into(),
        },
        profile: ProfileFields { name: "Alice <L>".into(), ..ProfileFields::default() },
        email: Some("alice@example.test".into()),
        email_verified: false,
        mail_enabled: true,
        has_password,
        second_factor: SecondFactorSummary { enrolled: true, enrolled_at: None, recovery_codes_left: 7 },
        passkeys: 2,
        upstreams: vec![UpstreamRow {
            id: "l1".into(),
            display_name: "Corp".into(),
            email: None,
            linked_at: "then".into(),
            last_used_at: "now".into(),
            can_unlink: has_password,
        }],
        linkable: vec![LinkableKey { slug: "gh".into(), display_name: "GitHub".into() }],
        sessions: vec![SessionRow {
            sid: "s1".into(),
            started_at: "today".into(),
            address: None,
            device: Some("Chrome on Linux".into()),
            via: None,
            current: true,
        }],
        consents: vec![ConsentRow {
            id: "c1".into(),
            client_name: "Wiki".into(),
            scopes: vec!["See your e-mail address".into()],
            granted_at: "today".into(),
        }],
        recent,
    }
}

pub(super) fn sample_account() -> AccountPage {
    sample_account_with(true, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::Templates;

    fn templates() -> Templates {
        Templates::load(None, "Hub", "/static").unwrap()
    }

    #[test]
    fn the_account_page_has_each_form_with_its_csrf_token_and_labels() {
        let html = templates().render(&sample_account_with(true, true)).unwrap();
        assert_eq!(html.matches(r#"name="csrf_token" value="tok""#).count(), 8, "{html}");
        for label in ["Full name", "Current password", "New password", "New address"] {
            assert!(html.contains(&format!(">{label}</label>")), "{label}");
        }
        assert!(html.contains("Alice &lt;L&gt;"), "autoescaped");
        assert!(html.contains("The current password is not right."));
        assert!(html.contains(">Send a verification link</button>"), "an unverified address can be verified");
        assert!(html.contains(r#"aria-label="Revoke access of Wiki""#) && html.contains("This browser"));
        assert!(html.contains(r#"aria-label="Unlink Corp""#));
        assert!(html.contains(r#"name="slug" value="gh""#) && html.contains(">Link GitHub</button>"));
        assert!(!html.contains("sign in again first"), "recent: no new sign-in asked");

        let upstream_only = templates().render(&sample_account_with(false, false)).unwrap();
        assert!(upstream_only.contains(">Set a password</button>") && !upstream_only.contains("Current password"));
        assert!(upstream_only.contains("Your only way to sign in") && !upstream_only.contains("Unlink Corp"));
        assert!(upstream_only.contains("sign in again first"));
    }

    #[test]
    fn the_recovery_pages_render_each_state() {
        let t = templates();
        let reset = |sent| ResetRequestPage { action: "/r".into(), csrf_token: "t".into(), sent, error: None };
        assert!(t.render(&reset(false)).unwrap().contains(">Username or e-mail</label>"));
        assert!(t.render(&reset(true)).unwrap().contains("If an account matches"));
        let link = |purpose, done: Option<&str>| LinkPage {
            action: "/l".into(),
            csrf_token: "t".into(),
            purpose,
            username: "alice".into(),
            email: Some("a@example.test".into()),
            error: None,
            done: done.map(str::to_owned),
            account_href: "/account".into(),
        };
        assert!(t.render(&link("reset_password", None)).unwrap().contains(">New password</label>"));
        assert!(t.render(&link("verify_email", None)).unwrap().contains(">Confirm</button>"));
        assert!(t.render(&link("register", None)).unwrap().contains(">Create the account</button>"));
        assert!(t.render(&link("register", Some("Created."))).unwrap().contains("Created."));
        let sign_up = SignUpPage {
            action: "/s".into(),
            csrf_token: "t".into(),
            username: "carol".into(),
            email: String::new(),
            name: String::new(),
            sent: false,
            errors: vec![FieldMessage { field: "username".into(), message: "That username is taken".into() }],
        };
        let html = t.render(&sign_up).unwrap();
        assert!(html.contains(r#"id="username-error""#) && html.contains(">Password</label>"));
    }
}
