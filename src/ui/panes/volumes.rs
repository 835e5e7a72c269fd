//! Volumes: named and anonymous volumes and bind-mounted host paths on every node, with the
//! containers using them. Create on the selected node; remove (docker's own error if the
//! volume is in use).

use super::Pane;
use crate::app::data::{Data, Delta, Filter, Nat};
use crate::app::ops::Op;
use crate::app::{Confirm, Cx, Intent, Level, Prompt, Then};
use crate::backend::verb::{Hole, Verb};
use crate::backend::view::{Family, ObjRef, ResKind, StorageView};
use crate::ui::RenderCx;
use crate::ui::table::{self, Cell, Col, TableView, cell, col, flex};
use ratatui::Frame;
use ratatui::layout::Rect;

type Key = (Nat, ResKind, Nat, String);

#[derive(Default)]
pub struct VolumesPane {
    t: TableView<Key>,
}

const COLS: [Col; 7] = [
    col("NODE", 8, 20, 0),
    col("TYPE", 4, 6, 2),
    col("DRIVER", 5, 8, 4),
    col("NAME", 10, 64, 0),
    col("SCOPE", 5, 6, 5),
    col("MOUNTPOINT", 10, 70, 3),
    flex("USED BY", 8, 80, 1),
];

fn key(v: &StorageView) -> Key {
    (
        Nat(v.node_name.clone()),
        v.c.r.kind,
        Nat(v.name().to_string()),
        v.key().to_string(),
    )
}

fn wanted(f: Option<&Filter>, v: &StorageView) -> Option<Key> {
    if let Some(f) = f {
        let hay = format!(
            "{} {} {} {} {}",
            v.node_name,
            v.driver,
            v.name(),
            v.mountpoint,
            v.used_by.join(" ")
        );
        if !f.matches(&hay) {
            return None;
        }
    }
    Some(key(v))
}

impl VolumesPane {
    fn rebuild(&mut self, data: &Data) {
        self.t.rebuild(&data.store.storage, wanted);
    }

    fn current<'a>(&self, data: &'a Data) -> Option<&'a StorageView> {
        self.t.selected().and_then(|k| data.store.storage.get(&k.3))
    }

    fn row(v: &StorageView, rc: &RenderCx) -> Vec<Cell> {
        let t = rc.theme;
        let kind = if v.is_bind() { "bind" } else { "volume" };
        let used = if v.used_by.is_empty() {
            cell("unused", t.muted())
        } else {
            cell(v.used_by.join(", "), t.base())
        };
        vec![
            cell(v.node_name.clone(), t.base()),
            cell(kind, t.muted()),
            cell(v.driver.clone(), t.base()),
            cell(
                v.name().to_string(),
                if v.anonymous { t.muted() } else { t.base() },
            ),
            cell(v.scope.clone(), t.base()),
            cell(v.mountpoint.clone(), t.muted()),
            used,
        ]
    }
}

impl Pane for VolumesPane {
    fn on_delta(&mut self, data: &Data, d: &Delta) {
        self.t
            .delta(d, Family::Storage, &data.store.storage, wanted);
    }

    fn on_op(&mut self, op: Op, cx: &mut Cx) {
        if self.t.nav(op) {
            return;
        }
        let cur = self.current(cx.data);
        match op {
            Op::VolumeCreate => {
                // On the selected volume's node, else the leader (docker's default node).
                let node = cur
                    .map(|v| v.node_name.clone())
                    .or_else(|| cx.data.store.leader().map(|n| n.hostname().to_string()));
                let Some(node) = node else {
                    return cx.status(Level::Error, "no node to create the volume on");
                };
                cx.push(Intent::Prompt(Prompt {
                    title: format!("Create a volume on {node}"),
                    label: "name".into(),
                    initial: String::new(),
                    then: Then::Fill(Hole::Volume { node }),
                }));
            }
            Op::VolumeRemove => {
                let Some(v) = cur else {
                    return;
                };
                if v.is_bind() {
                    return cx.status(
                        Level::Info,
                        format!("{} is a host path bind-mounted into containers; there is no volume to remove", v.name()),
                    );
                }
                cx.push(Intent::Confirm(Confirm {
                    title: "Remove volume".into(),
                    message: format!(
                        "Remove volume {} on {}? Its data is lost.",
                        v.name(),
                        v.node_name
                    ),
                    ok: "Remove".into(),
                    then: Then::Verb(Verb::RemoveVolume {
                        node: v.node_name.clone(),
                        name: v.name().to_string(),
                    }),
                    alt: None,
                }));
            }
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect {
        self.t.render(
            f,
            area,
            rc,
            "Volumes",
            rc.data.store.storage.len(),
            &COLS,
            |k| rc.data.store.storage.get(&k.3),
            |v| VolumesPane::row(v, rc),
            "no volumes or bind mounts — press n to create a volume",
        )
    }

    fn hints(&self) -> &'static [Op] {
        &[Op::VolumeCreate, Op::VolumeRemove]
    }

    fn selected(&self, data: &Data) -> Option<ObjRef> {
        self.current(data)
            .filter(|v| !v.is_bind())
            .map(|v| v.c.r.clone())
    }

    table::table_pane_filter!();

    fn click(&mut self, _data: &Data, row: usize) {
        self.t.click(row);
    }
}
