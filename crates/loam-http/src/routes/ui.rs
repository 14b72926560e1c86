//! `/api/v1/ui/…`: what only the web UI needs (the UI otherwise uses the SDKs' endpoints).

use crate::openapi::Routes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use loam_domain::error::Loc;
use loam_domain::schema::Reader;
use loam_service::ProgressWatch;
use serde_json::Value;

use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/ui/markdown",
        "Render markdown texts to sanitised HTML (body {\"texts\": [...]}, reply {\"items\": [...]}): \
         fenced code blocks highlighted as class names, with a language label and a Copy button; \
         $…$ and $$…$$ as MathML",
        200,
        Some("Markdown"),
        markdown,
    )
    .json_body("MarkdownTexts")
    .get(
        "/api/v1/ui/datasets/{dataset_id}/progress",
        "The dataset's and each annotator's progress in one reply, with `time` (time on task per \
         annotator and for the team; null for annotators), with an ETag: a request whose If-None-Match \
         names the current one gets 304 and no body (cheap to poll while records arrive)",
        200,
        Some("UiProgress"),
        progress,
    )
    .also(304, None)
}

async fn progress(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let known = headers.get(header::IF_NONE_MATCH).and_then(|it| it.to_str().ok()).and_then(first_etag);
    let res = app.service.watch_progress(&actor, id.into(), known).await?;
    let (status, token, body) = match res {
        ProgressWatch::Unchanged { token } => (StatusCode::NOT_MODIFIED, token, None),
        ProgressWatch::Changed { token, progress, users, time } => {
            let body = wire::ui_progress(&token, &progress, &users, time.as_ref());
            (StatusCode::OK, token, Some(body))
        }
    };
    let mut reply = match body {
        Some(body) => ok(body),
        None => status.into_response(),
    };
    // The token is digits and dots: always a valid header value.
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{token}\"")) {
        reply.headers_mut().insert(header::ETAG, etag);
    }
    reply.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    Ok(reply)
}

/// The first entity tag of an `If-None-Match` header, without `W/` and quotes (`*` names none:
/// the reply is never cached as "any").
fn first_etag(header: &str) -> Option<&str> {
    let first = header.split(',').next()?.trim();
    let tag = first.strip_prefix("W/").unwrap_or(first);
    tag.strip_prefix('"')?.strip_suffix('"')
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
        texts.iter().map(|it| Value::String(crate::markdown::render(it))).collect()
    })
    .await
    .map_err(|err| ApiError::Internal(format!("markdown rendering failed: {err}")))?;
    Ok(ok(serde_json::json!({ "items": Value::Array(items) })))
}

#[cfg(test)]
mod tests {
    use super::first_etag;

    #[test]
    fn first_etag_reads_the_tag_a_browser_sends_back() {
        let cases = [
            ("\"1.2.3.4\"", Some("1.2.3.4")),
            ("W/\"1.2.3.4\"", Some("1.2.3.4")),
            (" \"a\", \"b\"", Some("a")),
            ("*", None),
            ("1.2.3.4", None),
            ("", None),
        ];
        for (header, expected) in cases {
            assert_eq!(first_etag(header), expected, "{header}");
        }
    }
}
