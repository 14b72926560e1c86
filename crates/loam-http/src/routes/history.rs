//! `GET /api/v1/records/{record_id}/history` (a loam extension): the changes of a record's field
//! and metadata values, newest first, whatever wrote them (the web UI's edit, PATCH, SDK upserts).

use crate::openapi::Routes;
use axum::extract::{Path, State};
use loam_domain::history::{ChangeKind, HistoryEntry, ValueChange};
use loam_domain::{RecordId, Timestamp, UserId};
use loam_service::wire;
use serde_json::{json, Value};

use super::{ok, ApiResult};
use crate::extract::{path_id, Auth};
use crate::openapi::{describe_all, schema};
use crate::AppState;

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/records/{record_id}/history",
        "The changes of a record's field and metadata values, newest first: each with `kind` (`field` \
         or `metadata`), `name`, the `previous` and new `value` (null where absent), `changed_by` \
         (null once that user is gone) and `changed_at`. Owners and admins of the workspace",
        200,
        Some("RecordHistory"),
        history,
    )
}

async fn history(State(app): State<AppState>, Auth(actor): Auth, Path(record_id): Path<String>) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let entries = app.service.record_history(&actor, RecordId(id)).await?;
    Ok(ok(wire::record_history(&entries)))
}

/// The reply schema, for the OpenAPI document (`samples.rs`): `previous` and `value` hold any
/// JSON a field or metadata value may be.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let entry = |by: Option<UserId>| HistoryEntry {
        id: uuid::Uuid::now_v7(),
        record_id: RecordId::new(),
        change: ValueChange {
            kind: ChangeKind::Field,
            name: "text".to_owned(),
            previous: Some(json!("before")),
            value: Some(json!("after")),
        },
        changed_by: by,
        username: by.map(|_| "ada".to_owned()),
        changed_at: Timestamp(1_700_000_000_000_000),
    };
    let mut described = describe_all(&[wire::record_history(&[entry(Some(UserId::new())), entry(None)])]);
    if let Some(item) = described.pointer_mut("/properties/items/items/properties") {
        item["previous"] = schema::any();
        item["value"] = schema::any();
    }
    vec![("RecordHistory", described)]
}
