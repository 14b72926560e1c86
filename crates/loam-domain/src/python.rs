//! Python's renderings of values, as the reference server's messages show them.
//!
//! The reference server builds many client-facing messages with f-strings, so a value appears
//! either as Python's `repr` (`{x!r}`, or any value inside a list or set) or as its `str` (`{x}`,
//! often between hand-written quotes: `'{x}'`). Every message of the domain that shows a user's
//! value renders it through this module, so one label reads the same in every message:
//! `repr_str("don't")` is `"don't"` wherever a `repr` is due.

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// Python's `repr(str)`: single quotes unless the text has a `'` and no `"`, with backslash
/// escapes for the quote, `\`, and non-printable characters.
pub fn repr_str(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let code = u32::from(c);
                let _ = if code < 0x100 {
                    write!(out, "\\x{code:02x}")
                } else if code < 0x1_0000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(list_of_str)`: `['a', 'b']`.
pub fn repr_str_list<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|it| repr_str(it.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

/// An approximation of Python's `str.isprintable` for one character: controls, separators other
/// than the space, format characters, surrogates and private-use characters are not printable.
fn is_printable(c: char) -> bool {
    let code = u32::from(c);
    if code < 0x7f {
        return code >= 0x20;
    }
    !matches!(
        code,
        0x7f..=0xa0
            | 0xad
            | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x1680
            | 0x180e
            | 0x2000..=0x200f
            | 0x2028..=0x202f
            | 0x205f..=0x2064
            | 0x2066..=0x206f
            | 0x3000
            | 0xe000..=0xf8ff
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0xe0001
            | 0xe0020..=0xe007f
            | 0xf0000..=0x10ffff
    )
}

/// Python's `str.isspace` (what `\s` matches in a `str` pattern).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str(number)` for a JSON number.
pub fn str_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    n.as_f64().map_or_else(|| n.to_string(), repr_float)
}

/// Python's `repr(float)`: shortest round-trip digits, positional between 1e-4 and 1e16,
/// otherwise scientific with a signed, at least two-digit exponent; always shows a `.0` or an
/// exponent.
pub fn repr_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n_digits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let point = exp + 1;
    let body = if !(-3..=16).contains(&point) {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{first}{fraction}e{exp_sign}{:02}", exp.unsigned_abs())
    } else if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point >= n_digits {
        format!("{digits}{}.0", "0".repeat((point - n_digits) as usize))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// Python's `repr(set_of_str)` for a non-empty set, items in the given order: `{'a', 'b'}`.
pub fn repr_str_set<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|it| repr_str(it.as_ref())).collect();
    format!("{{{}}}", parts.join(", "))
}

/// Python's `repr` of a JSON value as the reference reads it (`json.loads`): strings quoted,
/// `None`, `True`, `False`, floats as Python prints them, lists and dicts with their items' `repr`.
pub fn repr(value: &Value) -> String {
    match value {
        Value::String(text) => repr_str(text),
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => str_number(n),
        Value::Array(items) => format!("[{}]", items.iter().map(repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let parts: Vec<String> = map.iter().map(|(key, it)| format!("{}: {}", repr_str(key), repr(it))).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Python's `str` of a JSON value: a string is its own text, anything else its [`repr`].
pub fn str_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => repr(other),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn python_float_repr() {
        for (f, expected) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (1e-5, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (0.1, "0.1"),
        ] {
            assert_eq!(repr_float(f), expected, "{f}");
        }
        assert_eq!(repr_float(f64::NAN), "nan");
        assert_eq!(repr_float(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn python_str_repr() {
        assert_eq!(repr_str("a"), "'a'");
        assert_eq!(repr_str("don't"), "\"don't\"");
        assert_eq!(repr_str("'\""), "'\\'\"'");
        assert_eq!(repr_str("a\\b\nc\td"), "'a\\\\b\\nc\\td'");
        assert_eq!(repr_str("\u{1}\u{a0}é😀"), "'\\x01\\xa0é😀'");
        assert_eq!(repr_str_list(&["a", "b"]), "['a', 'b']");
        assert_eq!(repr_str_list::<&str>(&[]), "[]");
        assert_eq!(repr_str_set(&["a", "b'c"]), "{'a', \"b'c\"}");
    }

    #[test]
    fn json_values_render_as_python_reads_them() {
        assert_eq!(repr(&json!(null)), "None");
        assert_eq!(repr(&json!([true, false, 1, 1.0, 1e16, "x"])), "[True, False, 1, 1.0, 1e+16, 'x']");
        assert_eq!(repr(&json!({"k": ["don't"], "n": {}})), "{'k': [\"don't\"], 'n': {}}");
        assert_eq!(repr(&json!("\u{7}")), "'\\x07'");
        assert_eq!(str_of(&json!("don't")), "don't");
        assert_eq!(str_of(&json!(true)), "True");
        assert_eq!(str_of(&json!(2.50)), "2.5");
        assert_eq!(str_of(&json!(["a"])), "['a']");
    }
}
