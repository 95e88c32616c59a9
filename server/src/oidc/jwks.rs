//! `GET /jwks.json` (RFC 7517): every published key, active and rotated-out alike.

use poem::web::Data;
use poem::{IntoResponse, Response, handler};

use crate::state::AppState;

#[handler]
pub fn get(Data(state): Data<&AppState>) -> Response {
    Response::builder()
        .content_type("application/jwk-set+json")
        // Short enough that clients pick up a rotation well before the old key leaves.
        .header("cache-control", "public, max-age=300")
        .body(state.keys.jwks())
        .into_response()
}
