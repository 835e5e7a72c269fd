//! Server-side Tables printed as kubectl prints them: upper-cased headers, the wide columns
//! only with `-o wide`, `NAMESPACE` first across namespaces, `kind/name` when several kinds
//! are listed, `LABELS` last with `--show-labels`, aligned by kubectl's tabwriter.

use serde_json::Value;

/// kubectl's tabwriter (`printers.GetNewTabWriter`): minimum cell width 6, padding 3.
const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

/// Rows of cells aligned into columns; the last cell of a row is not padded.
pub fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max((cell.chars().count() + PADDING).max(MIN_WIDTH));
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// How a listing is shown.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    pub wide: bool,
    pub namespace_column: bool,
    /// `deployment.apps`: names are shown as `deployment.apps/NAME`.
    pub kind_prefix: Option<String>,
    pub show_labels: bool,
    pub no_headers: bool,
    /// `-L`: a column for each of these labels' values.
    pub label_columns: Vec<String>,
}

/// A cell as kubectl prints it (`fmt.Fprint` of the decoded JSON).
fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        v => v.to_string(),
    }
}

/// `labels.FormatLabels`: `k=v,...` in key order, or `<none>`.
pub fn format_labels(labels: &Value) -> String {
    let Some(m) = labels.as_object().filter(|m| !m.is_empty()) else {
        return "<none>".into();
    };
    let mut pairs: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    pairs.join(",")
}

/// The header and rows of one or more Tables of one resource (pages of a list).
pub fn render(tables: &[Value], shape: &Shape) -> Vec<Vec<String>> {
    let Some(first) = tables.first() else {
        return Vec::new();
    };
    let defs: Vec<&Value> = first["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let shown: Vec<usize> = defs
        .iter()
        .enumerate()
        .filter(|(_, d)| shape.wide || d["priority"].as_i64().unwrap_or(0) == 0)
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    if !shape.no_headers {
        let mut header = Vec::new();
        if shape.namespace_column {
            header.push("NAMESPACE".to_string());
        }
        header.extend(
            shown
                .iter()
                .map(|&i| defs[i]["name"].as_str().unwrap_or_default().to_uppercase()),
        );
        for l in &shape.label_columns {
            header.push(l.rsplit('/').next().unwrap_or(l).to_uppercase());
        }
        if shape.show_labels {
            header.push("LABELS".into());
        }
        out.push(header);
    }
    for t in tables {
        for row in t["rows"].as_array().into_iter().flatten() {
            let cells = row["cells"].as_array().cloned().unwrap_or_default();
            let meta = &row["object"]["metadata"];
            let mut line = Vec::new();
            if shape.namespace_column {
                line.push(meta["namespace"].as_str().unwrap_or_default().to_string());
            }
            for (n, &i) in shown.iter().enumerate() {
                let mut c = cells.get(i).map(cell).unwrap_or_default();
                if n == 0
                    && let Some(k) = &shape.kind_prefix
                {
                    c = format!("{k}/{c}");
                }
                line.push(c);
            }
            for l in &shape.label_columns {
                line.push(meta["labels"][l].as_str().unwrap_or_default().to_string());
            }
            if shape.show_labels {
                line.push(format_labels(&meta["labels"]));
            }
            out.push(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_kubectls_tabwriter_makes_them() {
        let rows: Vec<Vec<String>> = [
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            ["web-1", "1/1", "Running", "0", "5s"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        assert_eq!(
            align(&rows),
            "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          5s\n"
        );
        // A narrow column is still six wide.
        let rows = vec![vec!["A".to_string(), "B".to_string()]];
        assert_eq!(align(&rows), "A     B\n");
    }
}
