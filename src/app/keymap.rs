//! Keymaps are data: TOML files mapping each operation to its keys, per context. Two are
//! built in (`default`: vim keys and arrows; `k9s`: k9s's keys); `--keymap NAME|FILE` picks
//! the base and `<config dir>/keymap.toml` overrides it entry by entry.
//!
//! A file has one table per context (`[global]`, `[navigation]`, `[nodes]`, ...); each entry
//! is `operation = ["key", "chord of keys", ...]` (an empty list unbinds). A problem with an
//! entry (unknown operation, bad key, a key bound twice, a chord clashing with a key) is
//! reported with the file and line and that entry is skipped; a file that cannot be read or
//! parsed at all is reported and the built-in default is used instead.

use super::keys::{Key, Seq, parse_seq, seq_to_string};
use super::ops::{Context, Op};
use super::tomlfile::{TomlFile, entries, span_of};
use std::collections::BTreeMap;
use std::path::Path;
use toml_edit::{Item, Value};

pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("k9s", include_str!("../../keymaps/k9s.toml")),
];

/// The result of looking a key sequence up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Op(Op),
    /// A key bound to a macro file (`[macros]`).
    Macro(String),
    /// The keys so far start a chord: wait for the next.
    Prefix,
    None,
}

#[derive(Clone, Debug, Default)]
pub struct Keymap {
    pub name: String,
    /// Per context, each key sequence and what it does, and each operation's keys in order.
    by_seq: BTreeMap<Context, BTreeMap<Seq, Op>>,
    by_op: BTreeMap<(Context, Op), Vec<Seq>>,
    /// Keys that play a macro file, everywhere (`[macros]`: "path/to/file.macro" = ["f5"]).
    macros: BTreeMap<Seq, String>,
    pub warnings: Vec<String>,
}

/// Where an operation may be bound.
fn allowed(op: Op, ctx: Context) -> bool {
    op.context() == ctx
        || (matches!(op.context(), Context::Global | Context::Navigation)
            && ctx != Context::Global
            && ctx != Context::Navigation)
        || (op.context() == Context::Navigation && ctx == Context::Global)
}

impl Keymap {
    /// The base keymap (`name_or_path`: a built-in name or a file) with the user's overrides;
    /// problems become warnings, never failures.
    pub fn load(name_or_path: Option<&str>, user: Option<&Path>) -> Keymap {
        let mut warnings = Vec::new();
        let base = name_or_path.unwrap_or("default");
        let mut km = match BUILTIN.iter().find(|(n, _)| *n == base) {
            Some((n, text)) => Keymap::from_text(&format!("keymaps/{n}.toml (built in)"), text)
                .unwrap_or_else(|e| {
                    warnings.push(e);
                    Keymap::default()
                }),
            None => match std::fs::read_to_string(base) {
                Ok(text) => Keymap::from_text(base, &text).unwrap_or_else(|e| {
                    warnings.push(format!("{e}; using the default keymap"));
                    Keymap::builtin_default()
                }),
                Err(e) => {
                    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    warnings.push(format!(
                        "keymap {base:?}: not a built-in keymap ({}) and not a readable file ({e}); using the default keymap",
                        names.join(", ")
                    ));
                    Keymap::builtin_default()
                }
            },
        };
        km.name = Path::new(base)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| base.to_string());
        if let Some(user) = user
            && let Ok(text) = std::fs::read_to_string(user)
        {
            let label = user.display().to_string();
            match TomlFile::parse(&label, text) {
                Ok(f) => km.apply(&f),
                Err(e) => warnings.push(format!("{e}; your keymap overrides were not applied")),
            }
        }
        warnings.append(&mut km.warnings);
        km.warnings = warnings;
        km
    }

    pub fn builtin_default() -> Keymap {
        Keymap::from_text("keymaps/default.toml (built in)", BUILTIN[0].1).unwrap_or_default()
    }

    /// A keymap from one file's text (entry problems are in `warnings`).
    pub fn from_text(label: &str, text: &str) -> Result<Keymap, String> {
        let f = TomlFile::parse(label, text.to_string())?;
        let mut km = Keymap {
            name: label.to_string(),
            ..Keymap::default()
        };
        km.apply(&f);
        Ok(km)
    }

    /// Applies a file's entries: each entry replaces that operation's keys in its context;
    /// a key taken by another operation from an earlier file moves to this one.
    fn apply(&mut self, f: &TomlFile) {
        // Keys this file binds, per context, to detect conflicts within the file.
        let mut mine: BTreeMap<Context, BTreeMap<Seq, (Op, usize)>> = BTreeMap::new();
        for (ck, citem) in entries(f.root()) {
            if ck.get() == "macros" {
                self.apply_macros(f, ck, citem);
                continue;
            }
            let Some(ctx) = Context::from_name(ck.get()) else {
                let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                self.warnings.push(f.at(
                    ck.span(),
                    format!(
                        "unknown section [{}] (sections: {}, macros); ignored",
                        ck.get(),
                        names.join(", ")
                    ),
                ));
                continue;
            };
            let Some(table) = citem.as_table_like() else {
                self.warnings.push(f.at(
                    ck.span(),
                    format!("[{}] must be a table of bindings; ignored", ctx.name()),
                ));
                continue;
            };
            let mut list = Vec::new();
            for (k, _) in table.iter() {
                if let Some((key, item)) = table.get_key_value(k) {
                    list.push((key, item));
                }
            }
            for (key, item) in list {
                let span = span_of(key, item);
                let line = f.line(span.clone());
                let Some(op) = Op::from_name(key.get()) else {
                    self.warnings.push(f.at(
                        span,
                        format!(
                            "unknown action {:?} in [{}]; entry ignored",
                            key.get(),
                            ctx.name()
                        ),
                    ));
                    continue;
                };
                if !allowed(op, ctx) {
                    self.warnings.push(f.at(
                        span,
                        format!(
                            "{:?} belongs in [{}], not [{}]; entry ignored",
                            op.name(),
                            op.context().name(),
                            ctx.name()
                        ),
                    ));
                    continue;
                }
                let seqs = match parse_keys(item) {
                    Ok(s) => s,
                    Err(e) => {
                        self.warnings
                            .push(f.at(span, format!("{}: {e}; entry ignored", op.name())));
                        continue;
                    }
                };
                // Check the whole entry before changing anything.
                let taken = mine.entry(ctx).or_default();
                let mut clash = None;
                for s in &seqs {
                    for (other, (oop, oline)) in taken.iter() {
                        if *oop == op {
                            continue;
                        }
                        if other == s {
                            clash = Some(format!(
                                "key {:?} is already bound to {:?} (line {oline})",
                                seq_to_string(s),
                                oop.name()
                            ));
                        } else if other.starts_with(s) || s.starts_with(other) {
                            clash = Some(format!(
                                "chord {:?} clashes with {:?} bound to {:?} (line {oline})",
                                seq_to_string(s),
                                seq_to_string(other),
                                oop.name()
                            ));
                        }
                    }
                }
                if let Some(c) = clash {
                    self.warnings.push(f.at(
                        span,
                        format!("{} in [{}]: {c}; entry ignored", op.name(), ctx.name()),
                    ));
                    continue;
                }
                for s in &seqs {
                    taken.insert(s.clone(), (op, line));
                }
                self.bind(ctx, op, seqs);
            }
        }
    }

    /// `[macros]`: each entry binds keys to a macro file (relative paths are relative to the
    /// keymap file). A key that a [global] action already has is refused.
    fn apply_macros(&mut self, f: &TomlFile, ck: &toml_edit::Key, item: &Item) {
        let Some(table) = item.as_table_like() else {
            self.warnings.push(f.at(
                ck.span(),
                "[macros] must be a table of \"file\" = [keys]; ignored",
            ));
            return;
        };
        let base = Path::new(&f.label)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for (k, _) in table.iter() {
            let Some((key, item)) = table.get_key_value(k) else {
                continue;
            };
            let span = span_of(key, item);
            let seqs = match parse_keys(item) {
                Ok(s) => s,
                Err(e) => {
                    self.warnings
                        .push(f.at(span, format!("macro {:?}: {e}; entry ignored", key.get())));
                    continue;
                }
            };
            let global = self
                .by_seq
                .get(&Context::Global)
                .cloned()
                .unwrap_or_default();
            let clash = seqs.iter().find_map(|s| {
                global
                    .iter()
                    .find(|(g, _)| g.starts_with(s) || s.starts_with(g))
                    .map(|(g, op)| {
                        format!(
                            "key {:?} is bound to {:?} in [global]",
                            seq_to_string(g),
                            op.name()
                        )
                    })
            });
            if let Some(c) = clash {
                self.warnings
                    .push(f.at(span, format!("macro {:?}: {c}; entry ignored", key.get())));
                continue;
            }
            let path = if Path::new(key.get()).is_absolute() {
                key.get().to_string()
            } else {
                base.join(key.get()).display().to_string()
            };
            self.macros.retain(|_, p| *p != path);
            for s in seqs {
                self.macros.insert(s, path.clone());
            }
        }
    }

    /// Makes `seq` the only keys of a [global] operation, taking it (and clashing chords) away
    /// from every context, so no pane can shadow it (a kiosk's exit chord).
    pub fn bind_only(&mut self, op: Op, seq: Seq) {
        for ctx in Context::ALL {
            let clashing: Vec<(Seq, Op)> = self
                .by_seq
                .get(&ctx)
                .map(|m| {
                    m.iter()
                        .filter(|(s, _)| s.starts_with(&seq) || seq.starts_with(s))
                        .map(|(s, o)| (s.clone(), *o))
                        .collect()
                })
                .unwrap_or_default();
            for (s, o) in clashing {
                if let Some(m) = self.by_seq.get_mut(&ctx) {
                    m.remove(&s);
                }
                if let Some(v) = self.by_op.get_mut(&(ctx, o)) {
                    v.retain(|x| *x != s);
                }
            }
        }
        self.macros
            .retain(|s, _| !(s.starts_with(&seq) || seq.starts_with(s)));
        self.bind(op.context(), op, vec![seq]);
    }

    /// Replaces an operation's keys in a context; keys (and clashing chords) that earlier
    /// files gave to other operations move to this one.
    fn bind(&mut self, ctx: Context, op: Op, seqs: Vec<Seq>) {
        let map = self.by_seq.entry(ctx).or_default();
        map.retain(|_, o| *o != op);
        for s in &seqs {
            let clashing: Vec<Seq> = map
                .keys()
                .filter(|o| o.starts_with(s) || s.starts_with(o))
                .cloned()
                .collect();
            for c in clashing {
                if let Some(old) = map.remove(&c)
                    && let Some(v) = self.by_op.get_mut(&(ctx, old))
                {
                    v.retain(|x| *x != c);
                }
            }
            map.insert(s.clone(), op);
        }
        self.by_op.insert((ctx, op), seqs);
    }

    /// Looks keys up in the given contexts, most specific first.
    pub fn lookup(&self, contexts: &[Context], seq: &[Key]) -> Lookup {
        for ctx in contexts {
            let Some(map) = self.by_seq.get(ctx) else {
                continue;
            };
            if let Some(op) = map.get(seq) {
                return Lookup::Op(*op);
            }
            if map
                .range(seq.to_vec()..)
                .next()
                .is_some_and(|(k, _)| k.starts_with(seq))
            {
                return Lookup::Prefix;
            }
        }
        if let Some(p) = self.macros.get(seq) {
            return Lookup::Macro(p.clone());
        }
        if self
            .macros
            .range(seq.to_vec()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(seq))
        {
            return Lookup::Prefix;
        }
        Lookup::None
    }

    /// The macros keys play, with their keys (for help).
    pub fn macros(&self) -> Vec<(String, String)> {
        self.macros
            .iter()
            .map(|(s, p)| (seq_to_string(s), p.clone()))
            .collect()
    }

    /// The keys of an operation in the first of `contexts` that binds it.
    pub fn keys_for(&self, contexts: &[Context], op: Op) -> Vec<String> {
        for ctx in contexts {
            if let Some(v) = self.by_op.get(&(*ctx, op))
                && !v.is_empty()
            {
                // Keys shadowed by a more specific context do not reach this operation.
                let reachable: Vec<String> = v
                    .iter()
                    .filter(|s| self.lookup(contexts, s) == Lookup::Op(op))
                    .map(|s| seq_to_string(s))
                    .collect();
                return reachable;
            }
        }
        Vec::new()
    }

    /// The first key of an operation, for hints.
    pub fn hint(&self, contexts: &[Context], op: Op) -> Option<String> {
        self.keys_for(contexts, op).into_iter().next()
    }

    /// Help for the given contexts: per context, each reachable operation with its keys, in
    /// the order operations are declared. Generated from the bindings, so never out of date.
    pub fn help(
        &self,
        contexts: &[Context],
        show: impl Fn(Op) -> bool,
    ) -> Vec<(Context, Vec<(String, Op)>)> {
        let mut out = Vec::new();
        for ctx in contexts {
            let mut rows = Vec::new();
            for op in Op::ALL.iter().copied().filter(|o| show(*o)) {
                let Some(v) = self.by_op.get(&(*ctx, op)) else {
                    continue;
                };
                let keys: Vec<String> = v
                    .iter()
                    .filter(|s| self.lookup(contexts, s) == Lookup::Op(op))
                    .map(|s| seq_to_string(s))
                    .collect();
                if !keys.is_empty() {
                    rows.push((keys.join(", "), op));
                }
            }
            if !rows.is_empty() {
                out.push((*ctx, rows));
            }
        }
        out
    }
}

fn parse_keys(item: &Item) -> Result<Vec<Seq>, String> {
    let strings: Vec<String> = match item {
        Item::Value(Value::String(s)) => vec![s.value().clone()],
        Item::Value(Value::Array(a)) => {
            let mut v = Vec::new();
            for x in a.iter() {
                match x.as_str() {
                    Some(s) => v.push(s.to_string()),
                    None => return Err("keys must be strings".into()),
                }
            }
            v
        }
        _ => return Err("expected a list of keys, e.g. [\"j\", \"down\"]".into()),
    };
    let mut seqs: Vec<Seq> = Vec::new();
    for s in strings {
        let seq = parse_seq(&s)?;
        if !seqs.contains(&seq) {
            seqs.push(seq);
        }
    }
    Ok(seqs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exclusive_binding_cannot_be_shadowed() {
        let mut km = Keymap::from_text("k", "[services]\nservice_scale = [\"ctrl-x\"]\n").unwrap();
        km.bind_only(Op::Quit, vec![Key::ctrl('x'), Key::ctrl('c')]);
        let ctx = [Context::Services, Context::Navigation, Context::Global];
        assert_eq!(km.lookup(&ctx, &[Key::ctrl('x')]), Lookup::Prefix);
        assert_eq!(
            km.lookup(&ctx, &[Key::ctrl('x'), Key::ctrl('c')]),
            Lookup::Op(Op::Quit)
        );
        // Quit's other keys are gone.
        assert_eq!(km.lookup(&ctx, &[Key::ch('q')]), Lookup::None);
        assert_eq!(km.keys_for(&ctx, Op::ServiceScale), Vec::<String>::new());
    }

    #[test]
    fn keys_play_macro_files() {
        let d = tempfile::tempdir().unwrap();
        let user = d.path().join("keymap.toml");
        std::fs::write(
            &user,
            "[macros]\n\"demo.macro\" = [\"f5\", \"ctrl-x d\"]\n\"/abs/q.macro\" = [\"q\"]\n\"bad.macro\" = [\"hyper-k\"]\n",
        )
        .unwrap();
        let km = Keymap::load(None, Some(&user));
        let ctx = [Context::Services, Context::Navigation, Context::Global];
        let demo = d.path().join("demo.macro").display().to_string();
        assert_eq!(
            km.lookup(&ctx, &[Key::plain(super::super::keys::Code::F(5))]),
            Lookup::Macro(demo.clone())
        );
        assert_eq!(km.lookup(&ctx, &[Key::ctrl('x')]), Lookup::Prefix);
        assert_eq!(
            km.lookup(&ctx, &[Key::ctrl('x'), Key::ch('d')]),
            Lookup::Macro(demo)
        );
        // "q" quits ([global]): the macro entry is refused, with its line.
        assert_eq!(km.lookup(&ctx, &[Key::ch('q')]), Lookup::Op(Op::Quit));
        assert!(
            km.warnings.iter().any(|w| w.contains(
                "keymap.toml:3: macro \"/abs/q.macro\": key \"q\" is bound to \"quit\" in [global]"
            )),
            "{:?}",
            km.warnings
        );
        assert!(
            km.warnings
                .iter()
                .any(|w| w.contains("keymap.toml:4: macro \"bad.macro\"")),
            "{:?}",
            km.warnings
        );
        assert_eq!(km.macros().len(), 2);
    }
    use crate::app::keys::Code;

    #[test]
    fn builtin_keymaps_load_cleanly_and_bind_every_operation() {
        for (name, _) in BUILTIN {
            let km = Keymap::load(Some(name), None);
            assert!(km.warnings.is_empty(), "{name}: {:?}", km.warnings);
            for op in Op::ALL {
                assert!(
                    !km.keys_for(&[op.context(), Context::Navigation, Context::Global], *op)
                        .is_empty(),
                    "{name}: {} has no key",
                    op.name()
                );
            }
        }
    }

    #[test]
    fn chords_contexts_and_lookup() {
        let km = Keymap::builtin_default();
        let ctx = [Context::Services, Context::Navigation, Context::Global];
        assert_eq!(km.lookup(&ctx, &[Key::ch('g')]), Lookup::Prefix);
        assert_eq!(
            km.lookup(&ctx, &[Key::ch('g'), Key::ch('g')]),
            Lookup::Op(Op::Top)
        );
        assert_eq!(km.lookup(&ctx, &[Key::ch('j')]), Lookup::Op(Op::Down));
        assert_eq!(
            km.lookup(&ctx, &[Key::plain(Code::Down)]),
            Lookup::Op(Op::Down)
        );
        assert_eq!(
            km.lookup(&ctx, &[Key::ch('s')]),
            Lookup::Op(Op::ServiceScale)
        );
        // The same key means something else on another pane.
        let nodes = [Context::Nodes, Context::Navigation, Context::Global];
        assert_ne!(
            km.lookup(&nodes, &[Key::ch('s')]),
            Lookup::Op(Op::ServiceScale)
        );
    }

    #[test]
    fn overrides_remap_and_remove_and_bad_entries_are_reported_with_lines() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("keymap.toml");
        std::fs::write(
            &user,
            "[navigation]\ndown = [\"ctrl-n\"]\nup = []\n\n[services]\nservice_scale = [\"x\"]\nbogus_action = [\"z\"]\nservice_remove = [\"x\"]\nservice_image = [\"hyper-q\"]\n[nowhere]\nquit = [\"q\"]\n",
        )
        .unwrap();
        let km = Keymap::load(None, Some(&user));
        let ctx = [Context::Services, Context::Navigation, Context::Global];
        assert_eq!(km.lookup(&ctx, &[Key::ctrl('n')]), Lookup::Op(Op::Down));
        assert_eq!(
            km.lookup(&ctx, &[Key::ch('j')]),
            Lookup::None,
            "down remapped"
        );
        assert!(km.keys_for(&ctx, Op::Up).is_empty(), "up removed");
        assert_eq!(
            km.lookup(&ctx, &[Key::ch('x')]),
            Lookup::Op(Op::ServiceScale)
        );
        let w = km.warnings.join("\n");
        let path = user.display().to_string();
        assert!(
            w.contains(&format!("{path}:7: unknown action \"bogus_action\"")),
            "{w}"
        );
        assert!(w.contains(&format!("{path}:8: service_remove in [services]: key \"x\" is already bound to \"service_scale\" (line 6)")), "{w}");
        assert!(
            w.contains(&format!("{path}:9: service_image: unknown key \"hyper-q\"")),
            "{w}"
        );
        assert!(
            w.contains(&format!("{path}:10: unknown section [nowhere]")),
            "{w}"
        );
        // Entries that were refused left the defaults alone.
        assert!(!km.keys_for(&ctx, Op::ServiceImage).is_empty());
        assert!(!km.keys_for(&ctx, Op::ServiceRemove).is_empty());
    }

    #[test]
    fn a_broken_file_falls_back_to_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mine.toml");
        std::fs::write(&p, "[global]\nquit = [\"q\"\n").unwrap();
        let km = Keymap::load(Some(p.to_str().unwrap()), None);
        assert!(km.warnings[0].contains("mine.toml:"), "{:?}", km.warnings);
        assert!(km.warnings[0].contains("using the default keymap"));
        let ctx = [Context::Global];
        assert_eq!(km.lookup(&ctx, &[Key::ch('q')]), Lookup::Op(Op::Quit));
        let km = Keymap::load(Some("no-such-keymap"), None);
        assert!(km.warnings[0].contains("not a built-in keymap (default, k9s)"));
    }

    #[test]
    fn help_lists_what_the_keys_do() {
        let km = Keymap::builtin_default();
        let help = km.help(
            &[Context::Services, Context::Navigation, Context::Global],
            |_| true,
        );
        let services = &help[0];
        assert_eq!(services.0, Context::Services);
        assert!(
            services
                .1
                .iter()
                .any(|(k, op)| *op == Op::ServiceScale && k == "s")
        );
    }
}
