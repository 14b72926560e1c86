//! Parquet columns of JSON cells with a type inferred from their values
//! ([`loam_domain::json_type::JsonType`]): what `datasets.Dataset.from_dict` makes of the Argilla
//! SDK's `to_datasets()` columns that have no declared type (a custom field's objects as a struct,
//! extra metadata as its values' type), so `rg.Dataset.from_hub` reads loam's Hub folder as the
//! SDK's own. The arrays are built by `arrow-json`'s decoder from the cells (a value always fits,
//! as the type was inferred from the same values); the dataset card declares the features as
//! `datasets` writes them (`struct`, `list`, `sequence`, `dtype`). A type that no column holds
//! (mixed values, only nulls, an object without keys) is not [`typed`]: the column stays JSON text.

use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use loam_domain::json_type::JsonType;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::columnar::item;

/// Whether a Parquet column can hold values of `ty` with their own type: nothing mixed, no part
/// that is only nulls, no object without keys (Parquet has no empty struct).
pub fn typed(ty: &JsonType) -> bool {
    match ty {
        JsonType::Null | JsonType::Mixed => false,
        JsonType::Bool | JsonType::Int | JsonType::Float | JsonType::Str => true,
        JsonType::List(item) => typed(item),
        JsonType::Struct(fields) => !fields.is_empty() && fields.values().all(typed),
    }
}

pub(crate) fn arrow_type(ty: &JsonType) -> DataType {
    match ty {
        JsonType::Null => DataType::Null,
        JsonType::Bool => DataType::Boolean,
        JsonType::Int => DataType::Int64,
        JsonType::Float => DataType::Float64,
        JsonType::Str | JsonType::Mixed => DataType::Utf8,
        JsonType::List(it) => DataType::List(Arc::new(item(arrow_type(it)))),
        JsonType::Struct(fields) => DataType::Struct(Fields::from(
            fields.iter().map(|(name, ty)| Field::new(name, arrow_type(ty), true)).collect::<Vec<_>>(),
        )),
    }
}

fn dtype(ty: &JsonType) -> &'static str {
    match ty {
        JsonType::Bool => "bool",
        JsonType::Int => "int64",
        JsonType::Float => "float64",
        JsonType::Null => "\"null\"",
        _ => "string",
    }
}

/// Whether `datasets` holds `ty` as a Python dict or list feature (not a `Value` / `Sequence`).
fn container(ty: &JsonType) -> bool {
    match ty {
        JsonType::Struct(_) => true,
        JsonType::List(item) => container(item),
        _ => false,
    }
}

/// The YAML of a feature of type `ty` (after its `name:` line), its keys at `indent` spaces, as
/// `datasets`' `Features._to_yaml_list` writes it.
pub(crate) fn yaml_feature(ty: &JsonType, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match ty {
        JsonType::Struct(fields) => {
            out.push_str(&format!("{pad}struct:\n"));
            struct_entries(fields, indent, out);
        }
        JsonType::List(item) if container(item) => {
            out.push_str(&format!("{pad}list:\n"));
            match item.as_ref() {
                JsonType::Struct(fields) => struct_entries(fields, indent, out),
                other => yaml_feature(other, indent + 2, out),
            }
        }
        JsonType::List(item) => match item.as_ref() {
            JsonType::List(_) => {
                out.push_str(&format!("{pad}sequence:\n"));
                yaml_feature(item, indent + 2, out);
            }
            other => out.push_str(&format!("{pad}sequence: {}\n", dtype(other))),
        },
        other => out.push_str(&format!("{pad}dtype: {}\n", dtype(other))),
    }
}

fn struct_entries(fields: &std::collections::BTreeMap<String, JsonType>, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (name, ty) in fields {
        out.push_str(&format!("{pad}- name: {}\n", Value::String(name.clone())));
        yaml_feature(ty, indent + 2, out);
    }
}

/// One value as a row of one column, for the decoder.
struct One<'a>(&'a str, &'a Value);

impl Serialize for One<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

/// The cells of one typed column, gathered until a batch is built.
pub(crate) struct TypedBuilder {
    name: String,
    schema: SchemaRef,
    values: Vec<Value>,
}

impl TypedBuilder {
    pub(crate) fn new(name: &str, ty: &JsonType) -> Self {
        let schema = Arc::new(Schema::new(vec![Field::new(name, arrow_type(ty), true)]));
        TypedBuilder { name: name.to_owned(), schema, values: Vec::new() }
    }

    pub(crate) fn append(&mut self, value: Option<&Value>) {
        self.values.push(value.cloned().unwrap_or(Value::Null));
    }

    pub(crate) fn finish(&mut self) -> Result<ArrayRef, String> {
        let mut decoder = arrow_json::ReaderBuilder::new(Arc::clone(&self.schema))
            .with_batch_size(self.values.len().max(1))
            .build_decoder()
            .map_err(|e| e.to_string())?;
        let rows: Vec<One<'_>> = self.values.iter().map(|it| One(&self.name, it)).collect();
        decoder.serialize(&rows).map_err(|e| format!("column `{}`: {e}", self.name))?;
        let batch = decoder.flush().map_err(|e| format!("column `{}`: {e}", self.name))?;
        self.values.clear();
        match batch {
            Some(batch) => Ok(Arc::clone(batch.column(0))),
            None => Ok(arrow_array::new_empty_array(&arrow_type_of(&self.schema))),
        }
    }
}

fn arrow_type_of(schema: &Schema) -> DataType {
    schema.fields().first().map_or(DataType::Null, |it| it.data_type().clone())
}

#[cfg(test)]
mod tests {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::Array;
    use loam_domain::json_type::JsonType;
    use serde_json::json;

    use super::{typed, yaml_feature, TypedBuilder};

    fn ty_of(values: &[serde_json::Value]) -> JsonType {
        let mut ty = JsonType::Null;
        for it in values {
            ty.add(it);
        }
        ty
    }

    #[test]
    fn the_card_declares_features_as_datasets_writes_them() {
        // `Dataset.from_dict({"c": [{"b": 1, "a": "x"}, {"a": "y", "z": [1.5, 2]}]})` and a list of
        // objects: datasets 3.3's `_to_yaml_list` of their features.
        let ty = ty_of(&[json!({"b": 1, "a": "x"}), json!({"a": "y", "z": [1.5, 2]})]);
        let mut out = String::new();
        yaml_feature(&ty, 4, &mut out);
        assert_eq!(
            out,
            "    struct:\n    - name: \"a\"\n      dtype: string\n    - name: \"b\"\n      dtype: int64\n    - name: \"z\"\n      sequence: float64\n"
        );
        let mut out = String::new();
        yaml_feature(&ty_of(&[json!([{"q": 1}])]), 4, &mut out);
        assert_eq!(out, "    list:\n    - name: \"q\"\n      dtype: int64\n");
        let mut out = String::new();
        yaml_feature(&ty_of(&[json!([["a"]])]), 4, &mut out);
        assert_eq!(out, "    sequence:\n      sequence: string\n");
        assert!(!typed(&ty_of(&[json!({})])) && !typed(&ty_of(&[json!(null)])) && !typed(&ty_of(&[json!([])])));
    }

    #[test]
    fn cells_are_built_into_their_inferred_type() {
        let values = [json!({"a": "x", "n": 1}), json!(null), json!({"n": 2, "extra": true})];
        let ty = ty_of(&values);
        let mut builder = TypedBuilder::new("custom", &ty);
        for it in &values {
            builder.append(Some(it));
        }
        builder.append(None);
        let array = builder.finish().expect("builds");
        assert_eq!(array.len(), 4);
        let structs = array.as_struct();
        assert!(structs.is_valid(0) && structs.is_null(1) && structs.is_null(3));
        let n = structs.column_by_name("n").expect("n").as_primitive::<Int64Type>();
        assert_eq!((n.value(0), n.value(2)), (1, 2));
        assert!(structs.column_by_name("a").expect("a").is_null(2), "a key a value lacks is null");
        // The builder starts over for the next batch.
        builder.append(Some(&json!({"a": "y"})));
        assert_eq!(builder.finish().expect("builds").len(), 1);
    }
}
