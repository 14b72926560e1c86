//! Review and adjudication (loam extensions, issue 20): the reviewers of a workspace, a dataset's
//! review rule and queue, a record under review and the reviewer's decisions, and the records
//! returned to the caller. The rules are `loam_domain::review`; who may do what, `policy.rs`.

use axum::extract::{Path, State};
use loam_domain::error::Loc;
use loam_domain::schema::Reader;
use loam_service::{wire, Decision};
use serde_json::{json, Value};

use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::openapi::schema::{any, array, boolean, integer, map, nullable, number, object, one_of_text, string};
use crate::openapi::{Routes, PAGE};
use crate::AppState;

const ACTIONS: &[&str] = &["accept_response", "accept_consolidated", "own", "return"];

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/workspaces/{workspace_id}/reviewers",
        "The annotators marked as reviewers of a workspace (loam extension; owners and workspace admins). Owners \
         and the workspace's admins review without being marked",
        200,
        Some("Reviewers"),
        list_reviewers,
    )
    .put(
        "/api/v1/workspaces/{workspace_id}/reviewers/{user_id}",
        "Mark an annotator member of the workspace as its reviewer (loam extension; owners). 422 for an owner or \
         admin (they review already) or a user outside the workspace; marking twice changes nothing",
        200,
        Some("Reviewer"),
        add_reviewer,
    )
    .delete(
        "/api/v1/workspaces/{workspace_id}/reviewers/{user_id}",
        "Unmark a reviewer of the workspace (loam extension; owners); 404 when the user is not one",
        200,
        Some("Reviewer"),
        remove_reviewer,
    )
    .get(
        "/api/v1/me/review/workspaces",
        "The workspaces whose datasets the caller reviews (loam extension): every one for owners, their own for \
         admins, the ones they are marked in for annotators",
        200,
        Some("ReviewWorkspaces"),
        my_workspaces,
    )
    .get(
        "/api/v1/datasets/{dataset_id}/review/rule",
        "How the dataset's review queue selects records (loam extension; its reviewers): `disagreement` (records \
         whose submitted answers disagree on some question by more than `threshold`, the per-record disagreement \
         of the agreement report; 0, the default, means the answers differ) or `sample` (a share `rate` of the \
         complete records, chosen by a hash of the record id and `seed`)",
        200,
        Some("ReviewRule"),
        get_rule,
    )
    .put(
        "/api/v1/datasets/{dataset_id}/review/rule",
        "Set the dataset's review rule (loam extension; owners and workspace admins): `{\"mode\": \"disagreement\", \
         \"threshold\": 0.2}` or `{\"mode\": \"sample\", \"rate\": 0.1, \"seed\": 7}` (a seed is drawn when absent); \
         422 for anything else",
        200,
        Some("ReviewRule"),
        put_rule,
    )
    .json_body("ReviewRuleBody")
    .get(
        "/api/v1/datasets/{dataset_id}/review/queue",
        "The dataset's review queue in insertion order (loam extension; its reviewers): records without a final \
         answer or an open return that the rule selects, and records resubmitted after a return (`reason`)",
        200,
        Some("ReviewQueue"),
        queue,
    )
    .query(PAGE)
    .get(
        "/api/v1/records/{record_id}/review",
        "A record as its reviewer sees it (loam extension): every response with its author's username, the \
         suggestions, the consolidated answer per question, the final answer, returns and the audit trail",
        200,
        Some("RecordReview"),
        get_review,
    )
    .post(
        "/api/v1/records/{record_id}/review",
        "A reviewer's decision on a record (loam extension): `accept_response` (`user_id`: that annotator's \
         submitted answer), `accept_consolidated`, or `own` (`values`, checked as a submitted response) set the \
         record's final answer, which the exports prefer; `return` (`user_id`, `comment`) sets that annotator's \
         response back to draft with the comment until they submit again. Every action joins the audit trail. 422 \
         when the named annotator has no submitted response, the values do not fit, the consolidated answer to a \
         required question is not one answer, or the comment is blank",
        200,
        Some("RecordReview"),
        decide,
    )
    .json_body("ReviewDecision")
    .get(
        "/api/v1/me/datasets/{dataset_id}/review/returned",
        "The caller's records of the dataset that a reviewer returned to them, not resubmitted yet, with the \
         comment (loam extension), latest first",
        200,
        Some("ReturnedRecords"),
        returned,
    )
}

async fn list_reviewers(State(app): State<AppState>, Auth(actor): Auth, Path(ws): Path<String>) -> ApiResult {
    let ws = path_id(&ws, "workspace_id")?;
    let list = app.service.list_reviewers(&actor, ws.into()).await?;
    Ok(ok(wire::items(list.iter().map(wire::reviewer))))
}

async fn add_reviewer(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path((ws, user)): Path<(String, String)>,
) -> ApiResult {
    let ws = path_id(&ws, "workspace_id")?;
    let user = path_id(&user, "user_id")?;
    let (reviewer, _) = app.service.add_reviewer(&actor, ws.into(), user.into()).await?;
    Ok(ok(wire::reviewer(&reviewer)))
}

async fn remove_reviewer(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path((ws, user)): Path<(String, String)>,
) -> ApiResult {
    let ws = path_id(&ws, "workspace_id")?;
    let user = path_id(&user, "user_id")?;
    let reviewer = app.service.remove_reviewer(&actor, ws.into(), user.into()).await?;
    Ok(ok(wire::reviewer(&reviewer)))
}

async fn my_workspaces(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    let list = app.service.my_review_workspaces(&actor).await?;
    Ok(ok(wire::review_workspaces(&list)))
}

async fn get_rule(State(app): State<AppState>, Auth(actor): Auth, Path(dataset): Path<String>) -> ApiResult {
    let id = path_id(&dataset, "dataset_id")?;
    Ok(ok(wire::review_rule(&app.service.review_rule(&actor, id.into()).await?)))
}

async fn put_rule(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset, "dataset_id")?;
    let value = Value::Object(body.object()?.clone());
    Ok(ok(wire::review_rule(&app.service.set_review_rule(&actor, id.into(), &value).await?)))
}

async fn queue(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let id = path_id(&dataset, "dataset_id")?;
    let offset = query.int("offset", 0, 0, None)?;
    let limit = query.int("limit", 50, 1, Some(1000))?;
    let page = app.service.review_queue(&actor, id.into(), offset, limit).await?;
    Ok(ok(wire::review_queue(&page)))
}

async fn get_review(State(app): State<AppState>, Auth(actor): Auth, Path(record): Path<String>) -> ApiResult {
    let id = path_id(&record, "record_id")?;
    Ok(ok(wire::record_review(&app.service.record_review(&actor, id.into()).await?)))
}

async fn decide(State(app): State<AppState>, Auth(actor): Auth, Path(record): Path<String>, body: Body) -> ApiResult {
    let id = path_id(&record, "record_id")?;
    let decision = parse_decision(&body)?;
    Ok(ok(wire::record_review(&app.service.review_record(&actor, id.into(), decision).await?)))
}

async fn returned(State(app): State<AppState>, Auth(actor): Auth, Path(dataset): Path<String>) -> ApiResult {
    let id = path_id(&dataset, "dataset_id")?;
    Ok(ok(wire::returned(&app.service.returned_to_me(&actor, id.into()).await?)))
}

/// A decision's body: its `action` and what that action needs (shape errors only).
fn parse_decision(body: &Body) -> Result<Decision, ApiError> {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let action = r.string("action", 1, 50)?;
    Ok(match action.as_str() {
        "accept_response" => Decision::AcceptResponse { user: r.uuid("user_id")?.into() },
        "accept_consolidated" => Decision::AcceptConsolidated,
        "own" => match r.raw("values") {
            Some(values) if !values.is_null() => Decision::Own { values: values.clone() },
            _ => return Err(ApiError::at(&["body", "values"], "missing", "Field required")),
        },
        "return" => Decision::Return {
            user: r.uuid("user_id")?.into(),
            comment: r.string("comment", 1, loam_domain::review::MAX_COMMENT_CHARS * 4)?,
        },
        _ => {
            return Err(ApiError::at(
                &["body", "action"],
                "literal_error",
                format!(
                    "Input should be {}",
                    ACTIONS.iter().map(|it| format!("'{it}'")).collect::<Vec<_>>().join(", ")
                ),
            ))
        }
    })
}

/// The reply schemas of these routes.
pub fn schemas() -> Vec<(&'static str, Value)> {
    let stamp = string();
    let reviewer = object(
        &[("user_id", string()), ("username", string()), ("inserted_at", stamp.clone())],
        &["user_id", "username", "inserted_at"],
    );
    let rule = object(
        &[
            ("mode", one_of_text(&["disagreement", "sample"])),
            ("threshold", nullable(number())),
            ("rate", nullable(number())),
            ("seed", integer()),
        ],
        &["mode", "threshold", "rate", "seed"],
    );
    let queue_item = object(
        &[
            ("record_id", string()),
            ("external_id", nullable(string())),
            ("submitted", integer()),
            ("reason", one_of_text(&["disagreement", "sampled", "resubmitted"])),
            ("disagreement", map(nullable(number()))),
        ],
        &["record_id", "external_id", "submitted", "reason", "disagreement"],
    );
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let one_final = object(
        &[
            ("status", one_of_text(&["resolved", "score", "each", "unresolved"])),
            ("value", any()),
            ("reason", nullable(string())),
        ],
        &["status", "value", "reason"],
    );
    let final_answer = object(
        &[
            ("values", map(any())),
            ("source", one_of_text(&["response", "consolidated", "own"])),
            ("source_user_id", nullable(string())),
            ("decided_by", string()),
            ("decided_by_username", nullable(string())),
            ("decided_at", stamp.clone()),
        ],
        &["values", "source", "source_user_id", "decided_by", "decided_by_username", "decided_at"],
    );
    let a_return = object(
        &[
            ("user_id", string()),
            ("comment", string()),
            ("returned_by", string()),
            ("returned_at", stamp.clone()),
            ("open", boolean()),
        ],
        &["user_id", "comment", "returned_by", "returned_at", "open"],
    );
    let event = object(
        &[
            ("id", string()),
            ("action", one_of_text(ACTIONS)),
            ("actor_id", string()),
            ("actor_username", nullable(string())),
            ("user_id", nullable(string())),
            ("values", nullable(map(any()))),
            ("comment", nullable(string())),
            ("inserted_at", stamp.clone()),
        ],
        &["id", "action", "actor_id", "actor_username", "user_id", "values", "comment", "inserted_at"],
    );
    let review = object(
        &[
            ("record", reference("Record")),
            ("responses", array(any())),
            ("suggestions", array(reference("Suggestion"))),
            ("consolidated", map(one_final)),
            ("final_answer", nullable(final_answer)),
            ("returns", array(a_return)),
            ("events", array(event)),
        ],
        &["record", "responses", "suggestions", "consolidated", "final_answer", "returns", "events"],
    );
    let returned_item = object(
        &[("record_id", string()), ("comment", string()), ("returned_by", nullable(string())), ("returned_at", stamp)],
        &["record_id", "comment", "returned_by", "returned_at"],
    );
    vec![
        ("Reviewer", reviewer.clone()),
        ("Reviewers", object(&[("items", array(reviewer))], &["items"])),
        ("ReviewWorkspaces", object(&[("workspaces", array(string()))], &["workspaces"])),
        ("ReviewRule", rule),
        ("ReviewQueue", object(&[("items", array(queue_item)), ("total", integer())], &["items", "total"])),
        ("RecordReview", review),
        ("ReturnedRecords", object(&[("items", array(returned_item))], &["items"])),
    ]
}

/// The request bodies of these routes.
pub fn bodies() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ReviewRuleBody",
            object(
                &[
                    ("mode", one_of_text(&["disagreement", "sample"])),
                    ("threshold", nullable(number())),
                    ("rate", nullable(number())),
                    ("seed", nullable(integer())),
                ],
                &["mode"],
            ),
        ),
        (
            "ReviewDecision",
            object(
                &[
                    ("action", one_of_text(ACTIONS)),
                    ("user_id", crate::openapi::schema::uuid()),
                    ("values", map(any())),
                    ("comment", string()),
                ],
                &["action"],
            ),
        ),
    ]
}
