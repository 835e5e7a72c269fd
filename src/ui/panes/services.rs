//! Services: `docker service ls` plus the update status. Scale, update the image, roll back,
//! remove (after a confirmation that defaults to Cancel), create in the spec editor, deploy a
//! stack; Enter shows the service's tasks.

use super::{Pane, TaskScope};
use crate::app::data::{Data, Delta, Filter, Nat};
use crate::app::ops::Op;
use crate::app::{Confirm, Cx, Effect, Intent, Level, Nav, Prompt, Then};
use crate::backend::LogTarget;
use crate::backend::verb::{Hole, Verb};
use crate::backend::view::{Family, ObjRef, ResKind, RolloutState, WorkloadView};
use crate::ui::RenderCx;
use crate::ui::table::{self, Cell, Col, TableView, cell, col, flex};
use opsconsole_sim::base::text::trunc_id;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

type Key = (Nat, String);

#[derive(Default)]
pub struct ServicesPane {
    t: TableView<Key>,
    /// Only workloads of this kind (`:deploy`, `:cj`); none: every kind.
    kind: Option<ResKind>,
}

const COLS: [Col; 7] = [
    col("ID", 12, 12, 4),
    col("NAME", 8, 40, 0),
    col("MODE", 7, 14, 2),
    col("REPLICAS", 5, 32, 0),
    col("IMAGE", 10, 40, 1),
    col("PORTS", 8, 30, 1),
    flex("UPDATE", 8, 60, 3),
];

/// kubectl's workload columns, one table for every kind (KIND and NAMESPACE first).
const KUBE_COLS: [Col; 9] = [
    col("KIND", 4, 11, 2),
    col("NAMESPACE", 9, 20, 3),
    col("NAME", 8, 40, 0),
    col("READY", 5, 10, 0),
    col("UP-TO-DATE", 4, 10, 2),
    col("AVAILABLE", 4, 9, 1),
    col("IMAGES", 10, 30, 1),
    col("AGE", 3, 6, 1),
    flex("STATUS", 8, 60, 2),
];

/// A Kubernetes workload's STATUS: its rollout, a Job's state, a CronJob's schedule.
pub fn kube_status(s: &WorkloadView) -> String {
    let Some(k) = s.kube.as_deref() else {
        return update_text(s);
    };
    if s.c.r.kind == ResKind::CronJob {
        let suspended = if k.suspended { " (suspended)" } else { "" };
        return format!("{}{suspended}", k.status);
    }
    match &s.rollout {
        Some(r) if r.state == RolloutState::Complete => "complete".into(),
        Some(_) => update_text(s),
        None => k.status.clone(),
    }
}

/// The confirmation before `kubectl rollout undo` of a Kubernetes workload.
pub fn undo_last(name: &str, target: ObjRef) -> Intent {
    Intent::Confirm(Confirm {
        title: "Roll back".into(),
        message: format!("Undo the last rollout of {name} (kubectl rollout undo)?"),
        ok: "Roll back".into(),
        then: Then::Verb(Verb::Rollback { target }),
        alt: None,
    })
}

/// What docker answers for swarm commands on an engine that is not a swarm manager.
pub const NOT_A_MANAGER: &str = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";

/// "updating", "paused: update paused due to failure ..." for the UPDATE column.
pub fn update_text(s: &WorkloadView) -> String {
    match &s.rollout {
        None => String::new(),
        Some(u) => {
            let (done, total) = u.progress.unwrap_or((0, 0));
            match u.state {
                RolloutState::Progressing | RolloutState::RollingBack => {
                    format!("{} {done}/{total}", u.status)
                }
                RolloutState::Complete | RolloutState::RolledBack => u.status.to_string(),
                _ => format!("{}: {}", u.status, u.message),
            }
        }
    }
}

pub fn update_style(rc: &RenderCx, s: &WorkloadView) -> Style {
    match s.rollout.as_ref().map(|u| u.state) {
        Some(st) if st.paused() => rc.theme.error(),
        Some(st) if st.in_progress() => rc.theme.warn(),
        _ => rc.theme.muted(),
    }
}

/// The replica count's colour: all there (or a job, whose count only grows), none, some.
fn replicas_style(rc: &RenderCx, s: &WorkloadView, job: bool) -> Style {
    let t = rc.theme;
    if s.running == s.desired || job {
        t.ok()
    } else if s.running == 0 && s.desired > 0 {
        t.error()
    } else {
        t.warn()
    }
}

fn wanted(kind: Option<ResKind>, f: Option<&Filter>, s: &WorkloadView) -> Option<Key> {
    if kind.is_some_and(|k| k != s.c.r.kind) {
        return None;
    }
    if let (Some(f), Some(_)) = (f, s.kube.as_deref()) {
        let hay = format!(
            "{} {} {} {} {}",
            s.c.r.kind.kube_kind().unwrap_or_default(),
            s.c.r.ns.as_deref().unwrap_or_default(),
            s.name(),
            s.image,
            kube_status(s)
        );
        if !f.matches(&hay) {
            return None;
        }
    } else if let Some(f) = f {
        let hay = format!(
            "{} {} {} {} {} {}",
            s.id(),
            s.name(),
            s.mode.name(),
            s.image,
            s.ports,
            update_text(s)
        );
        if !f.matches(&hay) {
            return None;
        }
    }
    // Kubernetes workloads in kubectl's order: namespace, then name.
    let name = match s.c.r.ns.as_deref() {
        Some(ns) => format!("{ns}/{}", s.name()),
        None => s.name().to_string(),
    };
    Some((Nat(name), s.id().to_string()))
}

impl ServicesPane {
    fn rebuild(&mut self, data: &Data) {
        let kind = self.kind;
        self.t
            .rebuild(&data.store.workloads, |f, s| wanted(kind, f, s));
    }

    fn current<'a>(&self, data: &'a Data) -> Option<&'a WorkloadView> {
        self.t
            .selected()
            .and_then(|(_, id)| data.store.workloads.get(id))
    }

    fn kube_row(s: &WorkloadView, rc: &RenderCx) -> Vec<Cell> {
        let t = rc.theme;
        let k = s.kube.as_deref().cloned().unwrap_or_default();
        let num = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
        let rs = replicas_style(rc, s, s.mode.is_job());
        vec![
            cell(s.c.r.kind.kube_kind().unwrap_or_default(), t.info()),
            cell(s.c.r.ns.clone().unwrap_or_default(), t.muted()),
            cell(s.name().to_string(), t.base()),
            cell(s.replicas.clone(), rs),
            cell(num(k.up_to_date), t.base()),
            cell(num(k.available), t.base()),
            cell(s.image.clone(), t.base()),
            cell(rc.age(s.created_at()), t.muted()),
            cell(kube_status(s), update_style(rc, s)),
        ]
    }

    fn row(s: &WorkloadView, rc: &RenderCx) -> Vec<Cell> {
        let t = rc.theme;
        let rs = replicas_style(rc, s, false);
        vec![
            cell(trunc_id(s.id()).to_string(), t.muted()),
            cell(s.name().to_string(), t.base()),
            cell(s.mode.name(), t.base()),
            cell(s.replicas.clone(), rs),
            cell(s.image.clone(), t.base()),
            cell(s.ports.clone(), t.info()),
            cell(update_text(s), update_style(rc, s)),
        ]
    }
}

impl Pane for ServicesPane {
    fn on_delta(&mut self, data: &Data, d: &Delta) {
        let kind = self.kind;
        self.t
            .delta(d, Family::Workload, &data.store.workloads, |f, s| {
                wanted(kind, f, s)
            });
    }

    fn go(&mut self, data: &Data, nav: Nav, _id: u64) -> Option<Effect> {
        if let Nav::Workloads(kind) = nav {
            // Another kind is another list: the filter typed for the last one goes.
            if kind != self.kind {
                self.t.filter = None;
            }
            self.kind = kind;
            self.rebuild(data);
        }
        None
    }

    fn place(&self) -> Option<Nav> {
        Some(Nav::Workloads(self.kind))
    }

    fn crumb(&self, _data: &Data) -> Option<String> {
        self.kind
            .and_then(|k| k.kube_kind())
            .map(|k| format!("{k}s"))
    }

    fn on_op(&mut self, op: Op, cx: &mut Cx) {
        if self.t.nav(op) {
            return;
        }
        match op {
            Op::ServiceCreate => return cx.push(Intent::Editor),
            Op::StackDeploy => {
                return cx.push(Intent::Prompt(Prompt {
                    title: "Deploy a stack (docker stack deploy -c FILE NAME)".into(),
                    label: "compose file and stack name".into(),
                    initial: "docker-compose.yml ".into(),
                    then: Then::Fill(Hole::Stack),
                }));
            }
            _ => {}
        }
        let Some(s) = self.current(cx.data) else {
            return;
        };
        let name = s.name().to_string();
        let target = || s.c.r.clone();
        match op {
            Op::ServiceScale if !s.scalable() => cx.status(
                Level::Info,
                format!("{name} is a {} service: it cannot be scaled", s.mode.name()),
            ),
            Op::ServiceScale => cx.push(Intent::Prompt(Prompt {
                title: format!("Scale {name}"),
                label: "replicas".into(),
                initial: s.desired.to_string(),
                then: Then::Fill(Hole::Scale(target())),
            })),
            Op::ServiceImage => cx.push(Intent::Prompt(Prompt {
                title: format!("Update the image of {name} (rolling update)"),
                label: "image".into(),
                initial: s.image.clone(),
                then: Then::Fill(Hole::Image(target())),
            })),
            Op::ServiceRollback if s.kube.is_some() => cx.push(undo_last(&name, target())),
            Op::ServiceRollback => {
                if cx.data.store.current_and_previous(s.id()).1.is_none() {
                    cx.status(
                        Level::Info,
                        format!("{name} has no previous spec to roll back to"),
                    );
                } else {
                    cx.push(Intent::Confirm(Confirm {
                        title: "Roll back".into(),
                        message: format!("Roll {name} back to its previous spec?"),
                        ok: "Roll back".into(),
                        then: Then::Verb(Verb::Rollback { target: target() }),
                        alt: None,
                    }))
                }
            }
            Op::ServiceRemove if s.kube.is_some() => {
                let kind = s.c.r.kind.noun();
                let ns = s.c.r.ns.as_deref().unwrap_or("default");
                cx.push(Intent::Confirm(Confirm {
                    title: format!("Delete {kind}"),
                    message: format!(
                        "Delete {kind} {name} in {ns}? Delete takes what it owns with it; Orphan leaves its pods (and ReplicaSets or Jobs) running."
                    ),
                    ok: "Delete".into(),
                    then: Then::Verb(Verb::Remove { target: target() }),
                    alt: Some((
                        "Orphan".into(),
                        Then::Verb(Verb::Orphan { target: target() }),
                    )),
                }))
            }
            Op::WorkloadPause => match (&s.kube, &s.rollout) {
                (Some(k), _) if s.c.r.kind == ResKind::CronJob => {
                    let v = if k.suspended {
                        Verb::Resume { target: target() }
                    } else {
                        Verb::Pause { target: target() }
                    };
                    cx.verb(v)
                }
                (_, Some(r)) if r.state.paused() => cx.verb(Verb::Resume { target: target() }),
                (Some(_), _) => cx.verb(Verb::Pause { target: target() }),
                (None, Some(r)) if r.state.in_progress() => {
                    cx.verb(Verb::Pause { target: target() })
                }
                (None, _) => cx.status(Level::Info, format!("{name} has no update in progress")),
            },
            Op::WorkloadRestart => cx.push(Intent::Confirm(Confirm {
                title: "Restart".into(),
                message: format!(
                    "Replace every pod of {name}, as a rolling update (kubectl rollout restart)?"
                ),
                ok: "Restart".into(),
                then: Then::Verb(Verb::Restart { target: target() }),
                alt: None,
            })),
            Op::CronJobTrigger => {
                // kubectl's and k9s's way of naming a Job run by hand.
                let stamp = cx.data.now().0 / 1_000_000_000 % 1_000_000;
                let cj: String = name.chars().take(44).collect();
                cx.verb(Verb::Trigger {
                    target: target(),
                    job: format!("{cj}-manual-{stamp:06}"),
                })
            }
            Op::ServiceRemove => cx.push(Intent::Confirm(Confirm {
                title: "Remove service".into(),
                message: format!(
                    "Remove service {name}? Its {} task(s) will be shut down.",
                    s.running
                ),
                ok: "Remove".into(),
                then: Then::Verb(Verb::Remove { target: target() }),
                alt: None,
            })),
            // Every pod its selector picks, merged (a CronJob's Jobs have pods of their own).
            Op::ServiceLogs if s.kube.is_some() && s.c.r.kind == ResKind::CronJob => cx.status(
                Level::Info,
                format!("{name} runs Jobs: open one of its Jobs for their pods' logs"),
            ),
            Op::ServiceLogs if s.kube.is_some() => {
                cx.open(Nav::Logs(LogTarget::Workload(target())))
            }
            Op::ServiceLogs => cx.open(Nav::Logs(LogTarget::Service(name))),
            Op::ServiceTasks | Op::Select => {
                cx.open(Nav::Tasks(TaskScope::Service(s.id().to_string())))
            }
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect {
        self.t.render(
            f,
            area,
            rc,
            if rc.kube() { "Workloads" } else { "Services" },
            rc.data.store.workloads.len(),
            if rc.kube() { &KUBE_COLS } else { &COLS },
            |(_, id)| rc.data.store.workloads.get(id),
            |s| match s.kube {
                Some(_) => ServicesPane::kube_row(s, rc),
                None => ServicesPane::row(s, rc),
            },
            if rc.kube() && self.kind.is_some() {
                "none of this kind here — :workloads shows every kind"
            } else if rc.kube() {
                "no workloads — type :kubectl create deployment web --image=nginx"
            } else if rc.info.swarm() {
                "no services — press n to create one, or type :service create --name web nginx"
            } else {
                NOT_A_MANAGER
            },
        )
    }

    fn hints(&self) -> &'static [Op] {
        &[
            Op::Select,
            Op::ServiceScale,
            Op::ServiceImage,
            Op::ServiceRollback,
            Op::ServiceRemove,
            Op::WorkloadRestart,
            Op::WorkloadPause,
            Op::CronJobTrigger,
            Op::ServiceCreate,
            Op::StackDeploy,
            Op::ServiceLogs,
        ]
    }

    fn selected(&self, data: &Data) -> Option<ObjRef> {
        self.current(data).map(|s| s.c.r.clone())
    }

    table::table_pane_filter!();

    fn click(&mut self, _data: &Data, row: usize) {
        self.t.click(row);
    }
}
