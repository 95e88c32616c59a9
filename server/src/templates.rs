//! Server-rendered pages (SPEC §7): minijinja templates built into the binary, each
//! replaceable by a file of the same name in `HUB_TEMPLATES_DIR`. Undefined variables
//! are errors, so a template and its page context cannot drift apart silently.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

const BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("consent.html", include_str!("../templates/consent.html")),
    ("logout.html", include_str!("../templates/logout.html")),
    ("logged_out.html", include_str!("../templates/logged_out.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("form_post.html", include_str!("../templates/form_post.html")),
];

pub const STYLESHEET: &str = include_str!("../static/hub.css");

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {source}")]
    Load { name: String, source: std::io::Error },
    #[error("template {0}")]
    Syntax(#[from] minijinja::Error),
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// `static_base` is the URL path of the stylesheet's folder.
    pub fn load(overrides: Option<&Path>, site_name: &str, static_base: &str) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, built_in) in BUILT_IN {
            let source = match overrides.map(|dir| dir.join(name)).filter(|path| path.is_file()) {
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|source| TemplateError::Load { name: path.display().to_string(), source })?,
                None => (*built_in).to_owned(),
            };
            env.add_template_owned(*name, source)?;
        }
        env.add_global("site_name", Value::from(site_name.to_owned()));
        env.add_global("static_base", Value::from(static_base.to_owned()));
        Ok(Self { env })
    }

    pub fn render<C: Serialize>(&self, name: &str, context: &C) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(Value::from(minijinja::value::Serde(context)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn templates() -> Templates {
        Templates::load(None, "Hub", "/static").unwrap()
    }

    #[test]
    fn login_page_has_the_contract_labels_and_csrf() {
        let html = templates()
            .render(
                "login.html",
                &json!({"action": "/login", "csrf_token": "tok", "interaction": "i1", "username": "",
                        "error": null, "client_name": "Wiki <App>", "password_login": true,
                        "social_login_keys": [{"href": "/x", "display_name": "Google", "icon": null}]}),
            )
            .unwrap();
        assert!(html.contains(r#"<label for="username">Username</label>"#));
        assert!(html.contains(r#"<label for="password">Password</label>"#));
        assert!(html.contains(r#"name="csrf_token" value="tok""#));
        assert!(html.contains("Continue with Google"));
        assert!(html.contains("Wiki &lt;App&gt;"), "autoescaped");

        let idp_only = templates()
            .render(
                "login.html",
                &json!({"action": "/login", "csrf_token": "tok", "interaction": "i1", "username": "",
                        "error": null, "client_name": "Wiki", "password_login": false, "social_login_keys": [{"href": "/x", "display_name": "Corp", "icon": "https://corp.example/icon.png"}]}),
            )
            .unwrap();
        assert!(!idp_only.contains("Password"), "an IdP-only client's page has no password form");
        assert!(idp_only.contains("Continue with Corp"));
    }

    #[test]
    fn every_template_renders_with_its_context() {
        let t = templates();
        let consent = t
            .render(
                "consent.html",
                &json!({"action": "/consent", "csrf_token": "t", "interaction": "i",
                                            "client_name": "Wiki", "username": "alice", "scopes": ["Your e-mail"]}),
            )
            .unwrap();
        assert!(consent.contains(">Allow</button>") && consent.contains(">Deny</button>"));
        let logout = t
            .render(
                "logout.html",
                &json!({"action": "/logout", "csrf_token": "t", "client_name": null,
                                           "username": "alice", "fields": [{"name": "state", "value": "s"}]}),
            )
            .unwrap();
        assert!(logout.contains(">Sign out</button>"));
        t.render("logged_out.html", &json!({})).unwrap();
        t.render("error.html", &json!({"title": "Oops", "message": "m", "request_id": "r"})).unwrap();
        let form_post = t
            .render(
                "form_post.html",
                &json!({"action": "https://app/cb", "script_nonce": "n",
                                              "fields": [{"name": "code", "value": "c\"x"}]}),
            )
            .unwrap();
        assert!(form_post.contains(r#"value="c&quot;x""#));
    }

    #[test]
    fn a_missing_variable_is_an_error_not_an_empty_string() {
        assert!(templates().render("error.html", &json!({"title": "x"})).is_err());
    }
}
