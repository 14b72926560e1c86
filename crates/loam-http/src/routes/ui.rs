//! `/api/v1/ui/…`: what only the web UI needs (the UI otherwise uses the SDKs' endpoints).

use crate::openapi::Routes;
use loam_domain::error::Loc;
use loam_domain::schema::Reader;
use serde_json::Value;

use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{Auth, Body};

pub fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/ui/markdown",
        "Render markdown texts to sanitised HTML (body {\"texts\": [...]}, reply {\"items\": [...]})",
        200,
        None,
        markdown,
    )
}

/// Any signed-in user may render; the work runs off the async runtime (texts can be large).
async fn markdown(Auth(_actor): Auth, body: Body) -> ApiResult {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let texts: Vec<String> = r
        .array("texts")?
        .iter()
        .enumerate()
        .map(|(i, it)| match it {
            Value::String(text) => Ok(text.clone()),
            _ => Err(ApiError::at(&["body", "texts", &i.to_string()], "string_type", "Input should be a valid string")),
        })
        .collect::<Result<_, _>>()?;
    let items: Vec<Value> = tokio::task::spawn_blocking(move || {
        texts.iter().map(|it| Value::String(crate::ui::render_markdown(it))).collect()
    })
    .await
    .map_err(|err| ApiError::Internal(format!("markdown rendering failed: {err}")))?;
    Ok(ok(serde_json::json!({ "items": Value::Array(items) })))
}
