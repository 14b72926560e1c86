//! The type pyarrow infers for a column of JSON values, as `datasets.Dataset.from_dict` does for
//! the Argilla SDK's `to_datasets()` columns whose values have no declared type: a custom field's
//! objects, extra metadata (keys of no metadata property). Merged value by value, so a column is
//! typed without holding its values: nulls take the other values' type, integers and floats make
//! floats, lists merge their items, objects become structs of the union of their keys (sorted, as
//! pyarrow orders them). Values pyarrow cannot put in one column (a string and a number, a list and
//! an object) make the column [`JsonType::Mixed`]: the SDK's own `to_datasets()` fails on those,
//! an export writes them as JSON text.

use std::collections::BTreeMap;

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonType {
    /// Only nulls (or nothing) so far.
    Null,
    Bool,
    Int,
    Float,
    Str,
    List(Box<JsonType>),
    Struct(BTreeMap<String, JsonType>),
    /// Values of types that do not merge.
    Mixed,
}

impl JsonType {
    /// The type of one value.
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Bool,
            Value::Number(n) if n.is_i64() => JsonType::Int,
            Value::Number(_) => JsonType::Float,
            Value::String(_) => JsonType::Str,
            Value::Array(items) => {
                JsonType::List(Box::new(items.iter().fold(JsonType::Null, |ty, it| ty.merge(JsonType::of(it)))))
            }
            Value::Object(map) => JsonType::Struct(map.iter().map(|(k, v)| (k.clone(), JsonType::of(v))).collect()),
        }
    }

    /// Adds `value` to the values this type covers.
    pub fn add(&mut self, value: &Value) {
        let this = std::mem::replace(self, JsonType::Null);
        *self = this.merge(JsonType::of(value));
    }

    /// The type that covers the values of both.
    pub fn merge(self, other: JsonType) -> JsonType {
        match (self, other) {
            (JsonType::Null, it) | (it, JsonType::Null) => it,
            (JsonType::Int, JsonType::Float) | (JsonType::Float, JsonType::Int) => JsonType::Float,
            (JsonType::List(a), JsonType::List(b)) => JsonType::List(Box::new(a.merge(*b))),
            (JsonType::Struct(mut a), JsonType::Struct(b)) => {
                for (key, ty) in b {
                    let merged = a.remove(&key).unwrap_or(JsonType::Null).merge(ty);
                    a.insert(key, merged);
                }
                JsonType::Struct(a)
            }
            (a, b) if a == b => a,
            _ => JsonType::Mixed,
        }
    }

    /// Whether some part is [`JsonType::Mixed`] (no one column type holds the values).
    pub fn is_mixed(&self) -> bool {
        match self {
            JsonType::Mixed => true,
            JsonType::List(item) => item.is_mixed(),
            JsonType::Struct(fields) => fields.values().any(JsonType::is_mixed),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::JsonType;

    fn of(values: &[serde_json::Value]) -> JsonType {
        let mut ty = JsonType::Null;
        for it in values {
            ty.add(it);
        }
        ty
    }

    #[test]
    fn values_merge_as_pyarrow_infers_them() {
        assert_eq!(of(&[json!(1), json!(null), json!(2)]), JsonType::Int);
        assert_eq!(of(&[json!(1), json!(2.5)]), JsonType::Float);
        assert_eq!(of(&[json!(null)]), JsonType::Null);
        assert_eq!(of(&[json!([]), json!(["a"])]), JsonType::List(Box::new(JsonType::Str)));
        let ty = of(&[json!({"b": 1, "a": "x"}), json!({"a": "y", "z": [1.5, 2]}), json!(null)]);
        let JsonType::Struct(fields) = &ty else { panic!("{ty:?}") };
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["a", "b", "z"], "sorted, as pyarrow orders them");
        assert_eq!(fields["z"], JsonType::List(Box::new(JsonType::Float)));
        assert!(!ty.is_mixed());
    }

    #[test]
    fn values_that_do_not_merge_are_mixed() {
        assert!(of(&[json!(1), json!("1")]).is_mixed());
        assert!(of(&[json!(true), json!(1)]).is_mixed());
        assert!(of(&[json!({"a": [1]}), json!({"a": {"b": 1}})]).is_mixed());
        assert!(of(&[json!([1, "x"])]).is_mixed());
    }
}
