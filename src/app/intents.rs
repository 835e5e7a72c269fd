//! Carrying out what components ask for: overlays, navigation, commands and their results.

use super::*;
use crate::backend::view::Family;
use crate::backend::{CmdOutput, Invocation, RunOpts};

impl App {
    /// Carries out what components asked for.
    pub fn apply(&mut self, intents: Vec<Intent>, fx: &mut Vec<Effect>) {
        for i in intents {
            match i {
                Intent::Run { words, on } => {
                    self.run_words(words, on, false, fx);
                }
                Intent::Verb(v) => match crate::backend::verb::render(&v, &self.info) {
                    Ok(l) => {
                        self.run_words(l.words, l.on, false, fx);
                    }
                    Err(e) => self.set_status(Level::Error, e),
                },
                Intent::Prompt(p) => self.show(OverlaySpec::Prompt(p)),
                Intent::Confirm(c) => self.show(OverlaySpec::Confirm(c)),
                Intent::Open(nav) => self.open(nav, fx),
                Intent::Status(l, s) => self.set_status(l, s),
                Intent::Inspect(r) => {
                    let id = self.request(Req::Overlay);
                    let label = match r.kind.family() {
                        Family::Replica => format!("{} ({})", r.name, r.uid),
                        Family::Storage => match self.data.store.storage.get(&r.uid) {
                            Some(v) => format!("{} on {}", r.name, v.node_name),
                            None => r.name.clone(),
                        },
                        _ => r.name.clone(),
                    };
                    self.show(OverlaySpec::Inspect {
                        id,
                        r: r.clone(),
                        label,
                    });
                    fx.push(Effect::Inspect { id, r });
                }
                Intent::Plan { title, verb } => {
                    match crate::backend::verb::render(&verb, &self.info).and_then(|l| {
                        let inv = Invocation::new(&l.words).map_err(|e| e.message)?;
                        Ok((inv, l.words))
                    }) {
                        Ok((inv, words)) => {
                            let id = self.request(Req::Overlay);
                            self.show(OverlaySpec::Plan { id, title, words });
                            fx.push(Effect::Plan { id, inv });
                        }
                        Err(e) => self.set_status(Level::Error, first_line(&e)),
                    }
                }
                Intent::Editor => self.show(OverlaySpec::Editor),
                Intent::History(r) => {
                    let selector = self
                        .data
                        .store
                        .workloads
                        .get(&r.uid)
                        .and_then(|w| w.kube.as_ref())
                        .map(|k| k.selector.clone())
                        .unwrap_or_default();
                    let inv = crate::backend::verb::revisions_listing(&r, &selector)
                        .and_then(|w| Invocation::new(&w).ok());
                    match inv {
                        Some(inv) => {
                            let id = self.request(Req::Overlay);
                            self.show(OverlaySpec::History { id, r });
                            fx.push(Effect::Run {
                                id,
                                inv,
                                opts: RunOpts::default(),
                            });
                        }
                        None => self.set_status(
                            Level::Info,
                            format!("a {} has no revision history", r.kind.noun()),
                        ),
                    }
                }
                Intent::CommandLine(text) => self.open_input(InputKind::Command, &text),
                Intent::Effect(e) => fx.push(e),
                Intent::RunAs { id, words } => match Invocation::new(&words) {
                    Ok(inv) if inv.is_mutating() && self.info.read_only => {
                        self.set_status(Level::Error, "read-only: refused");
                    }
                    Ok(inv) => {
                        self.requests.insert(id, Req::Overlay);
                        fx.push(Effect::Run {
                            id,
                            inv,
                            opts: RunOpts {
                                on: None,
                                confirmed: true,
                            },
                        });
                    }
                    Err(e) => {
                        let r = Reply::Ran(Ok(CmdOutput {
                            code: e.exit.max(1),
                            stdout: String::new(),
                            stderr: e.message,
                        }));
                        self.requests.insert(id, Req::Overlay);
                        self.on_done(id, r, fx);
                    }
                },
                Intent::Answer(q, text) => {
                    self.next_id += 1;
                    let pane = self.panes.get_mut(PaneId::Logs);
                    if let Some(e) = pane.answer(q, &text, self.next_id) {
                        fx.push(e);
                    }
                }
                Intent::Close => self.overlay = None,
            }
        }
    }

    pub(super) fn request(&mut self, r: Req) -> u64 {
        self.next_id += 1;
        self.requests.insert(self.next_id, r);
        self.next_id
    }

    /// Runs a command line; returns the request ID (for an overlay awaiting the result).
    pub fn run_words(
        &mut self,
        words: Vec<String>,
        on: Option<String>,
        show: bool,
        fx: &mut Vec<Effect>,
    ) -> Option<u64> {
        let inv = match Invocation::new(&words) {
            Ok(inv) => inv,
            Err(e) => {
                let level = if e.exit == 0 {
                    Level::Info
                } else {
                    Level::Error
                };
                if e.exit == 0 && e.message.lines().count() > 1 {
                    self.show(OverlaySpec::Output {
                        title: words.join(" "),
                        text: e.message.clone(),
                    });
                }
                self.set_status(level, first_line(&e.message));
                return None;
            }
        };
        if let opsconsole_sim::lang::Cmd::Help(text) = &inv.cmd {
            self.show(OverlaySpec::Output {
                title: inv.display(),
                text: text.clone(),
            });
            return None;
        }
        if inv.is_mutating() && self.info.read_only {
            self.set_status(
                Level::Error,
                format!("read-only: `{}` would change the cluster", inv.display()),
            );
            return None;
        }
        let line = inv.display();
        self.set_status(Level::Info, format!("{line} …"));
        let id = self.request(Req::Cmd {
            line,
            show: show || !inv.is_mutating(),
        });
        fx.push(Effect::Run {
            id,
            inv,
            opts: RunOpts {
                on,
                confirmed: true,
            },
        });
        Some(id)
    }

    pub(super) fn on_done(&mut self, id: u64, r: Reply, fx: &mut Vec<Effect>) {
        let Some(req) = self.requests.remove(&id) else {
            return;
        };
        match req {
            Req::Overlay => {
                if let Some(mut o) = self.overlay.take() {
                    let mut cx = App::cx(&self.data, &self.info, &mut self.next_id);
                    let flow = o.reply(id, &r, &mut cx);
                    let intents = cx.out;
                    self.finish_overlay(o, flow, intents, fx);
                }
            }
            Req::Stats => {
                if let Reply::Stats(Ok(sv)) = r {
                    let prev = self
                        .data
                        .stats
                        .take()
                        .map(|(_, cur)| cur)
                        .filter(|c| c.container == sv.container);
                    self.data.stats = Some((prev, sv));
                    self.dirty = true;
                }
            }
            Req::KubeNames(key) => {
                if let Reply::Ran(Ok(out)) = r
                    && out.code == 0
                {
                    let names = cmdline::names_from_output(&out.stdout);
                    self.data.kube_names.insert(key, names);
                    self.dirty = true;
                }
            }
            Req::Cmd { line, show } => match r {
                Reply::Ran(Ok(out)) => self.command_done(&line, show, out),
                Reply::Ran(Err(e)) => self.set_status(Level::Error, e.message),
                _ => {}
            },
        }
    }

    pub(super) fn command_done(&mut self, line: &str, show: bool, out: CmdOutput) {
        let summary = out.summary();
        if out.code == 0 {
            let text = if summary.is_empty() {
                format!("{line}: done")
            } else {
                format!("{line}: {summary}")
            };
            self.set_status(Level::Ok, text);
        } else {
            self.set_status(Level::Error, summary);
        }
        let text = if out.code == 0 {
            out.stdout
        } else {
            format!("{}{}", out.stdout, out.stderr)
        };
        if show && text.trim_end().lines().count() > 1 && self.overlay.is_none() {
            self.show(OverlaySpec::Output {
                title: line.to_string(),
                text,
            });
        }
    }

    pub(super) fn overlay_deltas(&mut self, deltas: &[Delta], fx: &mut Vec<Effect>) {
        if let Some(mut o) = self.overlay.take() {
            let mut cx = App::cx(&self.data, &self.info, &mut self.next_id);
            let flow = o.deltas(deltas, &mut cx);
            let intents = cx.out;
            self.finish_overlay(o, flow, intents, fx);
        }
    }
}

/// What a prompt's answer (or a confirmation, with an empty answer) does.
pub fn answer(then: &Then, text: &str) -> Result<Vec<Intent>, String> {
    match then {
        Then::Verb(v) => Ok(vec![Intent::Verb(v.clone()), Intent::Close]),
        Then::Fill(h) => Ok(vec![Intent::Verb(h.fill(text)?), Intent::Close]),
        Then::Pane(q @ (PaneQuestion::LogsSearch | PaneQuestion::LogsPrevious)) => {
            Ok(vec![Intent::Answer(*q, text.to_string()), Intent::Close])
        }
        Then::Pane(PaneQuestion::LogsTail) => match text.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(vec![
                Intent::Answer(PaneQuestion::LogsTail, n.to_string()),
                Intent::Close,
            ]),
            _ => Err(format!("{text:?} is not a number of lines")),
        },
    }
}
