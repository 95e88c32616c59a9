//! Walking the admin lists page by page (README, "Admin API"): every page's `next`, passed
//! back as `after`, leads through the whole list once, in order, on the lists read by key
//! (users, audit events) and on those read by offset; a cursor the API did not issue, or
//! one of another list, is a 400 naming `after`.

use e2e::TestHub;
use e2e::admin::AdminApi;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Follows `next` from `first` (a path with its query) to the last page; returns every
/// item in the order the pages gave them, and how many pages there were.
async fn walk(api: &AdminApi, first: &str) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut path) = (Vec::new(), 0, first.to_owned());
    loop {
        let page = api.get(&path).await.ok(StatusCode::OK);
        pages += 1;
        assert_eq!(page["total_is_lower_bound"], false, "{page}");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        let Some(next) = page["next"].as_str() else { return (items, pages) };
        let separator = if first.contains('?') { '&' } else { '?' };
        path = format!("{}{separator}after={next}", first);
        assert!(pages < 50, "the pages never end");
    }
}

fn field(items: &[Value], name: &str) -> Vec<String> {
    items.iter().map(|item| item[name].as_str().expect(name).to_owned()).collect()
}

#[tokio::test]
async fn following_next_visits_every_item_once_in_order() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);
    for name in ["mallory", "alice", "trent", "bob", "erin", "carol", "dave"] {
        api.post("/users", json!({ "username": name, "email": format!("{name}@example.com") }))
            .await
            .ok(StatusCode::CREATED);
    }
    for name in ["staff", "ops", "sales"] {
        api.post("/groups", json!({ "name": name })).await.ok(StatusCode::CREATED);
    }

    // Users, read by key (the last username seen), three at a time.
    let (users, pages) = walk(&api, "/users?limit=3").await;
    let all = api.get("/users?limit=200").await.ok(StatusCode::OK);
    assert_eq!(field(&users, "username"), field(all["items"].as_array().unwrap(), "username"));
    assert_eq!((users.len(), pages), (7, 3), "{users:?}");
    let mut sorted = field(&users, "username");
    sorted.sort();
    assert_eq!(field(&users, "username"), sorted, "by username");
    // With a filter, the cursor keeps to it.
    let (found, _) = walk(&api, "/users?limit=1&search=example.com").await;
    assert_eq!(found.len(), 7);

    // Audit events, newest first, read by key (time and id), two at a time: the same
    // events as one long page.
    let all = api.get("/audit-events?limit=200").await.ok(StatusCode::OK);
    let (events, pages) = walk(&api, "/audit-events?limit=2").await;
    let ids = field(&events, "id");
    assert_eq!(ids, field(all["items"].as_array().unwrap(), "id"));
    assert!(ids.len() >= 10 && pages == ids.len().div_ceil(2), "{} events in {pages} pages", ids.len());
    let times = field(&events, "occurred_at");
    assert!(times.windows(2).all(|pair| pair[0] >= pair[1]), "newest first: {times:?}");

    // Groups (ours and the built-in admins), read by offset, one at a time.
    let (groups, pages) = walk(&api, "/groups?limit=1").await;
    assert_eq!(
        (field(&groups, "name"), pages),
        (vec!["admins".into(), "ops".into(), "sales".into(), "staff".into()], 4)
    );

    // A page that ends exactly at the end of the list has no next.
    let page = api.get("/groups?limit=4").await.ok(StatusCode::OK);
    assert!(page.get("next").is_none(), "{page}");
}

#[tokio::test]
async fn cursors_the_api_did_not_issue_are_refused() {
    crate::backend();
    let hub = TestHub::spawn().await;
    let api = AdminApi::new(&hub);
    for name in ["alice", "bob"] {
        api.post("/users", json!({ "username": name })).await.ok(StatusCode::CREATED);
    }
    let users_next = api.get("/users?limit=1").await.ok(StatusCode::OK)["next"].as_str().expect("next").to_owned();

    for path in [
        "/users?after=not-a-cursor".to_owned(),
        "/audit-events?after=not-a-cursor".to_owned(),
        // A user cursor names a username, not an audit event, nor a group's offset.
        format!("/audit-events?after={users_next}"),
        format!("/groups?after={users_next}"),
        format!("/users?offset=1&after={users_next}"),
    ] {
        assert_eq!(api.get(&path).await.problem(StatusCode::BAD_REQUEST), ["after"], "{path}");
    }
    let second = api.get(&format!("/users?limit=1&after={users_next}")).await.ok(StatusCode::OK);
    assert_eq!(second["items"][0]["username"], "bob");
}
