//! `/api/v1/datasets/{dataset_id}/agreement…` (loam extensions): agreement among annotators per
//! question, and the records they disagree on most. Owners and admins of the dataset's
//! workspace; the figures are defined in `loam_domain::agreement`, summarised in the document.

use axum::extract::{Path, State};
use serde_json::Value;

use super::{ok, ApiResult};
use crate::extract::{path_id, Auth, QueryPairs};
use crate::openapi::schema::{array, integer, nullable, number, object, one_of_text, string};
use crate::openapi::{QueryParam, QueryType, Routes, PAGE};
use crate::AppState;
use loam_service::agreement::{render_records, render_report};

const REPORT: &str = "Agreement among annotators per question, over submitted responses (loam extension; owners \
and workspace admins). Metrics (`name`/`variant`): `krippendorff_alpha` as the `krippendorff` package computes it, \
records = units, annotators = coders (records with fewer than 2 answers add nothing) — `nominal` (label questions), \
`ordinal` and `interval` (ratings, the options as value domain), `jaccard` and `masi` (multi-label set distances; \
MASI as nltk's), `rank` (rankings: Spearman footrule over fractional ranks, ties sharing the mean position, divided \
by its maximum floor(K²/2)), `span_characters` (spans: nominal alpha over units = (record, character of the span's \
field), a character's value the set of labels covering it, none = \"no span\"); `cohen_kappa` per annotator pair over \
the records both answered, as scikit-learn's cohen_kappa_score with labels = the options in value order — `none` \
(labels and ratings), `linear`, `quadratic` (ratings); `fleiss_kappa` (labels and ratings, categories = options) as \
statsmodels' fleiss_kappa(method=\"fleiss\"), defined only when every record with answers has the same number; \
`exact_match` (text questions only: the share of all annotator pairs on a record whose texts are equal after \
trimming whitespace); `span_f1` (the mean over annotator pairs on a record of the F1 of exact (start, end, label) \
matches; pairs where both marked nothing are left out). An undefined figure (fewer than 2 answers, no pairs, no \
variation) has `value` null and a `reason`. Per annotator: the mean over the records they answered, where the \
others' most frequent answer is unique, of 1 − the normalised distance to it; per suggestion agent, the same against \
the most frequent of all submitted answers. Normalised distances: label and text (trimmed) 0 or 1; rating |a − b| / \
(highest − lowest option); multi-label Jaccard; ranking the normalised footrule; spans 1 − F1. `disagreement`: \
10 bins of the per-record score, the mean pairwise normalised distance among a record's submitted answers.";

const RECORDS: &str = "The records of a dataset by their disagreement on `question` (the mean pairwise normalised \
distance among its submitted answers; see the agreement report), most disagreed first, ties in insertion order; \
only records with 2 or more submitted answers have a score (`total` counts them). A loam extension for owners and \
workspace admins; 422 when `question` is missing or names no question of the dataset.";

const QUESTION: QueryParam = QueryParam { name: "question", kind: QueryType::Text, repeated: false, required: true };

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/datasets/{dataset_id}/agreement", REPORT, 200, Some("AgreementReport"), report)
        .get("/api/v1/datasets/{dataset_id}/agreement/records", RECORDS, 200, Some("DisagreedRecords"), records)
        .query(&[QUESTION])
        .query(PAGE)
}

async fn report(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let res = app.service.agreement(&actor, id.into()).await?;
    Ok(ok(render_report(&res)))
}

async fn records(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let limit = query.int("limit", 20, 1, Some(1000))?;
    let offset = query.int("offset", 0, 0, None)?;
    let question = query.get("question");
    let page = app.service.disagreed_records(&actor, id.into(), question, limit as usize, offset as usize).await?;
    Ok(ok(render_records(&page)))
}

/// A figure or why it is undefined.
fn figure() -> Value {
    object(&[("value", nullable(number())), ("reason", nullable(string()))], &["value", "reason"])
}

fn metric() -> Value {
    let names = ["krippendorff_alpha", "cohen_kappa", "fleiss_kappa", "exact_match", "span_f1"];
    object(
        &[
            ("name", one_of_text(&names)),
            ("variant", nullable(string())),
            ("value", nullable(number())),
            ("reason", nullable(string())),
        ],
        &["name", "variant", "value", "reason"],
    )
}

/// The reply schemas of these routes, for the OpenAPI document (`samples.rs`).
pub fn schemas() -> Vec<(&'static str, Value)> {
    let question = object(
        &[
            ("name", string()),
            ("title", string()),
            ("type", string()),
            ("answered_records", integer()),
            ("metrics", array(metric())),
            (
                "pairs",
                array(object(
                    &[("annotators", array(string())), ("records", integer()), ("metrics", array(metric()))],
                    &["annotators", "records", "metrics"],
                )),
            ),
            (
                "annotators",
                array(object(
                    &[("username", string()), ("answered", integer()), ("agreement", figure())],
                    &["username", "answered", "agreement"],
                )),
            ),
            (
                "agents",
                array(object(
                    &[("agent", string()), ("records", integer()), ("agreement", figure())],
                    &["agent", "records", "agreement"],
                )),
            ),
            (
                "disagreement",
                array(object(
                    &[("from", number()), ("to", number()), ("records", integer())],
                    &["from", "to", "records"],
                )),
            ),
        ],
        &["name", "title", "type", "answered_records", "metrics", "pairs", "annotators", "agents", "disagreement"],
    );
    let report = object(
        &[
            ("dataset_id", string()),
            ("records", integer()),
            ("min_submitted", integer()),
            (
                "submitted_per_record",
                array(object(&[("submitted", integer()), ("records", integer())], &["submitted", "records"])),
            ),
            (
                "annotators",
                array(object(
                    &[("username", string()), ("submitted", integer()), ("discarded", integer())],
                    &["username", "submitted", "discarded"],
                )),
            ),
            ("questions", array(question)),
        ],
        &["dataset_id", "records", "min_submitted", "submitted_per_record", "annotators", "questions"],
    );
    let record = object(
        &[
            ("record_id", string()),
            ("external_id", nullable(string())),
            ("submitted", integer()),
            ("disagreement", number()),
        ],
        &["record_id", "external_id", "submitted", "disagreement"],
    );
    let page = object(&[("items", array(record)), ("total", integer())], &["items", "total"]);
    vec![("AgreementReport", report), ("DisagreedRecords", page)]
}
