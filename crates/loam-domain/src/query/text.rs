//! The clients' simple query string: tokenised, parsed into a [`TextMatch`] independent of the
//! engine, rendered as an FTS5 expression; and the text folding both engines' indexes share.

#[derive(Debug, PartialEq)]
enum Token {
    Term { text: String, prefix: bool, negated: bool },
    Phrase { text: String, negated: bool },
    Or,
    Open,
    Close,
}

fn tokenize(q: &str) -> Vec<Token> {
    let mut res = Vec::new();
    let mut chars = q.chars().peekable();
    let mut negate_next = false;
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == '+' {
            chars.next();
            continue;
        }
        match c {
            '|' => {
                chars.next();
                res.push(Token::Or);
            }
            '(' => {
                chars.next();
                res.push(Token::Open);
            }
            ')' => {
                chars.next();
                res.push(Token::Close);
            }
            '-' => {
                chars.next();
                negate_next = true;
                continue;
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    text.push(c);
                }
                // A `~N` slop after a phrase is accepted and ignored: FTS5 phrases are exact.
                if chars.peek() == Some(&'~') {
                    chars.next();
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                }
                if !text.trim().is_empty() {
                    res.push(Token::Phrase { text, negated: negate_next });
                }
            }
            _ => {
                let mut text = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '|' | '(' | ')' | '"' | '+') {
                        break;
                    }
                    text.push(c);
                    chars.next();
                }
                // Fuzziness (`~N`) has no FTS5 equivalent; the term is matched exactly.
                if let Some(idx) = text.find('~') {
                    text.truncate(idx);
                }
                let prefix = text.ends_with('*');
                let text = text.trim_end_matches('*').to_owned();
                if !text.is_empty() {
                    res.push(Token::Term { text, prefix, negated: negate_next });
                }
            }
        }
        negate_next = false;
    }
    res
}

/// A parsed simple query string: what the text index must match, independent of the engine
/// (`to_fts5` renders it for SQLite's FTS5; the store renders it as a tsquery for PostgreSQL).
#[derive(Clone, Debug, PartialEq)]
pub enum TextMatch {
    /// A word, or a prefix of one. Text the index would split into several tokens (`e-mail`)
    /// matches them as a phrase.
    Term {
        text: String,
        prefix: bool,
    },
    /// Tokens in this order, adjacent.
    Phrase(String),
    And(Vec<TextMatch>),
    Or(Vec<TextMatch>),
    /// The first, unless any of the others.
    Not(Box<TextMatch>, Vec<TextMatch>),
    /// A query with no searchable term: matches no record.
    Nothing,
}

impl TextMatch {
    /// Parses a simple query string. Terms are ANDed; `|` is OR, `-` NOT, `"…"` a phrase,
    /// `term*` a prefix, and parentheses group. A query of no terms, or only negated ones,
    /// matches nothing (never everything).
    pub fn parse(q: &str) -> TextMatch {
        let tokens = tokenize(q);
        let mut pos = 0;
        parse_or(&tokens, &mut pos).unwrap_or(TextMatch::Nothing)
    }

    /// The FTS5 MATCH expression.
    pub fn to_fts5(&self) -> String {
        match self {
            TextMatch::Term { text, prefix: true } => format!("{}*", fts_string(text)),
            TextMatch::Term { text, prefix: false } | TextMatch::Phrase(text) => fts_string(text),
            TextMatch::And(items) => items.iter().map(|it| it.nested_fts5()).collect::<Vec<_>>().join(" AND "),
            TextMatch::Or(items) => {
                format!("({})", items.iter().map(TextMatch::to_fts5).collect::<Vec<_>>().join(" OR "))
            }
            TextMatch::Not(base, negative) => format!(
                "({}) NOT ({})",
                base.to_fts5(),
                negative.iter().map(TextMatch::to_fts5).collect::<Vec<_>>().join(" OR ")
            ),
            // The empty phrase matches no row.
            TextMatch::Nothing => "\"\"".to_owned(),
        }
    }

    fn nested_fts5(&self) -> String {
        match self {
            TextMatch::And(_) | TextMatch::Not(..) => format!("({})", self.to_fts5()),
            _ => self.to_fts5(),
        }
    }
}

/// Translates a simple query string into an FTS5 MATCH expression, or `None` when it holds no
/// searchable term (see [`TextMatch::parse`]).
pub fn to_fts5(q: &str) -> Option<String> {
    match TextMatch::parse(q) {
        TextMatch::Nothing => None,
        it => Some(it.to_fts5()),
    }
}

/// Text as the index compares it: lowercase, with diacritics removed (`Café` → `cafe`), as
/// SQLite's `unicode61 remove_diacritics 2` tokenizer does. PostgreSQL's `simple` text search
/// configuration only lowercases, so loam folds texts and queries with this before they reach it.
pub fn fold_text(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// Quotes text as one FTS5 string (FTS5 tokenises it again, so punctuation inside is harmless).
fn fts_string(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn parse_or(tokens: &[Token], pos: &mut usize) -> Option<TextMatch> {
    let mut parts = Vec::new();
    if let Some(first) = parse_and(tokens, pos) {
        parts.push(first);
    }
    while *pos < tokens.len() && tokens[*pos] == Token::Or {
        *pos += 1;
        if let Some(next) = parse_and(tokens, pos) {
            parts.push(next);
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(TextMatch::Or(parts)),
    }
}

fn parse_and(tokens: &[Token], pos: &mut usize) -> Option<TextMatch> {
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    while *pos < tokens.len() {
        match &tokens[*pos] {
            Token::Or | Token::Close => break,
            Token::Open => {
                *pos += 1;
                let inner = parse_or(tokens, pos);
                if *pos < tokens.len() && tokens[*pos] == Token::Close {
                    *pos += 1;
                }
                if let Some(inner) = inner {
                    positive.push(inner);
                }
            }
            Token::Term { text, prefix, negated } => {
                *pos += 1;
                let item = TextMatch::Term { text: text.clone(), prefix: *prefix };
                if *negated {
                    negative.push(item)
                } else {
                    positive.push(item)
                }
            }
            Token::Phrase { text, negated } => {
                *pos += 1;
                let item = TextMatch::Phrase(text.clone());
                if *negated {
                    negative.push(item)
                } else {
                    positive.push(item)
                }
            }
        }
    }
    // NOT is binary (FTS5's too): a query of only negations matches nothing rather than everything.
    let base = match positive.len() {
        0 => return None,
        1 => positive.pop()?,
        _ => TextMatch::And(positive),
    };
    if negative.is_empty() {
        Some(base)
    } else {
        Some(TextMatch::Not(Box::new(base), negative))
    }
}
