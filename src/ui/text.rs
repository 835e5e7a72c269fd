//! Small text helpers: truncation, resource bars, highlighted matches.

use crate::app::data::Filter;
use ratatui::style::Style;
use ratatui::text::Span;

/// Cuts text to `width` characters, ending in "…" when cut.
pub fn truncate(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// A bar of `width` cells filled to `used / total`, with the percentage.
pub fn bar(used: i64, total: i64, width: usize) -> (String, String, String) {
    let frac = if total > 0 {
        (used as f64 / total as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let filled = (frac * width as f64).round() as usize;
    (
        "█".repeat(filled),
        "░".repeat(width - filled),
        format!("{:>3.0}%", frac * 100.0),
    )
}

/// Splits `text` into spans, highlighting what the filter matches.
pub fn highlight(text: &str, f: Option<&Filter>, base: Style, hit: Style) -> Vec<Span<'static>> {
    let ranges = f.map(|f| f.find_all(text)).unwrap_or_default();
    if ranges.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut out = Vec::new();
    let mut at = 0;
    for (a, b) in ranges {
        if a > at {
            out.push(Span::styled(text[at..a].to_string(), base));
        }
        out.push(Span::styled(text[a..b].to_string(), hit));
        at = b;
    }
    if at < text.len() {
        out.push(Span::styled(text[at..].to_string(), base));
    }
    out
}

/// A value as YAML, one line per scalar (no folded block scalars).
pub fn to_yaml(v: &serde_json::Value) -> String {
    let opts = serde_saphyr::ser_options! { prefer_block_scalars: false };
    serde_saphyr::to_string_with_options(v, opts)
        .unwrap_or_else(|_| serde_json::to_string_pretty(v).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_and_bars() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("abc", 0), "");
        let (f, e, p) = bar(1, 4, 8);
        assert_eq!(
            (f.chars().count(), e.chars().count(), p.as_str()),
            (2, 6, " 25%")
        );
        let (f, _, p) = bar(5, 0, 8);
        assert_eq!((f.as_str(), p.as_str()), ("", "  0%"));
    }

    #[test]
    fn highlights_matches() {
        let f = Filter::new("ng").unwrap();
        let spans = highlight("nginx ng", Some(&f), Style::default(), Style::default());
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, vec!["ng", "inx ", "ng"]);
    }
}
