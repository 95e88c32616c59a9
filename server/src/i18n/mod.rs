//! Pages in the reader's language (SPEC §7): message catalogues (`catalogue`), and the
//! language of each request (`negotiate`): chosen at the pages' language switch (a link
//! that sets the `hub_lang` cookie), else asked for by the app (`ui_locales`, which the
//! flow's pages pass on with `asked_for`), else the browser's `Accept-Language`, else
//! English. The choice is made per request, in a scope the HTTP layer opens
//! (`http::language`); outside one (the CLI, tests) pages are in English.

mod catalogue;
pub mod negotiate;

use std::cell::RefCell;

use serde::Serialize;

pub use catalogue::{CatalogueError, Catalogues, FALLBACK, fill};

/// The query parameter of the language switch.
pub const SWITCH_PARAMETER: &str = "lang";

/// What one request says about the reader's language.
#[derive(Debug, Clone, Default)]
pub struct RequestLanguage {
    /// Chosen at the switch (the cookie, or this very request's `lang`).
    pub chosen: Option<String>,
    /// The browser's `Accept-Language`, most wanted first.
    pub accepted: Vec<String>,
    /// The app's `ui_locales`, once a page of its request knows them.
    pub asked: Vec<String>,
    /// The page's own address without `lang` (a GET), for the switch's links.
    pub here: Option<String>,
}

tokio::task_local! {
    static REQUEST: RefCell<RequestLanguage>;
}

/// Runs `future` (a request) with `language` as what it knows of the reader.
pub async fn scope<F: std::future::Future>(language: RequestLanguage, future: F) -> F::Output {
    REQUEST.scope(RefCell::new(language), future).await
}

/// The app's `ui_locales` (space-separated tags, most wanted first) for this request's page.
pub fn asked_for(ui_locales: &str) {
    let tags = ui_locales.split_whitespace().take(10).map(str::to_owned).collect();
    let _ = REQUEST.try_with(|request| request.borrow_mut().asked = tags);
}

/// The language of the page being rendered, and its switch.
#[derive(Debug, Clone, Serialize)]
pub struct PageLanguage {
    pub code: String,
    pub switch: Vec<SwitchLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SwitchLink {
    pub code: String,
    /// The language's name in itself ("Deutsch").
    pub name: String,
    pub href: String,
    pub current: bool,
}

impl PageLanguage {
    /// English, without a switch: outside a request.
    pub fn english() -> Self {
        Self { code: FALLBACK.to_owned(), switch: Vec::new() }
    }
}

/// The page language of the current request among `catalogues`.
pub fn current(catalogues: &Catalogues) -> PageLanguage {
    REQUEST.try_with(|request| of(catalogues, &request.borrow())).unwrap_or_else(|_| PageLanguage::english())
}

/// A message the server composed, in the current request's language where its catalogue
/// translates it: for answers no template renders (the passkey script's JSON).
pub fn message(catalogues: &Catalogues, english: &str) -> String {
    catalogues.message(&current(catalogues).code, english).unwrap_or_else(|| english.to_owned())
}

fn of(catalogues: &Catalogues, request: &RequestLanguage) -> PageLanguage {
    let available = catalogues.codes();
    let code = request
        .chosen
        .as_deref()
        .and_then(|chosen| negotiate::matching(available, chosen))
        .or_else(|| negotiate::first_available(available, &request.asked))
        .or_else(|| negotiate::first_available(available, &request.accepted))
        .unwrap_or(FALLBACK)
        .to_owned();
    let switch = match &request.here {
        Some(here) => available
            .iter()
            .map(|other| SwitchLink {
                code: other.clone(),
                name: catalogues.name_of(other).to_owned(),
                href: with_parameter(here, other),
                current: *other == code,
            })
            .collect(),
        None => Vec::new(),
    };
    PageLanguage { code, switch }
}

fn with_parameter(here: &str, code: &str) -> String {
    let separator = if here.contains('?') { '&' } else { '?' };
    format!("{here}{separator}{SWITCH_PARAMETER}={code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_switch_wins_then_the_app_then_the_browser() {
        let catalogues = Catalogues::load(None).unwrap();
        let request = RequestLanguage {
            chosen: None,
            accepted: vec!["fr-ch".into(), "en".into()],
            asked: Vec::new(),
            here: Some("/login?interaction=abc".into()),
        };
        let page = scope(request.clone(), async { current(&catalogues) }).await;
        assert_eq!(page.code, "fr");
        assert_eq!(page.switch.len(), 3);
        assert_eq!(page.switch[1].href, "/login?interaction=abc&lang=de");
        assert!(page.switch[2].current && page.switch[2].name == "Français");

        let asked = scope(request.clone(), async {
            asked_for("de-AT en");
            current(&catalogues).code
        })
        .await;
        assert_eq!(asked, "de", "the app's ui_locales before the browser's");

        let chosen = RequestLanguage { chosen: Some("en".into()), ..request };
        let page = scope(chosen, async {
            asked_for("de");
            current(&catalogues)
        })
        .await;
        assert_eq!(page.code, "en", "the person's own choice before the app's");
        assert_eq!(current(&catalogues).code, "en", "outside a request: English");
        assert!(current(&catalogues).switch.is_empty());
    }
}
