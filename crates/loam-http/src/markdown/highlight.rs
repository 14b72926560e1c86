//! Syntax highlighting of code blocks as class names, on the server: syntect's default syntaxes
//! (Sublime Text's packages: Rust, Python, JavaScript, C, C++, Go, Java, shell, SQL, JSON, YAML,
//! HTML, CSS and more; pure-Rust regexes) parse the code, and each token gets one of a dozen
//! [`CLASSES`] from its innermost scope that one of them names (a comment, a string, a keyword…).
//! The colours are in `ui/css/`; no theme is sent and no script runs in the browser.
//!
//! An unknown language, an oversized block, or a syntax that fails on the input (a regex past its
//! backtracking limit) gives `None`: the caller shows the block plain.

use std::sync::LazyLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The token classes, all the sanitiser lets through on a `span` besides the label's.
pub(super) const CLASSES: [&str; 11] = [
    "hl-comment",
    "hl-string",
    "hl-number",
    "hl-constant",
    "hl-keyword",
    "hl-operator",
    "hl-function",
    "hl-type",
    "hl-tag",
    "hl-attr",
    "hl-variable",
];

/// Scope prefixes and their class, the more specific first (`keyword.operator` before
/// `keyword`). A token takes the class of its innermost scope that one of these prefixes names.
const SCOPE_CLASSES: [(&str, &str); 24] = [
    ("comment", "hl-comment"),
    ("string", "hl-string"),
    ("constant.numeric", "hl-number"),
    ("constant.character.escape", "hl-string"),
    ("constant", "hl-constant"),
    ("variable.language", "hl-constant"),
    ("support.constant", "hl-constant"),
    ("keyword.operator", "hl-operator"),
    ("keyword", "hl-keyword"),
    ("storage", "hl-keyword"),
    ("entity.name.function", "hl-function"),
    ("support.function", "hl-function"),
    ("variable.function", "hl-function"),
    ("meta.function-call", "hl-function"),
    ("entity.name.tag", "hl-tag"),
    ("entity.other.attribute-name", "hl-attr"),
    ("entity.name.type", "hl-type"),
    ("entity.name.class", "hl-type"),
    ("entity.name.struct", "hl-type"),
    ("entity.name.enum", "hl-type"),
    ("entity.other.inherited-class", "hl-type"),
    ("support.type", "hl-type"),
    ("support.class", "hl-type"),
    ("variable.parameter", "hl-variable"),
];

/// Blocks larger than this are shown plain (highlighting costs about a microsecond a byte).
const MAX_BYTES: usize = 256 * 1024;

struct Highlighter {
    syntaxes: SyntaxSet,
    scopes: Vec<(Scope, &'static str)>,
}

static HIGHLIGHTER: LazyLock<Highlighter> = LazyLock::new(|| Highlighter {
    syntaxes: SyntaxSet::load_defaults_newlines(),
    scopes: SCOPE_CLASSES.iter().filter_map(|(name, class)| Scope::new(name).ok().map(|s| (s, *class))).collect(),
});

/// `code` as HTML with token spans, when `lang` names a syntax we have (by name or extension,
/// case-insensitively: `rust`, `rs`, `Python`, `py`, `js`…). Escaped: safe as it is.
pub(super) fn highlight(lang: &str, code: &str) -> Option<String> {
    if lang.is_empty() || code.len() > MAX_BYTES {
        return None;
    }
    let hl = &*HIGHLIGHTER;
    let syntax = hl.syntaxes.find_syntax_by_token(lang)?;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Tokens { html: String::with_capacity(code.len() * 3), open: None };
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, &hl.syntaxes).ok()?;
        let mut at = 0;
        for (to, op) in ops {
            // Offsets are byte offsets at char boundaries; a bad one would be a syntect bug.
            let piece = line.get(at..to)?;
            out.push(piece, hl.class_of(&stack));
            stack.apply(&op).ok()?;
            at = to;
        }
        out.push(line.get(at..)?, hl.class_of(&stack));
    }
    out.close();
    Some(out.html)
}

impl Highlighter {
    fn class_of(&self, stack: &ScopeStack) -> Option<&'static str> {
        stack.as_slice().iter().rev().find_map(|scope| {
            self.scopes.iter().find(|(prefix, _)| prefix.is_prefix_of(*scope)).map(|(_, class)| *class)
        })
    }
}

/// The HTML being written, with neighbouring tokens of one class in one span.
struct Tokens {
    html: String,
    open: Option<&'static str>,
}

impl Tokens {
    fn push(&mut self, text: &str, class: Option<&'static str>) {
        if text.is_empty() {
            return;
        }
        // Whitespace takes any class: it keeps spans together.
        let class = if text.trim().is_empty() && self.open.is_some() { self.open } else { class };
        if class != self.open {
            self.close();
            if let Some(name) = class {
                self.html.push_str("<span class=\"");
                self.html.push_str(name);
                self.html.push_str("\">");
            }
            self.open = class;
        }
        super::escape_into(&mut self.html, text);
    }

    fn close(&mut self) {
        if self.open.take().is_some() {
            self.html.push_str("</span>");
        }
    }
}
