//! Tables: a sorted, filtered set of rows with a cursor, drawn a window at a time. Only the
//! rows on screen are ever built, so a table of a million rows draws as fast as one of ten.
//! Columns take their natural width; when the screen is too narrow, the least important
//! columns go first, then the flexible one is cut.

use super::RenderCx;
use crate::app::data::{Cursor, Delta, Filter, Table};
use crate::app::ops::Op;
use crate::backend::view::Family;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table as TableWidget};
use std::collections::HashMap;

pub struct TableView<K> {
    pub table: Table<K>,
    pub cursor: Cursor<K>,
    pub filter: Option<Filter>,
    /// Rows shown in the last frame (page size).
    pub height: usize,
}

impl<K> Default for TableView<K> {
    fn default() -> Self {
        TableView {
            table: Table::default(),
            cursor: Cursor::default(),
            filter: None,
            height: 10,
        }
    }
}

impl<K: Ord + Clone> TableView<K> {
    /// Moves the cursor for a navigation operation; false if `op` is not one.
    pub fn nav(&mut self, op: Op) -> bool {
        let page = self.height.max(1) as isize;
        match op {
            Op::Up => self.cursor.move_by(&self.table, -1),
            Op::Down => self.cursor.move_by(&self.table, 1),
            Op::PageUp => self.cursor.move_by(&self.table, -page),
            Op::PageDown => self.cursor.move_by(&self.table, page),
            Op::Top => self.cursor.to(&self.table, 0),
            Op::Bottom => self.cursor.to(&self.table, usize::MAX),
            _ => return false,
        }
        true
    }

    pub fn selected(&self) -> Option<&K> {
        self.cursor
            .selected
            .as_ref()
            .filter(|k| self.table.position(k).is_ok())
            .or_else(|| {
                self.table
                    .get(self.cursor.index.min(self.table.len().saturating_sub(1)))
            })
    }

    pub fn click(&mut self, row: usize) {
        let i = self.cursor.offset + row;
        if i < self.table.len() {
            self.cursor.to(&self.table, i);
        }
    }

    /// The rows to draw for a window of `height`: (offset, selected index).
    pub fn window(&mut self, height: usize) -> (usize, usize) {
        self.height = height;
        self.cursor.scroll(&self.table, height)
    }

    /// Fills the table with the objects `wanted` keeps (given the filter).
    pub fn rebuild<V>(
        &mut self,
        items: &HashMap<String, V>,
        wanted: impl Fn(Option<&Filter>, &V) -> Option<K>,
    ) {
        let f = self.filter.as_ref();
        let rows: Vec<(String, K)> = items
            .iter()
            .filter_map(|(id, v)| wanted(f, v).map(|k| (id.clone(), k)))
            .collect();
        self.table.rebuild(rows.into_iter());
    }

    /// Keeps the table current with a change to objects of `kind`.
    pub fn delta<V>(
        &mut self,
        d: &Delta,
        kind: Family,
        items: &HashMap<String, V>,
        wanted: impl Fn(Option<&Filter>, &V) -> Option<K>,
    ) {
        match d {
            Delta::Reset => self.rebuild(items, wanted),
            Delta::Changed(k, id) if *k == kind => {
                let key = items.get(id).and_then(|v| wanted(self.filter.as_ref(), v));
                self.table.set(id, key);
            }
            _ => {}
        }
    }

    /// Draws the visible window of the table in a bordered box titled `name [shown/total]`.
    #[allow(clippy::too_many_arguments)]
    pub fn render<'v, V: 'v>(
        &mut self,
        f: &mut Frame,
        area: Rect,
        rc: &RenderCx,
        name: &str,
        total: usize,
        cols: &[Col],
        lookup: impl Fn(&K) -> Option<&'v V>,
        row: impl Fn(&V) -> Vec<Cell>,
        empty: &str,
    ) -> Rect {
        let h = body_height(area);
        let (off, sel) = self.window(h);
        let rows: Vec<Vec<Cell>> = self
            .table
            .iter_from(off)
            .take(h)
            .filter_map(&lookup)
            .map(row)
            .collect();
        let t = title(rc, name, self.table.len(), total);
        draw(
            f,
            area,
            rc,
            t,
            cols,
            rows,
            Some(sel.saturating_sub(off)),
            empty,
            None,
        )
    }
}

/// The `Pane` methods every table pane has the same way.
macro_rules! table_pane_filter {
    () => {
        fn filter(&self) -> Option<&Filter> {
            self.t.filter.as_ref()
        }

        fn set_filter(&mut self, data: &Data, f: Option<Filter>) {
            self.t.filter = f;
            self.rebuild(data);
        }
    };
}
pub(crate) use table_pane_filter;

/// A column: its header, how narrow and wide it may be, and how readily it is dropped on a
/// narrow screen (0: never; higher goes first).
#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub header: &'static str,
    pub min: usize,
    pub max: usize,
    pub drop: u8,
    /// Takes what is left after the others (and gives first).
    pub flex: bool,
}

pub const fn col(header: &'static str, min: usize, max: usize, drop: u8) -> Col {
    Col {
        header,
        min,
        max,
        drop,
        flex: false,
    }
}

pub const fn flex(header: &'static str, min: usize, max: usize, drop: u8) -> Col {
    Col {
        header,
        min,
        max,
        drop,
        flex: true,
    }
}

pub const GAP: usize = 2;

/// Column widths for `width` cells; `None` for dropped columns. Columns are placed in order
/// of importance (`drop`, then position): each at its natural width if that fits, else at
/// what is left if that is at least its minimum, else not at all. Whatever is left at the
/// end goes to the flexible columns, then to columns that were cut.
pub fn fit(cols: &[Col], natural: &[usize], width: usize) -> Vec<Option<usize>> {
    let nat: Vec<usize> = cols
        .iter()
        .zip(natural)
        .map(|(c, n)| (*n).max(c.header.chars().count()).min(c.max))
        .collect();
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|i| (cols[*i].drop, *i));
    let mut w: Vec<Option<usize>> = vec![None; cols.len()];
    let mut used = 0usize;
    for i in order {
        let gap = if used == 0 { 0 } else { GAP };
        let room = width.saturating_sub(used + gap);
        let min = nat[i].min(cols[i].min);
        let take = if nat[i] <= room {
            nat[i]
        } else if min <= room && room > 0 {
            room
        } else if cols[i].drop == 0 && room > 0 {
            // An essential column is never dropped: it is cut instead.
            room
        } else {
            continue;
        };
        w[i] = Some(take);
        used += gap + take;
    }
    // What is left goes to the flexible columns, then to any cut column.
    let mut left = width.saturating_sub(used);
    for pass in [true, false] {
        for i in 0..cols.len() {
            if cols[i].flex == pass
                && let Some(v) = w[i].as_mut()
            {
                let more = nat[i].saturating_sub(*v).min(left);
                *v += more;
                left -= more;
            }
        }
    }
    w
}

/// One cell: its spans (already styled).
pub type Cell = Vec<Span<'static>>;

pub fn cell(text: impl Into<String>, style: Style) -> Cell {
    vec![Span::styled(text.into(), style)]
}

fn cell_width(c: &Cell) -> usize {
    c.iter().map(|s| s.content.chars().count()).sum()
}

fn cut(c: Cell, width: usize) -> Line<'static> {
    Line::from(super::truncate_spans(c, width))
}

/// The area inside the border, less the header row: how many data rows fit.
pub fn body_height(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

/// Draws a bordered table of the given rows (already the visible window); returns the area
/// of the data rows (for mouse clicks).
#[allow(clippy::too_many_arguments)]
pub fn draw(
    f: &mut Frame,
    area: Rect,
    rc: &RenderCx,
    title: Line<'static>,
    cols: &[Col],
    rows: Vec<Vec<Cell>>,
    selected: Option<usize>,
    empty: &str,
    bottom: Option<Line<'static>>,
) -> Rect {
    let t = rc.theme;
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border())
        .title(title);
    if let Some(b) = bottom {
        block = block.title_bottom(b);
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return Rect::default();
    }
    let natural: Vec<usize> = (0..cols.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, cell_width))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut widths = fit(cols, &natural, inner.width as usize);
    // Scoped to one namespace, the NAMESPACE column says nothing (kubectl leaves it out).
    if rc.info.scope.is_some() {
        for (w, c) in widths.iter_mut().zip(cols) {
            if c.header == "NAMESPACE" {
                *w = None;
            }
        }
    }
    let keep: Vec<usize> = (0..cols.len()).filter(|i| widths[*i].is_some()).collect();
    let header = Row::new(
        keep.iter()
            .map(|i| Line::from(Span::styled(cols[*i].header, t.accent())))
            .collect::<Vec<_>>(),
    );
    let body_rect = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    if rows.is_empty() {
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(empty.to_string(), t.muted()))),
            body_rect,
        );
    }
    let trows: Vec<Row> = rows
        .into_iter()
        .enumerate()
        .map(|(n, r)| {
            let mut r = r;
            let cells: Vec<Line> = keep
                .iter()
                .map(|i| {
                    let c = std::mem::take(&mut r[*i]);
                    cut(c, widths[*i].unwrap_or(0))
                })
                .collect();
            let row = Row::new(cells);
            if Some(n) == selected {
                row.style(t.selection())
            } else {
                row
            }
        })
        .collect();
    let constraints: Vec<Constraint> = keep
        .iter()
        .map(|i| Constraint::Length(widths[*i].unwrap_or(0) as u16))
        .collect();
    let table = TableWidget::new(trows, constraints)
        .header(header)
        .column_spacing(GAP as u16);
    f.render_widget(table, inner);
    body_rect
}

/// A pane title: " Name [shown/total] ".
pub fn title(rc: &RenderCx, name: &str, shown: usize, total: usize) -> Line<'static> {
    let count = if shown == total {
        format!("[{total}]")
    } else {
        format!("[{shown}/{total}]")
    };
    Line::from(vec![
        Span::styled(format!(" {name} "), rc.theme.accent()),
        Span::styled(format!("{count} "), rc.theme.muted()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_narrow_screens() {
        let cols = [
            col("ID", 12, 25, 3),
            col("NAME", 10, 30, 0),
            flex("ERROR", 10, 60, 2),
            col("LABELS", 6, 30, 5),
        ];
        let natural = [25, 20, 50, 20];
        let width = |w: &[Option<usize>]| -> usize {
            w.iter().flatten().sum::<usize>() + GAP * (w.iter().flatten().count().max(1) - 1)
        };
        let w = fit(&cols, &natural, 200);
        assert_eq!(w, vec![Some(25), Some(20), Some(50), Some(20)]);
        // The most important columns get their natural width first; the flexible one is cut
        // to what is left; the least important are dropped.
        let w = fit(&cols, &natural, 90);
        assert_eq!(w, vec![Some(16), Some(20), Some(50), None], "{w:?}");
        assert!(width(&w) <= 90);
        let w = fit(&cols, &natural, 40);
        assert_eq!(w, vec![None, Some(20), Some(18), None], "{w:?}");
        // An essential column is cut rather than dropped; nothing is ever wider than the
        // screen, and tiny screens do not panic.
        for n in 0..60 {
            let w = fit(&cols, &natural, n);
            assert!(width(&w) <= n.max(1), "{n} {w:?}");
            if n > 0 {
                assert!(w[1].is_some(), "{n} {w:?}");
            }
        }
    }
}
