//! Parquet columns of [`ColumnType::Nested`](loam_domain::table::ColumnType::Nested): JSON cells
//! built into the arrow type of their shape, the types `datasets.Dataset.from_dict` infers for
//! the Argilla SDK's `to_datasets()` columns (so `rg.Dataset.from_hub` reads them as the SDK's own
//! export): a multi-label or ranking question's answers list<list<utf8>>, a span suggestion
//! list<struct<end: int64, label: utf8, start: int64>> (pyarrow orders a struct's keys), a span
//! question's answers a list of
//! those, the score of a list-valued suggestion list<double>. A part that does not have its
//! shape (a string where a list belongs, a span without `start`) is null where it stands.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, ListBuilder, StringBuilder, StructBuilder};
use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Fields};
use loam_domain::table::Nested;
use serde_json::Value;

use crate::columnar::item;

fn span_fields() -> Fields {
    Fields::from(vec![
        Field::new("end", DataType::Int64, true),
        Field::new("label", DataType::Utf8, true),
        Field::new("start", DataType::Int64, true),
    ])
}

fn list_of(ty: DataType) -> DataType {
    DataType::List(Arc::new(item(ty)))
}

pub(crate) fn arrow_type(shape: Nested) -> DataType {
    match shape {
        Nested::StrLists => list_of(list_of(DataType::Utf8)),
        Nested::Spans => list_of(DataType::Struct(span_fields())),
        Nested::SpanLists => list_of(list_of(DataType::Struct(span_fields()))),
        Nested::Floats => list_of(DataType::Float64),
    }
}

pub(crate) enum NestedBuilder {
    StrLists(ListBuilder<ListBuilder<StringBuilder>>),
    Spans(ListBuilder<StructBuilder>),
    SpanLists(ListBuilder<ListBuilder<StructBuilder>>),
    Floats(ListBuilder<Float64Builder>),
}

fn spans_builder() -> ListBuilder<StructBuilder> {
    ListBuilder::new(StructBuilder::from_fields(span_fields(), 0)).with_field(item(DataType::Struct(span_fields())))
}

impl NestedBuilder {
    pub(crate) fn new(shape: Nested) -> Self {
        match shape {
            Nested::StrLists => NestedBuilder::StrLists(
                ListBuilder::new(ListBuilder::new(StringBuilder::new()).with_field(item(DataType::Utf8)))
                    .with_field(item(list_of(DataType::Utf8))),
            ),
            Nested::Spans => NestedBuilder::Spans(spans_builder()),
            Nested::SpanLists => NestedBuilder::SpanLists(
                ListBuilder::new(spans_builder()).with_field(item(list_of(DataType::Struct(span_fields())))),
            ),
            Nested::Floats => {
                NestedBuilder::Floats(ListBuilder::new(Float64Builder::new()).with_field(item(DataType::Float64)))
            }
        }
    }

    /// Appends one cell's value (null: a null cell).
    pub(crate) fn append(&mut self, value: &Value) {
        let Some(items) = value.as_array() else {
            match self {
                NestedBuilder::StrLists(it) => it.append(false),
                NestedBuilder::Spans(it) => it.append(false),
                NestedBuilder::SpanLists(it) => it.append(false),
                NestedBuilder::Floats(it) => it.append(false),
            }
            return;
        };
        match self {
            NestedBuilder::StrLists(it) => {
                for list in items {
                    append_strings(it.values(), list);
                }
                it.append(true);
            }
            NestedBuilder::Spans(it) => {
                append_spans(it, value);
            }
            NestedBuilder::SpanLists(it) => {
                for list in items {
                    append_spans(it.values(), list);
                }
                it.append(true);
            }
            NestedBuilder::Floats(it) => {
                for score in items {
                    it.values().append_option(score.as_f64());
                }
                it.append(true);
            }
        }
    }

    pub(crate) fn finish(&mut self) -> ArrayRef {
        match self {
            NestedBuilder::StrLists(it) => Arc::new(it.finish()),
            NestedBuilder::Spans(it) => Arc::new(it.finish()),
            NestedBuilder::SpanLists(it) => Arc::new(it.finish()),
            NestedBuilder::Floats(it) => Arc::new(it.finish()),
        }
    }
}

/// A list of strings (any other item as its JSON text), or null.
fn append_strings(out: &mut ListBuilder<StringBuilder>, list: &Value) {
    let Some(items) = list.as_array() else {
        out.append(false);
        return;
    };
    for value in items {
        match value {
            Value::String(text) => out.values().append_value(text),
            Value::Null => out.values().append_null(),
            other => {
                let _ = write!(out.values(), "{other}");
                out.values().append_value("");
            }
        }
    }
    out.append(true);
}

/// A list of spans, or null.
fn append_spans(out: &mut ListBuilder<StructBuilder>, list: &Value) {
    let Some(items) = list.as_array() else {
        out.append(false);
        return;
    };
    let spans = out.values();
    for span in items {
        let label = span.get("label").and_then(Value::as_str);
        let start = span.get("start").and_then(Value::as_i64);
        let end = span.get("end").and_then(Value::as_i64);
        field::<Int64Builder>(spans, 0).append_option(end);
        field::<StringBuilder>(spans, 1).append_option(label);
        field::<Int64Builder>(spans, 2).append_option(start);
        spans.append(span.is_object());
    }
    out.append(true);
}

fn field<T: arrow_array::builder::ArrayBuilder>(spans: &mut StructBuilder, index: usize) -> &mut T {
    // The struct was built from `span_fields()`: end (int64), label (utf8), start (int64).
    #[allow(clippy::expect_used)]
    spans.field_builder::<T>(index).expect("a span's fields are end, label and start")
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::Array;
    use loam_domain::table::Nested;
    use serde_json::json;

    use super::{arrow_type, NestedBuilder};

    #[test]
    fn lists_of_strings_keep_their_order_and_nulls() {
        let mut b = NestedBuilder::new(Nested::StrLists);
        b.append(&json!([["x", "z"], ["y"], null]));
        b.append(&json!(null));
        b.append(&json!([[1, "a"]]));
        let array = b.finish();
        assert_eq!(array.data_type(), &arrow_type(Nested::StrLists));
        let outer = array.as_list::<i32>();
        assert!(outer.is_null(1));
        let first = outer.value(0);
        let lists = first.as_list::<i32>();
        assert_eq!(lists.len(), 3);
        assert!(lists.is_null(2));
        let x = lists.value(0);
        let strings = x.as_string::<i32>();
        assert_eq!((strings.value(0), strings.value(1)), ("x", "z"));
        let third = outer.value(2);
        let other = third.as_list::<i32>().value(0);
        assert_eq!(other.as_string::<i32>().value(0), "1");
    }

    #[test]
    fn spans_are_structs_of_label_start_and_end() {
        let mut b = NestedBuilder::new(Nested::SpanLists);
        b.append(&json!([[{"start": 0, "end": 3, "label": "PER"}], []]));
        let array = b.finish();
        assert_eq!(array.data_type(), &arrow_type(Nested::SpanLists));
        let first = array.as_list::<i32>().value(0);
        let per_response = first.as_list::<i32>();
        assert_eq!(per_response.value(1).len(), 0);
        let spans = per_response.value(0);
        let spans = spans.as_struct();
        assert_eq!(spans.column(0).as_primitive::<Int64Type>().value(0), 3);
        assert_eq!(spans.column(1).as_string::<i32>().value(0), "PER");
        assert_eq!(spans.column(2).as_primitive::<Int64Type>().value(0), 0);

        let mut b = NestedBuilder::new(Nested::Spans);
        b.append(&json!([{"start": 1, "end": 2, "label": "ORG"}, "not a span"]));
        let array = b.finish();
        let first = array.as_list::<i32>().value(0);
        let spans = first.as_struct();
        assert_eq!(spans.len(), 2);
        assert!(spans.is_valid(0) && spans.is_null(1));
    }

    #[test]
    fn scores_are_lists_of_floats() {
        let mut b = NestedBuilder::new(Nested::Floats);
        b.append(&json!([0.5, 1]));
        b.append(&json!(0.5));
        let array = b.finish();
        let outer = array.as_list::<i32>();
        assert!(outer.is_null(1), "a single score where a list belongs is null");
        let first = outer.value(0);
        let scores = first.as_primitive::<Float64Type>();
        assert_eq!((scores.value(0), scores.value(1)), (0.5, 1.0));
    }
}
