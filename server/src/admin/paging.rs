//! Pagination of every list: `limit` with `offset` or `after` in; `{ items, total,
//! total_is_lower_bound, limit, offset, next }` out.
//!
//! `next` is an opaque cursor for the page that follows (absent on the last page): pass it
//! back as `after`. The lists that grow with the organisation (users, audit events) read
//! from the position the cursor names, so turning to any page costs the same however far
//! in it is; the others carry an offset in it. `total` counts up to `store::COUNT_LIMIT`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::problem::ApiError;
use crate::store::Window;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// Declares a page type of `$item`s: a concrete name keeps the OpenAPI document (and the
/// types generated from it) readable. `by key` for the lists read by key.
macro_rules! page_of {
    ($(#[$meta:meta])* $page:ident, $item:ty) => {
        crate::admin::paging::page_of!(@struct $(#[$meta])* $page, $item);

        impl $page {
            /// A page of a list read by offset.
            pub fn from_store<T>(page: crate::store::Page<T>, paging: &crate::admin::paging::Paging, map: impl FnMut(T) -> $item) -> Self {
                let next = paging.next_by_offset(page.extent);
                Self::assemble(page, paging, next, map)
            }
        }
    };
    ($(#[$meta:meta])* $page:ident, $item:ty, by key) => {
        crate::admin::paging::page_of!(@struct $(#[$meta])* $page, $item);

        impl $page {
            /// A page of a list read by key: the next page starts after this one's last item.
            pub fn from_store_by_key<T>(
                page: crate::store::Page<T>,
                paging: &crate::admin::paging::Paging,
                key: impl Fn(&T) -> String,
                map: impl FnMut(T) -> $item,
            ) -> Self {
                let next = crate::admin::paging::Paging::next_by_key(&page, key);
                Self::assemble(page, paging, next, map)
            }
        }
    };
    (@struct $(#[$meta:meta])* $page:ident, $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, poem_openapi::Object)]
        pub struct $page {
            pub items: Vec<$item>,
            /// Items in the whole list, across pages, counted up to 10,000.
            pub total: u64,
            /// The list holds more than `total` items (the count stopped at 10,000).
            pub total_is_lower_bound: bool,
            pub limit: u32,
            pub offset: u64,
            /// Pass as `after` for the next page; absent on the last one.
            #[oai(skip_serializing_if_is_none)]
            pub next: Option<String>,
        }

        impl $page {
            fn assemble<T>(page: crate::store::Page<T>, paging: &crate::admin::paging::Paging, next: Option<String>, map: impl FnMut(T) -> $item) -> Self {
                Self {
                    items: page.items.into_iter().map(map).collect(),
                    total: page.extent.total,
                    total_is_lower_bound: page.extent.total_is_lower_bound,
                    limit: paging.limit,
                    offset: paging.offset,
                    next,
                }
            }
        }
    };
}
pub(crate) use page_of;

/// Where a page starts, as a cursor carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    Offset(u64),
    /// After the item with this key (each keyed list says what its key is).
    After(String),
}

impl Cursor {
    fn encode(&self) -> String {
        let text = match self {
            Cursor::Offset(offset) => format!("o:{offset}"),
            Cursor::After(key) => format!("k:{key}"),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    fn decode(cursor: &str) -> Option<Self> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
        match text.split_once(':')? {
            ("o", offset) => offset.parse().ok().map(Cursor::Offset),
            ("k", key) => Some(Cursor::After(key.to_owned())),
            _ => None,
        }
    }
}

/// The window a request asked for, already bounded by the parameters' validators.
#[derive(Debug, Clone)]
pub struct Paging {
    pub limit: u32,
    pub offset: u64,
    /// The key the page starts after, on lists read by key.
    pub after: Option<String>,
}

impl Paging {
    /// For a list read by offset: an `after` cursor from one of its own pages.
    pub fn by_offset(limit: Option<u32>, offset: Option<u64>, after: Option<String>) -> Result<Self, ApiError> {
        let paging = Self::by_key(limit, offset, after)?;
        if paging.after.is_some() {
            return Err(ApiError::invalid_shape("after", "this cursor belongs to another list"));
        }
        Ok(paging)
    }

    /// For a list read by key; its offset cursors (none are issued) still work.
    pub fn by_key(limit: Option<u32>, offset: Option<u64>, after: Option<String>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let Some(after) = after else { return Ok(Self { limit, offset: offset.unwrap_or(0), after: None }) };
        if offset.is_some_and(|offset| offset > 0) {
            return Err(ApiError::invalid_shape("after", "give offset or after, not both"));
        }
        match Cursor::decode(&after) {
            Some(Cursor::Offset(offset)) => Ok(Self { limit, offset, after: None }),
            Some(Cursor::After(key)) => Ok(Self { limit, offset: 0, after: Some(key) }),
            None => Err(ApiError::invalid_shape("after", "not a cursor this API issued (take it from a page's next)")),
        }
    }

    pub fn window(&self) -> Window {
        Window { limit: u64::from(self.limit), offset: self.offset }
    }

    pub fn next_by_offset(&self, extent: crate::store::Extent) -> Option<String> {
        extent.has_more.then(|| Cursor::Offset(self.offset + u64::from(self.limit)).encode())
    }

    pub fn next_by_key<T>(page: &crate::store::Page<T>, key: impl Fn(&T) -> String) -> Option<String> {
        let last = page.items.last().filter(|_| page.extent.has_more)?;
        Some(Cursor::After(key(last)).encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        for cursor in [Cursor::Offset(150), Cursor::After("alice:with:colons".into()), Cursor::After(String::new())] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
        for garbage in ["", "not base64!", &URL_SAFE_NO_PAD.encode("x:1"), &URL_SAFE_NO_PAD.encode("o:-1")] {
            assert_eq!(Cursor::decode(garbage), None, "{garbage}");
        }
    }

    #[test]
    fn offset_lists_refuse_key_cursors_and_no_list_takes_both() {
        let key = Cursor::After("alice".into()).encode();
        assert!(Paging::by_offset(None, None, Some(key.clone())).is_err());
        assert_eq!(Paging::by_key(None, None, Some(key.clone())).unwrap().after.as_deref(), Some("alice"));
        assert!(Paging::by_key(None, Some(50), Some(key)).is_err());
        let offset = Cursor::Offset(100).encode();
        let paging = Paging::by_offset(Some(500), None, Some(offset)).unwrap();
        assert_eq!((paging.limit, paging.offset), (MAX_LIMIT, 100));
    }
}
