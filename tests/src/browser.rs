//! A browser without JavaScript: a cookie jar, no automatic redirects (tests follow
//! each `Location` themselves and can assert on it), and just enough HTML reading to
//! fill in forms.

use std::collections::HashMap;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

#[derive(Clone)]
pub struct Browser {
    pub http: reqwest::Client,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub url: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<String> {
        let location = self.headers.get("location")?.to_str().ok()?;
        url::Url::parse(&self.url).ok()?.join(location).ok().map(String::from)
    }

    /// The value of a hidden (or any) input named `name` in the page's first form.
    pub fn input(&self, name: &str) -> Option<String> {
        let needle = format!("name=\"{name}\"");
        let start = self.body.find(&needle)?;
        let tag_start = self.body[..start].rfind('<')?;
        let tag_end = start + self.body[start..].find('>')?;
        let tag = &self.body[tag_start..tag_end];
        let value_at = tag.find("value=\"")? + 7;
        let value_end = value_at + tag[value_at..].find('"')?;
        Some(html_unescape(&tag[value_at..value_end]))
    }

    /// The hidden inputs of the page's first form, as it would submit them (a login page
    /// may have more forms, a passkey button's among them).
    pub fn hidden_inputs(&self) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        let form = self.body.find("<form").map(|at| &self.body[at..]);
        let mut rest =
            form.map(|form| &form[..form.find("</form>").unwrap_or(form.len())]).unwrap_or(self.body.as_str());
        while let Some(at) = rest.find("<input type=\"hidden\"") {
            let tag_end = at + rest[at..].find('>').unwrap_or(rest.len() - at);
            let tag = &rest[at..tag_end];
            let attribute = |name: &str| {
                let key = format!("{name}=\"");
                let from = tag.find(&key)? + key.len();
                let to = from + tag[from..].find('"')?;
                Some(html_unescape(&tag[from..to]))
            };
            if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
                fields.push((name, value));
            }
            rest = &rest[tag_end..];
        }
        fields
    }

    /// The `action` of the page's first form.
    pub fn form_action(&self) -> Option<String> {
        let at = self.body.find("<form")?;
        let tag = &self.body[at..at + self.body[at..].find('>')?];
        let from = tag.find("action=\"")? + 8;
        let to = from + tag[from..].find('"')?;
        let action = html_unescape(&tag[from..to]);
        url::Url::parse(&self.url).ok()?.join(&action).ok().map(String::from)
    }

    /// Query (or fragment) parameters of the redirect this page answers with.
    pub fn redirect_params(&self) -> HashMap<String, String> {
        let Some(location) = self.location() else { return HashMap::new() };
        let url = url::Url::parse(&location).expect("location is a URL");
        let mut params: HashMap<String, String> = url.query_pairs().into_owned().collect();
        if let Some(fragment) = url.fragment() {
            params.extend(url::form_urlencoded::parse(fragment.as_bytes()).into_owned());
        }
        params
    }
}

pub fn html_unescape(value: &str) -> String {
    value
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        Self::with_headers(reqwest::header::HeaderMap::new())
    }

    /// A browser at another address, as a hub that trusts `X-Forwarded-For`
    /// (`HUB_TRUST_FORWARDED_FOR`) sees it behind its proxy.
    pub fn at_address(address: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().expect("an address"));
        Self::with_headers(headers)
    }

    /// A browser whose reader prefers `languages` (an `Accept-Language` value).
    pub fn speaking(languages: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("accept-language", languages.parse().expect("a header value"));
        Self::with_headers(headers)
    }

    fn with_headers(headers: reqwest::header::HeaderMap) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("http client");
        Self { http }
    }

    pub async fn get(&self, url: &str) -> Page {
        let response = self.http.get(url).send().await.expect("GET");
        Self::page(url, response).await
    }

    pub async fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let response = self.http.post(url).form(fields).send().await.expect("POST");
        Self::page(url, response).await
    }

    async fn page(url: &str, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Page { url: url.to_owned(), status, headers, body }
    }

    /// Submits the page's form with its hidden inputs plus `fields`.
    pub async fn submit(&self, page: &Page, fields: &[(&str, &str)]) -> Page {
        let action = page.form_action().expect("the page has a form");
        let mut all: Vec<(String, String)> = page.hidden_inputs();
        all.extend(fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let borrowed: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post_form(&action, &borrowed).await
    }

    /// Opens an authorization URL and signs in on the login page it leads to. Returns the
    /// response to the login POST (a redirect to consent or to the app).
    pub async fn sign_in(&self, authorize_url: &str, username: &str, password: &str) -> Page {
        let start = self.get(authorize_url).await;
        assert_eq!(start.status, StatusCode::SEE_OTHER, "authorize should redirect to login: {}", start.body);
        let login = self.get(&start.location().expect("location")).await;
        assert_eq!(login.status, StatusCode::OK, "login page: {}", login.body);
        assert!(login.body.contains(">Username</label>") && login.body.contains(">Password</label>"));
        self.submit(&login, &[("username", username), ("password", password)]).await
    }

    /// Follows a redirect to the consent page and presses `button` ("allow" or "deny").
    pub async fn answer_consent(&self, redirect: &Page, decision: &str) -> Page {
        let location = redirect.location().expect("redirect to consent");
        assert!(location.contains("/consent"), "expected the consent page, got {location}");
        let consent = self.get(&location).await;
        assert_eq!(consent.status, StatusCode::OK, "consent page: {}", consent.body);
        assert!(consent.body.contains(">Allow</button>") && consent.body.contains(">Deny</button>"));
        self.submit(&consent, &[("decision", decision)]).await
    }
}
