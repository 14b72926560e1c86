//! What every stage of value validation shares: the response status, what a check knows of a
//! question, and the shape limits.

use crate::settings::QuestionSettings;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseStatus {
    Draft,
    Submitted,
    Discarded,
}

impl ResponseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Draft => "draft",
            ResponseStatus::Submitted => "submitted",
            ResponseStatus::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(ResponseStatus::Draft),
            "submitted" => Some(ResponseStatus::Submitted),
            "discarded" => Some(ResponseStatus::Discarded),
            _ => None,
        }
    }
}

/// What a value check needs to know of a question.
#[derive(Clone, Copy, Debug)]
pub struct QuestionRef<'a> {
    pub name: &'a str,
    pub required: bool,
    pub settings: &'a QuestionSettings,
}

/// The most items a span value may hold.
pub const SPAN_VALUE_MAX_ITEMS: usize = 10_000;
/// Length limits (in characters) of the question names used as keys of response `values`.
pub const VALUES_KEY_MIN_CHARS: usize = 1;
pub const VALUES_KEY_MAX_CHARS: usize = 200;
