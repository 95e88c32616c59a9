//! Server-rendered pages (SPEC §7): minijinja templates built into the binary, each
//! replaceable by a file of the same name in `HUB_TEMPLATES_DIR`. Undefined variables
//! are errors, so a template and its page context cannot drift apart silently.

mod account_pages;
mod branding;
mod pages;
mod samples;

use std::path::Path;

use std::sync::Arc;

use minijinja::value::{Kwargs, Serde};
use minijinja::{Environment, ErrorKind, State, UndefinedBehavior, Value};

use crate::i18n::{CatalogueError, Catalogues, FALLBACK, PageLanguage, fill};

pub use account_pages::*;
pub use branding::Branding;
pub use pages::*;

const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("consent.html", include_str!("../../templates/consent.html")),
    ("device.html", include_str!("../../templates/device.html")),
    ("device_confirm.html", include_str!("../../templates/device_confirm.html")),
    ("device_done.html", include_str!("../../templates/device_done.html")),
    ("logout.html", include_str!("../../templates/logout.html")),
    ("logged_out.html", include_str!("../../templates/logged_out.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("form_post.html", include_str!("../../templates/form_post.html")),
    ("second_factor.html", include_str!("../../templates/second_factor.html")),
    ("second_factor_enrol.html", include_str!("../../templates/second_factor_enrol.html")),
    ("account_second_factor.html", include_str!("../../templates/account_second_factor.html")),
    ("account.html", include_str!("../../templates/account.html")),
    ("account_reset.html", include_str!("../../templates/account_reset.html")),
    ("account_link.html", include_str!("../../templates/account_link.html")),
    ("account_sign_up.html", include_str!("../../templates/account_sign_up.html")),
    ("passkey_form.html", include_str!("../../templates/passkey_form.html")),
    ("account_passkeys.html", include_str!("../../templates/account_passkeys.html")),
];

/// The script of the passkey buttons and the registration form (WebAuthn needs one).
pub const PASSKEY_SCRIPT: &str = include_str!("../../static/passkey.js");

pub const STYLESHEET: &str = include_str!("../../static/hub.css");

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {source}")]
    Load { name: String, source: std::io::Error },
    #[error("template {0}")]
    Syntax(#[from] minijinja::Error),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// An override that parses but does not render with its page's variables.
    #[error("template {name}: {source}")]
    Render { name: String, source: minijinja::Error },
}

pub struct Templates {
    env: Environment<'static>,
    catalogues: Arc<Catalogues>,
    branding: Branding,
}

impl Templates {
    /// `static_base` is the URL path of the stylesheet's folder.
    pub fn load(overrides: Option<&Path>, site_name: &str, static_base: &str) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let mut overridden = Vec::new();
        for (name, built_in) in BUILT_IN {
            let source = match overrides.map(|dir| dir.join(name)).filter(|path| path.is_file()) {
                Some(path) => {
                    overridden.push((*name, path.display().to_string()));
                    std::fs::read_to_string(&path)
                        .map_err(|source| TemplateError::Load { name: path.display().to_string(), source })?
                }
                None => (*built_in).to_owned(),
            };
            env.add_template_owned(*name, source)?;
        }
        env.add_global("site_name", Value::from(site_name.to_owned()));
        env.add_global("static_base", Value::from(static_base.to_owned()));
        env.add_global("site_stylesheet", false);
        env.add_global("site_logo", false);
        let catalogues = Arc::new(Catalogues::load(overrides)?);
        let texts = Arc::clone(&catalogues);
        env.add_function("t", move |state: &State, key: &str, args: Kwargs| translate(&texts, state, key, &args));
        env.add_filter("strong", |value: &str| Value::from_safe_string(format!("<strong>{}</strong>", escape(value))));
        let messages = Arc::clone(&catalogues);
        env.add_filter("tr", move |state: &State, english: &str| {
            let code = state.lookup("lang").and_then(|lang| lang.get_attr("code").ok()).map(|code| code.to_string());
            messages.message(code.as_deref().unwrap_or(FALLBACK), english).unwrap_or_else(|| english.to_owned())
        });
        env.add_filter("code", |value: &str| Value::from_safe_string(format!("<code>{}</code>", escape(value))));
        let templates = Self { env, catalogues, branding: Branding::default() };
        templates.check_overrides(&overridden)?;
        Ok(templates)
    }

    /// Renders each overridden page once with a sample of its context (in every language),
    /// so a variable the page does not have is found now.
    fn check_overrides(&self, overridden: &[(&str, String)]) -> Result<(), TemplateError> {
        for (name, path) in overridden {
            let Some(sample) = samples::sample(name) else { continue };
            for code in self.catalogues.codes() {
                let language = Value::from(Serde(PageLanguage { code: code.clone(), switch: Vec::new() }));
                let context = minijinja::context! { lang => language, ..sample.clone() };
                self.env
                    .get_template(name)
                    .and_then(|template| template.render(context))
                    .map_err(|source| TemplateError::Render { name: path.clone(), source })?;
            }
        }
        Ok(())
    }

    /// The operator's stylesheet and logo, which every page then links to.
    pub fn with_branding(mut self, branding: Branding) -> Self {
        self.env.add_global("site_stylesheet", branding.stylesheet.is_some());
        self.env.add_global("site_logo", branding.logo.is_some());
        self.branding = branding;
        self
    }

    pub fn branding(&self) -> &Branding {
        &self.branding
    }

    pub fn catalogues(&self) -> &Arc<Catalogues> {
        &self.catalogues
    }

    /// The page in English, without a language switch.
    pub fn render<P: Page>(&self, page: &P) -> Result<String, minijinja::Error> {
        self.render_in(page, &PageLanguage::english())
    }

    /// The page in `language`: its context, with `lang` (the code and the switch).
    pub fn render_in<P: Page>(&self, page: &P, language: &PageLanguage) -> Result<String, minijinja::Error> {
        let context = minijinja::context! { lang => Value::from(Serde(language)), ..Value::from(Serde(page)) };
        self.env.get_template(P::TEMPLATE)?.render(context)
    }
}

/// `t("login.title", client=client_name)`: the text in the page's language, HTML-escaped,
/// its placeholders filled (escaped too, unless marked safe, as the `strong` filter
/// does); a key no catalogue has is an error, as an undefined variable is.
fn translate(catalogues: &Catalogues, state: &State, key: &str, args: &Kwargs) -> Result<Value, minijinja::Error> {
    let code = state.lookup("lang").and_then(|lang| lang.get_attr("code").ok()).map(|code| code.to_string());
    let mut filled = Vec::new();
    for name in args.args() {
        let value = args.get::<Value>(name)?;
        let html = if value.is_safe() { value.to_string() } else { escape(&value.to_string()) };
        filled.push((name.to_owned(), html));
    }
    args.assert_all_used()?;
    let code = code.as_deref().unwrap_or(FALLBACK);
    let missing = || minijinja::Error::new(ErrorKind::UndefinedError, format!("no text {key} in the catalogues"));
    // The catalogue's text escaped (braces stay), then the arguments, already HTML, put in.
    let html = escape(&catalogues.text(code, key, &[]).ok_or_else(missing)?);
    Ok(Value::from_safe_string(fill(&html, &filled)))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Templates {
        Templates::load(None, "Hub", "/static").unwrap()
    }

    fn login(password_login: bool, icon: Option<&str>) -> LoginPage {
        LoginPage {
            action: "/login".into(),
            csrf_token: "tok".into(),
            interaction: "i1".into(),
            username: String::new(),
            error: None,
            client_name: "Wiki <App>".into(),
            password_login,
            social_login_keys: vec![LoginLink {
                display_name: "Google".into(),
                href: "/x".into(),
                icon: icon.map(str::to_owned),
            }],
            reset_href: password_login.then(|| "/account/reset-password".to_owned()),
            sign_up_href: None,
            passkey: None,
        }
    }

    #[test]
    fn login_page_has_the_contract_labels_and_csrf() {
        let html = templates().render(&login(true, None)).unwrap();
        assert!(html.contains(r#"<label for="username">Username</label>"#));
        assert!(html.contains(r#"<label for="password">Password</label>"#));
        assert!(html.contains(r#"name="csrf_token" value="tok""#));
        assert!(html.contains("Continue with Google"));
        assert!(html.contains("Wiki &lt;App&gt;"), "autoescaped");
        assert!(html.contains(r#"href="&#x2f;account&#x2f;reset-password">Forgot your password?</a>"#), "{html}");
        assert!(!html.contains("Create an account"), "no sign-up unless the deployment allows it");

        let idp_only = templates().render(&login(false, Some("https://corp.example/icon.png"))).unwrap();
        assert!(!idp_only.contains("Password"), "an IdP-only client's page has no password form");
        assert!(idp_only.contains("Continue with Google"));
        assert!(idp_only.contains("<img src=") && idp_only.contains("icon.png"), "the icon is shown");
    }

    #[test]
    fn every_template_renders_with_its_context() {
        let t = templates();
        let consent = t
            .render(&ConsentPage {
                action: "/consent".into(),
                csrf_token: "t".into(),
                interaction: "i".into(),
                client_name: "Wiki".into(),
                returns_to: "wiki.example".into(),
                unverified: true,
                username: "alice".into(),
                scopes: vec!["Your e-mail".into()],
            })
            .unwrap();
        assert!(consent.contains(">Allow</button>") && consent.contains(">Deny</button>"));
        assert!(consent.contains("Your e-mail"));
        assert!(consent.contains("wiki.example") && consent.contains("registered itself"), "{consent}");
        let logout = t
            .render(&LogoutPage {
                action: "/logout".into(),
                csrf_token: "t".into(),
                client_name: None,
                username: Some("alice".into()),
                fields: vec![FormField { name: "state".into(), value: "s".into() }],
            })
            .unwrap();
        assert!(logout.contains(">Sign out</button>"));
        assert!(logout.contains(r#"name="state""#));
        t.render(&LoggedOutPage {}).unwrap();
        let error =
            t.render(&ErrorPage { title: "Oops".into(), message: "m".into(), request_id: "r-1".into() }).unwrap();
        assert!(error.contains("Oops") && error.contains("r-1"));
        let form_post = t
            .render(&FormPostPage {
                action: "https://app/cb".into(),
                script_nonce: "n".into(),
                fields: vec![FormField { name: "code".into(), value: "c\"x".into() }],
            })
            .unwrap();
        assert!(form_post.contains(r#"value="c&quot;x""#));
    }

    #[test]
    fn the_second_factor_pages_label_the_code_and_carry_csrf() {
        let t = templates();
        let verify = t
            .render(&SecondFactorPage {
                action: "/login/second-factor".into(),
                csrf_token: "tok".into(),
                interaction: "i-1".into(),
                client_name: "Wiki".into(),
                username: "alice".into(),
                error: Some("That code is not right.".into()),
                totp: true,
                passkey: None,
            })
            .unwrap();
        assert!(verify.contains(r#"<label for="code">Code</label>"#) && verify.contains(">Verify</button>"));
        assert!(verify.contains(r#"name="csrf_token" value="tok""#) && verify.contains("role=\"alert\""));
        let enrol = EnrolmentPage {
            action: "/login/second-factor/enrol".into(),
            csrf_token: "tok".into(),
            interaction: None,
            client_name: None,
            username: "alice".into(),
            qr_png_base64: "iVBOR".into(),
            secret: "GEZDGNBV".into(),
            recovery_codes: vec!["abcde-fghij".into()],
            error: None,
            passkey: None,
        };
        let html = t.render(&enrol).unwrap();
        assert!(html.contains(r#"src="data:image/png;base64,iVBOR""#) && html.contains("GEZDGNBV"));
        assert!(html.contains("abcde-fghij") && html.contains(">Verify</button>"));
        assert!(!html.contains(r#"name="interaction""#) && !html.contains("passkey.js"));
        // In the flow, a passkey instead of the app: a form the hub's script completes.
        let passkey = PasskeyEnrolment { options: "/o".into(), action: "/p".into(), name_max: 64 };
        let in_flow = EnrolmentPage { interaction: Some("i1".into()), passkey: Some(passkey), ..enrol };
        let html = t.render(&in_flow).unwrap().replace("&#x2f;", "/");
        assert!(html.contains(r#"data-passkey="create" data-options="/o""#) && html.contains(r#"action="/p""#));
        assert!(html.contains(">Create a passkey</button>") && html.contains(r#"<script src="/static/passkey.js""#));
        assert_eq!(html.matches(r#"name="interaction" value="i1""#).count(), 2, "both forms continue the flow");
        let status = AccountSecondFactorPage {
            username: "alice".into(),
            account_href: "/account".into(),
            just_enrolled: true,
            enrolled_at: Some("2026-12-02".into()),
            recovery_codes_left: 9,
        };
        assert!(t.render(&status).unwrap().contains(">9<"));
    }

    #[test]
    fn the_device_pages_label_the_code_and_compare_it_with_the_device() {
        let t = templates();
        let entry = t
            .render(&DevicePage {
                action: "/device".into(),
                csrf_token: "tok".into(),
                user_code: "<b>".into(),
                error: Some("That code is not valid.".into()),
            })
            .unwrap();
        assert!(entry.contains(r#"<label for="user_code">Code</label>"#) && entry.contains(">Continue</button>"));
        assert!(entry.contains(r#"name="csrf_token" value="tok""#) && entry.contains("That code is not valid."));
        assert!(entry.contains("&lt;b&gt;"), "what was typed comes back escaped");
        let confirm = t
            .render(&DeviceConfirmPage {
                action: "/device".into(),
                csrf_token: "tok".into(),
                user_code: "BCDF-GHJK".into(),
                client_name: "TV app".into(),
                unverified: false,
            })
            .unwrap();
        assert!(confirm.contains("Connect TV app?") && confirm.contains("BCDF-GHJK"));
        assert!(confirm.contains(r#"name="step" value="confirm""#) && confirm.contains(">Continue</button>"));
        let done = |approved, refused: Option<&str>| {
            let client_name = "TV app".into();
            t.render(&DeviceDonePage { client_name, approved, refused: refused.map(str::to_owned) }).unwrap()
        };
        assert!(done(true, None).contains("You can return to your device"));
        let denied = done(false, Some("You did not allow it."));
        assert!(denied.contains("Access denied") && denied.contains("You did not allow it."));
        assert!(denied.contains("You can return to your device"));
    }

    #[test]
    fn a_missing_variable_is_an_error_not_an_empty_string() {
        /// A context that lacks what `error.html` shows.
        #[derive(serde::Serialize)]
        struct Incomplete {
            title: &'static str,
        }
        impl Page for Incomplete {
            const TEMPLATE: &'static str = "error.html";
        }
        assert!(templates().render(&Incomplete { title: "x" }).is_err());
    }
}

#[cfg(test)]
#[path = "passkey_tests.rs"]
mod passkey_tests;
