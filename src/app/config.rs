//! The console's settings: command-line flags over `<config dir>/config.toml` over the
//! built-in defaults. The config directory is the XDG one (`~/.config/opsconsole` on Linux,
//! or `$XDG_CONFIG_HOME/opsconsole`); it may hold `config.toml`, `keymap.toml` (overrides)
//! and `themes/NAME.toml`.

use super::keymap::Keymap;
use super::keys::Key;
use super::theme::{Depth, Theme};
use super::tomlfile::{TomlFile, entries, span_of};
use super::{Config, Kiosk};
use std::path::{Path, PathBuf};

pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "opsconsole").map(|d| d.config_dir().to_path_buf())
}

/// What config.toml may set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub mouse: Option<bool>,
    pub kiosk: Option<bool>,
    pub kiosk_exit: Option<Vec<Key>>,
    pub rotate: Option<std::time::Duration>,
}

impl Settings {
    /// Reads config.toml; problems are reported with file and line and skipped.
    pub fn load(path: &Path) -> (Settings, Vec<String>) {
        let mut s = Settings::default();
        let mut warnings = Vec::new();
        let Ok(text) = std::fs::read_to_string(path) else {
            return (s, warnings);
        };
        let f = match TomlFile::parse(&path.display().to_string(), text) {
            Ok(f) => f,
            Err(e) => {
                warnings.push(format!("{e}; settings ignored"));
                return (s, warnings);
            }
        };
        for (k, v) in entries(f.root()) {
            let span = span_of(k, v);
            match (k.get(), v.as_str(), v.as_bool()) {
                ("theme", Some(t), _) => s.theme = Some(t.to_string()),
                ("keymap", Some(t), _) => s.keymap = Some(t.to_string()),
                ("mouse", _, Some(b)) => s.mouse = Some(b),
                ("kiosk", _, Some(b)) => s.kiosk = Some(b),
                ("kiosk", _, None) => {
                    warnings.push(f.at(span, "kiosk must be true or false; ignored"))
                }
                ("kiosk_exit", Some(t), _) => match parse_chord(t) {
                    Ok(c) => s.kiosk_exit = Some(c),
                    Err(e) => warnings.push(f.at(span, format!("kiosk_exit: {e}; ignored"))),
                },
                ("rotate", Some(t), _) => match duration(t) {
                    Ok(d) if d >= std::time::Duration::from_secs(1) => s.rotate = Some(d),
                    Ok(_) => warnings.push(f.at(span, "rotate must be at least 1s; ignored")),
                    Err(e) => warnings.push(f.at(span, format!("rotate: {e}; ignored"))),
                },
                ("kiosk_exit" | "rotate", None, _) => {
                    warnings.push(f.at(span, format!("{} must be a string; ignored", k.get())))
                }
                ("theme" | "keymap", None, _) => {
                    warnings.push(f.at(span, format!("{} must be a string; ignored", k.get())))
                }
                ("mouse", _, None) => {
                    warnings.push(f.at(span, "mouse must be true or false; ignored"))
                }
                (other, _, _) => warnings.push(f.at(
                    span,
                    format!("unknown setting {other:?} (settings: theme, keymap, mouse, kiosk, kiosk_exit, rotate); ignored"),
                )),
            }
        }
        (s, warnings)
    }
}

/// A chord of keys separated by spaces ("ctrl-x ctrl-c").
pub fn parse_chord(s: &str) -> Result<Vec<Key>, String> {
    let keys: Vec<Key> = s
        .split_whitespace()
        .map(Key::parse)
        .collect::<Result<_, _>>()?;
    if keys.is_empty() {
        return Err("an empty chord".into());
    }
    Ok(keys)
}

/// Flags that override the config file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub no_mouse: bool,
    pub kiosk: bool,
    pub rotate: Option<std::time::Duration>,
    /// Use this directory instead of the user's config directory.
    pub config_dir: Option<PathBuf>,
}

/// Everything the console starts with; never fails (problems become warnings).
pub fn build(o: &Overrides, getenv: impl Fn(&str) -> Option<String>) -> Config {
    let dir = o.config_dir.clone().or_else(config_dir);
    let (settings, mut warnings) = match &dir {
        Some(d) => Settings::load(&d.join("config.toml")),
        None => (Settings::default(), Vec::new()),
    };
    let keymap_spec = o.keymap.clone().or(settings.keymap);
    let user_keymap = dir.as_ref().map(|d| d.join("keymap.toml"));
    let keymap = Keymap::load(keymap_spec.as_deref(), user_keymap.as_deref());
    warnings.extend(keymap.warnings.iter().cloned());
    let depth = Depth::detect(&getenv);
    let theme_spec = o.theme.clone().or(settings.theme);
    let (theme, w) = Theme::load(
        theme_spec.as_deref(),
        dir.as_ref().map(|d| d.join("themes")).as_deref(),
        depth,
    );
    warnings.extend(w);
    let mut config = Config {
        keymap,
        theme,
        mouse: !o.no_mouse && settings.mouse.unwrap_or(true),
        kiosk: None,
        warnings,
    };
    if o.kiosk || settings.kiosk == Some(true) {
        config.set_kiosk(Kiosk {
            exit: settings
                .kiosk_exit
                .clone()
                .unwrap_or_else(Kiosk::default_exit),
            rotate: o.rotate.or(settings.rotate),
        });
    }
    config
}

/// `500ms`, `2s`, `1m30s`; at most an hour.
pub fn duration(s: &str) -> Result<std::time::Duration, String> {
    let d = opsconsole_sim::base::time::parse_go_duration(s).map_err(|_| {
        format!("invalid duration {s:?} (use a number with a unit: 500ms, 2s, 1m30s)")
    })?;
    if d.0 < 0 || d.0 > 3_600_000_000_000 {
        return Err(format!("duration {s:?} is out of range (0 to 1h)"));
    }
    Ok(std::time::Duration::from_nanos(d.0 as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_their_problems() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "theme = \"light\"\nmouse = \"yes\"\ncolour = 1\n").unwrap();
        let (s, w) = Settings::load(&p);
        assert_eq!(s.theme.as_deref(), Some("light"));
        assert_eq!(s.mouse, None);
        assert!(
            w[0].ends_with("config.toml:2: mouse must be true or false; ignored"),
            "{w:?}"
        );
        assert!(
            w[1].contains("config.toml:3: unknown setting \"colour\""),
            "{w:?}"
        );
        let cfg = build(
            &Overrides {
                config_dir: Some(dir.path().to_path_buf()),
                ..Overrides::default()
            },
            |_| None,
        );
        assert_eq!(cfg.theme.name, "light");
        assert_eq!(cfg.warnings.len(), 2);
        let cfg = build(
            &Overrides {
                config_dir: Some(dir.path().to_path_buf()),
                theme: Some("high-contrast".into()),
                no_mouse: true,
                ..Overrides::default()
            },
            |_| None,
        );
        assert_eq!(cfg.theme.name, "high-contrast");
        assert!(!cfg.mouse);
    }
}
