//! `/api/v1/datasets/{dataset_id}/pairwise…` (loam extensions, issue 22): the pairings of
//! pairwise questions (listed to anyone who reads the dataset; switched on, marked and unmarked by
//! owners and the workspace's admins), and the answers with the order they were shown in. The
//! contract is `briefs/pref-contract.md`; the rules `loam_domain::pairwise`.

use axum::extract::{Path, State};
use loam_domain::error::Loc;
use loam_domain::pairwise::{Outcomes, Ratings, Shown};
use loam_domain::schema::{object as object_at, Reader};
use loam_domain::{RecordId, SchemaError, UserId};
use loam_service::{wire, MarkPairwise, NewJudgement, PairwiseAnswer, SwitchPairwise, MAX_JUDGEMENTS};
use serde_json::Value;

use super::{created, ok, ApiResult};
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::openapi::schema::{
    array, array_of, boolean, integer, nullable, number, object, one_of_text, string, text, uuid,
};
use crate::openapi::{describe_all, QueryParam, QueryType, Routes};
use crate::AppState;

const QUESTION: QueryParam = QueryParam { name: "question", kind: QueryType::Text, repeated: false, required: false };

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/datasets/{dataset_id}/pairwise",
        "The pairwise questions of a dataset (loam extension; anyone who reads the dataset): label questions \
         comparing two text fields, their outcome labels (canonical: `a` is field `a`), strength question \
         and the rating questions whose suggestions imply a judge's pick",
        200,
        Some("PairwiseQuestions"),
        list,
    )
    .post(
        "/api/v1/datasets/{dataset_id}/pairwise",
        "Switch to pairwise (loam extension; owners and workspace admins): creates the label question `name` \
         (labels A, B, [tie], [both_bad]) and, with `strength`, `<name>-strength` (slight, clear, strong), \
         and their pairing, in one transaction; also on a published dataset. 409 when a question of that \
         name exists; 422 naming an unknown or non-text field, a == b, an unknown rating question",
        201,
        Some("PairwiseQuestion"),
        switch,
    )
    .json_body("PairwiseSwitch")
    .errors(&[409])
    .get(
        "/api/v1/datasets/{dataset_id}/pairwise/answers",
        "Every response's answer to a pairwise question with its strength and the order the web UI showed \
         the pair in (`ab`: field a first; loam extension; owners and workspace admins). `question` may be \
         left out when the dataset has one pairwise question",
        200,
        Some("PairwiseAnswers"),
        answers,
    )
    .query(&[QUESTION])
    .put(
        "/api/v1/datasets/{dataset_id}/pairwise/{question_name}",
        "Mark an existing label_selection question as pairwise, or change its pairing (loam extension; owners \
         and workspace admins): the compared text fields, the labels standing for each outcome (a, b \
         required), an optional strength label question and rating questions",
        200,
        Some("PairwiseQuestion"),
        mark,
    )
    .json_body("PairwiseMark")
    .post(
        "/api/v1/datasets/{dataset_id}/pairwise/judgements",
        "Store LLM judges' verdicts on records' pairs (loam extension; owners and workspace admins): each a \
         canonical outcome label of a pairwise question given with the pair shown in order `ab` or `ba`, \
         upserted by (record, question, agent, shown); all or nothing (422 naming the item). Replies how \
         many were stored",
        200,
        Some("PairwiseJudgementsStored"),
        judgements,
    )
    .json_body("PairwiseJudgements")
    .get(
        "/api/v1/datasets/{dataset_id}/agreement/judges",
        "The judge audit (loam extension; owners and workspace admins): per question with agent answers and \
         human submitted answers, each agent's agreement with the consolidated human answer (exact match; \
         multi-label mean Jaccard; ratings also `mean_abs_diff`), and on pairwise questions how often a judge \
         picks the side shown first, how often its pick flips with the order, and the annotators' first-shown \
         rate; proportions with 95 % Wilson intervals, `value` null with a `reason` when n = 0",
        200,
        Some("JudgeAudit"),
        audit,
    )
    .delete(
        "/api/v1/datasets/{dataset_id}/pairwise/{question_name}",
        "Unmark a pairwise question (loam extension; owners and workspace admins): the question and its \
         answers stay; replies the pairing it had",
        200,
        Some("PairwiseQuestion"),
        unmark,
    )
}

async fn list(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = app.service.pairwise_questions(&actor, id.into()).await?;
    Ok(ok(wire::pairings(&items)))
}

/// `ratings`: null, absent, or `{"a", "b"}` (question names).
fn ratings(r: &Reader<'_>) -> Result<Option<Ratings>, SchemaError> {
    match r.raw("ratings") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let loc = r.at("ratings");
            let inner = Reader::new(object_at(value, &loc)?, &loc);
            Ok(Some(Ratings { a: inner.string("a", 1, 200)?, b: inner.string("b", 1, 200)? }))
        }
    }
}

async fn switch(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let new = SwitchPairwise {
        name: r.string("name", 1, 200)?,
        title: r.opt_string("title", 1, 500)?.unwrap_or_else(|| "Which response is better?".to_owned()),
        description: r.opt_string("description", 1, 1000)?,
        a: r.string("a", 1, 200)?,
        b: r.string("b", 1, 200)?,
        tie: r.opt_bool_or("tie", true)?,
        both_bad: r.opt_bool_or("both_bad", true)?,
        strength: r.opt_bool_or("strength", true)?,
        required: r.opt_bool_or("required", true)?,
        ratings: ratings(&r)?,
    };
    let pairing = app.service.switch_to_pairwise(&actor, id.into(), new).await?;
    Ok(created(wire::pairing(&pairing)))
}

async fn mark(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path((dataset_id, question_name)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let outcomes = match r.raw("outcomes") {
        Some(value) => Outcomes::parse(value, &r.at("outcomes"))?,
        None => return Err(SchemaError::new(r.at("outcomes"), "missing", "Field required").into()),
    };
    let strength = match r.raw("strength") {
        None | Some(Value::Null) => None,
        Some(value) => {
            let at = r.at("strength");
            Some(Reader::new(object_at(value, &at)?, &at).string("question", 1, 200)?)
        }
    };
    let mark = MarkPairwise {
        a: r.string("a", 1, 200)?,
        b: r.string("b", 1, 200)?,
        outcomes,
        strength,
        ratings: ratings(&r)?,
    };
    let pairing = app.service.mark_pairwise(&actor, id.into(), &question_name, mark).await?;
    Ok(ok(wire::pairing(&pairing)))
}

async fn unmark(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path((dataset_id, question_name)): Path<(String, String)>,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let pairing = app.service.unmark_pairwise(&actor, id.into(), &question_name).await?;
    Ok(ok(wire::pairing(&pairing)))
}

async fn answers(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let (_, items) = app.service.pairwise_answers(&actor, id.into(), query.get("question")).await?;
    Ok(ok(wire::pairwise_answers(&items)))
}

async fn judgements(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let raw = r.array("items")?;
    if raw.is_empty() || raw.len() > MAX_JUDGEMENTS {
        let msg = format!("List should have between 1 and {MAX_JUDGEMENTS} items");
        return Err(SchemaError::new(r.at("items"), "too_long", msg).into());
    }
    let mut items = Vec::with_capacity(raw.len());
    for (i, item) in raw.iter().enumerate() {
        let at = vec![Loc::from("body"), Loc::from("items"), Loc::Index(i)];
        let it = Reader::new(object_at(item, &at)?, &at);
        let shown = match it.raw("shown").and_then(Value::as_str).and_then(Shown::parse) {
            Some(shown) => shown,
            None => return Err(SchemaError::new(it.at("shown"), "enum", "Input should be 'ab' or 'ba'").into()),
        };
        items.push(NewJudgement {
            record_id: RecordId(it.uuid("record_id")?),
            question: it.string("question", 1, 200)?,
            agent: it.string("agent", 1, 200)?,
            shown,
            value: it.string("value", 1, 200)?,
            score: it.opt_number("score")?,
        });
    }
    let stored = app.service.put_judgements(&actor, id.into(), items).await?;
    Ok(ok(serde_json::json!({"stored": stored})))
}

async fn audit(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let questions = app.service.judge_audit(&actor, id.into()).await?;
    Ok(ok(wire::judges(&questions)))
}

/// The request bodies of these routes, for the OpenAPI document.
pub fn bodies() -> Vec<(&'static str, Value)> {
    let name = || text(1, 200);
    let ratings = || nullable(object(&[("a", name()), ("b", name())], &["a", "b"]));
    vec![
        (
            "PairwiseSwitch",
            object(
                &[
                    ("name", name()),
                    ("title", nullable(text(1, 500))),
                    ("description", nullable(text(1, 1000))),
                    ("a", name()),
                    ("b", name()),
                    ("tie", nullable(boolean())),
                    ("both_bad", nullable(boolean())),
                    ("strength", nullable(boolean())),
                    ("required", nullable(boolean())),
                    ("ratings", ratings()),
                ],
                &["name", "a", "b"],
            ),
        ),
        (
            "PairwiseMark",
            object(
                &[
                    ("a", name()),
                    ("b", name()),
                    (
                        "outcomes",
                        object(
                            &[("a", name()), ("b", name()), ("tie", nullable(name())), ("both_bad", nullable(name()))],
                            &["a", "b"],
                        ),
                    ),
                    ("strength", nullable(object(&[("question", name())], &["question"]))),
                    ("ratings", ratings()),
                ],
                &["a", "b", "outcomes"],
            ),
        ),
        (
            "PairwiseJudgements",
            object(
                &[(
                    "items",
                    array_of(
                        object(
                            &[
                                ("record_id", uuid()),
                                ("question", name()),
                                ("agent", name()),
                                ("shown", one_of_text(&["ab", "ba"])),
                                ("value", name()),
                                ("score", nullable(number())),
                            ],
                            &["record_id", "question", "agent", "shown", "value"],
                        ),
                        1,
                        MAX_JUDGEMENTS,
                    ),
                )],
                &["items"],
            ),
        ),
    ]
}

/// The reply shapes of these routes, described from samples.
pub fn schemas() -> Vec<(&'static str, Value)> {
    use loam_domain::pairwise::{Pairing, Shown, Strength};
    use loam_domain::{QuestionId, RecordId};
    let pairing = |full: bool| Pairing {
        question: "preference".into(),
        question_id: QuestionId::new(),
        a: "response_a".into(),
        b: "response_b".into(),
        outcomes: Outcomes::standard(full, full),
        strength: full.then(|| Strength {
            question: "preference-strength".into(),
            question_id: QuestionId::new(),
            levels: vec!["slight".into(), "clear".into(), "strong".into()],
        }),
        ratings: full.then(|| Ratings { a: "r0".into(), b: "r1".into() }),
    };
    let samples = [wire::pairing(&pairing(true)), wire::pairing(&pairing(false))];
    let answer = |full: bool| PairwiseAnswer {
        record_id: RecordId::new(),
        user_id: UserId::new(),
        username: "ada".into(),
        status: "submitted".into(),
        value: full.then(|| "A".into()),
        strength: full.then(|| "clear".into()),
        shown: full.then_some(Shown::Ba),
    };
    let one = describe_all(&samples);
    vec![
        ("PairwiseQuestion", one.clone()),
        ("PairwiseQuestions", object(&[("items", array(one))], &["items"])),
        ("PairwiseAnswers", describe_all(&[wire::pairwise_answers(&[answer(true), answer(false)])])),
        ("PairwiseJudgementsStored", object(&[("stored", integer())], &["stored"])),
        ("JudgeAudit", audit_schema()),
    ]
}

/// The judge audit's reply: proportions are `{"value", "low", "high", "n", "reason"}`, null
/// where a question is not pairwise.
fn audit_schema() -> Value {
    let proportion = || {
        object(
            &[
                ("value", nullable(number())),
                ("low", nullable(number())),
                ("high", nullable(number())),
                ("n", integer()),
                ("reason", nullable(string())),
            ],
            &["value", "low", "high", "n", "reason"],
        )
    };
    let agent = object(
        &[
            ("agent", string()),
            ("records", integer()),
            ("agreement", proportion()),
            ("mean_abs_diff", nullable(number())),
            ("first_shown", nullable(proportion())),
            ("flips", nullable(proportion())),
        ],
        &["agent", "records", "agreement", "mean_abs_diff", "first_shown", "flips"],
    );
    let question = object(
        &[
            ("question", string()),
            ("kind", string()),
            ("pairwise", boolean()),
            ("agents", array(agent)),
            ("annotators_first_shown", nullable(proportion())),
        ],
        &["question", "kind", "pairwise", "agents", "annotators_first_shown"],
    );
    object(&[("questions", array(question))], &["questions"])
}
