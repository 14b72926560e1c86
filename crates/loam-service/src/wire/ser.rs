//! Serialization helpers the wire shapes share: borrowed sequences and maps serialized as they go
//! (no `Value` tree in between), and the rendering of a borrowed shape into a `Value`.

use serde::{Serialize, Serializer};
use serde_json::{json, Value};

/// Renders a borrowed wire shape; the shapes of this module serialize infallibly (string keys
/// only).
pub(super) fn to_value(it: &impl Serialize) -> Value {
    serde_json::to_value(it).unwrap_or(Value::Null)
}

/// `{"items": [...]}`.
pub fn items(values: impl IntoIterator<Item = Value>) -> Value {
    json!({"items": values.into_iter().collect::<Vec<_>>()})
}

/// A value rendered through its `Display` (timestamps), without an intermediate `String`.
pub(super) struct Shown<'a, T>(pub(super) &'a T);

impl<T: std::fmt::Display> Serialize for Shown<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

/// A sequence serialized from a cloneable iterator.
pub(super) struct Seq<I>(pub(super) I);

impl<I, T> Serialize for Seq<I>
where
    I: Iterator<Item = T> + Clone,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// Named vectors as a JSON object.
pub(super) struct Pairs<'a>(pub(super) &'a [(String, Vec<f64>)]);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}
