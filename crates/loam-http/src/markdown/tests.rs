use super::*;

/// No element that runs or loads anything, and no attribute that could: markup in the input may
/// only come out as text.
fn no_active_content(html: &str) {
    for tag in tags(html) {
        let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or("");
        assert!(!["script", "iframe", "object", "svg"].contains(&name), "<{tag}> in {html}");
        for bad in ["onerror", "onclick", "onload", "javascript:", "style="] {
            assert!(!tag.contains(bad), "{bad} in <{tag}> in {html}");
        }
    }
}

/// The insides of the tags of `html` (`a href="x"` of `<a href="x">`).
fn tags(html: &str) -> Vec<&str> {
    html.split('<').skip(1).filter_map(|it| it.split_once('>').map(|(tag, _)| tag)).collect()
}

#[test]
fn markdown_is_rendered_and_sanitised() {
    let cases = [
        ("**bold**", "<p><strong>bold</strong></p>\n"),
        ("<script>alert(1)</script>hi", ""),
        ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ("[x](javascript:alert(1))", "<p><a rel=\"noopener noreferrer nofollow\">x</a></p>\n"),
        ("costs $5 and $10", "<p>costs $5 and $10</p>\n"),
    ];
    for (input, expected) in cases {
        let out = render(input);
        no_active_content(&out);
        if !expected.is_empty() {
            assert_eq!(out, expected, "input {input:?}");
        }
    }
}

#[test]
fn a_known_language_is_highlighted_with_a_label_and_a_copy_button() {
    let out = render("```rust\nfn main() {\n    let s = \"hi\"; // note\n    let n = 42;\n}\n```\n");
    assert!(
        out.starts_with("<div class=\"code-block\"><div class=\"code-head\"><span class=\"code-lang\">rust</span>"),
        "{out}"
    );
    assert!(out.contains("<button class=\"code-copy\" type=\"button\">Copy</button>"), "{out}");
    for class in ["hl-keyword", "hl-string", "hl-comment", "hl-number"] {
        assert!(out.contains(&format!("<span class=\"{class}\">")), "{class} missing: {out}");
    }
    assert!(out.contains("<span class=\"hl-comment\">// note"), "{out}");
    // The text of the block is the code, unchanged.
    let code = out.split("<pre><code>").nth(1).and_then(|it| it.split("</code>").next()).unwrap_or("");
    assert_eq!(strip_tags(code), "fn main() {\n    let s = \"hi\"; // note\n    let n = 42;\n}\n");

    for (fence, lang) in [("py", "py"), ("Python", "Python"), ("javascript", "javascript"), ("sh", "sh")] {
        let out = render(&format!("```{fence}\nx = \"a\" # c\n```"));
        assert!(out.contains(&format!("<span class=\"code-lang\">{lang}</span>")), "{out}");
        assert!(out.contains("hl-string"), "{fence}: {out}");
    }
}

#[test]
fn an_unknown_or_absent_language_is_a_plain_block_labelled_only_when_given() {
    let out = render("```klingon\nqapla' <b>\n```");
    assert!(out.contains("<span class=\"code-lang\">klingon</span>"), "{out}");
    assert!(out.contains("<pre><code>qapla' &lt;b&gt;\n</code></pre>"), "{out}");
    assert!(!out.contains("hl-"), "{out}");
    let out = render("```\nplain\n```");
    assert!(!out.contains("code-lang"), "{out}");
    assert!(out.contains("code-copy") && out.contains("<pre><code>plain\n</code></pre>"), "{out}");
    let out = render("    indented\n");
    assert!(!out.contains("code-lang") && out.contains("<pre><code>indented\n</code></pre>"), "{out}");
    // A language label is text, whatever it says.
    let out = render("```<img/src=x/onerror=alert(1)>\nx\n```");
    no_active_content(&out);
    assert!(!out.contains("<img"), "{out}");
}

#[test]
fn markup_in_code_stays_text() {
    for lang in ["html", "js", "", "nope"] {
        let out = render(&format!("```{lang}\n<script>alert(1)</script><img src=x onerror=alert(2)>\n```"));
        no_active_content(&out);
        assert!(!out.contains("<img"), "{out}");
        assert!(strip_tags(&out).contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{lang}: {out}");
    }
}

#[test]
fn math_renders_as_mathml_inline_and_as_a_block() {
    let out = render("Energy $E = mc^2$ here.");
    assert!(out.starts_with("<p>Energy <math display=\"inline\">"), "{out}");
    assert!(out.contains("<msup>") && out.contains("<mi>E</mi>"), "{out}");
    let out = render("$$\\frac{a}{b} + \\sqrt{x}$$");
    assert!(out.contains("<math display=\"block\">") && out.contains("<mfrac>") && out.contains("<msqrt>"), "{out}");
    // A matrix keeps the classes its layout needs.
    let out = render("$$\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}$$");
    assert!(out.contains("<mtable") && out.contains("<mtd"), "{out}");
}

#[test]
fn bad_latex_shows_its_source() {
    let out = render("see $\\frac{a}$ and $$\\begin{matrix} x$$");
    assert!(!out.contains("<math"), "{out}");
    assert!(out.contains("<span class=\"math-source\" title=\"parsing error:"), "{out}");
    assert!(out.contains(">$\\frac{a}$</span>") && out.contains(">$$\\begin{matrix} x$$</span>"), "{out}");
    // Unbalanced braces are no math for the markdown parser: the text stays as it is.
    assert_eq!(render("$\\frac{a$"), "<p>$\\frac{a$</p>\n");
}

#[test]
fn markup_in_latex_stays_text() {
    for tex in [
        "$\\text{<script>alert(1)</script>}$",
        "$x<script>alert(1)</script>$",
        "$$\\text{<img src=x onerror=alert(1)>}$$",
        "$\\unknowncommand{<b>}$",
    ] {
        let out = render(tex);
        no_active_content(&out);
        assert!(!out.contains("<img") && !out.contains("<b>"), "{tex}: {out}");
    }
}

#[test]
fn the_sanitiser_keeps_only_the_classes_and_tags_we_emit() {
    let cases = [
        ("<span class=\"hl-keyword evil\">x</span>", "<span class=\"hl-keyword\">x</span>"),
        ("<div class=\"code-block wide\">x</div>", "<div class=\"code-block\">x</div>"),
        ("<p class=\"hl-keyword\">x</p>", "<p>x</p>"),
        (
            "<button onclick=\"alert(1)\" class=\"x\" type=\"submit\">b</button>",
            "<button class=\"\" type=\"button\">b</button>",
        ),
        ("<math><mi onclick=\"x\" style=\"color:red\">a</mi></math>", "<math><mi>a</mi></math>"),
        ("<math><mi><script>alert(1)</script></mi></math>", "<math><mi></mi></math>"),
        ("<math><maction actiontype=\"toggle\"><mi>a</mi></maction></math>", "<math><mi>a</mi></math>"),
        ("<svg><script>alert(1)</script></svg>", ""),
        ("<form><input name=x></form>", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(sanitiser().clean(input).to_string(), expected, "{input}");
    }
}

/// Whatever pulldown-latex writes gets through the sanitiser whole, but for inline styles.
#[test]
fn the_sanitiser_lets_all_the_mathml_we_render_through() {
    let corpus = [
        "x^2 + y_1 = z_{i}^{2}",
        "\\frac{1}{2} \\dfrac{a}{b} \\binom{n}{k} \\sqrt[3]{x}",
        "\\sum_{i=0}^{n} \\int_a^b f(x)\\,dx \\lim_{x \\to 0} \\prod_k",
        "\\left( \\frac{a}{b} \\right] \\big( x \\Big)",
        "\\alpha \\beta \\Gamma \\mathbb{R} \\mathrm{d} \\mathbf{v} \\text{if } x \\neq y \\not\\in",
        "\\hat{a} \\bar{x} \\overline{ab} \\underbrace{x+y} \\vec{v} \\tilde{n}",
        "\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}",
        "\\begin{cases} 1 & x > 0 \\\\ 0 & \\text{otherwise} \\end{cases}",
        "\\begin{array}{l|c:r} a & b & c \\\\ \\hline d & e & f \\end{array}",
        "\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}",
        "a \\quad b \\; c \\! d \\hspace{1em} e \\displaystyle\\sum \\scriptstyle x",
        "\\operatorname{argmax}_x \\sin x \\log n",
    ];
    for tex in corpus {
        for display in [false, true] {
            let raw = math::render(tex, display);
            assert!(raw.starts_with("<math"), "{tex}: {raw}");
            // pulldown-latex writes `stretchy="true"minsize=…` in places and `>` unescaped in
            // text; the sanitiser's parser reads them as browsers do and writes them cleanly.
            let spaced = raw.replace("\"minsize", "\" minsize").replace(">></", ">&gt;</");
            let expected = closed_elements(&without_styles(&spaced));
            assert_eq!(sanitiser().clean(&raw).to_string(), expected, "{tex}");
        }
    }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `html` with `<x a="b" />` written `<x a="b"></x>`, as the sanitiser writes it.
fn closed_elements(html: &str) -> String {
    let mut out = String::new();
    for (i, piece) in html.split('<').enumerate() {
        if i > 0 {
            out.push('<');
        }
        match piece.split_once(" />") {
            Some((tag, rest)) if !tag.contains('>') => {
                let name = tag.split(' ').next().unwrap_or("");
                out.push_str(&format!("{tag}></{name}>{rest}"));
            }
            _ => out.push_str(piece),
        }
    }
    out
}

/// `html` without its ` style="…"` attributes.
fn without_styles(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(" style=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 8..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}
