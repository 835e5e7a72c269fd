//! Themes are data: TOML files naming a colour for each slot. Three are built in (dark, light,
//! and a 16-colour high-contrast one); `--theme NAME|FILE`, `theme = "..."` in config.toml, or
//! `<config dir>/themes/NAME.toml` add more. Colours degrade to what the terminal can show
//! (truecolor, 256 or 16 colours) and NO_COLOR turns them off; a bad theme file is reported
//! with its line and the default theme is used.

use super::tomlfile::{TomlFile, entries, span_of};
use ratatui::style::{Color, Modifier, Style};
use std::path::Path;

pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// What the terminal can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    TrueColor,
    Ansi256,
    Ansi16,
    /// NO_COLOR: attributes only.
    None,
}

impl Depth {
    /// From the environment, as terminals advertise it.
    pub fn detect(getenv: impl Fn(&str) -> Option<String>) -> Depth {
        if getenv("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return Depth::None;
        }
        let colorterm = getenv("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" {
            return Depth::TrueColor;
        }
        let term = getenv("TERM").unwrap_or_default();
        if term == "dumb" {
            return Depth::None;
        }
        if term.contains("256color") || term.contains("direct") {
            return Depth::Ansi256;
        }
        Depth::Ansi16
    }
}

macro_rules! slots {
    ($($slot:ident: $doc:literal,)*) => {
        /// A theme's colours, one per slot.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Palette {
            $(#[doc = $doc] pub $slot: Color,)*
        }

        const SLOT_NAMES: &[&str] = &[$(stringify!($slot),)*];

        impl Palette {
            fn set(&mut self, name: &str, c: Color) -> bool {
                match name {
                    $(stringify!($slot) => { self.$slot = c; true })*
                    _ => false,
                }
            }
            fn map(&self, f: impl Fn(Color) -> Color) -> Palette {
                Palette { $($slot: f(self.$slot),)* }
            }
        }
    };
}

slots! {
    fg: "Text",
    bg: "Background",
    muted: "Secondary text (history rows, hints)",
    accent: "Titles, the active tab, keys in hints",
    header_fg: "Header bar text",
    header_bg: "Header bar background",
    selection_fg: "Selected row text",
    selection_bg: "Selected row background",
    border: "Borders",
    ok: "Running, Ready, Active, completed",
    warn: "Pending, paused, drain, updating",
    error: "Failed, rejected, Down, errors",
    info: "Informational messages, labels",
    bar_fill: "Filled part of resource bars",
    bar_empty: "Empty part of resource bars",
    match_fg: "Search match text",
    match_bg: "Search match background",
    diff_add: "Added lines in spec diffs",
    diff_del: "Removed lines in spec diffs",
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: String,
    pub depth: Depth,
    pub c: Palette,
}

/// Parses "#rrggbb", "reset", an ANSI colour name ("red", "lightblue", "darkgray") or an
/// xterm index 0-255.
pub fn parse_color(s: &str) -> Result<Color, String> {
    let t = s.trim().to_ascii_lowercase();
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() == 6
            && let Ok(v) = u32::from_str_radix(hex, 16)
        {
            return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return Err(format!("invalid colour {s:?}: expected #rrggbb"));
    }
    if let Ok(i) = t.parse::<u16>() {
        return u8::try_from(i)
            .map(Color::Indexed)
            .map_err(|_| format!("invalid colour {s:?}: an index must be 0-255"));
    }
    Ok(match t.replace(['_', '-', ' '], "").as_str() {
        "reset" | "default" | "none" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => {
            return Err(format!(
                "invalid colour {s:?}: use #rrggbb, 0-255, reset, or a name such as red, lightblue, darkgray"
            ));
        }
    })
}

/// The 16 ANSI colours as xterm draws them.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

fn dist(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (x as i32 - y as i32).pow(2) as u32;
    // Weighted for the eye's sensitivity.
    2 * d(a.0, b.0) + 4 * d(a.1, b.1) + 3 * d(a.2, b.2)
}

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn index_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => ANSI16[i as usize].1,
        16..=231 => {
            let i = i - 16;
            (
                CUBE[(i / 36) as usize],
                CUBE[(i / 6 % 6) as usize],
                CUBE[(i % 6) as usize],
            )
        }
        _ => {
            let g = 8 + 10 * (i - 232);
            (g, g, g)
        }
    }
}

/// The nearest xterm-256 colour.
pub fn to_256(rgb: (u8, u8, u8)) -> Color {
    let mut best = (u32::MAX, 16u8);
    for i in 16..=255u8 {
        let d = dist(rgb, index_rgb(i));
        if d < best.0 {
            best = (d, i);
        }
    }
    Color::Indexed(best.1)
}

/// The nearest of the 16 ANSI colours.
pub fn to_16(rgb: (u8, u8, u8)) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, c)| dist(rgb, *c))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

pub fn degrade(c: Color, depth: Depth) -> Color {
    match (depth, c) {
        (Depth::None, _) => Color::Reset,
        (Depth::TrueColor, c) => c,
        (Depth::Ansi256, Color::Rgb(r, g, b)) => to_256((r, g, b)),
        (Depth::Ansi16, Color::Rgb(r, g, b)) => to_16((r, g, b)),
        (Depth::Ansi16, Color::Indexed(i)) if i > 15 => to_16(index_rgb(i)),
        (_, c) => c,
    }
}

impl Theme {
    fn parse(f: &TomlFile) -> Result<(String, Palette), String> {
        let mut name = None;
        let mut pal = default_palette();
        for (k, v) in entries(f.root()) {
            match k.get() {
                "name" => {
                    name = Some(
                        v.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| f.at(span_of(k, v), "name must be a string"))?,
                    )
                }
                "colors" => {
                    let t = v
                        .as_table_like()
                        .ok_or_else(|| f.at(span_of(k, v), "[colors] must be a table"))?;
                    let mut list = Vec::new();
                    for (ck, _) in t.iter() {
                        if let Some(kv) = t.get_key_value(ck) {
                            list.push(kv);
                        }
                    }
                    for (ck, cv) in list {
                        let span = span_of(ck, cv);
                        let s = cv.as_str().ok_or_else(|| {
                            f.at(
                                span.clone(),
                                format!("{}: a colour must be a string", ck.get()),
                            )
                        })?;
                        let c = parse_color(s)
                            .map_err(|e| f.at(span.clone(), format!("{}: {e}", ck.get())))?;
                        if !pal.set(ck.get(), c) {
                            return Err(f.at(
                                span,
                                format!(
                                    "unknown colour slot {:?} (slots: {})",
                                    ck.get(),
                                    SLOT_NAMES.join(", ")
                                ),
                            ));
                        }
                    }
                }
                other => {
                    return Err(f.at(
                        span_of(k, v),
                        format!("unknown key {other:?} (a theme has name and [colors])"),
                    ));
                }
            }
        }
        Ok((name.unwrap_or_default(), pal))
    }

    fn from_text(label: &str, text: &str, depth: Depth) -> Result<Theme, String> {
        let f = TomlFile::parse(label, text.to_string())?;
        let (name, pal) = Theme::parse(&f)?;
        Ok(Theme {
            name,
            depth,
            c: pal.map(|c| degrade(c, depth)),
        })
    }

    pub fn builtin(name: &str, depth: Depth) -> Option<Theme> {
        BUILTIN.iter().find(|(n, _)| *n == name).and_then(|(n, t)| {
            Theme::from_text(&format!("themes/{n}.toml (built in)"), t, depth).ok()
        })
    }

    pub fn default_for(depth: Depth) -> Theme {
        Theme {
            name: "dark".into(),
            depth,
            c: default_palette().map(|c| degrade(c, depth)),
        }
    }

    /// A theme by built-in name, name of a file in `user_dir`, or path; a warning and the
    /// default theme if it cannot be used.
    pub fn load(
        spec: Option<&str>,
        user_dir: Option<&Path>,
        depth: Depth,
    ) -> (Theme, Option<String>) {
        let spec = spec.unwrap_or("dark");
        let user_file = user_dir.map(|d| d.join(format!("{spec}.toml")));
        let text_of = |p: &Path| {
            std::fs::read_to_string(p)
                .ok()
                .map(|t| (p.display().to_string(), t))
        };
        let found = user_file
            .as_deref()
            .filter(|p| p.is_file())
            .and_then(text_of)
            .or_else(|| {
                BUILTIN
                    .iter()
                    .find(|(n, _)| *n == spec)
                    .map(|(n, t)| (format!("themes/{n}.toml (built in)"), t.to_string()))
            })
            .or_else(|| text_of(Path::new(spec)));
        let Some((label, text)) = found else {
            let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            return (
                Theme::default_for(depth),
                Some(format!(
                    "theme {spec:?}: not a built-in theme ({}), a theme in your config directory, or a readable file; using the default theme",
                    names.join(", ")
                )),
            );
        };
        match Theme::from_text(&label, &text, depth) {
            Ok(mut t) => {
                if t.name.is_empty() {
                    t.name = spec.to_string();
                }
                (t, None)
            }
            Err(e) => (
                Theme::default_for(depth),
                Some(format!("{e}; using the default theme")),
            ),
        }
    }

    fn colored(&self) -> bool {
        self.depth != Depth::None
    }

    pub fn base(&self) -> Style {
        Style::default().fg(self.c.fg).bg(self.c.bg)
    }
    pub fn fg(&self, c: Color) -> Style {
        Style::default().fg(c)
    }
    pub fn muted(&self) -> Style {
        if self.colored() {
            self.fg(self.c.muted)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }
    pub fn accent(&self) -> Style {
        self.fg(self.c.accent).add_modifier(Modifier::BOLD)
    }
    pub fn header(&self) -> Style {
        if self.colored() {
            Style::default().fg(self.c.header_fg).bg(self.c.header_bg)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }
    pub fn selection(&self) -> Style {
        if self.colored() {
            Style::default()
                .fg(self.c.selection_fg)
                .bg(self.c.selection_bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn border(&self) -> Style {
        self.fg(self.c.border)
    }
    pub fn ok(&self) -> Style {
        self.fg(self.c.ok)
    }
    pub fn warn(&self) -> Style {
        self.fg(self.c.warn)
    }
    pub fn error(&self) -> Style {
        if self.colored() {
            self.fg(self.c.error)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }
    pub fn info(&self) -> Style {
        self.fg(self.c.info)
    }
    pub fn matched(&self) -> Style {
        if self.colored() {
            Style::default().fg(self.c.match_fg).bg(self.c.match_bg)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
        }
    }
}

/// The dark theme's colours, also what a partial theme falls back to.
fn default_palette() -> Palette {
    let c = |s: &str| parse_color(s).unwrap_or(Color::Reset);
    Palette {
        fg: c("#c0caf5"),
        bg: c("reset"),
        muted: c("#7a819f"),
        accent: c("#7aa2f7"),
        header_fg: c("#c0caf5"),
        header_bg: c("#283457"),
        selection_fg: c("#ffffff"),
        selection_bg: c("#3d59a1"),
        border: c("#545c7e"),
        ok: c("#9ece6a"),
        warn: c("#e0af68"),
        error: c("#f7768e"),
        info: c("#7dcfff"),
        bar_fill: c("#7aa2f7"),
        bar_empty: c("#3b4261"),
        match_fg: c("#1a1b26"),
        match_bg: c("#e0af68"),
        diff_add: c("#9ece6a"),
        diff_del: c("#f7768e"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse() {
        for (name, _) in BUILTIN {
            let (t, w) = Theme::load(Some(name), None, Depth::TrueColor);
            assert!(w.is_none(), "{name}: {w:?}");
            assert_eq!(t.name, *name);
        }
        // The high-contrast theme uses only the 16 ANSI colours.
        let (t, _) = Theme::load(Some("high-contrast"), None, Depth::TrueColor);
        for c in [t.c.fg, t.c.ok, t.c.error, t.c.selection_bg, t.c.accent] {
            assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
        }
    }

    #[test]
    fn colours_degrade_and_no_color_turns_them_off() {
        assert_eq!(to_256((255, 0, 0)), Color::Indexed(196));
        assert_eq!(to_256((128, 128, 128)), Color::Indexed(244));
        assert_eq!(to_16((250, 10, 10)), Color::LightRed);
        assert_eq!(to_16((10, 10, 200)), Color::Blue);
        assert_eq!(degrade(Color::Indexed(196), Depth::Ansi16), Color::LightRed);
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Depth::detect(env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])),
            Depth::None
        );
        assert_eq!(
            Depth::detect(env(&[("COLORTERM", "truecolor")])),
            Depth::TrueColor
        );
        assert_eq!(
            Depth::detect(env(&[("TERM", "xterm-256color")])),
            Depth::Ansi256
        );
        assert_eq!(Depth::detect(env(&[("TERM", "xterm")])), Depth::Ansi16);
        let (t, _) = Theme::load(Some("dark"), None, Depth::None);
        assert_eq!(t.c.error, Color::Reset);
        assert!(t.selection().add_modifier.contains(Modifier::REVERSED));
        let (t, _) = Theme::load(Some("dark"), None, Depth::Ansi256);
        assert!(matches!(t.c.accent, Color::Indexed(_)));
    }

    #[test]
    fn a_bad_theme_is_reported_with_its_line_and_the_default_is_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "name = \"mine\"\n[colors]\nfg = \"#ffffff\"\nok = \"#zz0000\"\n",
        )
        .unwrap();
        let (t, w) = Theme::load(Some("mine"), Some(dir.path()), Depth::TrueColor);
        assert_eq!(t.name, "dark");
        let w = w.unwrap();
        assert!(
            w.contains("mine.toml:4: ok: invalid colour \"#zz0000\""),
            "{w}"
        );
        assert!(w.ends_with("using the default theme"), "{w}");
        std::fs::write(
            dir.path().join("typo.toml"),
            "[colors]\nforeground = \"red\"\n",
        )
        .unwrap();
        let (_, w) = Theme::load(Some("typo"), Some(dir.path()), Depth::TrueColor);
        assert!(
            w.unwrap()
                .contains("typo.toml:2: unknown colour slot \"foreground\"")
        );
        // A good user theme may set only some slots.
        std::fs::write(
            dir.path().join("ok.toml"),
            "[colors]\nerror = \"lightred\"\n",
        )
        .unwrap();
        let (t, w) = Theme::load(Some("ok"), Some(dir.path()), Depth::TrueColor);
        assert!(w.is_none());
        assert_eq!(t.name, "ok");
        assert_eq!(t.c.error, Color::LightRed);
    }
}
