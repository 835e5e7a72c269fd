//! The console without a terminal: snapshots of every pane (ratatui's TestBackend + insta)
//! from a deterministic cluster, and the App driven by Actions.

use opsconsole::app::keys::Key;
use opsconsole::app::{Action, App, Effect};
use opsconsole::fixtures;
use opsconsole::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        ui::draw(f, app);
    })
    .unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn keys(app: &mut App, s: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in s.chars() {
        fx.extend(app.update(Action::Key(Key::ch(c))));
    }
    fx
}

#[test]
fn print_demo() {
    let cl = fixtures::demo_cluster();
    let mut app = fixtures::app_for(&cl);
    for p in "123456".chars() {
        keys(&mut app, &p.to_string());
        println!("{}", screen(&mut app, 120, 30));
    }
}
