//! Every request, observed: one access-log line (target `access`: method, route template,
//! status, latency, and the client once a handler knew it) and the request metrics. The
//! route is poem's matched pattern (`/register/:client_id`), never the path, so neither a
//! log line nor a metric label carries an id, a code or a token; paths the hub does not
//! serve are all `unmatched`. Also `/metrics`, the Prometheus text exposition.

use std::sync::Arc;
use std::time::Instant;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{Endpoint, IntoResponse, Request, Response, handler};

use crate::state::AppState;
use crate::telemetry::{RequestNotes, metrics};

pub async fn access_log<E: Endpoint>(next: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let notes = RequestNotes::default();
    req.set_data(notes.clone());
    let response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(error) => error.into_response(),
    };
    let elapsed = started.elapsed();
    let route = response.data::<poem::PathPattern>().map_or("unmatched", |pattern| &pattern.0);
    let status = response.status().as_u16();
    tracing::info!(
        target: "access",
        method = %method,
        route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        client_id = notes.client_id(),
        "request"
    );
    metrics::http_request(method.as_str(), route, status, elapsed);
    Ok(response)
}

/// `GET /metrics`: the counters and histograms in Prometheus's text format; 404 when
/// metrics are off.
#[handler]
pub fn prometheus(Data(state): Data<&AppState>) -> Response {
    match &state.metrics {
        Some(handle) => {
            Response::builder().content_type("text/plain; version=0.0.4; charset=utf-8").body(handle.render())
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
