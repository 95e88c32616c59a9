//! One plausible context per page, to render an operator's override of it once at
//! start-up: a template that names a variable its page does not have is refused then,
//! with one line, instead of failing each time the page is shown.

use minijinja::Value;
use minijinja::value::Serde;

use super::*;

fn text(value: &str) -> String {
    value.to_owned()
}

fn passkey() -> Option<PasskeyForm> {
    Some(PasskeyForm {
        options: text("/login/passkey/options"),
        action: text("/login/passkey"),
        purpose: PasskeyPurpose::SignIn,
    })
}

/// The context of the page `template`, if it is one of the hub's pages.
pub fn sample(template: &str) -> Option<Value> {
    let field = || vec![FormField { name: text("state"), value: text("s") }];
    let value = match template {
        "base.html" => Value::from(Serde(LoggedOutPage {})),
        "login.html" => Value::from(Serde(LoginPage {
            action: text("/login"),
            csrf_token: text("t"),
            interaction: text("i"),
            username: text("alice"),
            error: Some(text("e")),
            client_name: text("Wiki"),
            password_login: true,
            social_login_keys: vec![LoginLink { display_name: text("Corp"), href: text("/u"), icon: Some(text("/i")) }],
            reset_href: Some(text("/r")),
            sign_up_href: Some(text("/s")),
            passkey: passkey(),
        })),
        "passkey_form.html" | "second_factor.html" => Value::from(Serde(SecondFactorPage {
            action: text("/login/second-factor"),
            csrf_token: text("t"),
            interaction: text("i"),
            client_name: text("Wiki"),
            username: text("alice"),
            error: Some(text("e")),
            totp: true,
            passkey: passkey(),
        })),
        "second_factor_enrol.html" => Value::from(Serde(EnrolmentPage {
            action: text("/e"),
            csrf_token: text("t"),
            interaction: Some(text("i")),
            client_name: Some(text("Wiki")),
            username: text("alice"),
            qr_png_base64: text("iVBOR"),
            secret: text("GEZDGNBV"),
            recovery_codes: vec![text("abcde-fghij")],
            error: Some(text("e")),
            passkey: Some(PasskeyEnrolment { options: text("/o"), action: text("/p"), name_max: 64 }),
        })),
        "account_second_factor.html" => Value::from(Serde(AccountSecondFactorPage {
            username: text("alice"),
            account_href: text("/account"),
            just_enrolled: true,
            enrolled_at: Some(text("2026-12-02")),
            recovery_codes_left: 9,
        })),
        "account_passkeys.html" => Value::from(Serde(AccountPasskeysPage {
            username: text("alice"),
            action: text("/account/passkeys"),
            options: text("/account/passkeys/options"),
            csrf_token: text("t"),
            passkeys: vec![PasskeyRow {
                id: text("p"),
                name: text("Laptop"),
                created: text("2026-12-02"),
                last_used: None,
                synced: true,
            }],
            name_max: 64,
            may_change: true,
            supported: true,
            notice: Some(text("n")),
            error: Some(text("e")),
        })),
        "consent.html" => Value::from(Serde(ConsentPage {
            action: text("/consent"),
            csrf_token: text("t"),
            interaction: text("i"),
            client_name: text("Wiki"),
            returns_to: text("wiki.example"),
            unverified: true,
            username: text("alice"),
            scopes: vec![text("s")],
        })),
        "device.html" => Value::from(Serde(DevicePage {
            action: text("/device"),
            csrf_token: text("t"),
            user_code: text("BCDF-GHJK"),
            error: Some(text("e")),
        })),
        "device_confirm.html" => Value::from(Serde(DeviceConfirmPage {
            action: text("/device"),
            csrf_token: text("t"),
            user_code: text("BCDF-GHJK"),
            client_name: text("TV"),
            unverified: true,
        })),
        "device_done.html" => {
            Value::from(Serde(DeviceDonePage { client_name: text("TV"), approved: false, refused: Some(text("r")) }))
        }
        "logout.html" => Value::from(Serde(LogoutPage {
            action: text("/logout"),
            csrf_token: text("t"),
            client_name: Some(text("Wiki")),
            username: Some(text("alice")),
            fields: field(),
        })),
        "logged_out.html" => Value::from(Serde(LoggedOutPage {})),
        "error.html" => Value::from(Serde(ErrorPage { title: text("t"), message: text("m"), request_id: text("r") })),
        "form_post.html" => Value::from(Serde(FormPostPage {
            action: text("https://app/cb"),
            fields: field(),
            script_nonce: text("n"),
        })),
        "account.html" => Value::from(Serde(super::account_pages::sample_account())),
        "account_reset.html" => Value::from(Serde(ResetRequestPage {
            action: text("/r"),
            csrf_token: text("t"),
            sent: false,
            error: Some(text("e")),
        })),
        "account_link.html" => Value::from(Serde(LinkPage {
            action: text("/l"),
            csrf_token: text("t"),
            purpose: "reset_password",
            username: text("alice"),
            email: Some(text("a@example.test")),
            error: Some(text("e")),
            done: None,
            account_href: text("/account"),
        })),
        "account_sign_up.html" => Value::from(Serde(SignUpPage {
            action: text("/s"),
            csrf_token: text("t"),
            username: text("carol"),
            email: text("c@example.test"),
            name: text("Carol"),
            sent: false,
            errors: vec![FieldMessage { field: text("username"), message: text("m") }],
        })),
        _ => return None,
    };
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_that_does_not_render_is_refused_at_load() {
        let dir = std::env::temp_dir().join(format!("hub-pages-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("login.html"),
            "{% extends \"base.html\" %}{% block content %}{{ t(\"login.title\") }} {{ usernme }}{% endblock %}",
        )
        .unwrap();
        let error = Templates::load(Some(&dir), "Hub", "/static").err().unwrap().to_string();
        assert!(error.contains("login.html") && error.contains("usernme"), "{error}");
        std::fs::write(
            dir.join("login.html"),
            "{% extends \"base.html\" %}{% block content %}{{ t(\"login.title\") }} {{ username }}{% endblock %}",
        )
        .unwrap();
        assert!(Templates::load(Some(&dir), "Hub", "/static").is_ok(), "a correct override loads");
        std::fs::write(dir.join("login.html"), "{{ t(\"login.no_such_text\") }}").unwrap();
        assert!(Templates::load(Some(&dir), "Hub", "/static").is_err(), "a text no catalogue has");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn every_page_has_a_sample_that_renders() {
        let templates = Templates::load(None, "Hub", "/static").unwrap();
        for (name, _) in super::super::BUILT_IN {
            let sample = sample(name).unwrap_or_else(|| panic!("no sample for {name}"));
            templates
                .env
                .get_template(name)
                .unwrap()
                .render(
                    minijinja::context! { lang => Value::from(Serde(crate::i18n::PageLanguage::english())), ..sample },
                )
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
