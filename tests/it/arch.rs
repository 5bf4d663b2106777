//! The design's rules about who may use whom, checked on the source: no file of `src/app`
//! reaches a file that reaches it back (the seams issue 12 removed), and the layers below the
//! app (`api`, `mirror`, `flows`, `drafts`, `changelog`) and the app itself never reach up (into
//! `app` and `ui` respectively) outside their tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without its tests (a `#[cfg(test)] mod tests` at the end, a `tests.rs`) and
/// without comments.
fn code(path: &Path) -> String {
    if path
        .file_name()
        .is_some_and(|n| n == "tests.rs" || n.to_string_lossy().ends_with("_tests.rs"))
    {
        return String::new();
    }
    let src = std::fs::read_to_string(path).unwrap();
    let src = match src.find("#[cfg(test)]\nmod tests") {
        Some(i) => &src[..i],
        None => match src.find("#[cfg(test)]\npub(crate) mod tests") {
            Some(i) => &src[..i],
            None => &src,
        },
    };
    src.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `src/app/audit/mod.rs` -> ["app", "audit"].
fn module_of(root: &Path, path: &Path) -> Vec<String> {
    let rel = path.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = std::iter::once("app".to_string())
        .chain(rel.iter().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path the code names from `crate::app::` or `super::` on, as module segments.
fn named_paths(src: &str, me: &[String], is_mod: bool) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = src.chars().collect();
    let text: String = bytes.iter().collect();
    for (start, head) in [("crate::app::", true), ("super::", false)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && text[..at].chars().next_back().is_some_and(is_ident) {
                continue;
            }
            let mut base: Vec<String> = if head {
                vec!["app".into()]
            } else {
                let mut b = me.to_vec();
                if !is_mod {
                    b.pop();
                }
                b
            };
            let mut rest = &text[from..];
            // super::super::
            while !head && rest.starts_with("super::") {
                base.pop();
                rest = &rest["super::".len()..];
            }
            // a::b::{c, d::e}
            let seg_end = rest
                .find(|c: char| !(is_ident(c) || c == ':'))
                .unwrap_or(rest.len());
            let path: Vec<String> = rest[..seg_end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let mut prefix = base.clone();
            prefix.extend(path);
            if rest[seg_end..].starts_with('{') {
                let close = rest[seg_end..]
                    .find('}')
                    .map_or(rest.len(), |j| seg_end + j);
                for item in rest[seg_end + 1..close].split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").trim();
                    if !first.is_empty() && first != "self" {
                        let mut p = prefix.clone();
                        p.push(first.to_string());
                        out.push(p);
                    }
                }
            }
            out.push(prefix);
        }
    }
    out
}

#[test]
fn no_file_of_the_app_reaches_back_to_one_that_reaches_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|p| (module_of(&root, p), p.clone()))
        .collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (me, path) in &modules {
        let is_mod = path.file_name().is_some_and(|n| n == "mod.rs");
        let src = code(path);
        let mut outs = BTreeSet::new();
        for p in named_paths(&src, me, is_mod) {
            let target = (1..=p.len())
                .rev()
                .map(|n| p[..n].to_vec())
                .find(|m| modules.contains_key(m));
            if let Some(t) = target
                && &t != me
                && !t.starts_with(me)
            {
                outs.insert(t);
            }
        }
        edges.insert(me.clone(), outs);
    }
    // A path back from each edge's end to its start is a cycle.
    let reaches = |from: &Vec<String>, to: &Vec<String>| -> Option<Vec<Vec<String>>> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![vec![from.clone()]];
        while let Some(path) = todo.pop() {
            let last = path.last().unwrap();
            if last == to {
                return Some(path);
            }
            if !seen.insert(last.clone()) {
                continue;
            }
            for n in edges.get(last).into_iter().flatten() {
                let mut p = path.clone();
                p.push(n.clone());
                todo.push(p);
            }
        }
        None
    };
    let mut cycles = Vec::new();
    for (a, outs) in &edges {
        for b in outs {
            if let Some(back) = reaches(b, a) {
                let names: Vec<String> = std::iter::once(a)
                    .chain(back.iter())
                    .map(|m| m.join("::"))
                    .collect();
                cycles.push(names.join(" -> "));
            }
        }
    }
    assert!(
        edges.values().map(BTreeSet::len).sum::<usize>() > 100,
        "the scan found the app's imports"
    );
    assert!(
        cycles.is_empty(),
        "import cycles in src/app:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn lower_layers_never_reach_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rules: [(&str, &str); 6] = [
        ("app", "crate::ui"),
        ("api", "crate::app"),
        ("mirror", "crate::app"),
        ("flows", "crate::app"),
        ("drafts.rs", "crate::app"),
        ("changelog.rs", "crate::app"),
    ];
    let mut found = Vec::new();
    for (place, forbidden) in rules {
        let p = src.join(place);
        let mut files = Vec::new();
        if p.is_dir() {
            rust_files(&p, &mut files);
        } else {
            files.push(p);
        }
        for f in files {
            let text = code(&f);
            if text.contains(&format!("{forbidden}::"))
                || text.contains(&format!("use {forbidden};"))
            {
                found.push(format!("{} uses {forbidden}", f.display()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
