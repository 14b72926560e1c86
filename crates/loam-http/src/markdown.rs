//! Markdown to sanitised HTML, for the web UI's markdown fields (`POST /api/v1/ui/markdown`).
//!
//! pulldown-cmark parses (tables, strikethrough, task lists, and `$…$` / `$$…$$` math, which
//! Argilla's UI renders too); code blocks and math are rendered here before the HTML is written:
//! a code block becomes a `div.code-block` with a head (the language, when one was given, and a
//! Copy button the UI's delegated click handler serves) over its `pre`, highlighted as class names
//! where the language is known ([`highlight`]); math becomes MathML ([`math`]), or its source
//! when it does not parse. Everything, ours included, then goes through one ammonia sanitiser
//! ([`sanitiser`]) that knows exactly the classes, elements and attributes rendered here: scripts,
//! event handlers, styles, `javascript:` URLs and unknown tags are removed, so the UI can insert
//! the result as it is. Pure: no IO.

mod highlight;
mod math;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// The class of a rendered code block and of its parts (styled in `ui/css/`, copied by
/// `ui/js/lib/code-copy.js`).
const BLOCK_CLASSES: [&str; 2] = ["code-block", "code-head"];

/// Markdown rendered to HTML and sanitised.
pub fn render(text: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_MATH;
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, Rendered { inner: Parser::new_ext(text, options) });
    sanitiser().clean(&raw).to_string()
}

/// The parser's events, with code blocks and math replaced by their HTML.
struct Rendered<'a> {
    inner: Parser<'a>,
}

impl<'a> Iterator for Rendered<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.inner.next()?;
        Some(match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut code = String::new();
                for inner in self.inner.by_ref() {
                    match inner {
                        Event::Text(text) => code.push_str(&text),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                let lang = match &kind {
                    // The first word of the info string (`rust,ignore` and `python {.x}` name
                    // rust and python).
                    CodeBlockKind::Fenced(info) => {
                        info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("")
                    }
                    CodeBlockKind::Indented => "",
                };
                Event::Html(CowStr::from(code_block(lang, &code)))
            }
            Event::InlineMath(tex) => Event::InlineHtml(CowStr::from(math::render(&tex, false))),
            Event::DisplayMath(tex) => Event::InlineHtml(CowStr::from(math::render(&tex, true))),
            other => other,
        })
    }
}

/// A code block: its head (language label when given, Copy button) and the code, highlighted when
/// the language is one we know.
fn code_block(lang: &str, code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2 + 200);
    out.push_str("<div class=\"code-block\"><div class=\"code-head\">");
    if !lang.is_empty() {
        out.push_str("<span class=\"code-lang\">");
        escape_into(&mut out, lang);
        out.push_str("</span>");
    }
    out.push_str("<button class=\"code-copy\" type=\"button\">Copy</button></div><pre><code>");
    match highlight::highlight(lang, code) {
        Some(html) => out.push_str(&html),
        None => escape_into(&mut out, code),
    }
    out.push_str("</code></pre></div>\n");
    out
}

/// `text` escaped for HTML text and attribute values.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The one sanitiser: ammonia's defaults (no scripts, styles, event handlers or `javascript:`
/// URLs; links get `rel="noopener noreferrer nofollow"`), plus exactly what [`render`] emits:
/// the code block's `div`s, label and Copy button (always `type="button"`, so it never submits
/// anything), the highlighter's token classes, and the MathML elements and attributes of
/// [`math`]. No other class survives.
pub(crate) fn sanitiser() -> &'static ammonia::Builder<'static> {
    static BUILDER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("noopener noreferrer nofollow"));
        b.add_tags(["button"]);
        b.add_tags(math::ELEMENTS);
        b.set_tag_attribute_value("button", "type", "button");
        for (tag, attrs) in math::ATTRIBUTES {
            b.add_tag_attributes(tag, attrs.iter().copied());
        }
        let mut classes: HashMap<&str, HashSet<&str>> = HashMap::new();
        classes.insert("div", BLOCK_CLASSES.into_iter().collect());
        classes.insert("span", highlight::CLASSES.iter().copied().chain(["code-lang", "math-source"]).collect());
        classes.insert("button", ["code-copy"].into_iter().collect());
        for (tag, names) in math::CLASSES {
            classes.entry(tag).or_default().extend(names.iter().copied());
        }
        b.allowed_classes(classes);
        b
    });
    &BUILDER
}
