//! Output formats of the docker CLI: Go's `text/tabwriter` (as docker configures it), ID and
//! text truncation, relative times, port lists, and the subset of Go templates `--format` uses.

pub use crate::base::text::{ellipsis, natural_cmp, title, trunc_id};
use crate::base::time::{SimTime, human_duration};
use crate::model::*;
use serde_json::Value;

/// Go's `text/tabwriter` with docker's table settings (minwidth 20, padding 3, spaces), the
/// widths `docker ... ls` printed in the engine version the tutorials use.
pub fn tabwrite(text: &str) -> String {
    tabwrite_with(text, 20, 3)
}

pub fn tabwrite_with(text: &str, minwidth: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut widths: Vec<usize> = Vec::new();
    format_block(
        &lines,
        0,
        lines.len(),
        &mut widths,
        minwidth,
        padding,
        &mut out,
    );
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn format_block(
    lines: &[Vec<&str>],
    line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    minwidth: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut start = line0;
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, start, this, widths, out);
        start = this;
        let mut w = minwidth;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(lines[this][column]) + padding);
            this += 1;
        }
        widths.push(w);
        format_block(lines, start, this, widths, minwidth, padding, out);
        widths.pop();
        start = this;
    }
    write_lines(lines, start, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for (i, line) in lines.iter().enumerate().take(to).skip(from) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() && j + 1 < line.len() {
                for _ in width(cell)..widths[j] {
                    out.push(' ');
                }
            }
        }
        if i + 1 != lines.len() {
            out.push('\n');
        }
    }
}

/// Header plus rows, tab-separated, through the tabwriter.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut text = headers.join("\t");
    text.push('\n');
    for r in rows {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    tabwrite(&text)
}

/// "Running 2 minutes ago", for a task state ("running").
pub fn state_ago(state: &str, at: SimTime, now: SimTime) -> String {
    format!(
        "{} {} ago",
        title(state),
        human_duration(now - at).to_lowercase()
    )
}

pub fn ago(at: SimTime, now: SimTime) -> String {
    format!("{} ago", human_duration(now - at))
}

/// The PORTS column of `docker service ls`: ingress ports, consecutive ones as ranges.
pub fn service_ports(ports: &[PortConfig]) -> String {
    let mut ports: Vec<&PortConfig> = ports
        .iter()
        .filter(|p| p.publish_mode == PublishMode::Ingress)
        .collect();
    ports.sort_by(|a, b| {
        a.protocol
            .cmp(&b.protocol)
            .then(a.published_port.cmp(&b.published_port))
    });
    let mut out = Vec::new();
    let mut cur: Option<(u32, u32, u32, u32, Protocol)> = None;
    let emit = |r: (u32, u32, u32, u32, Protocol), out: &mut Vec<String>| {
        let (ps, pe, ts, te, proto) = r;
        let p = if pe > ps {
            format!("{ps}-{pe}")
        } else {
            ps.to_string()
        };
        let t = if te > ts {
            format!("{ts}-{te}")
        } else {
            ts.to_string()
        };
        out.push(format!("*:{p}->{t}/{}", proto.as_str()));
    };
    for p in ports {
        match cur {
            Some((ps, pe, ts, te, proto))
                if p.protocol == proto
                    && p.published_port == pe + 1
                    && p.target_port == te + 1
                    && !(te != ts && p.target_port <= te) =>
            {
                cur = Some((ps, p.published_port, ts, p.target_port, proto));
            }
            _ => {
                if let Some(r) = cur.take() {
                    emit(r, &mut out);
                }
                cur = Some((
                    p.published_port,
                    p.published_port,
                    p.target_port,
                    p.target_port,
                    p.protocol,
                ));
            }
        }
    }
    if let Some(r) = cur {
        emit(r, &mut out);
    }
    out.join(", ")
}

// ---------------------------------------------------------------------------
// Go templates (the subset `--format` is used with)

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// How Go's template engine prints a value.
fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_print).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", go_print(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

fn eval_arg(arg: &str, v: &Value) -> Result<Value, String> {
    let arg = arg.trim();
    if arg == "." {
        return Ok(v.clone());
    }
    if let Some(path) = arg.strip_prefix('.') {
        return lookup(v, path).cloned().ok_or_else(|| {
            format!(
                "map has no entry for key {:?}",
                path.rsplit('.').next().unwrap_or(path)
            )
        });
    }
    if arg.len() >= 2 && arg.starts_with('"') && arg.ends_with('"') {
        return Ok(Value::String(arg[1..arg.len() - 1].to_string()));
    }
    Err(format!("unsupported template argument {arg:?}"))
}

fn eval_action(action: &str, v: &Value) -> Result<String, String> {
    let words: Vec<&str> = {
        let mut out = Vec::new();
        let mut start = None;
        let mut in_q = false;
        for (i, c) in action.char_indices() {
            if c == '"' {
                in_q = !in_q;
            }
            if c.is_whitespace() && !in_q {
                if let Some(s) = start.take() {
                    out.push(&action[s..i]);
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push(&action[s..]);
        }
        out
    };
    match words.as_slice() {
        [] => Err("missing value for command".into()),
        [arg] if arg.starts_with('.') => Ok(match eval_arg(arg, v) {
            Ok(x) => go_print(&x),
            Err(_) => "<no value>".into(),
        }),
        ["json", arg] => Ok(serde_json::to_string(&eval_arg(arg, v)?).unwrap_or_default()),
        ["upper", arg] => Ok(go_print(&eval_arg(arg, v)?).to_uppercase()),
        ["lower", arg] => Ok(go_print(&eval_arg(arg, v)?).to_lowercase()),
        ["title", arg] => Ok(title(&go_print(&eval_arg(arg, v)?))),
        ["len", arg] => Ok(match eval_arg(arg, v)? {
            Value::Array(a) => a.len().to_string(),
            Value::Object(m) => m.len().to_string(),
            Value::String(s) => s.len().to_string(),
            _ => return Err("len of unsupported type".into()),
        }),
        ["index", arg, key] => {
            let base = eval_arg(arg, v)?;
            let key = eval_arg(key, v)?;
            Ok(match (&base, &key) {
                (Value::Object(m), Value::String(k)) => m
                    .get(k)
                    .map(go_print)
                    .unwrap_or_else(|| "<no value>".into()),
                _ => return Err("index of unsupported type".into()),
            })
        }
        ["join", arg, sep] => {
            let base = eval_arg(arg, v)?;
            let sep = go_print(&eval_arg(sep, v)?);
            match base {
                Value::Array(a) => Ok(a.iter().map(go_print).collect::<Vec<_>>().join(&sep)),
                _ => Err("join of a non-list".into()),
            }
        }
        [f, ..] => Err(format!("function {f:?} not defined")),
    }
}

/// Renders a Go template against a JSON value. Errors read like Go's.
pub fn render_template(tpl: &str, v: &Value) -> Result<String, String> {
    let tpl = tpl.replace("\\t", "\t").replace("\\n", "\n");
    let mut out = String::new();
    let mut rest = tpl.as_str();
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            return Err("template: :1: unclosed action".into());
        };
        let action = after[..j]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        out.push_str(
            &eval_action(action, v).map_err(|e| {
                format!("template: :1:{}: executing \"\" at <{action}>: {e}", i + 3)
            })?,
        );
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The columns a `table` format refers to, as headers (`{{.CurrentState}}` -> "CURRENT STATE").
pub fn header_for(field: &str) -> String {
    let mut out = String::new();
    for (i, c) in field.chars().enumerate() {
        if i > 0
            && c.is_uppercase()
            && !field[..field.char_indices().nth(i).map(|x| x.0).unwrap_or(0)]
                .ends_with(|p: char| p.is_uppercase())
        {
            out.push(' ');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// Renders list rows with a user format: `table ...` adds headers and aligns columns.
pub fn render_rows(format: &str, rows: &[Value]) -> Result<String, String> {
    let (table_mode, body) = match format.strip_prefix("table") {
        Some(rest) => (true, rest.trim_start()),
        None => (false, format),
    };
    let mut out = String::new();
    if table_mode {
        // The header row: each {{.Field}} becomes its header.
        let mut header = String::new();
        let mut rest = body.replace("\\t", "\t");
        while let Some(i) = rest.find("{{") {
            header.push_str(&rest[..i]);
            let after = rest[i + 2..].to_string();
            let j = after.find("}}").ok_or("template: :1: unclosed action")?;
            let action = after[..j].trim();
            let field = action.rsplit('.').next().unwrap_or(action);
            header.push_str(&header_for(field));
            rest = after[j + 2..].to_string();
        }
        header.push_str(&rest);
        out.push_str(&header);
        out.push('\n');
    }
    for r in rows {
        out.push_str(&render_template(body, r)?);
        out.push('\n');
    }
    Ok(if table_mode { tabwrite(&out) } else { out })
}

/// JSON the way docker prints `inspect`: 4-space indent, `x-sim` parts removed.
pub fn inspect_json(values: &[Value]) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    let cleaned: Vec<Value> = values.iter().map(strip_sim).collect();
    serde::Serialize::serialize(&cleaned, &mut ser).ok();
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

/// Removes the simulation-only `x-sim` fields, recursively.
pub fn strip_sim(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| *k != "x-sim")
                .map(|(k, v)| (k.clone(), strip_sim(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_sim).collect()),
        other => other.clone(),
    }
}

/// docker's progress bar: `[=====>    ]` over 50 columns.
pub fn progress_bar(current: i64, total: i64) -> String {
    let mut pct = if total > 0 {
        ((current as f64 / total as f64) * 100.0) as i64 / 2
    } else {
        0
    };
    pct = pct.clamp(0, 50);
    format!(
        "[{}>{}]",
        "=".repeat(pct as usize),
        " ".repeat((50 - pct) as usize)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_matches_go() {
        let t = table(
            &["ID", "NAME", "MODE"],
            &[vec![
                "olexfmtdf94s".into(),
                "my_nginx".into(),
                "replicated".into(),
            ]],
        );
        assert_eq!(
            t,
            "ID                  NAME                MODE\nolexfmtdf94s        my_nginx            replicated\n"
        );
        // Long cells widen their column by the padding.
        let t = table(
            &["ID", "HOSTNAME"],
            &[vec![
                "3jcmnzjh0e99ipgshk1ykuovd *".into(),
                "manager43".into(),
            ]],
        );
        assert_eq!(
            t,
            "ID                            HOSTNAME\n3jcmnzjh0e99ipgshk1ykuovd *   manager43\n"
        );
        // Empty trailing cells still pad (docker's `service ps` rows end in spaces).
        let t = tabwrite("A\tB\t\n1\t\t\n");
        assert_eq!(
            t,
            "A                   B                   \n1                                       \n"
        );
    }

    #[test]
    fn ports_and_names() {
        let p = |pub_, t| PortConfig {
            name: String::new(),
            protocol: Protocol::Tcp,
            target_port: t,
            published_port: pub_,
            publish_mode: PublishMode::Ingress,
        };
        assert_eq!(service_ports(&[p(80, 80)]), "*:80->80/tcp");
        assert_eq!(
            service_ports(&[p(8080, 80), p(8081, 81), p(9000, 9000)]),
            "*:8080-8081->80-81/tcp, *:9000->9000/tcp"
        );
        assert_eq!(natural_cmp("node2", "node10"), std::cmp::Ordering::Less);
        assert_eq!(
            ellipsis("nginx -g 'daemon off;'", 20),
            "nginx -g 'daemon of…"
        );
        assert_eq!(header_for("CurrentState"), "CURRENT STATE");
        assert_eq!(header_for("ID"), "ID");
    }

    #[test]
    fn templates() {
        let v = serde_json::json!({"Endpoint": {"VirtualIPs": [{"NetworkID": "a", "Addr": "10.0.0.2/24"}]}, "Spec": {"Name": "web", "Labels": {"k": "v"}}});
        assert_eq!(
            render_template("{{json .Endpoint.VirtualIPs}}", &v).unwrap(),
            r#"[{"NetworkID":"a","Addr":"10.0.0.2/24"}]"#
        );
        assert_eq!(
            render_template("name={{.Spec.Name}} k={{index .Spec.Labels \"k\"}}", &v).unwrap(),
            "name=web k=v"
        );
        assert_eq!(render_template("{{.Nope}}", &v).unwrap(), "<no value>");
        assert!(render_template("{{frob .Spec}}", &v).is_err());
        assert_eq!(progress_bar(9, 9), format!("[{}>]", "=".repeat(50)));
    }
}
