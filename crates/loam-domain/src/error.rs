//! The domain's rejections: one type, [`Rejection`], of two kinds.
//!
//! * [`SchemaError`]: a value does not have the shape a request schema asks for (a missing key, a
//!   string too long, a wrong type). Rendered by the HTTP layer as the coded 422 body with a `loc`.
//! * [`Invalid`]: a business rule says no (a label that is not an option, a published dataset
//!   that cannot get new fields). Rendered as a plain 422 `detail` message.
//!
//! A validator that can only fail one way returns that kind; one that can fail either way (a
//! response or suggestion value, a record's fields) returns a [`Rejection`].

use std::fmt;

/// One step of the path to a bad value inside a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loc {
    Key(String),
    Index(usize),
}

impl From<&str> for Loc {
    fn from(it: &str) -> Self {
        Loc::Key(it.to_owned())
    }
}

impl From<String> for Loc {
    fn from(it: String) -> Self {
        Loc::Key(it)
    }
}

impl From<usize> for Loc {
    fn from(it: usize) -> Self {
        Loc::Index(it)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// Path below the request part it came from (the HTTP layer prefixes `body`, `query`, ...).
    pub loc: Vec<Loc>,
    pub msg: String,
    /// A pydantic-style error kind: `missing`, `string_too_short`, `value_error`, ...
    pub kind: &'static str,
}

impl SchemaError {
    pub fn new(loc: Vec<Loc>, kind: &'static str, msg: impl Into<String>) -> Self {
        Self { loc, msg: msg.into(), kind }
    }

    /// A `value_error`, the kind pydantic gives to custom validator failures.
    pub fn value(loc: Vec<Loc>, msg: impl fmt::Display) -> Self {
        Self::new(loc, "value_error", format!("Value error, {msg}"))
    }

    /// Puts `prefix` in front of this error's location.
    pub fn under(mut self, prefix: &[Loc]) -> Self {
        let mut loc = prefix.to_vec();
        loc.append(&mut self.loc);
        self.loc = loc;
        self
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: Vec<String> = self
            .loc
            .iter()
            .map(|it| match it {
                Loc::Key(k) => k.clone(),
                Loc::Index(i) => i.to_string(),
            })
            .collect();
        write!(f, "{}: {}", path.join("."), self.msg)
    }
}

/// A business-rule violation, with the message the clients show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A rejection of either kind: what every validator that checks both shape and rules returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The input does not have the shape the request schema asks for.
    Schema(SchemaError),
    /// A business rule says no.
    Invalid(Invalid),
}

impl Rejection {
    /// A rule's rejection with the client-facing `msg`.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Rejection::Invalid(Invalid::new(msg))
    }

    /// Puts `prefix` in front of a shape error's location; a rule's message has none and stays.
    pub fn under(self, prefix: &[Loc]) -> Self {
        match self {
            Rejection::Schema(it) => Rejection::Schema(it.under(prefix)),
            Rejection::Invalid(it) => Rejection::Invalid(it),
        }
    }
}

impl Rejection {
    /// The nested form the settings updates give their callers: a shape error outside, a rule's
    /// rejection inside (`update(..)??`).
    pub fn nested<T>(res: Result<T, Rejection>) -> Result<Result<T, Invalid>, SchemaError> {
        match res {
            Ok(it) => Ok(Ok(it)),
            Err(Rejection::Invalid(it)) => Ok(Err(it)),
            Err(Rejection::Schema(it)) => Err(it),
        }
    }
}

impl From<SchemaError> for Rejection {
    fn from(it: SchemaError) -> Self {
        Rejection::Schema(it)
    }
}

impl From<Invalid> for Rejection {
    fn from(it: Invalid) -> Self {
        Rejection::Invalid(it)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Schema(it) => it.fmt(f),
            Rejection::Invalid(it) => it.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_keeps_its_kind_and_only_a_shape_error_moves_under_a_prefix() {
        let shape: Rejection = SchemaError::new(vec![Loc::from("values")], "dict_type", "x").into();
        let rule: Rejection = Invalid::new("no").into();
        let prefix = [Loc::from("body"), Loc::Index(2)];
        assert_eq!(
            shape.clone().under(&prefix),
            Rejection::Schema(SchemaError::new(
                vec![Loc::from("body"), Loc::Index(2), Loc::from("values")],
                "dict_type",
                "x"
            ))
        );
        assert_eq!(rule.clone().under(&prefix), rule);
        assert_eq!(Rejection::invalid("no"), rule);
        assert_eq!(rule.to_string(), "no");
        assert_eq!(Rejection::nested(Ok::<u8, Rejection>(1)), Ok(Ok(1)));
        assert_eq!(Rejection::nested::<u8>(Err(rule)), Ok(Err(Invalid::new("no"))));
        assert_eq!(
            Rejection::nested::<u8>(Err(shape)),
            Err(SchemaError::new(vec![Loc::from("values")], "dict_type", "x"))
        );
    }
}
