//! The `records` shape made from a batch's text (`RecordsShape::fill`, rows written over
//! recycled ones in `Export::write_all`) gives the same rows, and the same bytes in every
//! format, as the rows made from decoded records (`Export::next_batch_decoded`), on a dataset of
//! every field, question and metadata kind, vectors, escaped and non-ASCII text, every response
//! status, partial answers and missing values, over several batches.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use loam_domain::table::Row;
use loam_export::{stream_writer, Card, Format};
use loam_service::{Export, ExportRequest};
use serde_json::{json, Value};

use crate::common::*;

const RECORDS: usize = loam_service::BATCH_RECORDS as usize * 2 + 123;

struct Ctx {
    app: TestApp,
    ws_name: String,
    ds_name: String,
}

/// A dataset of every kind, with [`RECORDS`] records that each leave out or vary something.
async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws_name = unique("ws");
    let ws = app.create_workspace(&ws_name).await;
    let ds_name = "kinds".to_owned();
    let ds = app.create_dataset(&ws, &ds_name).await;
    let field = |name: &str, settings: Value| json!({"name": name, "title": name, "required": name == "t", "settings": settings});
    for body in [
        field("t", json!({"type": "text"})),
        field("img", json!({"type": "image"})),
        field("chat", json!({"type": "chat"})),
        field("extra", json!({"type": "custom", "template": "<p>{{record.fields.extra}}</p>"})),
    ] {
        app.expect("POST", &format!("/api/v1/datasets/{ds}/fields"), Some(body), 201).await;
    }
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    let multi = app
        .add_question(
            &ds,
            "multi",
            false,
            json!({"type": "multi_label_selection", "options": options(&["x", "y", "z"])}),
        )
        .await;
    let score = app
        .add_question(
            &ds,
            "score",
            false,
            json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}, {"value": 4}]}),
        )
        .await;
    let rank =
        app.add_question(&ds, "rank", false, json!({"type": "ranking", "options": options(&["r1", "r2"])})).await;
    let note = app.add_question(&ds, "note", false, json!({"type": "text"})).await;
    let ents = app
        .add_question(&ds, "ents", false, json!({"type": "span", "field": "t", "options": options(&["PER", "LOC"])}))
        .await;
    app.add_metadata(&ds, "tag", json!({"type": "terms"}), true).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.add_metadata(&ds, "f", json!({"type": "float"}), true).await;
    app.expect(
        "POST",
        &format!("/api/v1/datasets/{ds}/vectors-settings"),
        Some(json!({"name": "emb", "title": "E", "dimensions": 2})),
        201,
    )
    .await;
    app.publish(&ds).await;
    let ann = app.member(&unique("ann"), "annotator", &[&ws]).await;
    let bob = app.member(&unique("bob"), "annotator", &[&ws]).await;
    let owner = app.owner.id.clone();
    let texts = ["plain words here", "q\"uote\n\ttab \\ back é ü 😀 and more", "日本語のテキスト, ok"];
    for start in (0..RECORDS).step_by(500) {
        let items = (start..RECORDS.min(start + 500))
            .map(|i| {
                let mut fields = json!({"t": format!("{} {i}", texts[i % 3])});
                if i % 2 == 0 {
                    fields["chat"] = json!([{"role": "user", "content": format!("hi \"{i}\"")}, {"role": "assistant", "content": "ok"}]);
                }
                if i % 5 == 1 {
                    fields["img"] = json!(format!("https://example.com/{i}.png"));
                }
                if i % 7 == 3 {
                    fields["extra"] = json!({"k": [i, 1.5, null, "s"], "b": true});
                }
                let mut metadata = json!({"n": i as i64 - 50});
                match i % 4 {
                    0 => metadata["tag"] = json!("web"),
                    1 => metadata["tag"] = json!(["a", "b\"c"]),
                    2 => metadata["f"] = json!(0.1 * i as f64),
                    _ => {}
                }
                let mut item = json!({"fields": fields, "metadata": metadata});
                if i % 3 != 2 {
                    item["external_id"] = json!(format!("x{i:05}"));
                }
                if i % 4 == 1 {
                    item["vectors"] = json!({"emb": [i as f64 / 3.0, -1.0]});
                }
                let mut responses = Vec::new();
                if i % 6 != 5 {
                    let mut values = json!({
                        "label": {"value": if i % 2 == 0 { "a" } else { "b" }},
                        "score": {"value": 1 + (i % 4) as i64},
                        "rank": {"value": [{"value": "r2", "rank": 1}, {"value": "r1", "rank": 2}]},
                        "ents": {"value": [{"label": "PER", "start": 0, "end": 3}]},
                    });
                    if i % 3 == 0 {
                        values["multi"] = json!({"value": ["z", "x"]});
                        values["note"] = json!({"value": format!("note \"{i}\"\n")});
                    }
                    responses.push(json!({"user_id": owner, "status": "submitted", "values": values}));
                }
                if i % 2 == 1 {
                    let values = json!({"label": {"value": "a"}, "score": {"value": 4}});
                    let status = if i % 4 == 1 { "submitted" } else { "draft" };
                    responses.push(json!({"user_id": ann.id, "status": status, "values": values}));
                }
                if i % 5 == 2 {
                    responses.push(json!({"user_id": bob.id, "status": "discarded"}));
                }
                let mut suggestions = Vec::new();
                if i % 3 == 1 {
                    suggestions.push(json!({"question_id": label, "value": "b", "score": 0.25, "agent": "m-1 x"}));
                    suggestions.push(json!({"question_id": rank, "value": [{"value": "r1", "rank": 1}, {"value": "r2", "rank": 2}], "score": [0.5, 0.25]}));
                }
                if i % 4 == 2 {
                    suggestions.push(json!({"question_id": multi, "value": ["y"], "agent": "m2"}));
                    suggestions.push(json!({"question_id": score, "value": 3}));
                    suggestions.push(json!({"question_id": note, "value": "suggested\ttext"}));
                    suggestions.push(json!({"question_id": ents, "value": [{"label": "LOC", "start": 1, "end": 4}], "score": [0.9]}));
                }
                item["responses"] = json!(responses);
                item["suggestions"] = json!(suggestions);
                item
            })
            .collect();
        app.log(&ds, items).await;
    }
    Ctx { app, ws_name, ds_name }
}

impl Ctx {
    async fn export(&self, below_min: Option<&str>, format: &str) -> Export {
        let request = ExportRequest::parse("records", format, None, None, below_min).unwrap();
        self.app.service.prepare_export_as_operator(&self.ws_name, &self.ds_name, request).await.unwrap()
    }
}

/// A `Write` whose bytes the test reads after the writer that owned it is gone.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

/// The file of `format` made by `Export::write_all` (three threads, recycled rows).
async fn written(c: &Ctx, below_min: Option<&str>, format: Format) -> Vec<u8> {
    let mut export = c.export(below_min, format.name()).await;
    let out = Shared::default();
    let writer = stream_writer(format, export.columns(), Card::default(), out.clone()).unwrap();
    let writer = export.write_all(writer, |_| {}).await.unwrap();
    writer.finish().unwrap();
    out.bytes()
}

/// The file of `format` made of the rows of decoded records, one batch after another.
async fn reference(c: &Ctx, below_min: Option<&str>, format: Format) -> Vec<u8> {
    let mut export = c.export(below_min, format.name()).await;
    let out = Shared::default();
    let mut writer = stream_writer(format, export.columns(), Card::default(), out.clone()).unwrap();
    while let Some(rows) = export.next_batch_decoded().await.unwrap() {
        for row in &rows {
            writer.write(row).unwrap();
        }
    }
    writer.finish().unwrap();
    out.bytes()
}

#[tokio::test]
async fn rows_from_the_text_equal_rows_from_decoded_records() {
    let c = setup().await;
    for below_min in [None, Some("flag"), Some("skip")] {
        let mut text = c.export(below_min, "jsonl").await;
        let mut decoded = c.export(below_min, "jsonl").await;
        let mut rows: Vec<Row> = Vec::new();
        loop {
            let (a, b) = (text.next_batch().await.unwrap(), decoded.next_batch_decoded().await.unwrap());
            assert_eq!(a.is_some(), b.is_some());
            let (Some(a), Some(b)) = (a, b) else { break };
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x, y, "below_min {below_min:?}");
            }
            rows.extend(a);
        }
        assert_eq!(text.stats(), decoded.stats(), "below_min {below_min:?}");
        // Records without a submitted response: no owner's (i % 6 == 5), no annotator's either.
        let unanswered = (0..RECORDS).filter(|i| i % 6 == 5 && i % 4 != 1).count();
        let expected = if below_min == Some("skip") { RECORDS - unanswered } else { RECORDS };
        assert_eq!(rows.len(), expected, "below_min {below_min:?}");
    }
}

#[tokio::test]
async fn files_written_from_recycled_rows_equal_files_of_decoded_records() {
    let c = setup().await;
    for format in [Format::Jsonl, Format::Csv, Format::Parquet] {
        for below_min in [None, Some("flag")] {
            let a = written(&c, below_min, format).await;
            let b = reference(&c, below_min, format).await;
            assert!(!a.is_empty());
            assert!(a == b, "{format:?} {below_min:?}: {} and {} bytes differ", a.len(), b.len());
        }
    }
}
