//! Pages in several languages (issue 13, item 6): chosen by the switch, then the app's
//! `ui_locales`, then `Accept-Language`; a German page signed in through Chromium; an
//! operator's catalogue override used, and a broken one refused at start-up.

use e2e::TestHub;
use e2e::rp::{code_flow_url, first_party_app};
use reqwest::StatusCode;

const REDIRECT: &str = "http://127.0.0.1:59999/callback";
const PASSWORD: &str = "correct horse battery";

/// The login page `url` leads to, fetched with `accept_language`, and the client that
/// keeps the cookies it sets.
async fn login_page(url: &str, accept_language: &str) -> (reqwest::Client, String, String) {
    let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let page = http.get(url).header("accept-language", accept_language).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let at = page.url().to_string();
    (http, at, page.text().await.unwrap())
}

async fn hub_and_app(settings: &[(&str, &str)]) -> (TestHub, String) {
    crate::backend();
    let hub = TestHub::spawn_with(settings).await;
    hub.add_user("alice", PASSWORD, &[]);
    let client = first_party_app(&hub, REDIRECT).await;
    (hub, code_flow_url(&client))
}

#[tokio::test]
async fn the_switch_then_ui_locales_then_accept_language_choose_the_language() {
    let (hub, url) = hub_and_app(&[]).await;
    let (http, at, german) = login_page(&url, "de-CH, en;q=0.5").await;
    assert!(german.contains(r#"<html lang="de">"#), "{german}");
    assert!(german.contains(">Benutzername</label>") && german.contains(">Anmelden</button>"));
    assert!(german.contains("um mit <strong>Wiki</strong> fortzufahren"), "placeholders filled, escaped");
    // What the server says is translated too, where the catalogue has it.
    let form = e2e::Page { url: at, status: StatusCode::OK, headers: Default::default(), body: german };
    let mut fields = form.hidden_inputs();
    fields.extend([("username".to_owned(), "alice".to_owned()), ("password".to_owned(), "wrong".to_owned())]);
    let refused =
        http.post(form.form_action().unwrap()).header("accept-language", "de").form(&fields).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.text().await.unwrap().contains("Benutzername oder Passwort ist falsch."));

    let (_, _, french) = login_page(&format!("{url}&ui_locales=fr-CA%20de"), "de").await;
    assert!(
        french.contains(r#"<html lang="fr">"#) && french.contains("Nom d’utilisateur"),
        "the app's ui_locales first"
    );

    // The switch: a link per language; following it sets the cookie, which wins after.
    let (http, at, page) = login_page(&url, "de").await;
    assert!(page.contains(r#"hreflang="en""#) && page.contains(">English</a>"));
    let english = http.get(format!("{at}&lang=en")).header("accept-language", "de").send().await.unwrap();
    let cookie = english.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(cookie.starts_with("hub_lang=en;") && cookie.contains("Max-Age="), "{cookie}");
    assert!(english.text().await.unwrap().contains(">Username</label>"));
    let again = http.get(&at).header("accept-language", "de").send().await.unwrap().text().await.unwrap();
    assert!(again.contains(r#"<html lang="en">"#), "the choice is remembered");
    let chosen = http.get(format!("{url}&ui_locales=fr")).send().await.unwrap().text().await.unwrap();
    assert!(chosen.contains(r#"<html lang="en">"#), "the person's choice before the app's");

    let discovery: serde_json::Value =
        reqwest::get(hub.url("/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["ui_locales_supported"], serde_json::json!(["en", "de", "fr"]));
}

#[tokio::test]
async fn a_german_page_signs_in_through_chromium() {
    let (hub, url) = hub_and_app(&[]).await;
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(dir.join("node_modules/playwright-core").exists(), "run npm ci --prefix tests/browser");
    let args = [url, REDIRECT.to_owned(), "alice".to_owned(), PASSWORD.to_owned()];
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node").current_dir(&dir).arg("languages.mjs").args(&args).output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr), hub.log_text());
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["lang"], "de");
    assert_eq!(report["heading"], "Anmelden");
    assert_eq!(report["switched_heading"], "Connexion");
    assert!(report["redirect"].as_str().unwrap().contains("code="), "{report}");
}

#[tokio::test]
async fn an_operators_catalogue_is_used_and_a_broken_one_refused_at_start() {
    let dir = std::env::temp_dir().join(format!("hub-templates-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("locales")).unwrap();
    std::fs::write(dir.join("locales/de.toml"), "[login]\ntitle = \"Willkommen bei Corp\"\n").unwrap();
    std::fs::write(dir.join("locales/it.toml"), "[language]\nname = \"Italiano\"\n[login]\ntitle = \"Accedi\"\n")
        .unwrap();
    let templates = dir.display().to_string();
    let (hub, url) = hub_and_app(&[("HUB_TEMPLATES_DIR", &templates)]).await;
    let (_, _, german) = login_page(&url, "de").await;
    assert!(german.contains("Willkommen bei Corp") && german.contains(">Benutzername</label>"), "{german}");
    let (_, _, italian) = login_page(&url, "it").await;
    assert!(italian.contains(">Accedi</h1>") && italian.contains(">Username</label>"), "English for the rest");

    std::fs::write(dir.join("locales/de.toml"), "[login]\ntitel = \"typo\"\n").unwrap();
    let (ok, _, err) = hub.cli_with_env(&["serve"], None, &[("HUB_TEMPLATES_DIR", &templates)]);
    assert!(!ok, "refused");
    let line = err.lines().find(|l| l.contains("message catalogue")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("login.titel"), "{line}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_operators_stylesheet_and_logo_are_served_by_the_hub() {
    let dir = std::env::temp_dir().join(format!("hub-look-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("corp.css"), ":root { --accent: #006d77; }").unwrap();
    std::fs::write(dir.join("logo.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"/>")
        .unwrap();
    std::fs::write(dir.join("logo.gif"), "GIF89a").unwrap();
    let css = dir.join("corp.css").display().to_string();
    let svg = dir.join("logo.svg").display().to_string();
    let (hub, url) = hub_and_app(&[("HUB_STYLESHEET", &css), ("HUB_LOGO", &svg), ("HUB_SITE_NAME", "Corp ID")]).await;
    let (_, _, page) = login_page(&url, "en").await;
    assert!(page.contains(r#"href="&#x2f;static/site.css""#), "the page links the stylesheet: {page}");
    assert!(page.contains(r#"<img class="logo" src="&#x2f;static/logo" alt="Corp ID">"#), "{page}");
    let stylesheet = reqwest::get(hub.url("/static/site.css")).await.unwrap();
    assert_eq!(stylesheet.headers()["content-type"], "text/css; charset=utf-8");
    assert!(stylesheet.text().await.unwrap().contains("#006d77"));
    let logo = reqwest::get(hub.url("/static/logo")).await.unwrap();
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    assert!(logo.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    // A page's CSP lets the hub's own files in, and nothing else.
    let csp = reqwest::get(&url).await.unwrap().headers().get("content-security-policy").cloned();
    let csp = csp.map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(csp.contains("style-src 'self'") && csp.contains("img-src 'self'"), "{csp}");

    let gif = dir.join("logo.gif").display().to_string();
    let (ok, _, err) = hub.cli_with_env(&["serve"], None, &[("HUB_LOGO", &gif)]);
    assert!(!ok && err.lines().any(|l| l.contains("HUB_LOGO") && l.contains(".png")), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
