//! HTTP plumbing every handler uses: extractors, cookies, CSRF tokens, page rendering and
//! the language of pages, the headers every response carries, static files and health. The route table that
//! mounts the handlers is `routes.rs`, above everything.

pub mod assets;
pub mod cookies;
pub mod csrf;
pub mod extract;
pub mod health;
pub mod language;
pub mod methods;
pub mod middleware;
pub mod observe;
pub mod page;
