//! Pagination of every list: `limit` and `offset` in, `{ items, total, limit, offset }` out.

use crate::store::Window;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// Declares a page type of `$item`s: a concrete name keeps the OpenAPI document (and the
/// types generated from it) readable.
macro_rules! page_of {
    ($(#[$meta:meta])* $page:ident, $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, poem_openapi::Object)]
        pub struct $page {
            pub items: Vec<$item>,
            /// Items in the whole list, across pages.
            pub total: u64,
            pub limit: u32,
            pub offset: u64,
        }

        impl $page {
            pub fn from_store<T>(page: crate::store::Page<T>, window: crate::admin::paging::Paging, map: impl FnMut(T) -> $item) -> Self {
                Self { items: page.items.into_iter().map(map).collect(), total: page.total, limit: window.limit, offset: window.offset }
            }
        }
    };
}
pub(crate) use page_of;

/// The window a request asked for, already bounded by the parameters' validators.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub limit: u32,
    pub offset: u64,
}

impl Paging {
    pub fn new(limit: Option<u32>, offset: Option<u64>) -> Self {
        Self { limit: limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT), offset: offset.unwrap_or(0) }
    }

    pub fn window(self) -> Window {
        Window { limit: u64::from(self.limit), offset: self.offset }
    }
}
