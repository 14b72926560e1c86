//! `$…$` and `$$…$$` as MathML (pulldown-latex; Chromium, Firefox and Safari render MathML Core
//! natively, so no script or font is sent). LaTeX that does not parse shows as its source, in a
//! `span.math-source` with the error as its title, never as a broken page. The lists below are
//! what pulldown-latex emits (its `mathml.rs`), all the sanitiser lets through in MathML; its
//! inline `style` attributes (colours from `\color`, spacing) are dropped, as the UI's
//! Content-Security-Policy forbids inline styles anyway.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

use super::escape_into;

/// Every element pulldown-latex writes.
pub(super) const ELEMENTS: [&str; 21] = [
    "math",
    "merror",
    "mfrac",
    "mi",
    "mn",
    "mo",
    "mover",
    "mroot",
    "mrow",
    "mspace",
    "msqrt",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "semantics",
];

/// The attributes it writes, by element; `displaystyle` and `scriptlevel` may land on any of them.
pub(super) const ATTRIBUTES: [(&str, &[&str]); 21] = [
    ("math", &["display", "displaystyle", "scriptlevel"]),
    ("merror", &["displaystyle", "scriptlevel"]),
    ("mfrac", &["linethickness", "displaystyle", "scriptlevel"]),
    ("mi", &["mathvariant", "displaystyle", "scriptlevel"]),
    ("mn", &["mathvariant", "displaystyle", "scriptlevel"]),
    (
        "mo",
        &[
            "stretchy",
            "largeop",
            "movablelimits",
            "symmetric",
            "minsize",
            "maxsize",
            "mathvariant",
            "displaystyle",
            "scriptlevel",
        ],
    ),
    ("mover", &["displaystyle", "scriptlevel"]),
    ("mroot", &["displaystyle", "scriptlevel"]),
    ("mrow", &["displaystyle", "scriptlevel"]),
    ("mspace", &["width", "height", "depth", "displaystyle", "scriptlevel"]),
    ("msqrt", &["displaystyle", "scriptlevel"]),
    ("msub", &["displaystyle", "scriptlevel"]),
    ("msubsup", &["displaystyle", "scriptlevel"]),
    ("msup", &["displaystyle", "scriptlevel"]),
    ("mtable", &["displaystyle", "scriptlevel"]),
    ("mtd", &["displaystyle", "scriptlevel"]),
    ("mtext", &["mathvariant", "displaystyle", "scriptlevel"]),
    ("mtr", &["displaystyle", "scriptlevel"]),
    ("munder", &["displaystyle", "scriptlevel"]),
    ("munderover", &["displaystyle", "scriptlevel"]),
    ("semantics", &[]),
];

/// The classes it writes (environments' layout, negated operators, small operators).
const ENV_CLASSES: &[&str] = &[
    "menv-alignlike",
    "menv-align",
    "menv-arraylike",
    "menv-cells-left",
    "menv-cells-right",
    "menv-cases",
    "menv-with-eqn",
    "menv-multline",
    "menv-nonumber",
    "menv-hline",
    "menv-hdashline",
    "menv-left-solid",
    "menv-left-dashed",
    "menv-right-solid",
    "menv-right-dashed",
    "menv-border-only",
    "cell-left",
    "cell-right",
];
pub(super) const CLASSES: [(&str, &[&str]); 5] = [
    ("mtable", ENV_CLASSES),
    ("mtr", ENV_CLASSES),
    ("mtd", ENV_CLASSES),
    ("mrow", &["mop-negated"]),
    ("mo", &["small"]),
];

/// The MathML of `tex`, or its source (with `$` delimiters) when it does not parse.
pub(super) fn render(tex: &str, display: bool) -> String {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(tex, &storage).collect();
    let mut out = String::with_capacity(tex.len() * 8);
    if let Some(Err(err)) = events.iter().find(|it| it.is_err()) {
        let delim = if display { "$$" } else { "$" };
        out.push_str("<span class=\"math-source\" title=\"");
        escape_into(&mut out, err.to_string().lines().next().unwrap_or("not LaTeX"));
        out.push_str("\">");
        escape_into(&mut out, &format!("{delim}{tex}{delim}"));
        out.push_str("</span>");
        return out;
    }
    let config = RenderConfig {
        display_mode: if display { DisplayMode::Block } else { DisplayMode::Inline },
        ..RenderConfig::default()
    };
    if push_mathml(&mut out, events.into_iter(), config).is_err() {
        // Writing to a String cannot fail; show the source rather than half a formula.
        out.clear();
        escape_into(&mut out, tex);
    }
    out
}
