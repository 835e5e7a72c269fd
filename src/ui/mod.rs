//! Drawing the console: a header, the pane tabs, the current pane, an overlay if one is open,
//! the key hints (generated from the keymap) and the status or input line.

pub mod overlays;
pub mod panes;
pub mod table;
pub mod text;

use crate::app::ops::Op;
use crate::app::{
    App, Components as AppComponents, Config, InputKind, Level, Overlay, OverlaySpec, Pane, PaneId,
};
use crate::backend::BackendInfo;
use crate::backend::view::wall_ms;
use crate::backend::view::{Phase, Word};
use opsconsole_sim::base::time::{
    SimDuration, SimTime, human_duration, human_duration_next_change,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use std::cell::Cell;
use text::truncate;

pub use crate::app::RenderCx;

/// The UI's panes and windows, for the App.
pub struct Components;

impl AppComponents for Components {
    fn panes(&self) -> Vec<Box<dyn Pane>> {
        panes::all()
    }

    fn overlay(&self, spec: OverlaySpec, app: &App) -> Box<dyn Overlay> {
        use overlays::*;
        match spec {
            OverlaySpec::Help => Box::new(help::Help::new(app)),
            OverlaySpec::Prompt(p) => Box::new(prompt::PromptView::new(p)),
            OverlaySpec::Confirm(c) => Box::new(confirm::ConfirmView::new(c)),
            OverlaySpec::Output { title, text } => Box::new(output::OutputView::new(title, text)),
            OverlaySpec::Inspect { id, r, label } => {
                Box::new(inspect::InspectView::new(id, r, label))
            }
            OverlaySpec::Plan { id, title, words } => {
                Box::new(plan::PlanView::new(id, title, words))
            }
            OverlaySpec::Editor => Box::new(editor::EditorView::new()),
            OverlaySpec::History { id, r } => Box::new(history::HistoryView::new(id, r)),
        }
    }
}

impl App {
    /// The console's App, with the UI's panes and windows.
    pub fn new(config: Config, info: BackendInfo) -> App {
        App::with_components(config, info, Box::new(Components))
    }
}

impl RenderCx<'_> {
    /// Notes that something on screen reads differently at `t`.
    pub fn redraw_at(&self, t: SimTime) {
        let cur = self.redraw_at.get();
        if cur.is_none_or(|c| t < c) {
            self.redraw_at.set(Some(t));
        }
    }

    /// "Running 2 minutes ago", remembering when it next reads differently.
    pub fn state_ago(&self, state: &Word, since: SimTime) -> String {
        format!("{} {}", state.title(), self.ago(since).to_lowercase())
    }

    /// "2 minutes ago".
    pub fn ago(&self, since: SimTime) -> String {
        let d = self.now - since;
        let d = SimDuration(d.0.max(0));
        self.redraw_at(self.now + human_duration_next_change(d));
        format!("{} ago", human_duration(d))
    }

    /// kubectl's AGE ("5m", "2d3h"), remembering when it next reads differently.
    pub fn age(&self, since: SimTime) -> String {
        let d = (self.now - since).0.max(0);
        self.redraw_at(self.now + opsconsole_sim::base::time::kube_age_next_change(d));
        opsconsole_sim::base::time::kube_age(d)
    }

    /// The backend is a Kubernetes cluster (its panes show kubectl's columns).
    pub fn kube(&self) -> bool {
        self.info.flavor == crate::backend::Flavor::Kube
    }

    pub fn state_style(&self, phase: Phase) -> Style {
        let t = self.theme;
        match phase {
            Phase::Running | Phase::Succeeded => t.ok(),
            Phase::Failed | Phase::Unknown => t.error(),
            Phase::Stopped | Phase::Terminating => t.muted(),
            Phase::Pending | Phase::Starting => t.warn(),
        }
    }
}

/// Below this size the console only says it needs more room.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Draws one frame; returns when the screen next changes by itself (backend time).
pub fn draw(f: &mut Frame, app: &mut App) -> Option<SimTime> {
    let area = f.area();
    let theme = app.config.theme.clone();
    f.render_widget(Block::default().style(theme.base()), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "opsconsole needs at least {MIN_WIDTH}×{MIN_HEIGHT} (80×24 or more is best); this terminal is {}×{}",
            area.width, area.height
        );
        f.render_widget(
            Paragraph::new(msg).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return None;
    }
    let now = app.data.now();
    let rc = RenderCx {
        theme: &theme,
        data: &app.data,
        keymap: &app.config.keymap,
        info: &app.info,
        now,
        redraw_at: Cell::new(None),
    };
    let [header, tabs, body, hints, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(f, header, app, &rc);
    app.hit.tabs = draw_tabs(f, tabs, app, &rc);
    let rows = app.panes.get_mut(app.pane).render(f, body, &rc);
    app.hit.rows = rows;
    if let Some(o) = app.overlay.as_mut() {
        o.render(f, body, &rc);
    }
    draw_hints(f, hints, app, &rc);
    draw_bottom(f, bottom, app, &rc);
    rc.redraw_at.get()
}

fn draw_header(f: &mut Frame, area: Rect, app: &App, rc: &RenderCx) {
    let t = rc.theme;
    let d = &app.data;
    let running = d.store.running;
    let desired: u64 = d.store.workloads.values().map(|s| s.desired).sum();
    let mut spans = vec![
        Span::styled(" opsconsole ", t.header().add_modifier(Modifier::BOLD)),
        Span::styled("│ ", t.header()),
    ];
    // First, so no width can cut it off.
    if app.config.kiosk.is_some() {
        spans.push(Span::styled(
            " KIOSK · read-only ",
            t.header().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        spans.push(Span::styled(" │ ", t.header()));
    }
    spans.extend([
        Span::styled(app.info.endpoint.clone(), t.header()),
        Span::styled(" │ ", t.header()),
    ]);
    match (&d.lost, d.loaded) {
        (Some(why), _) => spans.push(Span::styled(
            format!("✖ {why}"),
            t.header().patch(t.error()).add_modifier(Modifier::BOLD),
        )),
        (None, false) => spans.push(Span::styled("connecting…", t.header())),
        (None, true) if rc.kube() => {
            let total = d.store.replicas.len();
            let ready = d
                .store
                .hosts
                .values()
                .filter(|h| h.status == crate::backend::view::HostStatus::Ready)
                .count();
            spans.push(Span::styled(
                format!(
                    "{ready}/{} nodes ready · {} workloads · {running}/{total} pods running",
                    d.store.hosts.len(),
                    d.store.workloads.len()
                ),
                t.header(),
            ));
        }
        (None, true) if !app.info.swarm() => {
            let total = d.store.replicas.len();
            spans.push(Span::styled(
                format!("engine (not in a swarm) · {running}/{total} containers running"),
                t.header(),
            ));
        }
        (None, true) => {
            let leader = d
                .store
                .leader()
                .map(|n| format!("leader {}", n.hostname()))
                .unwrap_or_else(|| "no leader".into());
            spans.push(Span::styled(
                format!(
                    "{leader} · {} nodes · {} services · {running}/{desired} tasks",
                    d.store.hosts.len(),
                    d.store.workloads.len()
                ),
                t.header(),
            ));
        }
    }
    // After the cluster's state, so a lost connection's address is never pushed off.
    if app.info.flavor == crate::backend::Flavor::Kube {
        let ns = app.info.scope.as_deref().unwrap_or("all");
        spans.extend([
            Span::styled(" │ ", t.header()),
            Span::styled(format!("ns: {ns}"), t.header().add_modifier(Modifier::BOLD)),
        ]);
    }
    if let Some(c) = &d.clock
        && c.speed != 1.0
        && c.speed > 0.0
    {
        spans.push(Span::styled(format!(" │ ×{}", c.speed), t.header()));
    }
    if app.info.read_only && app.config.kiosk.is_none() {
        spans.push(Span::styled(
            " │ read-only",
            t.header().add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(m) = &app.playing {
        let name = std::path::Path::new(m)
            .file_name()
            .map_or(m.clone(), |n| n.to_string_lossy().into_owned());
        spans.push(Span::styled(format!(" │ ▶ {name}"), t.header()));
    }
    let line = Line::from(truncate_spans(spans, area.width as usize));
    f.render_widget(Paragraph::new(line).style(t.header()), area);
}

fn draw_tabs(f: &mut Frame, area: Rect, app: &App, rc: &RenderCx) -> Vec<(Rect, PaneId)> {
    let t = rc.theme;
    let mut spans = Vec::new();
    let mut hits = Vec::new();
    let mut x = area.x;
    let ctx = app.contexts();
    for p in PaneId::ALL {
        let key = rc
            .keymap
            .hint(&ctx, p.op())
            .map(|k| format!("{k} "))
            .unwrap_or_default();
        let label = format!(" {key}{} ", p.title_on(app.info.flavor));
        let w = label.chars().count() as u16;
        let style = if p == app.pane {
            t.selection()
        } else {
            t.muted()
        };
        if x + w <= area.x + area.width {
            hits.push((Rect::new(x, area.y, w, 1), p));
        }
        x += w;
        spans.push(Span::styled(label, style));
    }
    if let Some(crumb) = app.panes.get(app.pane).crumb(&app.data) {
        spans.push(Span::styled(format!("  › {crumb}"), t.accent()));
    }
    if let Some(fl) = app.panes.get(app.pane).filter() {
        spans.push(Span::styled(format!("  /{}", fl.text), t.info()));
    }
    f.render_widget(
        Paragraph::new(Line::from(truncate_spans(spans, area.width as usize))),
        area,
    );
    hits
}

fn draw_hints(f: &mut Frame, area: Rect, app: &App, rc: &RenderCx) {
    let t = rc.theme;
    // A demo's caption takes the hints' place while it is shown.
    if let Some(c) = &app.caption {
        let line = Line::from(Span::styled(
            format!(" ▶ {c} "),
            t.accent().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    if !app.pending.is_empty() {
        let keys: Vec<String> = app.pending.iter().map(|k| k.to_string()).collect();
        pairs.push((keys.join(" "), "…".into()));
    } else if let Some(input) = &app.input {
        pairs.push(("enter".into(), "run".into()));
        pairs.push(("esc".into(), "cancel".into()));
        if input.kind == InputKind::Command {
            pairs.push(("tab".into(), "complete".into()));
            pairs.push(("up/down".into(), "history".into()));
        }
    } else if let Some(o) = &app.overlay {
        pairs = o.hints(rc);
    } else {
        let ctx = app.contexts();
        let ops = app.panes.get(app.pane).hints();
        for op in ops
            .iter()
            .chain([Op::Inspect, Op::Filter, Op::CommandLine, Op::Help, Op::Quit].iter())
            .copied()
            .filter(|o| app.allowed(*o))
        {
            if let Some(k) = rc.keymap.hint(&ctx, op) {
                pairs.push((k, op.short().to_string()));
            }
        }
    }
    let mut spans = Vec::new();
    for (k, what) in pairs {
        spans.push(Span::styled(format!(" {k}"), t.accent()));
        spans.push(Span::styled(format!(" {what} "), t.muted()));
    }
    f.render_widget(
        Paragraph::new(Line::from(truncate_spans(spans, area.width as usize))),
        area,
    );
}

fn draw_bottom(f: &mut Frame, area: Rect, app: &App, rc: &RenderCx) {
    let t = rc.theme;
    if let Some(input) = &app.input {
        let prefix = match input.kind {
            InputKind::Command => ":",
            InputKind::Filter => "/",
        };
        let mut spans = vec![
            Span::styled(prefix, t.accent()),
            Span::styled(input.edit.text.clone(), t.base()),
        ];
        if let Some(c) = input.candidates() {
            spans.push(Span::styled(format!("   {}", c.join("  ")), t.muted()));
        }
        let line = Line::from(truncate_spans(spans, area.width as usize));
        f.render_widget(Paragraph::new(line), area);
        let cx = area.x + 1 + input.edit.head().chars().count() as u16;
        if cx < area.x + area.width {
            f.set_cursor_position((cx, area.y));
        }
        return;
    }
    if let Some(s) = &app.status {
        let style = match s.level {
            Level::Info => t.info(),
            Level::Ok => t.ok(),
            Level::Error => t.error(),
        };
        let text = truncate(&s.text.replace('\n', " "), area.width as usize);
        f.render_widget(Paragraph::new(Span::styled(text, style)), area);
    }
}

/// Cuts a line of spans to a width (characters).
pub fn truncate_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        let n = s.content.chars().count();
        if used + n <= width {
            used += n;
            out.push(s);
        } else {
            let rest = width.saturating_sub(used);
            if rest > 0 {
                out.push(Span::styled(truncate(&s.content, rest), s.style));
            }
            break;
        }
    }
    out
}

/// Milliseconds of wall time until the backend's clock reaches `t`.
pub fn wall_delay(app: &App, t: SimTime) -> Option<i64> {
    let c = app.data.clock.as_ref()?;
    Some((c.wall_at(t) - wall_ms()).max(0))
}

/// A centred box of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
