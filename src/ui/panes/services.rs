//! Services: `docker service ls` plus the update status. Scale, update the image, roll back,
//! remove (after a confirmation that defaults to Cancel), create in the spec editor, deploy a
//! stack; Enter shows the service's tasks.

use super::{Pane, TaskScope, words};
use crate::app::data::{Data, Delta, Filter, Nat};
use crate::app::ops::Op;
use crate::app::{Confirm, Cx, Intent, Level, Nav, Prompt, Then};
use crate::backend::LogTarget;
use crate::backend::view::{ServiceView, ViewKind};
use crate::ui::RenderCx;
use crate::ui::table::{self, Cell, Col, TableView, cell, col, flex};
use opsconsole_sim::exec::format::trunc_id;
use opsconsole_sim::model::UpdateState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

type Key = (Nat, String);

#[derive(Default)]
pub struct ServicesPane {
    t: TableView<Key>,
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

/// What docker answers for swarm commands on an engine that is not a swarm manager.
pub const NOT_A_MANAGER: &str = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";

/// "updating", "paused: update paused due to failure ..." for the UPDATE column.
pub fn update_text(s: &ServiceView) -> String {
    match &s.update_status {
        None => String::new(),
        Some(u) => {
            let (done, total) = s.progress.unwrap_or((0, 0));
            match u.state {
                UpdateState::Updating | UpdateState::RollbackStarted => {
                    format!("{} {done}/{total}", u.state.as_str())
                }
                UpdateState::Completed | UpdateState::RollbackCompleted => {
                    u.state.as_str().to_string()
                }
                _ => format!("{}: {}", u.state.as_str(), u.message),
            }
        }
    }
}

pub fn update_style(rc: &RenderCx, s: &ServiceView) -> Style {
    match s.update_status.as_ref().map(|u| u.state) {
        Some(UpdateState::Paused) | Some(UpdateState::RollbackPaused) => rc.theme.error(),
        Some(UpdateState::Updating) | Some(UpdateState::RollbackStarted) => rc.theme.warn(),
        _ => rc.theme.muted(),
    }
}

fn wanted(f: Option<&Filter>, s: &ServiceView) -> Option<Key> {
    if let Some(f) = f {
        let hay = format!(
            "{} {} {} {} {} {}",
            s.id,
            s.name,
            s.mode,
            s.image,
            s.ports,
            update_text(s)
        );
        if !f.matches(&hay) {
            return None;
        }
    }
    Some((Nat(s.name.clone()), s.id.clone()))
}

impl ServicesPane {
    fn rebuild(&mut self, data: &Data) {
        self.t.rebuild(&data.services, wanted);
    }

    fn current<'a>(&self, data: &'a Data) -> Option<&'a ServiceView> {
        self.t.selected().and_then(|(_, id)| data.services.get(id))
    }

    fn row(s: &ServiceView, rc: &RenderCx) -> Vec<Cell> {
        let t = rc.theme;
        let rs = if s.running == s.desired {
            t.ok()
        } else if s.running == 0 && s.desired > 0 {
            t.error()
        } else {
            t.warn()
        };
        vec![
            cell(trunc_id(&s.id), t.muted()),
            cell(s.name.clone(), t.base()),
            cell(s.mode.clone(), t.base()),
            cell(s.replicas.clone(), rs),
            cell(s.image.clone(), t.base()),
            cell(s.ports.clone(), t.info()),
            cell(update_text(s), update_style(rc, s)),
        ]
    }
}

impl Pane for ServicesPane {
    fn on_delta(&mut self, data: &Data, d: &Delta) {
        self.t.delta(d, ViewKind::Service, &data.services, wanted);
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
                    then: Then::Run {
                        words: words(&["stack", "deploy", "-c", "{words}"]),
                        on: None,
                    },
                }));
            }
            _ => {}
        }
        let Some(s) = self.current(cx.data) else {
            return;
        };
        let name = s.name.clone();
        match op {
            Op::ServiceScale if !s.replicated => cx.status(
                Level::Info,
                format!("{name} is a {} service: it cannot be scaled", s.mode),
            ),
            Op::ServiceScale => cx.push(Intent::Prompt(Prompt {
                title: format!("Scale {name}"),
                label: "replicas".into(),
                initial: s.desired.to_string(),
                then: Then::Run {
                    words: words(&["service", "scale", &format!("{name}={{}}")]),
                    on: None,
                },
            })),
            Op::ServiceImage => cx.push(Intent::Prompt(Prompt {
                title: format!("Update the image of {name} (rolling update)"),
                label: "image".into(),
                initial: s.image.clone(),
                then: Then::Run {
                    words: words(&["service", "update", "--image", "{}", &name]),
                    on: None,
                },
            })),
            Op::ServiceRollback => {
                if s.previous_spec.is_none() {
                    cx.status(
                        Level::Info,
                        format!("{name} has no previous spec to roll back to"),
                    );
                } else {
                    cx.push(Intent::Confirm(Confirm {
                        title: "Roll back".into(),
                        message: format!("Roll {name} back to its previous spec?"),
                        ok: "Roll back".into(),
                        then: Then::Run {
                            words: words(&["service", "rollback", &name]),
                            on: None,
                        },
                    }))
                }
            }
            Op::ServiceRemove => cx.push(Intent::Confirm(Confirm {
                title: "Remove service".into(),
                message: format!(
                    "Remove service {name}? Its {} task(s) will be shut down.",
                    s.running
                ),
                ok: "Remove".into(),
                then: Then::Run {
                    words: words(&["service", "rm", &name]),
                    on: None,
                },
            })),
            Op::ServiceLogs => cx.open(Nav::Logs(LogTarget::Service(name))),
            Op::ServiceTasks | Op::Select => cx.open(Nav::Tasks(TaskScope::Service(s.id.clone()))),
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect {
        self.t.render(
            f,
            area,
            rc,
            "Services",
            rc.data.services.len(),
            &COLS,
            |(_, id)| rc.data.services.get(id),
            |s| ServicesPane::row(s, rc),
            if rc.info.swarm {
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
            Op::ServiceCreate,
            Op::StackDeploy,
            Op::ServiceLogs,
        ]
    }

    fn selected(&self, data: &Data) -> Option<(ViewKind, String)> {
        self.current(data)
            .map(|s| (ViewKind::Service, s.id.clone()))
    }

    table::table_pane_filter!();

    fn click(&mut self, _data: &Data, row: usize) {
        self.t.click(row);
    }
}
