//! Logs: a service's tasks merged and labelled `svc.slot.id@node` (or one task), following by
//! default. Tail N, timestamps, wrap, search with highlighted matches and next/previous,
//! pause. The buffer is bounded: when a task writes faster than anyone can read, the oldest
//! lines go and the title says how many were dropped.

use super::Pane;
use crate::app::data::{Data, Delta, Filter};
use crate::app::ops::Op;
use crate::app::{Cx, Effect, Intent, Level, Prompt, Then};
use crate::app::{Nav, PaneQuestion};
use crate::backend::view::{LogLineView, ObjRef};
use crate::backend::{LogEvent, LogRequest, LogTarget};
use crate::ui::RenderCx;
use crate::ui::text::highlight;
use opsconsole_sim::base::rng::stable_hash;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::collections::VecDeque;

/// Lines kept in the buffer.
pub const CAPACITY: usize = 10_000;
pub const DEFAULT_TAIL: u64 = 200;

pub struct LogsPane {
    target: Option<LogTarget>,
    title: String,
    stream: u64,
    lines: VecDeque<LogLineView>,
    /// Lines that arrived while paused.
    held: VecDeque<LogLineView>,
    dropped: u64,
    follow: bool,
    paused: bool,
    timestamps: bool,
    wrap: bool,
    search: Option<Filter>,
    /// First line shown when not following.
    top: usize,
    hscroll: usize,
    tail: u64,
    /// The previous instance's log (a restarted container's).
    previous: bool,
    ended: Option<String>,
    height: usize,
}

impl Default for LogsPane {
    fn default() -> Self {
        LogsPane {
            target: None,
            title: String::new(),
            stream: 0,
            lines: VecDeque::new(),
            held: VecDeque::new(),
            dropped: 0,
            follow: true,
            paused: false,
            timestamps: false,
            wrap: false,
            search: None,
            top: 0,
            hscroll: 0,
            previous: false,
            tail: DEFAULT_TAIL,
            ended: None,
            height: 10,
        }
    }
}

fn push_bounded(buf: &mut VecDeque<LogLineView>, lines: Vec<LogLineView>) -> usize {
    let mut evicted = 0;
    let skip = lines.len().saturating_sub(CAPACITY);
    evicted += skip;
    buf.extend(lines.into_iter().skip(skip));
    while buf.len() > CAPACITY {
        buf.pop_front();
        evicted += 1;
    }
    evicted
}

impl LogsPane {
    pub fn target(&self) -> Option<&LogTarget> {
        self.target.as_ref()
    }

    /// Starts showing a target (a new stream, unless it is already the one shown).
    pub fn open(&mut self, data: &Data, target: LogTarget, id: u64) -> Option<Effect> {
        if self.target.as_ref() == Some(&target) && self.ended.is_none() {
            return None;
        }
        self.title = match &target {
            LogTarget::Service(s) => data
                .store
                .find_workload(s)
                .map(|s| s.name().to_string())
                .unwrap_or_else(|| s.clone()),
            LogTarget::Task(t) => data
                .store
                .find_replica(t)
                .map(|t| format!("{} ({})", t.name(), &t.id()[..t.id().len().min(12)]))
                .unwrap_or_else(|| t.clone()),
            LogTarget::Pod { pod, container } => match container {
                Some(c) => format!("{} [{c}]", pod.name),
                None => pod.name.clone(),
            },
            LogTarget::Workload(w) => format!("{} (all pods)", w.name),
        };
        if !matches!(target, LogTarget::Pod { .. }) {
            self.previous = false;
        }
        self.target = Some(target.clone());
        self.restart(id)
    }

    fn restart(&mut self, id: u64) -> Option<Effect> {
        let target = self.target.clone()?;
        self.stream = id;
        self.lines.clear();
        self.held.clear();
        self.dropped = 0;
        self.follow = true;
        self.paused = false;
        self.ended = None;
        self.top = 0;
        Some(Effect::Logs {
            id,
            req: LogRequest {
                target,
                tail: Some(self.tail),
                // A previous instance's log is complete: there is nothing to follow.
                follow: !self.previous,
                previous: self.previous,
            },
        })
    }

    /// Stops showing logs (the stream is stopped by the caller).
    pub fn close(&mut self) {
        *self = LogsPane {
            tail: self.tail,
            timestamps: self.timestamps,
            wrap: self.wrap,
            ..LogsPane::default()
        };
    }

    /// Takes a stream event; returns whether what is shown changed.
    pub fn on_log(&mut self, id: u64, ev: LogEvent) -> bool {
        if id != self.stream {
            return false;
        }
        match ev {
            LogEvent::Lines(ls) if ls.is_empty() => false,
            LogEvent::Lines(ls) => {
                if self.paused {
                    self.dropped += push_bounded(&mut self.held, ls) as u64;
                    true
                } else {
                    let evicted = push_bounded(&mut self.lines, ls);
                    self.dropped += evicted as u64;
                    self.top = self.top.saturating_sub(evicted);
                    true
                }
            }
            LogEvent::Dropped(n) => {
                self.dropped += n;
                true
            }
            LogEvent::Error(e) => {
                self.ended = Some(e);
                true
            }
            LogEvent::End => {
                if self.ended.is_none() {
                    self.ended = Some("the stream ended".into());
                }
                true
            }
        }
    }

    pub fn search(&mut self, text: &str) {
        self.search = Filter::new(text);
        if self.search.is_some() {
            self.jump(true);
        }
    }

    pub fn set_tail(&mut self, n: u64, id: u64) -> Option<Effect> {
        self.tail = n.clamp(1, CAPACITY as u64);
        self.restart(id)
    }

    fn matches(&self, i: usize) -> bool {
        match (&self.search, self.lines.get(i)) {
            (Some(f), Some(l)) => f.matches(&l.text) || f.matches(&l.label),
            _ => false,
        }
    }

    /// Moves to the next (or previous) line with a match.
    fn jump(&mut self, forward: bool) -> bool {
        let n = self.lines.len();
        if n == 0 || self.search.is_none() {
            return false;
        }
        let start = if self.follow {
            n.saturating_sub(self.height)
        } else {
            self.top
        };
        let found = if forward {
            (start + 1..n)
                .chain(0..=start.min(n - 1))
                .find(|i| self.matches(*i))
        } else {
            (0..start)
                .rev()
                .chain((start..n).rev())
                .find(|i| self.matches(*i))
        };
        match found {
            Some(i) => {
                self.follow = false;
                self.top = i;
                true
            }
            None => false,
        }
    }

    fn scroll(&mut self, delta: isize) {
        let n = self.lines.len();
        let max_top = n.saturating_sub(self.height.max(1));
        let cur = if self.follow { max_top } else { self.top };
        let to = (cur as isize + delta).clamp(0, max_top as isize) as usize;
        self.top = to;
        self.follow = to >= max_top && delta > 0;
    }

    fn label_style(label: &str) -> Style {
        const COLORS: [Color; 6] = [
            Color::Cyan,
            Color::Green,
            Color::Magenta,
            Color::Yellow,
            Color::Blue,
            Color::LightRed,
        ];
        Style::default().fg(COLORS[(stable_hash(label) % COLORS.len() as u64) as usize])
    }

    /// The screen rows of one log line.
    fn rows_of(&self, l: &LogLineView, width: usize, rc: &RenderCx) -> Vec<Line<'static>> {
        let t = rc.theme;
        let mut spans: Vec<Span<'static>> = Vec::new();
        if !l.label.is_empty() {
            let style = if t.depth == crate::app::theme::Depth::None {
                t.muted()
            } else {
                LogsPane::label_style(&l.label)
            };
            spans.push(Span::styled(l.label.clone(), style));
            spans.push(Span::styled(" | ", t.muted()));
        }
        if self.timestamps {
            spans.push(Span::styled(
                format!("{} ", l.at.rfc3339_nano_fixed()),
                t.muted(),
            ));
        }
        spans.extend(highlight(
            &l.text,
            self.search.as_ref(),
            t.base(),
            t.matched(),
        ));
        if !self.wrap {
            // Horizontal scroll: drop characters from the left.
            let mut skip = self.hscroll;
            let mut out = Vec::new();
            for s in spans {
                let n = s.content.chars().count();
                if skip >= n {
                    skip -= n;
                    continue;
                }
                let rest: String = s.content.chars().skip(skip).collect();
                skip = 0;
                out.push(Span::styled(rest, s.style));
            }
            return vec![Line::from(crate::ui::truncate_spans(out, width))];
        }
        // Wrap by characters, so row counts are exact.
        let width = width.max(1);
        let mut rows = Vec::new();
        let mut cur: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for s in spans {
            let mut text: &str = &s.content;
            while !text.is_empty() {
                let room = width - used;
                let take: String = text.chars().take(room).collect();
                let tlen = take.chars().count();
                let bytes = take.len();
                cur.push(Span::styled(take, s.style));
                used += tlen;
                text = &text[bytes..];
                if used == width {
                    rows.push(Line::from(std::mem::take(&mut cur)));
                    used = 0;
                }
            }
        }
        if !cur.is_empty() || rows.is_empty() {
            rows.push(Line::from(cur));
        }
        rows
    }
}

impl Pane for LogsPane {
    fn on_delta(&mut self, _data: &Data, _d: &Delta) {}

    fn go(&mut self, data: &Data, nav: Nav, id: u64) -> Option<Effect> {
        match nav {
            Nav::Logs(target) => self.open(data, target, id),
            _ => None,
        }
    }

    fn place(&self) -> Option<Nav> {
        self.target().map(|t| Nav::Logs(t.clone()))
    }

    fn leave(&mut self) {
        self.close();
    }

    fn on_log(&mut self, id: u64, ev: LogEvent) -> bool {
        LogsPane::on_log(self, id, ev)
    }

    fn answer(&mut self, what: PaneQuestion, text: &str, id: u64) -> Option<Effect> {
        match what {
            PaneQuestion::LogsSearch => {
                self.search(text);
                None
            }
            PaneQuestion::LogsTail => self.set_tail(text.parse().ok()?, id),
            PaneQuestion::LogsPrevious => {
                self.previous = !self.previous;
                self.restart(id)
            }
        }
    }

    fn on_op(&mut self, op: Op, cx: &mut Cx) {
        let page = self.height.max(1) as isize;
        match op {
            Op::Up => self.scroll(-1),
            Op::Down => self.scroll(1),
            Op::PageUp => self.scroll(-page),
            Op::PageDown => self.scroll(page),
            Op::Top => {
                self.follow = false;
                self.top = 0;
            }
            Op::Bottom => self.follow = true,
            Op::Left => self.hscroll = self.hscroll.saturating_sub(8),
            Op::Right if !self.wrap => self.hscroll += 8,
            Op::LogsFollow => {
                self.follow = !self.follow;
                cx.status(
                    Level::Info,
                    if self.follow {
                        "following"
                    } else {
                        "not following"
                    },
                );
            }
            Op::LogsPause => {
                self.paused = !self.paused;
                if !self.paused {
                    let held: Vec<LogLineView> = self.held.drain(..).collect();
                    self.dropped += push_bounded(&mut self.lines, held) as u64;
                }
            }
            Op::LogsTimestamps => self.timestamps = !self.timestamps,
            Op::LogsWrap => {
                self.wrap = !self.wrap;
                self.hscroll = 0;
            }
            Op::LogsSearch => cx.push(Intent::Prompt(Prompt {
                title: "Search the logs".into(),
                label: "text or regex".into(),
                initial: self
                    .search
                    .as_ref()
                    .map(|f| f.text.clone())
                    .unwrap_or_default(),
                then: Then::Pane(PaneQuestion::LogsSearch),
            })),
            Op::LogsNext | Op::LogsPrev => {
                if self.search.is_none() {
                    cx.status(Level::Info, "no search: press / to search");
                } else if !self.jump(op == Op::LogsNext) {
                    cx.status(Level::Info, "no match");
                }
            }
            Op::LogsTail => cx.push(Intent::Prompt(Prompt {
                title: "Show the last N lines".into(),
                label: "lines".into(),
                initial: self.tail.to_string(),
                then: Then::Pane(PaneQuestion::LogsTail),
            })),
            Op::LogsPrevious if matches!(self.target, Some(LogTarget::Pod { .. })) => {
                cx.push(Intent::Answer(PaneQuestion::LogsPrevious, String::new()))
            }
            Op::LogsPrevious => cx.status(
                Level::Info,
                "only a pod's containers have a previous log (kubectl logs -p)",
            ),
            Op::LogsClear => {
                self.lines.clear();
                self.held.clear();
                self.dropped = 0;
                self.top = 0;
            }
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, rc: &RenderCx) -> Rect {
        let t = rc.theme;
        let mut status = vec![format!("{} lines", self.lines.len())];
        if self.dropped > 0 {
            status.push(format!("{} dropped", self.dropped));
        }
        status.push(if self.paused {
            format!("paused, {} new", self.held.len())
        } else if self.follow {
            "following".into()
        } else {
            "scrolled".into()
        });
        if self.timestamps {
            status.push("timestamps".into());
        }
        if self.wrap {
            status.push("wrap".into());
        }
        if let Some(s) = &self.search {
            status.push(format!("search /{}", s.text));
        }
        let mut title = vec![
            Span::styled(format!(" Logs {} ", self.title), t.accent()),
            Span::styled(format!("[{}] ", status.join(" · ")), t.muted()),
        ];
        if let Some(e) = &self.ended {
            title.push(Span::styled(format!("{e} "), t.error()));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(t.border())
            .title(Line::from(title));
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.height = inner.height as usize;
        if self.target.is_none() {
            f.render_widget(
                Paragraph::new(Span::styled(
                    "No logs open: select a service or task and press l, or type :logs SERVICE",
                    t.muted(),
                )),
                inner,
            );
            return inner;
        }
        let width = inner.width as usize;
        let h = inner.height as usize;
        let mut rows: Vec<Line<'static>> = Vec::new();
        if self.follow {
            // From the newest line up until the window is full.
            for l in self.lines.iter().rev() {
                let mut r = self.rows_of(l, width, rc);
                r.extend(std::mem::take(&mut rows));
                rows = r;
                if rows.len() >= h {
                    break;
                }
            }
            let skip = rows.len().saturating_sub(h);
            rows.drain(..skip);
        } else {
            let max_top = self.lines.len().saturating_sub(1);
            self.top = self.top.min(max_top);
            for l in self.lines.iter().skip(self.top) {
                rows.extend(self.rows_of(l, width, rc));
                if rows.len() >= h {
                    break;
                }
            }
            rows.truncate(h);
        }
        f.render_widget(Paragraph::new(rows), inner);
        inner
    }

    fn hints(&self) -> &'static [Op] {
        &[
            Op::LogsFollow,
            Op::LogsPause,
            Op::LogsTimestamps,
            Op::LogsWrap,
            Op::LogsSearch,
            Op::LogsNext,
            Op::LogsTail,
        ]
    }

    fn selected(&self, data: &Data) -> Option<ObjRef> {
        match &self.target {
            Some(LogTarget::Service(s)) => data.store.find_workload(s).map(|s| s.c.r.clone()),
            Some(LogTarget::Task(t)) => data.store.find_replica(t).map(|t| t.c.r.clone()),
            Some(LogTarget::Pod { pod, .. }) => Some(pod.clone()),
            Some(LogTarget::Workload(w)) => Some(w.clone()),
            None => None,
        }
    }

    fn filterable(&self) -> bool {
        false
    }

    fn filter(&self) -> Option<&Filter> {
        None
    }

    fn set_filter(&mut self, _data: &Data, _f: Option<Filter>) {}

    fn crumb(&self, _data: &Data) -> Option<String> {
        self.target.as_ref().map(|_| self.title.clone())
    }

    fn click(&mut self, _data: &Data, _row: usize) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsconsole_sim::base::time::SimTime;

    fn lines(n: usize, from: usize) -> Vec<LogLineView> {
        (from..from + n)
            .map(|i| LogLineView {
                at: SimTime(i as i64),
                label: "web.1.abc@node1".into(),
                text: format!("line {i}"),
            })
            .collect()
    }

    #[test]
    fn the_buffer_is_bounded_and_counts_what_it_drops() {
        let mut p = LogsPane {
            stream: 1,
            target: Some(LogTarget::Service("web".into())),
            ..LogsPane::default()
        };
        for b in 0..30 {
            p.on_log(1, LogEvent::Lines(lines(1000, b * 1000)));
        }
        p.on_log(1, LogEvent::Dropped(500));
        assert_eq!(p.lines.len(), CAPACITY);
        assert_eq!(p.dropped, 20_000 + 500);
        assert_eq!(p.lines.back().unwrap().text, "line 29999");
        // Events of an older stream are ignored.
        assert!(!p.on_log(7, LogEvent::Lines(lines(5, 0))));
    }

    #[test]
    fn pause_holds_lines_and_search_jumps_between_matches() {
        let mut p = LogsPane {
            stream: 1,
            target: Some(LogTarget::Service("web".into())),
            ..LogsPane::default()
        };
        p.on_log(1, LogEvent::Lines(lines(100, 0)));
        p.paused = true;
        p.on_log(1, LogEvent::Lines(lines(10, 100)));
        assert_eq!(p.lines.len(), 100);
        assert_eq!(p.held.len(), 10);
        p.search("line 4[0-9]$");
        assert!(!p.follow);
        assert_eq!(p.top, 40);
        assert!(p.jump(true));
        assert_eq!(p.top, 41);
        assert!(p.jump(false));
        assert_eq!(p.top, 40);
    }
}
