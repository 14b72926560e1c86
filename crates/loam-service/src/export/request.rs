//! What an export is asked for, checked against the dataset's settings.

use loam_export::Format;
use serde_json::Value;

use crate::{Error, Result};

/// The shapes an export can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Records,
    Sft,
    Preference,
    Rm,
    Dpo,
    Kto,
}

impl Shape {
    pub const NAMES: &'static [&'static str] = &["records", "sft", "preference", "rm", "dpo", "kto"];

    pub fn parse(name: &str) -> Option<Shape> {
        match name {
            "records" => Some(Shape::Records),
            "sft" => Some(Shape::Sft),
            "preference" => Some(Shape::Preference),
            "rm" => Some(Shape::Rm),
            "dpo" => Some(Shape::Dpo),
            "kto" => Some(Shape::Kto),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Shape::Records => "records",
            Shape::Sft => "sft",
            Shape::Preference => "preference",
            Shape::Rm => "rm",
            Shape::Dpo => "dpo",
            Shape::Kto => "kto",
        }
    }

    /// Whether the shape takes TRL's `standard` / `conversational` layouts.
    fn has_layout(self) -> bool {
        !matches!(self, Shape::Records)
    }
}

/// What becomes of records with fewer submitted responses than the dataset's `min_submitted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BelowMin {
    /// Left out (the default of the training shapes).
    Skip,
    /// Written, with `loam_flag` saying why (the default of `records`, which holds every record).
    Flag,
}

impl BelowMin {
    pub const NAMES: &'static [&'static str] = &["skip", "flag"];

    pub fn parse(name: &str) -> Option<BelowMin> {
        match name {
            "skip" => Some(BelowMin::Skip),
            "flag" => Some(BelowMin::Flag),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BelowMin::Skip => "skip",
            BelowMin::Flag => "flag",
        }
    }
}

/// An export request, its names already parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportRequest {
    pub shape: Shape,
    pub format: Format,
    /// Which field is the prompt, which question decides… (the training shapes; JSON).
    pub mapping: Option<Value>,
    /// `standard` or `conversational` (the training shapes).
    pub layout: Option<String>,
    pub below_min: BelowMin,
}

pub const LAYOUTS: &[&str] = &["standard", "conversational"];

impl ExportRequest {
    /// A request from names, each checked: the error names the bad one and the choices.
    pub fn parse(
        shape: &str,
        format: &str,
        mapping: Option<Value>,
        layout: Option<&str>,
        below_min: Option<&str>,
    ) -> Result<ExportRequest> {
        let shape = Shape::parse(shape).ok_or_else(|| {
            Error::invalid(format!("unknown shape `{shape}`; the shapes are: {}", Shape::NAMES.join(", ")))
        })?;
        let format = Format::parse(format).ok_or_else(|| {
            Error::invalid(format!("unknown format `{format}`; the formats are: {}", Format::NAMES.join(", ")))
        })?;
        if format == Format::Argilla && shape != Shape::Records {
            return Err(Error::invalid(format!(
                "format `argilla` (the folder Argilla's SDK reads) holds the `records` shape, not `{}`",
                shape.name()
            )));
        }
        let below_min = match below_min {
            None => {
                if shape == Shape::Records {
                    BelowMin::Flag
                } else {
                    BelowMin::Skip
                }
            }
            Some(name) => BelowMin::parse(name).ok_or_else(|| {
                Error::invalid(format!(
                    "unknown below_min_submitted `{name}`; the choices are: {}",
                    BelowMin::NAMES.join(", ")
                ))
            })?,
        };
        if let Some(layout) = layout {
            if !LAYOUTS.contains(&layout) {
                return Err(Error::invalid(format!(
                    "unknown layout `{layout}`; the layouts are: {}",
                    LAYOUTS.join(", ")
                )));
            }
        }
        Ok(ExportRequest { shape, format, mapping, layout: layout.map(str::to_owned), below_min })
    }

    /// What the shape cannot take (the mapping itself is checked against the settings by the
    /// training plan).
    pub(crate) fn check(&self) -> Result<()> {
        if self.shape == Shape::Records && self.mapping.is_some() {
            return Err(Error::invalid(
                "shape `records` takes no mapping: it holds every field, metadata property, response and suggestion",
            ));
        }
        if !self.shape.has_layout() && self.layout.is_some() {
            return Err(Error::invalid(format!("shape `{}` takes no layout", self.shape.name())));
        }
        Ok(())
    }

    /// The options that decide the rows, as one text whose bytes depend only on their values
    /// (object keys sorted): part of the build id.
    pub(crate) fn canonical(&self) -> String {
        format!(
            "shape={}\nlayout={}\nbelow_min={}\nmapping={}\n",
            self.shape.name(),
            self.layout.as_deref().unwrap_or(""),
            self.below_min.name(),
            self.mapping.as_ref().map(canonical_json).unwrap_or_default()
        )
    }
}

/// JSON text with every object's keys sorted.
pub(crate) fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let items: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", Value::String((*k).clone()), canonical_json(&map[*k]))).collect();
            format!("{{{}}}", items.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_parse_and_bad_ones_are_named() {
        let it = ExportRequest::parse("dpo", "parquet", None, Some("conversational"), None).unwrap();
        assert_eq!((it.shape, it.format, it.below_min), (Shape::Dpo, Format::Parquet, BelowMin::Skip));
        assert_eq!(ExportRequest::parse("records", "csv", None, None, None).unwrap().below_min, BelowMin::Flag);
        let err = |r: Result<ExportRequest>| r.unwrap_err().to_string();
        assert!(err(ExportRequest::parse("sql", "csv", None, None, None)).contains("unknown shape `sql`"));
        assert!(err(ExportRequest::parse("sft", "xls", None, None, None)).contains("unknown format `xls`"));
        assert!(err(ExportRequest::parse("sft", "csv", None, Some("chat"), None)).contains("unknown layout `chat`"));
        assert!(
            err(ExportRequest::parse("sft", "csv", None, None, Some("keep"))).contains("below_min_submitted `keep`")
        );
    }

    #[test]
    fn the_canonical_text_ignores_key_order_but_not_values() {
        let a =
            ExportRequest::parse("sft", "csv", Some(json!({"prompt": "p", "completion": {"field": "c"}})), None, None)
                .unwrap();
        let b = ExportRequest::parse(
            "sft",
            "jsonl",
            Some(json!({"completion": {"field": "c"}, "prompt": "p"})),
            None,
            None,
        )
        .unwrap();
        let c =
            ExportRequest::parse("sft", "csv", Some(json!({"prompt": "q", "completion": {"field": "c"}})), None, None)
                .unwrap();
        assert_eq!(a.canonical(), b.canonical());
        assert_ne!(a.canonical(), c.canonical());
    }
}
