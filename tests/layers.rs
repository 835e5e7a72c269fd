//! The shape of the code, checked: which module may use which, no cycles between modules,
//! and the simulator crate free of terminal, UI, async and HTTP crates.
//!
//! The source is read as text: comments and string literals are blanked, then every
//! `crate::…`, `super::…` and `opsconsole_sim::…` path (with `{…}` groups) is a use of the
//! module it names. A module's own submodules and its ancestors do not count as edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One crate's modules and the paths each one names.
struct Crate {
    /// Module path (`["swarm", "tasks"]`) → every path it names, resolved from the crate root
    /// (`crate::…`, `super::…`) or from the simulator crate (`opsconsole_sim::…`, first segment
    /// `opsconsole_sim`).
    uses: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

impl Crate {
    fn read(root: &Path) -> Crate {
        let mut uses = BTreeMap::new();
        for file in rust_files(root) {
            let module = module_of(root, &file);
            if module.iter().any(|m| m == "tests") || module.first().is_some_and(|m| m == "main") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let code = without_tests(&blank_comments_and_strings(&text));
            let mut names = BTreeSet::new();
            for path in paths_after(&code, "crate::") {
                names.insert(path);
            }
            for (ups, path) in super_paths(&code) {
                // In `a/b.rs` (module a::b), `super::` is `a`; in `a/mod.rs` (module a) it is the root.
                let base = module.len().saturating_sub(ups);
                let mut full = module[..base].to_vec();
                full.extend(path);
                names.insert(full);
            }
            for path in paths_after(&code, "opsconsole_sim::") {
                let mut full = vec!["opsconsole_sim".to_string()];
                full.extend(path);
                names.insert(full);
            }
            uses.entry(module)
                .or_insert_with(BTreeSet::new)
                .extend(names);
        }
        Crate { uses }
    }

    fn modules(&self) -> BTreeSet<Vec<String>> {
        self.uses.keys().cloned().collect()
    }

    /// The longest prefix of `path`, at most `depth` long, that is a module of this crate.
    fn node(&self, path: &[String], depth: usize) -> Option<Vec<String>> {
        let mods = self.modules();
        (1..=depth.min(path.len()))
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|p| mods.contains(p))
    }

    /// Module → modules it uses, both cut to `depth` segments.
    fn edges(&self, depth: usize) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
        let mut out: BTreeMap<_, BTreeSet<_>> = BTreeMap::new();
        for (module, names) in &self.uses {
            let Some(from) = self.node(module, depth) else {
                continue;
            };
            for name in names {
                let Some(to) = self.node(name, depth) else {
                    continue;
                };
                if from.starts_with(&to) || to.starts_with(&from) {
                    continue;
                }
                out.entry(from.clone()).or_default().insert(to);
            }
        }
        out
    }

    /// Every `opsconsole_sim` path named by `module` or any module inside it.
    fn sim_uses(&self, module: &[&str]) -> BTreeSet<String> {
        self.uses
            .iter()
            .filter(|(m, _)| {
                m.starts_with(&module.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            })
            .flat_map(|(m, names)| {
                names
                    .iter()
                    .filter(|n| n[0] == "opsconsole_sim")
                    .map(move |n| format!("{} uses {}", m.join("::"), n.join("::")))
            })
            .collect()
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
        parts.pop();
    }
    parts
}

/// Comments and the contents of string and character literals become spaces, so that neither a
/// doc link nor a message mentioning `crate::x` counts as a use.
fn blank_comments_and_strings(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut level = 0;
            loop {
                if i >= c.len() {
                    break;
                }
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    level += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    level -= 1;
                    i += 2;
                    if level == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if c[i] == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&c, i) {
            // r"…", r#"…"#
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            while j < c.len() {
                if c[j] == '"' && (0..hashes).all(|h| c.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                blank(&mut out, c[j]);
                j += 1;
            }
            i = j;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                }
                i += 1;
            }
            i += 1;
        } else if c[i] == '\'' && (c.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // 'x' or '\n', '\'', '\u{…}' — a lifetime never closes like this
            let mut j = i + 1;
            if c.get(j) == Some(&'\\') {
                j += 2;
            } else {
                j += 1;
            }
            while j < c.len() && c[j] != '\'' {
                j += 1;
            }
            i = j + 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn ident_before(c: &[char], i: usize) -> bool {
    i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_')
}

/// Drops a trailing `#[cfg(test)] mod …` (unit tests may reach anywhere).
fn without_tests(code: &str) -> String {
    match code.find("#[cfg(test)]") {
        Some(at)
            if code[at..]
                .trim_start_matches("#[cfg(test)]")
                .trim_start()
                .starts_with("mod ") =>
        {
            code[..at].to_string()
        }
        _ => code.to_string(),
    }
}

/// Every path written after `prefix` (not preceded by an identifier character), `{a, b::c}`
/// groups expanded.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let c: Vec<char> = code.chars().collect();
    let p: Vec<char> = prefix.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + p.len() <= c.len() {
        if c[i..i + p.len()] == p[..] && !ident_before(&c, i) {
            let mut j = i + p.len();
            out.extend(parse_tree(&c, &mut j));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// `super::x`, `super::super::x` → (how many levels up, rest of the path).
fn super_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for mut path in paths_after(code, "super::") {
        let mut ups = 1;
        while path.first().is_some_and(|s| s == "super") {
            path.remove(0);
            ups += 1;
        }
        out.push((ups, path));
    }
    out
}

/// A use tree at `c[*j..]`: `a::b::c`, `a::{b, c::d}`, `{…}`.
fn parse_tree(c: &[char], j: &mut usize) -> Vec<Vec<String>> {
    let skip_ws = |j: &mut usize| {
        while *j < c.len() && c[*j].is_whitespace() {
            *j += 1;
        }
    };
    let mut head = Vec::new();
    loop {
        skip_ws(j);
        if c.get(*j) == Some(&'{') {
            *j += 1;
            let mut out = Vec::new();
            loop {
                skip_ws(j);
                match c.get(*j) {
                    None => return out,
                    Some('}') => {
                        *j += 1;
                        return out;
                    }
                    Some(',') => *j += 1,
                    _ => {
                        let before = *j;
                        for tail in parse_tree(c, j) {
                            let mut p = head.clone();
                            p.extend(tail);
                            out.push(p);
                        }
                        // `x as y`: the alias is not a path.
                        while *j < c.len() && c[*j] != ',' && c[*j] != '}' {
                            *j += 1;
                        }
                        if *j == before {
                            *j += 1;
                        }
                    }
                }
            }
        }
        let start = *j;
        while *j < c.len() && (c[*j].is_alphanumeric() || c[*j] == '_') {
            *j += 1;
        }
        if *j == start {
            return if head.is_empty() { vec![] } else { vec![head] };
        }
        let seg: String = c[start..*j].iter().collect();
        if seg != "self" {
            head.push(seg);
        }
        if c.get(*j) == Some(&':') && c.get(*j + 1) == Some(&':') {
            *j += 2;
        } else {
            // `x as y` and the like end the path.
            return vec![head];
        }
    }
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<Vec<String>, usize>,
        low: BTreeMap<Vec<String>, usize>,
        stack: Vec<Vec<String>>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    impl T<'_> {
        fn visit(&mut self, v: &Vec<String>) {
            self.index.insert(v.clone(), self.next);
            self.low.insert(v.clone(), self.next);
            self.next += 1;
            self.stack.push(v.clone());
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let l = self.low[v].min(self.low[w]);
                    self.low.insert(v.clone(), l);
                } else if self.stack.contains(w) {
                    let l = self.low[v].min(self.index[w]);
                    self.low.insert(v.clone(), l);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    let done = &w == v;
                    comp.push(w.join("::"));
                    if done {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.found.push(comp);
                }
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        next: 0,
        found: vec![],
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.found
}

/// Edges that go sideways or up: a module may use only modules in lower layers.
fn against_layers(
    edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    layers: &[&[&str]],
) -> Vec<String> {
    let layer_of = |m: &[String]| layers.iter().position(|l| l.contains(&m[0].as_str()));
    let mut bad = Vec::new();
    for (from, tos) in edges {
        for to in tos {
            match (layer_of(from), layer_of(to)) {
                (Some(a), Some(b)) if b < a => {}
                _ => bad.push(format!("{} -> {}", from.join("::"), to.join("::"))),
            }
        }
    }
    bad
}

fn sim() -> Crate {
    Crate::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/sim/src"))
}

fn console() -> Crate {
    Crate::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_module_cycles_in_either_crate() {
    for (name, krate) in [("opsconsole-sim", sim()), ("opsconsole", console())] {
        assert!(
            krate.uses.len() > 20,
            "{name}: read only {} modules",
            krate.uses.len()
        );
        for depth in [1, 2, 3] {
            let found = cycles(&krate.edges(depth));
            assert!(
                found.is_empty(),
                "{name}: module cycles at depth {depth}: {found:?}"
            );
        }
    }
}

#[test]
fn the_simulator_is_layered() {
    // base and engine at the bottom, the Kubernetes-free control plane in the middle, the
    // command language and its executors on top.
    let layers: &[&[&str]] = &[
        &["base"],
        &["engine"],
        &["model"],
        &["state"],
        &["infra"],
        &["swarm", "kube"],
        &["cluster", "store"],
        &["lang"],
        &["exec"],
    ];
    let bad = against_layers(&sim().edges(1), layers);
    assert!(
        bad.is_empty(),
        "uses against the simulator's layers: {bad:#?}"
    );
}

#[test]
fn the_console_is_layered() {
    // Backends know nothing of the app; the app (state, actions) nothing of its UI; the UI
    // nothing of the terminal loop, macros or screenshots.
    let layers: &[&[&str]] = &[
        &["backend"],
        &["app"],
        &["ui", "macros", "ctl", "fixtures"],
        &["console"],
        &["shots"],
    ];
    let bad = against_layers(&console().edges(1), layers);
    assert!(
        bad.is_empty(),
        "uses against the console's layers: {bad:#?}"
    );
}

#[test]
fn the_ui_side_sees_the_simulator_only_through_its_language() {
    let c = console();
    let rules: &[(&[&str], &[&str])] = &[
        (&["app"], &["base", "lang"]),
        (&["ui"], &["base", "lang"]),
        (&["console"], &["base", "lang"]),
        (&["macros"], &["base", "lang"]),
        (&["backend", "view"], &["base"]),
        (&["backend", "verb"], &["base", "lang"]),
        // The real engine's backend speaks the Engine API and prints the docker CLI's tables;
        // it never touches the simulated cluster.
        (&["backend", "docker"], &["base", "engine", "lang", "exec"]),
        // Kubernetes objects are shown with kube-apiserver's printing rules (pure functions
        // of the k8s-openapi objects, for any cluster), never with its controllers or state.
        (
            &["backend", "convert"],
            &["base", "engine", "exec", "kube::print", "model::kube"],
        ),
        (&["backend", "kube"], &["base", "lang"]),
    ];
    let mut bad = Vec::new();
    for (module, allowed) in rules {
        for line in c.sim_uses(module) {
            let path = line.rsplit(" uses opsconsole_sim::").next().unwrap_or("");
            let within = |a: &&str| {
                path.strip_prefix(*a)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
            };
            if !allowed.iter().any(within) {
                bad.push(line);
            }
        }
    }
    assert!(
        bad.is_empty(),
        "reaches past the simulator's language: {bad:#?}"
    );
}

#[test]
fn the_simulator_crate_has_no_terminal_ui_async_or_http_dependency() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/sim/Cargo.toml"),
    )
    .unwrap();
    let mut section = String::new();
    let mut found = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.to_string();
            continue;
        }
        if section != "[dependencies]" {
            continue;
        }
        let name = line.split(['=', ' ', '.']).next().unwrap_or("");
        for heavy in [
            "ratatui",
            "crossterm",
            "tokio",
            "futures",
            "bollard",
            "hyper",
            "reqwest",
            // The Kubernetes client stays out; k8s-openapi (types only, no client) is the
            // simulator's Kubernetes object model, as it is kube-core's.
            "kube",
            "kube-client",
            "tui-textarea",
            "color-eyre",
        ] {
            if name == heavy {
                found.push(name.to_string());
            }
        }
    }
    assert!(found.is_empty(), "crates/sim depends on {found:?}");
    // One Kubernetes version, the one the API server reports.
    let k8s = manifest
        .lines()
        .find(|l| l.starts_with("k8s-openapi"))
        .expect("crates/sim has the Kubernetes types");
    assert!(
        k8s.contains(r#"features = ["v1_32"]"#),
        "k8s-openapi must have exactly the v1_32 feature: {k8s}"
    );
}

#[test]
fn the_checker_sees_uses_and_cycles() {
    // The reader itself: a doc link and a string are not uses, groups are, and a two-module
    // loop is a cycle.
    let code = blank_comments_and_strings(
        "//! see [`crate::a`]\nuse crate::{b::{C, d}, e as f};\nlet s = \"crate::g\"; let c = '\"'; super::h::I;",
    );
    let paths = paths_after(&code, "crate::");
    assert_eq!(paths, vec![vec!["b", "C"], vec!["b", "d"], vec!["e"]]);
    assert_eq!(
        super_paths(&code),
        vec![(1, vec!["h".to_string(), "I".to_string()])]
    );
    let v = |s: &str| vec![s.to_string()];
    let edges = BTreeMap::from([
        (v("a"), BTreeSet::from([v("b")])),
        (v("b"), BTreeSet::from([v("a")])),
    ]);
    assert_eq!(cycles(&edges), vec![vec!["a".to_string(), "b".to_string()]]);
    let layered = against_layers(&edges, &[&["a"], &["b"]]);
    assert_eq!(layered, vec!["a -> b".to_string()]);
}
