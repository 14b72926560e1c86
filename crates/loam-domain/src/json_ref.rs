//! JSON read without copying its strings: a [`JsonRef`] borrows every string that has no escape
//! from the text it was parsed from, and holds objects as lists of members. Reading a stored
//! record this way costs one allocation per object or array instead of a `serde_json::Value`
//! tree's map, keys and strings (the export's hot path, `loam_export::records`).
//!
//! It reads exactly what `serde_json::Value` reads (the same parser underneath); [`JsonRef::get`]
//! finds an object's last member of a name, the one a `Value` map keeps, and
//! [`JsonRef::to_value`] gives the `Value` that parsing the text would have given.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A JSON value whose strings borrow from the text it was read from (unless they held escapes).
#[derive(Clone, Debug, PartialEq)]
pub enum JsonRef<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<JsonRef<'a>>),
    /// Members in the order written (a repeated name kept each time; see [`JsonRef::get`]).
    Object(Vec<(Cow<'a, str>, JsonRef<'a>)>),
}

impl<'a> JsonRef<'a> {
    /// Parses `text` (one JSON value, as `serde_json::from_str` would).
    pub fn parse(text: &'a str) -> Result<JsonRef<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The value of an object's member `key` (its last, as a `Value` map keeps the last); `None`
    /// for another kind of value, as `Value::get` answers.
    pub fn get(&self, key: &str) -> Option<&JsonRef<'a>> {
        match self {
            JsonRef::Object(members) => members.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsonRef::String(it) => Some(it),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[JsonRef<'a>]> {
        match self {
            JsonRef::Array(items) => Some(items),
            _ => None,
        }
    }

    /// As `Value::as_i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            JsonRef::Number(it) => it.as_i64(),
            _ => None,
        }
    }

    /// As `Value::as_f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            JsonRef::Number(it) => it.as_f64(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, JsonRef::Null)
    }

    /// The `Value` that parsing the same text gives.
    pub fn to_value(&self) -> Value {
        match self {
            JsonRef::Null => Value::Null,
            JsonRef::Bool(it) => Value::Bool(*it),
            JsonRef::Number(it) => Value::Number(it.clone()),
            JsonRef::String(it) => Value::String(it.clone().into_owned()),
            JsonRef::Array(items) => Value::Array(items.iter().map(JsonRef::to_value).collect()),
            JsonRef::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (name, value) in members {
                    map.insert(name.clone().into_owned(), value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// A string as it is; any other value as its JSON text (what `Value::to_string` prints).
    pub fn plain_text(&self) -> Cow<'_, str> {
        match self {
            JsonRef::String(it) => Cow::Borrowed(it),
            other => Cow::Owned(other.to_value().to_string()),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for JsonRef<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RefVisitor)
    }
}

/// A string that borrows when it can (a map key, an item).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

struct RefVisitor;

impl<'de> Visitor<'de> for RefVisitor {
    type Value = JsonRef<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonRef::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonRef::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(JsonRef::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(JsonRef::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(JsonRef::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // As `Value` reads it: a float JSON can hold (the parser gives no other).
        Ok(Number::from_f64(v).map_or(JsonRef::Null, JsonRef::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(JsonRef::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(JsonRef::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(JsonRef::String(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonRef::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(4).min(64));
        while let Some((Text(name), value)) = map.next_entry::<Text<'de>, JsonRef<'de>>()? {
            members.push((name, value));
        }
        Ok(JsonRef::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[&str] = &[
        r#"{"a": "plain", "b": "esc\"aped\n", "c": [1, -2, 3.5, 1e300, true, null], "d": {"x": {"y": []}}}"#,
        r#"{"k": 1, "k": 2, "j": "é"}"#,
        r#"[{"value": "r2", "rank": 1}, {"value": "r1", "rank": 2}]"#,
        r#"18446744073709551615"#,
        r#"-9223372036854775808"#,
        r#"0.1"#,
        r#""\u00e9\ud83d\ude00""#,
        r#"{}"#,
    ];

    #[test]
    fn reads_what_value_reads() {
        for text in SAMPLES {
            let value: Value = serde_json::from_str(text).unwrap();
            let it = JsonRef::parse(text).unwrap();
            assert_eq!(it.to_value(), value, "{text}");
            assert_eq!(it.as_i64(), value.as_i64(), "{text}");
            assert_eq!(it.as_f64(), value.as_f64(), "{text}");
            let plain = match &value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(it.plain_text(), plain, "{text}");
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_the_last_member_wins() {
        let text = r#"{"a": "plain", "b": "esc\"aped", "k": 1, "k": 2}"#;
        let it = JsonRef::parse(text).unwrap();
        assert!(matches!(it.get("a"), Some(JsonRef::String(Cow::Borrowed("plain")))));
        assert!(matches!(it.get("b"), Some(JsonRef::String(Cow::Owned(_)))));
        assert_eq!(it.get("k").and_then(JsonRef::as_i64), Some(2));
        assert_eq!(it.get("missing"), None);
        assert_eq!(JsonRef::parse("[1]").unwrap().get("a"), None);
        assert!(JsonRef::parse("{\"a\": }").is_err());
        assert!(JsonRef::parse("1 2").is_err());
    }
}
