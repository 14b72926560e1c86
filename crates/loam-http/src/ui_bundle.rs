//! The UI's first-screen modules in one file: the embedded `js/app.js` is served as a bundle of
//! every module that it and the annotation view import statically, at any depth, so a cold load
//! asks for one script instead of some forty (over HTTP/1.1's six connections that was most of the
//! first paint; bench/README.md, "UI"). Built once from the embedded files.
//!
//! The UI's modules keep to a small syntax, which makes a line-based rewrite safe (and anything
//! else fails the build of the bundle, and the files are then served as they are):
//! - imports are whole lines at column 0: `import * as x from './a.js';`,
//!   `import { a, b as c } from './a.js';` (relative specifiers only);
//! - exports are `export function|async function|class|const NAME` at column 0 (or `export {};`);
//! - dynamic imports are `import('./literal.js')`;
//! - no import cycles.
//!
//! In the bundle each module becomes a function run once, in dependency order, whose exports are
//! kept in `globalThis.__loam` under the module's path; its imports read them from there. The
//! modules left out (other screens, loaded with `import()`) are served rewritten the same way for
//! their imports of bundled modules, so there is one instance of every module (api.js holds the
//! sign-in listeners, session.js the signed-in user). A dynamic import of a bundled module reads
//! the registry; of another, names it relative to `js/app.js`.

use std::collections::{BTreeMap, HashMap, HashSet};

/// The files as served when the bundle is built: every module rewritten, `js/app.js` the bundle.
#[derive(Debug)]
pub(crate) struct Bundle {
    /// Path (`js/…`) to the text served for it.
    pub files: HashMap<String, String>,
    /// The modules inside `js/app.js`.
    pub bundled: HashSet<String>,
}

#[derive(Debug)]
enum Import {
    Namespace { local: String, spec: String },
    Named { items: Vec<(String, String)>, spec: String },
}

#[derive(Debug)]
struct Module {
    imports: Vec<Import>,
    /// The source without its import lines and `export ` prefixes.
    body: String,
    exports: Vec<String>,
}

/// Bundles `entry` and `also` (entry points loaded by it dynamically, e.g. the annotation view)
/// with everything they import statically; `sources` are all the UI's `.js` files by path.
pub(crate) fn build(sources: &BTreeMap<String, String>, entry: &str, also: &[&str]) -> Result<Bundle, String> {
    let mut parsed = HashMap::new();
    for (path, text) in sources {
        if path == "js/early.js" {
            continue; // a classic script, not a module
        }
        parsed.insert(path.clone(), parse(path, text)?);
    }
    // Dependency order: each module after what it imports; the entry last (it runs the app).
    let mut order = Vec::new();
    let mut done = HashSet::new();
    for root in also.iter().chain(std::iter::once(&entry)) {
        visit(root, &parsed, &mut done, &mut Vec::new(), &mut order)?;
    }
    let bundled: HashSet<String> = order.iter().cloned().collect();
    let entry_dir = dir_of(entry);
    let mut files = HashMap::new();
    let mut out = String::from(
        "// loam: the UI's first-screen modules in one file, each run once in dependency order, its\n\
         // exports kept in globalThis.__loam by path (crates/loam-http/src/ui_bundle.rs).\n\
         globalThis.__loam = {};\n",
    );
    for path in &order {
        let m = &parsed[path];
        out.push_str(&format!("globalThis.__loam[{}] = (() => {{\n", quote(path)));
        for import in &m.imports {
            out.push_str(&import_line(path, import, &bundled)?);
        }
        out.push_str(&dynamic_imports(path, &m.body, &bundled, Some(entry_dir))?);
        out.push_str(&format!("\nreturn {{ {} }};\n}})();\n", m.exports.join(", ")));
    }
    files.insert(entry.to_owned(), out);
    for (path, text) in sources {
        if bundled.contains(path) || path == "js/early.js" {
            continue;
        }
        files.insert(path.clone(), rewrite_lazy(path, text, &parsed[path], &bundled)?);
    }
    Ok(Bundle { files, bundled })
}

/// A module left out of the bundle, its imports of bundled modules read from the registry.
fn rewrite_lazy(path: &str, text: &str, m: &Module, bundled: &HashSet<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 256);
    let mut imports = m.imports.iter();
    for line in text.split_inclusive('\n') {
        if line.starts_with("import ") {
            let import = imports.next().ok_or_else(|| format!("{path}: import lines changed while reading"))?;
            if bundled.contains(&resolve(path, spec_of(import))?) {
                out.push_str(&import_line(path, import, bundled)?);
                continue;
            }
        }
        out.push_str(line);
    }
    dynamic_imports(path, &out, bundled, None)
}

fn spec_of(import: &Import) -> &str {
    match import {
        Import::Namespace { spec, .. } | Import::Named { spec, .. } => spec,
    }
}

/// An import as a declaration reading the registry (the module it names is bundled, so it ran
/// before).
fn import_line(path: &str, import: &Import, bundled: &HashSet<String>) -> Result<String, String> {
    let target = resolve(path, spec_of(import))?;
    if !bundled.contains(&target) {
        return Err(format!("{path}: bundled module imports {target}, which is not bundled"));
    }
    let from = format!("globalThis.__loam[{}]", quote(&target));
    Ok(match import {
        Import::Namespace { local, .. } => format!("const {local} = {from};\n"),
        Import::Named { items, .. } => {
            let names: Vec<String> = items
                .iter()
                .map(|(name, local)| if name == local { name.clone() } else { format!("{name}: {local}") })
                .collect();
            format!("const {{ {} }} = {from};\n", names.join(", "))
        }
    })
}

/// `text` with each `import('spec')` of a bundled module reading the registry, and, in the bundle
/// (`entry_dir`), each other one naming its module relative to the bundle's directory.
fn dynamic_imports(
    path: &str,
    text: &str,
    bundled: &HashSet<String>,
    entry_dir: Option<&str>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("import('") {
        let preceded_by_word =
            rest[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.');
        let after = &rest[at + "import('".len()..];
        let end = after.find('\'').ok_or_else(|| format!("{path}: unterminated import('…"))?;
        let spec = &after[..end];
        let tail = &after[end + 1..];
        out.push_str(&rest[..at]);
        // Comments are rewritten too (a JSDoc `import('./a.js').Type`): harmless there, and no
        // guess about where a comment starts can leave a real import unrewritten.
        if preceded_by_word || !tail.starts_with(')') || !spec.starts_with('.') {
            // Not a dynamic import of a relative module.
            out.push_str("import('");
            rest = after;
            continue;
        }
        let target = resolve(path, spec)?;
        if bundled.contains(&target) {
            out.push_str(&format!("Promise.resolve().then(() => globalThis.__loam[{}])", quote(&target)));
        } else if let Some(dir) = entry_dir {
            out.push_str(&format!("import({})", quote(&relative_to(dir, &target))));
        } else {
            out.push_str(&format!("import('{spec}')"));
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn visit(
    path: &str,
    parsed: &HashMap<String, Module>,
    done: &mut HashSet<String>,
    stack: &mut Vec<String>,
    order: &mut Vec<String>,
) -> Result<(), String> {
    if done.contains(path) {
        return Ok(());
    }
    if stack.iter().any(|it| it == path) {
        return Err(format!("import cycle through {path}"));
    }
    let m = parsed.get(path).ok_or_else(|| format!("{path} is imported but not there"))?;
    stack.push(path.to_owned());
    for import in &m.imports {
        visit(&resolve(path, spec_of(import))?, parsed, done, stack, order)?;
    }
    stack.pop();
    done.insert(path.to_owned());
    order.push(path.to_owned());
    Ok(())
}

/// Reads a module's import lines and exports (see the module docs for the syntax allowed).
fn parse(path: &str, text: &str) -> Result<Module, String> {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut body = String::with_capacity(text.len());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let at = || format!("{path}:{}", n + 1);
        if let Some(rest) = line.strip_prefix("import ") {
            imports.push(
                parse_import(rest.trim_end())
                    .ok_or_else(|| format!("{}: unexpected import: {}", at(), line.trim_end()))?,
            );
            body.push('\n'); // line numbers stay as they are
        } else if let Some(rest) = line.strip_prefix("export ") {
            if rest.trim_end() == "{};" {
                body.push('\n');
                continue;
            }
            let decl = ["async function ", "function ", "class ", "const "].iter().find_map(|kw| rest.strip_prefix(kw));
            let name: String = decl
                .map(|it| it.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$').collect())
                .unwrap_or_default();
            if name.is_empty() {
                return Err(format!("{}: unexpected export: {}", at(), line.trim_end()));
            }
            exports.push(name);
            body.push_str(rest);
        } else {
            body.push_str(line);
        }
    }
    Ok(Module { imports, body, exports })
}

/// `* as x from './a.js';` or `{ a, b as c } from './a.js';` (after `import `).
fn parse_import(rest: &str) -> Option<Import> {
    let (what, spec) = rest.strip_suffix(';')?.rsplit_once(" from ")?;
    let spec = spec.trim().strip_prefix('\'')?.strip_suffix('\'')?.to_owned();
    if !spec.starts_with('.') || spec.contains(['\'', '"', '\\']) {
        return None;
    }
    let what = what.trim();
    if let Some(local) = what.strip_prefix("* as ") {
        return ident(local).then(|| Import::Namespace { local: local.to_owned(), spec });
    }
    let inner = what.strip_prefix('{')?.strip_suffix('}')?;
    let mut items = Vec::new();
    for item in inner.split(',').map(str::trim).filter(|it| !it.is_empty()) {
        let (name, local) = item.split_once(" as ").map(|(a, b)| (a.trim(), b.trim())).unwrap_or((item, item));
        if !ident(name) || !ident(local) {
            return None;
        }
        items.push((name.to_owned(), local.to_owned()));
    }
    Some(Import::Named { items, spec })
}

fn ident(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or_default()
}

/// The path of `spec` imported from the module at `from` (both relative to the UI root).
fn resolve(from: &str, spec: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = dir_of(from).split('/').filter(|it| !it.is_empty()).collect();
    for seg in spec.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop().ok_or_else(|| format!("{from}: {spec} leaves the UI's root"))?;
            }
            _ => parts.push(seg),
        }
    }
    Ok(parts.join("/"))
}

/// `target` as a specifier relative to the directory `dir` (both relative to the UI root).
fn relative_to(dir: &str, target: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|it| !it.is_empty()).collect();
    let to: Vec<&str> = target.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let ups = from.len() - common;
    let mut out = if ups == 0 { String::from("./") } else { "../".repeat(ups) };
    out.push_str(&to[common..].join("/"));
    out
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files.iter().map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect()
    }

    #[test]
    fn bundles_the_static_closure_in_dependency_order() {
        let src = sources(&[
            ("js/app.js", "import * as api from './api.js';\nimport { h as el } from './dom.js';\nconst load = () => import('./views/a.js');\nconst lazy = () => import('./views/b.js');\napi.go(el);\nobj.import('./x.js');\n"),
            ("js/api.js", "import { h } from './dom.js';\nexport const go = (x) => h(x);\nexport async function later() {}\n"),
            ("js/dom.js", "/** @type {import('./api.js').T} */\nexport function h(x) {\n  return x;\n}\nexport {};\n"),
            ("js/views/a.js", "import { go } from '../api.js';\nimport { more } from './more.js';\nexport class A {}\nexport const x = () => import('../lazy/c.js');\n"),
            ("js/views/more.js", "export const more = 1;\n"),
            ("js/views/b.js", "import * as api from '../api.js';\nimport { c } from '../lazy/c.js';\nexport const y = () => import('../dom.js');\n"),
            ("js/lazy/c.js", "export const c = 2;\n"),
            ("js/early.js", "(function () { import('./x.js'); })();\n"),
        ]);
        let b = build(&src, "js/app.js", &["js/views/a.js"]).unwrap();
        let app = &b.files["js/app.js"];
        let pos = |p: &str| {
            app.find(&format!("globalThis.__loam[\"{p}\"] = ")).unwrap_or_else(|| panic!("{p} not bundled:\n{app}"))
        };
        assert!(pos("js/dom.js") < pos("js/api.js"));
        assert!(pos("js/api.js") < pos("js/views/a.js"));
        assert!(pos("js/views/more.js") < pos("js/views/a.js"));
        assert!(pos("js/views/a.js") < pos("js/app.js"), "the entry runs last");
        assert!(app.contains("const api = globalThis.__loam[\"js/api.js\"];\n"), "{app}");
        assert!(app.contains("const { h: el } = globalThis.__loam[\"js/dom.js\"];\n"), "{app}");
        assert!(app.contains("return { go, later };"), "{app}");
        assert!(app.contains("return { h };"), "{app}");
        assert!(
            app.contains("const load = () => Promise.resolve().then(() => globalThis.__loam[\"js/views/a.js\"]);"),
            "{app}"
        );
        assert!(app.contains("const lazy = () => import(\"./views/b.js\");"), "{app}");
        assert!(app.contains("\nconst x = () => import(\"./lazy/c.js\");"), "{app}");
        assert!(app.contains("obj.import('./x.js');"), "a method named import is no import: {app}");
        assert!(!app.contains("\nimport ") && !app.contains("\nexport "), "{app}");
        assert_eq!(b.bundled.len(), 5);
        // Left out: read the registry for bundled modules, import the others as before.
        let lazy = &b.files["js/views/b.js"];
        assert_eq!(
            lazy,
            "const api = globalThis.__loam[\"js/api.js\"];\nimport { c } from '../lazy/c.js';\nexport const y = () => Promise.resolve().then(() => globalThis.__loam[\"js/dom.js\"]);\n"
        );
        assert_eq!(b.files["js/lazy/c.js"], "export const c = 2;\n");
        assert!(!b.files.contains_key("js/early.js"), "the classic script is served as it is");
    }

    #[test]
    fn syntax_it_does_not_know_and_cycles_are_refused() {
        for (text, why) in [
            ("import x from './a.js';\n", "unexpected import"),
            ("import {\n  a } from './a.js';\n", "unexpected import"),
            ("import { a } from 'https://x/a.js';\n", "unexpected import"),
            ("export default 1;\n", "unexpected export"),
            ("export let a = 1;\n", "unexpected export"),
            ("export { a };\n", "unexpected export"),
        ] {
            let src = sources(&[("js/app.js", text), ("js/a.js", "export const a = 1;\n")]);
            let err = build(&src, "js/app.js", &[]).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
        let src = sources(&[
            ("js/app.js", "import { a } from './a.js';\n"),
            ("js/a.js", "import { b } from './b.js';\nexport const a = 1;\n"),
            ("js/b.js", "import { a } from './a.js';\nexport const b = 1;\n"),
        ]);
        assert!(build(&src, "js/app.js", &[]).unwrap_err().contains("cycle"));
        let src = sources(&[("js/app.js", "import { a } from './gone.js';\n")]);
        assert!(build(&src, "js/app.js", &[]).unwrap_err().contains("not there"));
    }

    #[test]
    fn paths_resolve_and_relate() {
        assert_eq!(resolve("js/views/annotate.js", "./annotate/x.js").unwrap(), "js/views/annotate/x.js");
        assert_eq!(resolve("js/views/annotate/editors/a.js", "../../../dom.js").unwrap(), "js/dom.js");
        assert!(resolve("js/a.js", "../../x.js").is_err());
        assert_eq!(relative_to("js", "js/views/home.js"), "./views/home.js");
        assert_eq!(relative_to("js", "js/a.js"), "./a.js");
        assert_eq!(relative_to("js/x", "js/a.js"), "../a.js");
    }
}
