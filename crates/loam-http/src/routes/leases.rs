//! Leases of the web UI's Pending queue (loam extensions, issue 20; the rules in
//! `loam_domain::lease`, the use cases in `loam_service::leases`): the next record leased to the
//! caller, renewing and releasing a lease. And [`flow_of`]: a response write that carries the
//! `X-Loam-Lease` header comes from the web UI's leased flow (`loam_service::Flow`), which the
//! SDKs never send, so their writes are answered exactly as before.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use loam_domain::error::Loc;
use loam_domain::schema::{object as read_object, Reader};
use loam_domain::RecordId;
use loam_service::{wire, Flow, Lease};
use serde_json::{json, Value};

use super::{ok, ApiResult};
use crate::extract::{path_id, Auth, OptionalBody};
use crate::openapi::schema::{integer, nullable, object, string, uuid};
use crate::AppState;

/// The request header that marks a response write as the web UI's leased flow.
pub const LEASE_HEADER: &str = "x-loam-lease";

/// The flow a response write comes from: [`Flow::Leased`] when it carries [`LEASE_HEADER`].
pub fn flow_of(headers: &HeaderMap) -> Flow {
    if headers.contains_key(LEASE_HEADER) {
        Flow::Leased
    } else {
        Flow::Direct
    }
}

pub fn routes(r: crate::openapi::Routes) -> crate::openapi::Routes {
    r.post(
        "/api/v1/me/datasets/{dataset_id}/records/next",
        "Lease the caller the next record of their Pending queue (loam extension; the web UI's exact \
         distribution): the record (the caller's response and the suggestions loaded, as the /me search \
         gives it) with its lease, or `record: null` with how many records pending for the caller others \
         hold now. A record is offered to no more annotators at once than it still needs. Optional body \
         `{\"after\": record id}` skips that record (looks past it first); taking a lease releases the \
         caller's others in the dataset",
        200,
        Some("NextRecord"),
        next,
    )
    .optional_json_body("NextRecordQuery")
    .errors(&[409])
    .put(
        "/api/v1/me/records/{record_id}/lease",
        "Take or renew the caller's lease on a record while its place is open to them (loam extension; \
         the web UI leases the record it shows), releasing their other leases in its dataset; 409 when \
         the record is not theirs to annotate (answered, completed, or held by as many others as it needs)",
        200,
        Some("Lease"),
        renew,
    )
    .errors(&[409])
    .delete(
        "/api/v1/me/records/{record_id}/lease",
        "Release the caller's lease on a record (loam extension); nothing to release is no error",
        204,
        None,
        release,
    )
}

fn lease_json(lease: &Lease) -> Value {
    json!({
        "record_id": lease.record_id.to_string(),
        "expires_at": lease.expires_at.to_string(),
        "duration_seconds": lease.secs,
    })
}

async fn next(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: OptionalBody,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let after = match &body.0 {
        Value::Null => None,
        value => {
            let loc = [Loc::from("body")];
            let obj = read_object(value, &loc)?;
            Reader::new(obj, &loc).opt_uuid("after")?.map(RecordId)
        }
    };
    let next = app.service.next_record(&actor, id.into(), after).await?;
    let (record, lease) = match &next.leased {
        Some((view, lease)) => (wire::record(view), lease_json(lease)),
        None => (Value::Null, Value::Null),
    };
    Ok(ok(json!({"record": record, "lease": lease, "held_by_others": next.held_by_others})))
}

async fn renew(State(app): State<AppState>, Auth(actor): Auth, Path(record_id): Path<String>) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let lease = app.service.renew_lease(&actor, RecordId(id)).await?;
    Ok(ok(lease_json(&lease)))
}

async fn release(State(app): State<AppState>, Auth(actor): Auth, Path(record_id): Path<String>) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    app.service.release_lease(&actor, RecordId(id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The reply schemas of these routes (the record is the `Record` of the other record routes).
pub fn schemas() -> Vec<(&'static str, Value)> {
    let lease = object(
        &[("record_id", uuid()), ("expires_at", string()), ("duration_seconds", integer())],
        &["record_id", "expires_at", "duration_seconds"],
    );
    let next = object(
        &[
            ("record", nullable(json!({"$ref": "#/components/schemas/Record"}))),
            ("lease", nullable(lease.clone())),
            ("held_by_others", integer()),
        ],
        &["record", "lease", "held_by_others"],
    );
    vec![("Lease", lease), ("NextRecord", next)]
}
