//! `opsconsole screenshots`: the README's pictures, rendered from the shipped demo macros on a
//! fresh built-in cluster (fixed seed and clock), so the same code always gives the same
//! files. Each `snap NAME` step of a macro becomes `NAME.svg` and `NAME.png`; the services
//! pane is also drawn in every theme (`services-THEME`).
//!
//! The SVG is drawn cell by cell from the frame ratatui rendered; the PNG is that SVG rendered
//! by resvg with the DejaVu Sans Mono font embedded in the binary, so no system font changes
//! the output.

use crate::app::theme::{Depth, Theme};
use crate::app::{App, Config};
use crate::backend::Backend;
use crate::backend::builtin::{Builtin, Hosting, Options};
use crate::console::Runner;
use crate::macros::Macro;
use opsconsole_sim::base::time::SimTime;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSansMono.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSansMono-Bold.ttf");

/// The shipped demo macros, in the order they are played.
pub const MACROS: &[(&str, &str)] = &[
    (
        "macros/seed000-walkthrough.macro",
        include_str!("../macros/seed000-walkthrough.macro"),
    ),
    (
        "macros/stack-deploy.macro",
        include_str!("../macros/stack-deploy.macro"),
    ),
    (
        "macros/logs-tour.macro",
        include_str!("../macros/logs-tour.macro"),
    ),
    (
        "macros/seed002-kubectl.macro",
        include_str!("../macros/seed002-kubectl.macro"),
    ),
    (
        "macros/kube-panes.macro",
        include_str!("../macros/kube-panes.macro"),
    ),
    (
        "macros/kube-seed002.macro",
        include_str!("../macros/kube-seed002.macro"),
    ),
];

/// Macros named `kube-*` play on the built-in cluster's Kubernetes side (`opsconsole --kube`).
pub fn on_kubernetes(file: &str) -> bool {
    Path::new(file)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("kube-"))
}

/// The backend a shipped macro plays on: a fresh built-in cluster, or its Kubernetes side.
pub async fn backend_for(file: &str, dir: &Path) -> Result<Arc<dyn Backend>, String> {
    let b = fresh_cluster(dir);
    if !on_kubernetes(file) {
        return Ok(Arc::new(b));
    }
    let k = b.kube().await.map_err(|e| e.message)?;
    Ok(Arc::new(k.with_others(Arc::new(b))))
}

/// Screen size of the screenshots.
pub const SIZE: (u16, u16) = (120, 36);
/// The simulated start of the screenshots' cluster.
pub const START: &str = "2026-11-22T10:00:00Z";
const THEMES: &[&str] = &["dark", "light", "high-contrast"];

/// The console's settings for screenshots and macro tests: the built-in keymap and the dark
/// theme in truecolor, whatever the user's own settings are.
pub fn config(theme: &str) -> Config {
    let mut c = crate::fixtures::config();
    c.theme = Theme::builtin(theme, Depth::TrueColor)
        .unwrap_or_else(|| Theme::default_for(Depth::TrueColor));
    c
}

/// One picture: its name and its SVG.
pub struct Shot {
    pub name: String,
    pub svg: String,
}

/// A fresh built-in cluster (seed 000's swarm, fixed seed and clock) whose time stands still
/// unless a macro waits.
pub fn fresh_cluster(dir: &Path) -> Builtin {
    Builtin::new(Options {
        hosting: Hosting::InProcess,
        dir: dir.to_path_buf(),
        speed: 0.0,
        demo_if_new: false,
        seed: 0,
        start: SimTime::parse_rfc3339(START).unwrap_or_default(),
    })
}

/// Plays one macro headless on a fresh cluster; returns the pictures its `snap` steps took.
pub async fn play_macro(m: Macro, backend: Arc<dyn Backend>) -> Result<Vec<Shot>, String> {
    let (w, h) = SIZE;
    let term = Terminal::new(TestBackend::new(w, h)).map_err(|e| e.to_string())?;
    let mut info = backend.info();
    // The throwaway state directory would differ between runs.
    info.endpoint = "built-in · demo".into();
    let mut runner = Runner::new(App::new(config("dark"), info), backend, term);
    let mut shots = Vec::new();
    crate::console::headless::headless_with(
        &mut runner,
        m,
        crate::console::headless::Clock::Simulated,
        &mut |r, name| {
            shots.extend(snap(r, name));
        },
    )
    .await?;
    Ok(shots)
}

/// The picture of the screen now (and of the services pane in every theme).
fn snap(r: &mut Runner<TestBackend>, name: &str) -> Vec<Shot> {
    let mut out = vec![Shot {
        name: name.to_string(),
        svg: svg(r.terminal.backend().buffer(), "dark"),
    }];
    if name == "services" {
        let saved = r.app.config.theme.clone();
        for t in THEMES {
            r.app.config.theme = config(t).theme;
            let (w, h) = SIZE;
            let Ok(mut term) = Terminal::new(TestBackend::new(w, h));
            let app = &mut r.app;
            if term
                .draw(|f| {
                    crate::ui::draw(f, app);
                })
                .is_ok()
            {
                out.push(Shot {
                    name: format!("services-{t}"),
                    svg: svg(term.backend().buffer(), t),
                });
            }
        }
        r.app.config.theme = saved;
    }
    out
}

/// Every screenshot, as (file name, bytes).
pub fn render_all() -> Result<Vec<(String, Vec<u8>)>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    for (file, text) in MACROS {
        let m = crate::macros::parse(file, text)?;
        let dir = std::env::temp_dir().join(format!(
            "opsconsole-shots-{}-{}",
            std::process::id(),
            files.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let shots = rt.block_on(async {
            let backend = backend_for(file, &dir).await?;
            play_macro(m, backend).await
        });
        let _ = std::fs::remove_dir_all(&dir);
        for s in shots? {
            files.push((format!("{}.png", s.name), png(&s.svg)?));
            files.push((format!("{}.svg", s.name), s.svg.into_bytes()));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Writes every screenshot into `out`.
pub fn generate(out: &Path) -> Result<Vec<PathBuf>, String> {
    let files = render_all()?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        let p = out.join(name);
        std::fs::write(&p, bytes).map_err(|e| format!("{}: {e}", p.display()))?;
        written.push(p);
    }
    Ok(written)
}

const CELL_W: f32 = 8.43;
const CELL_H: f32 = 17.0;
const FONT_SIZE: f32 = 14.0;

/// xterm's colours for the 16 named ones.
const ANSI: [&str; 16] = [
    "#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
    "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
];

fn hex(c: Color, default: &str) -> String {
    let named = |i: usize| ANSI[i].to_string();
    match c {
        Color::Reset => default.to_string(),
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => {
            let i = i as usize;
            if i < 16 {
                named(i)
            } else if i < 232 {
                let v = |x: usize| if x == 0 { 0 } else { 55 + 40 * x };
                let n = i - 16;
                format!("#{:02x}{:02x}{:02x}", v(n / 36), v(n / 6 % 6), v(n % 6))
            } else {
                let g = 8 + 10 * (i - 232);
                format!("#{g:02x}{g:02x}{g:02x}")
            }
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An SVG of a rendered frame.
pub fn svg(buf: &Buffer, theme: &str) -> String {
    let (dfg, dbg) = if theme == "light" {
        ("#1e1e1e", "#ffffff")
    } else {
        ("#d4d4d4", "#1e1e1e")
    };
    let area = buf.area;
    let (w, h) = (area.width as f32 * CELL_W, area.height as f32 * CELL_H);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.2} {h:.2}\">\n<rect width=\"100%\" height=\"100%\" fill=\"{dbg}\"/>\n<g font-family=\"DejaVu Sans Mono\" font-size=\"{FONT_SIZE}\" xml:space=\"preserve\">\n"
    );
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let c = &buf[(x, y)];
            let style = (c.fg, c.bg, c.modifier);
            let start = x;
            let mut text = String::new();
            while x < area.right() {
                let d = &buf[(x, y)];
                if (d.fg, d.bg, d.modifier) != style {
                    break;
                }
                text.push_str(d.symbol());
                x += 1;
            }
            let (fg, bg, m) = style;
            let (mut fgc, mut bgc) = (hex(fg, dfg), hex(bg, dbg));
            if m.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fgc, &mut bgc);
            }
            let px = (start - area.left()) as f32 * CELL_W;
            let py = (y - area.top()) as f32 * CELL_H;
            let width = (x - start) as f32 * CELL_W;
            if bgc != dbg {
                out.push_str(&format!(
                    "<rect x=\"{px:.2}\" y=\"{py:.2}\" width=\"{width:.2}\" height=\"{CELL_H}\" fill=\"{bgc}\"/>\n"
                ));
            }
            if text.trim().is_empty() {
                continue;
            }
            let mut attrs = format!("fill=\"{fgc}\"");
            if m.contains(Modifier::BOLD) {
                attrs.push_str(" font-weight=\"bold\"");
            }
            if m.contains(Modifier::DIM) {
                attrs.push_str(" fill-opacity=\"0.6\"");
            }
            if m.contains(Modifier::ITALIC) {
                attrs.push_str(" font-style=\"italic\"");
            }
            if m.contains(Modifier::UNDERLINED) {
                attrs.push_str(" text-decoration=\"underline\"");
            }
            out.push_str(&format!(
                "<text x=\"{px:.2}\" y=\"{:.2}\" textLength=\"{width:.2}\" {attrs}>{}</text>\n",
                py + CELL_H * 0.78,
                escape(&text)
            ));
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// The SVG as a PNG, with the embedded font.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    let mut opt = resvg::usvg::Options {
        font_family: "DejaVu Sans Mono".into(),
        ..Default::default()
    };
    opt.fontdb_mut().load_font_data(FONT.to_vec());
    opt.fontdb_mut().load_font_data(FONT_BOLD.to_vec());
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or("cannot make an image of that size")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}
