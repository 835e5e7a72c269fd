//! The bottom line (typing a command or a filter), pasting, and the mouse.

use super::*;
use crate::backend::{Flavor, Invocation, LogTarget, RunOpts};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

impl App {
    // -----------------------------------------------------------------------
    // The bottom line

    /// Asks the backend for the names `kubectl get KEY -o name` lists.
    fn fetch_kube_names(&mut self, key: String, fx: &mut Vec<Effect>) {
        let mut words: Vec<String> = vec!["kubectl".into(), "get".into()];
        words.extend(key.split(' ').map(str::to_string));
        words.extend(["-o".into(), "name".into()]);
        let Ok(inv) = Invocation::new(&words) else {
            return;
        };
        // Asked once per line: an empty answer until it comes.
        self.data.kube_names.insert(key.clone(), Vec::new());
        let id = self.request(Req::KubeNames(key));
        fx.push(Effect::Run {
            id,
            inv,
            opts: RunOpts::default(),
        });
    }

    pub(super) fn open_input(&mut self, kind: InputKind, text: &str) {
        // Names fetched for an earlier line may be stale.
        self.data.kube_names.clear();
        let saved_filter = self.panes.get(self.pane).filter().cloned();
        self.input = Some(Input {
            kind,
            edit: LineEdit::new(text),
            completion: None,
            history_pos: None,
            saved_filter,
        });
        self.pending.clear();
    }

    pub(super) fn input_key(&mut self, k: Key, fx: &mut Vec<Effect>) {
        let Some(mut input) = self.input.take() else {
            return;
        };
        let edit = input.edit.key(k);
        if edit != Edit::Complete {
            input.completion = None;
        }
        match edit {
            Edit::Submit => {
                self.submit_input(input, fx);
                return;
            }
            Edit::Cancel => {
                if input.kind == InputKind::Filter {
                    self.panes
                        .get_mut(self.pane)
                        .set_filter(&self.data, input.saved_filter.clone());
                }
                return;
            }
            Edit::Complete if input.kind == InputKind::Command => {
                if input.completion.is_none() {
                    let head = input.edit.head().to_string();
                    let parts: Vec<&str> = head.split(' ').collect();
                    let (before, word) = parts.split_at(parts.len() - 1);
                    let before: Vec<&str> =
                        before.iter().copied().filter(|w| !w.is_empty()).collect();
                    // Kubernetes objects' names are fetched the first time they are wanted
                    // on this line (a later Tab offers them).
                    if let Some(key) = cmdline::kube_names_key(&before)
                        && !self.data.kube_names.contains_key(&key)
                    {
                        self.fetch_kube_names(key, fx);
                    }
                    let mut cands = cmdline::candidates(&before, word[0], &self.data);
                    if before.is_empty() && self.info.flavor == Flavor::Kube {
                        cands.extend(cmdline::KUBE_JUMPS.iter().map(|s| s.to_string()));
                    }
                    input.completion = Completion::start(&input.edit, cands);
                    if let Some(c) = &input.completion
                        && c.candidates.len() > 1
                    {
                        // First Tab: the common part; further Tabs cycle.
                        let common = c.common();
                        let head_word = word[0];
                        if common.len() > head_word.len() {
                            let start = input.edit.cursor - head_word.chars().count();
                            let mut chars: Vec<char> = input.edit.text.chars().collect();
                            chars.splice(start..input.edit.cursor, common.chars());
                            input.edit.text = chars.into_iter().collect();
                            input.edit.cursor = start + common.chars().count();
                            self.input = Some(input);
                            return;
                        }
                    }
                }
                if let Some(c) = input.completion.as_mut() {
                    c.apply(&mut input.edit);
                }
            }
            Edit::HistoryPrev | Edit::HistoryNext
                if input.kind == InputKind::Command && !self.history.is_empty() =>
            {
                let n = self.history.len();
                let pos = match (input.history_pos, edit) {
                    (None, Edit::HistoryPrev) => Some(n - 1),
                    (Some(p), Edit::HistoryPrev) => Some(p.saturating_sub(1)),
                    (Some(p), Edit::HistoryNext) if p + 1 < n => Some(p + 1),
                    _ => None,
                };
                input.history_pos = pos;
                match pos {
                    Some(p) => input.edit.set(&self.history[p]),
                    None => input.edit.set(""),
                }
            }
            Edit::Changed if input.kind == InputKind::Filter => {
                // The table filters as you type.
                let f = Filter::new(&input.edit.text);
                self.panes.get_mut(self.pane).set_filter(&self.data, f);
            }
            _ => {}
        }
        self.input = Some(input);
    }

    pub(super) fn on_paste(&mut self, s: &str) {
        if let Some(input) = self.input.as_mut() {
            input.edit.insert(s);
            if input.kind == InputKind::Filter {
                let f = Filter::new(&input.edit.text);
                self.panes.get_mut(self.pane).set_filter(&self.data, f);
            }
        } else if let Some(o) = self.overlay.as_mut() {
            o.paste(s);
        }
    }

    pub(super) fn submit_input(&mut self, input: Input, fx: &mut Vec<Effect>) {
        let text = input.edit.text.trim().to_string();
        match input.kind {
            InputKind::Filter => {
                let f = Filter::new(&text);
                self.panes.get_mut(self.pane).set_filter(&self.data, f);
            }
            InputKind::Command => {
                if text.is_empty() {
                    return;
                }
                if self.history.last() != Some(&text) {
                    self.history.push(text.clone());
                    if self.history.len() > 500 {
                        self.history.remove(0);
                    }
                }
                self.command_line(&text, fx);
            }
        }
    }

    /// Runs a `:` line: a navigation command, or a command for the backend (`@NODE` in front
    /// sends container and volume commands to that node).
    pub fn command_line(&mut self, text: &str, fx: &mut Vec<Effect>) {
        let words = match opsconsole_sim::lang::flags::split_line(text) {
            Ok(w) => w,
            Err(e) => {
                self.set_status(Level::Error, format!("cannot parse command line: {e}"));
                return;
            }
        };
        let (on, words) = match words.first() {
            Some(w) if w.starts_with('@') && w.len() > 1 => {
                (Some(w[1..].to_string()), words[1..].to_vec())
            }
            _ => (None, words),
        };
        if words.is_empty() {
            return;
        }
        if let Some(nav) = cmdline::nav(&words) {
            self.nav_command(nav, fx);
            return;
        }
        // A verb only kubectl has is kubectl's (`:get pods`); on a Kubernetes cluster, every
        // verb kubectl has is (`:create deployment web --image=nginx`, `:logs web-0`).
        let kube = self.info.flavor == Flavor::Kube;
        let words = match words.first() {
            Some(w)
                if opsconsole_sim::lang::kubectl::vocab::is_own_verb(w)
                    || (kube && opsconsole_sim::lang::kubectl::vocab::is_command(w)) =>
            {
                std::iter::once("kubectl".to_string())
                    .chain(words)
                    .collect()
            }
            _ => words,
        };
        // Following logs is what the logs pane is for.
        if let Ok(inv) = Invocation::new(&words)
            && let Some(t) = inv.cmd.follows_logs()
        {
            let target = match self.data.store.find_workload(t) {
                Some(_) => LogTarget::Service(t.to_string()),
                None => LogTarget::Task(t.to_string()),
            };
            self.open(Nav::Logs(target), fx);
            return;
        }
        self.run_words(words, on, true, fx);
    }

    pub(super) fn nav_command(&mut self, nav: NavCmd, fx: &mut Vec<Effect>) {
        match nav {
            NavCmd::Workloads(_) | NavCmd::Namespace(_) | NavCmd::Events
                if self.info.flavor != Flavor::Kube =>
            {
                self.set_status(
                    Level::Error,
                    format!(
                        "{} is not a Kubernetes cluster (try :services, :tasks)",
                        self.info.endpoint
                    ),
                );
            }
            NavCmd::Workloads(kind) => self.open(Nav::Workloads(kind), fx),
            NavCmd::Namespace(None) => {
                self.run_words(words(&["kubectl", "get", "namespaces"]), None, true, fx);
            }
            NavCmd::Namespace(Some(ns)) => self.rescope(ns, fx),
            NavCmd::Events => {
                let mut w = words(&["kubectl", "get", "events", "--sort-by=.lastTimestamp"]);
                match &self.info.scope {
                    Some(ns) => w.extend(["-n".to_string(), ns.clone()]),
                    None => w.push("-A".into()),
                }
                self.run_words(w, None, true, fx);
            }
            NavCmd::Nodes => self.switch(PaneId::Nodes),
            NavCmd::Services => self.switch(PaneId::Services),
            NavCmd::Volumes => self.switch(PaneId::Volumes),
            NavCmd::Help => self.on_op(Op::Help, fx),
            NavCmd::Quit => self.quit = true,
            NavCmd::Tasks(None) => self.open(Nav::Tasks(TaskScope::All), fx),
            NavCmd::Tasks(Some(x)) => {
                if let Some(s) = self.data.store.find_workload(&x) {
                    let id = s.id().to_string();
                    self.open(Nav::Tasks(TaskScope::Service(id)), fx);
                } else if let Some(n) = self.data.store.find_host(&x) {
                    let id = n.id().to_string();
                    self.open(Nav::Tasks(TaskScope::Node(id)), fx);
                } else {
                    self.set_status(Level::Error, format!("no service or node named {x}"));
                }
            }
            NavCmd::Logs(None) => self.switch(PaneId::Logs),
            NavCmd::Logs(Some(x)) if self.info.flavor == Flavor::Kube => {
                let store = &self.data.store;
                let target = match (store.find_workload(&x), store.find_replica(&x)) {
                    (Some(w), _) => Some(LogTarget::Workload(w.c.r.clone())),
                    (None, Some(p)) => Some(LogTarget::Pod {
                        pod: p.c.r.clone(),
                        container: None,
                    }),
                    (None, None) => None,
                };
                match target {
                    Some(t) => self.open(Nav::Logs(t), fx),
                    None => self.set_status(Level::Error, format!("no workload or pod named {x}")),
                }
            }
            NavCmd::Logs(Some(x)) => {
                if self.data.store.find_workload(&x).is_some() {
                    self.open(Nav::Logs(LogTarget::Service(x)), fx);
                } else if let Some(t) = self.data.store.find_replica(&x) {
                    let id = t.id().to_string();
                    self.open(Nav::Logs(LogTarget::Task(id)), fx);
                } else {
                    self.set_status(Level::Error, format!("no service or task named {x}"));
                }
            }
            NavCmd::Rollouts(x) => {
                if let Some(x) = &x
                    && self.data.store.find_workload(x).is_none()
                {
                    self.set_status(Level::Error, format!("no service named {x}"));
                    return;
                }
                let id = x.and_then(|x| {
                    self.data
                        .store
                        .find_workload(&x)
                        .map(|s| s.id().to_string())
                });
                self.open(Nav::Rollouts(id), fx);
            }
        }
    }

    /// `:ns NAME|all`: the Kubernetes views show that namespace (or all) from now on; the
    /// backend's watches are started again in that scope, so nothing outside it is cached.
    fn rescope(&mut self, ns: String, fx: &mut Vec<Effect>) {
        let scope = (ns != "all").then_some(ns);
        if scope == self.info.scope {
            return;
        }
        self.data.store = Default::default();
        self.data.loaded = false;
        self.data.kube_names.clear();
        self.panes.on_deltas(&self.data, &[Delta::Reset]);
        let what = scope.as_deref().unwrap_or("all namespaces").to_string();
        self.info.scope = scope.clone();
        fx.push(Effect::Rescope(scope));
        self.set_status(Level::Info, format!("showing {what}"));
    }

    // -----------------------------------------------------------------------
    // Mouse

    pub(super) fn on_mouse(&mut self, m: MouseEvent, fx: &mut Vec<Effect>) {
        if !self.config.mouse {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollUp => {
                for _ in 0..3 {
                    self.on_op(Op::Up, fx);
                }
            }
            MouseEventKind::ScrollDown => {
                for _ in 0..3 {
                    self.on_op(Op::Down, fx);
                }
            }
            MouseEventKind::Down(MouseButton::Left) if self.overlay.is_none() => {
                let hit = self
                    .hit
                    .tabs
                    .iter()
                    .find(|(r, _)| contains(*r, m.column, m.row))
                    .map(|(_, p)| *p);
                if let Some(p) = hit {
                    self.switch(p);
                    return;
                }
                let r = self.hit.rows;
                if contains(r, m.column, m.row) {
                    let row = (m.row - r.y) as usize;
                    self.panes.get_mut(self.pane).click(&self.data, row);
                }
            }
            _ => {}
        }
    }
}
