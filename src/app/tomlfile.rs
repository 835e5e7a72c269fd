//! TOML data files (keymaps, themes, config) with line numbers for every complaint.

use std::ops::Range;
use toml_edit::{Document, Item, Key, Table};

pub struct TomlFile {
    /// How messages name the file (a path, or "keymaps/default.toml (built in)").
    pub label: String,
    pub doc: Document<String>,
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl TomlFile {
    pub fn parse(label: &str, text: String) -> Result<TomlFile, String> {
        match Document::parse(text.clone()) {
            Ok(doc) => Ok(TomlFile {
                label: label.to_string(),
                doc,
            }),
            Err(e) => {
                let line = e.span().map(|s| line_at(&text, s.start)).unwrap_or(1);
                let msg = e.message().trim().replace('\n', " ");
                Err(format!("{label}:{line}: not valid TOML: {msg}"))
            }
        }
    }

    pub fn line(&self, span: Option<Range<usize>>) -> usize {
        span.map(|s| line_at(self.doc.raw(), s.start)).unwrap_or(1)
    }

    /// "file:line: message" for something at `span`.
    pub fn at(&self, span: Option<Range<usize>>, msg: impl std::fmt::Display) -> String {
        format!("{}:{}: {msg}", self.label, self.line(span))
    }

    pub fn root(&self) -> &Table {
        self.doc.as_table()
    }
}

/// The entries of a table with their keys (for spans), in file order.
pub fn entries(t: &Table) -> Vec<(&Key, &Item)> {
    t.iter().filter_map(|(k, _)| t.get_key_value(k)).collect()
}

/// The span of an entry: the key's, else the value's.
pub fn span_of(k: &Key, v: &Item) -> Option<Range<usize>> {
    k.span().or_else(|| v.span())
}
