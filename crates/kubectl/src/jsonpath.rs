//! kubectl's JSONPath templates (`k8s.io/client-go/util/jsonpath`): text with `{...}`
//! actions — fields (`.metadata.name`, `['a.b']`), indexes and slices (`[0]`, `[-1]`,
//! `[1:3]`, `[*]`), unions (`[0,2]`), wildcards, recursive descent (`..name`), filters
//! (`[?(@.type=="Ready")]`, `[?(@.x)]`), quoted text (`{"\n"}`) and `{range ...}...{end}`.
//! Missing keys print nothing (kubectl's `--allow-missing-template-keys` default); maps and
//! lists print as JSON, other values as Go's `fmt` prints them.

use serde_json::Value;

/// One step of an action.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Field(String),
    Wildcard,
    Recursive,
    /// `[start:end:step]`, each part possibly unset; `index` marks `[n]`.
    Slice {
        start: Option<i64>,
        end: Option<i64>,
        step: Option<i64>,
        index: bool,
    },
    Union(Vec<Vec<Node>>),
    Filter {
        left: Vec<Node>,
        op: String,
        right: Vec<Node>,
    },
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Range,
    End,
}

/// A parsed template: literal text and actions.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Action(Vec<Node>),
}

/// A template ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
    raw: String,
}

fn is_terminator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}')
}

/// Go's `strconv.Unquote`, extended to single quotes.
fn unquote(s: &str) -> Result<String, String> {
    let q = s.chars().next().ok_or("invalid syntax")?;
    let inner = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut it = inner.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(c) if c == q => out.push(c),
            Some('"') | Some('\'') => return Err("invalid syntax".into()),
            _ => return Err("invalid syntax".into()),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// The nodes of one action, up to its `}` (or the end, for sub-expressions).
    fn action(&mut self, nested: bool) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        loop {
            if self.rest().starts_with('}') && !nested {
                self.pos += 1;
                return Ok(nodes);
            }
            if self.rest().starts_with("[?(") {
                nodes.push(self.filter()?);
                continue;
            }
            if self.rest().starts_with("..") {
                if nodes.last() == Some(&Node::Recursive) {
                    return Err("invalid multiple recursive descent".into());
                }
                self.pos += 2;
                nodes.push(Node::Recursive);
                if self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    nodes.push(self.field());
                }
                continue;
            }
            let Some(c) = self.bump() else {
                if nested {
                    return Ok(nodes);
                }
                return Err("unclosed action".into());
            };
            match c {
                '\r' | '\n' => return Err("unclosed action".into()),
                ' ' | '@' | '$' => {}
                '[' => nodes.push(self.array()?),
                '"' | '\'' => nodes.push(self.quote(c)?),
                '.' => nodes.push(self.field()),
                '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    nodes.push(self.number()?);
                }
                c if c.is_alphanumeric() || c == '_' => {
                    self.pos -= c.len_utf8();
                    let start = self.pos;
                    while self.peek().is_some_and(|c| !is_terminator(c)) {
                        self.bump();
                    }
                    let word = &self.s[start..self.pos];
                    nodes.push(match word {
                        "true" => Node::Bool(true),
                        "false" => Node::Bool(false),
                        "range" => Node::Range,
                        "end" => Node::End,
                        other => return Err(format!("unrecognized identifier {other}")),
                    });
                }
                c => {
                    return Err(format!(
                        "unrecognized character in action: U+{:04X} '{c}'",
                        c as u32
                    ));
                }
            }
        }
    }

    fn field(&mut self) -> Node {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.bump();
                if let Some(n) = self.bump() {
                    name.push(n);
                }
                continue;
            }
            if is_terminator(c) {
                break;
            }
            name.push(c);
            self.bump();
        }
        if name == "*" {
            Node::Wildcard
        } else {
            Node::Field(name)
        }
    }

    fn number(&mut self) -> Result<Node, String> {
        let start = self.pos;
        if matches!(self.peek(), Some('+') | Some('-')) {
            self.bump();
        }
        while self.peek().is_some_and(|c| c == '.' || c.is_ascii_digit()) {
            self.bump();
        }
        let text = &self.s[start..self.pos];
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Node::Int(i));
        }
        text.parse::<f64>()
            .map(Node::Float)
            .map_err(|_| format!("cannot parse number {text}"))
    }

    fn quote(&mut self, q: char) -> Result<Node, String> {
        let start = self.pos - 1;
        loop {
            match self.bump() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == q && !self.s[..self.pos - 1].ends_with('\\') => break,
                _ => {}
            }
        }
        let raw = &self.s[start..self.pos];
        unquote(raw)
            .map(Node::Text)
            .map_err(|e| format!("unquote string {raw} error {e}"))
    }

    fn array(&mut self) -> Result<Node, String> {
        let start = self.pos;
        loop {
            match self.bump() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                _ => {}
            }
        }
        let mut text = self.s[start..self.pos - 1].to_string();
        if text == "*" {
            text = ":".into();
        }
        if text.contains(',') {
            let mut union = Vec::new();
            for part in text.split(',') {
                let sub = format!("[{}]", part.trim_matches(' '));
                union.push(sub_action(&sub)?);
            }
            return Ok(Node::Union(union));
        }
        if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') {
            let key = &text[1..text.len() - 1];
            if !key.contains('\'') {
                return Ok(Node::Field(key.to_string()));
            }
        }
        slice(&text)
    }

    fn filter(&mut self) -> Result<Node, String> {
        self.pos += 3;
        let start = self.pos;
        let (mut begin, mut end, mut pair) = (false, false, ' ');
        loop {
            let Some(c) = self.bump() else {
                return Err("unterminated filter".into());
            };
            match c {
                '\n' => return Err("unterminated filter".into()),
                '"' | '\'' if !begin => {
                    begin = true;
                    pair = c;
                }
                '"' | '\'' if !self.s[..self.pos - 1].ends_with('\\') && c == pair => {
                    end = true;
                }
                ')' if begin == end => break,
                _ => {}
            }
        }
        if self.bump() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let text = &self.s[start..self.pos - 2];
        // `^([^!<>=]+)([!<>=]+)(.+?)$`
        let op_at = text.find(['!', '<', '>', '=']);
        match op_at {
            Some(i) if i > 0 => {
                let op_len = text[i..]
                    .chars()
                    .take_while(|c| "!<>=".contains(*c))
                    .count();
                let (left, op, right) = (&text[..i], &text[i..i + op_len], &text[i + op_len..]);
                if right.is_empty() {
                    return Ok(Node::Filter {
                        left: sub_action(text)?,
                        op: "exists".into(),
                        right: Vec::new(),
                    });
                }
                Ok(Node::Filter {
                    left: sub_action(left)?,
                    op: op.to_string(),
                    right: sub_action(right)?,
                })
            }
            _ => Ok(Node::Filter {
                left: sub_action(text)?,
                op: "exists".into(),
                right: Vec::new(),
            }),
        }
    }
}

/// `[n]`, `[a:b]`, `[a:b:c]`.
fn slice(text: &str) -> Result<Node, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let valid = parts.len() <= 3
        && parts.iter().all(|p| {
            let p = p.strip_prefix('-').unwrap_or(p);
            p.chars().all(|c| c.is_ascii_digit())
        });
    if !valid {
        return Err(format!("invalid array index {text}"));
    }
    let num = |p: &str| -> Result<Option<i64>, String> {
        if p.is_empty() {
            return Ok(None);
        }
        p.parse()
            .map(Some)
            .map_err(|_| format!("array index {p} is not a number"))
    };
    let start = num(parts[0])?;
    if parts.len() == 1 {
        return Ok(Node::Slice {
            start,
            end: start.map(|s| s + 1),
            step: None,
            index: true,
        });
    }
    Ok(Node::Slice {
        start,
        end: num(parts[1])?,
        step: match parts.get(2) {
            Some(p) => num(p)?,
            None => None,
        },
        index: false,
    })
}

fn sub_action(text: &str) -> Result<Vec<Node>, String> {
    let mut p = Parser { s: text, pos: 0 };
    p.action(true)
}

impl Template {
    /// Parses a template as `jsonpath.Parse` does.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut p = Parser { s: text, pos: 0 };
        let mut lit = String::new();
        while let Some(c) = p.peek() {
            if c == '{' {
                if !lit.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut lit)));
                }
                p.pos += 1;
                parts.push(Part::Action(p.action(false)?));
                continue;
            }
            lit.push(c);
            p.bump();
        }
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Ok(Template {
            parts,
            raw: text.to_string(),
        })
    }

    /// The template as written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Runs the template on `data`: what it prints.
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        let parts: Vec<&Part> = self.parts.iter().collect();
        run_parts(&parts, data, &mut out)?;
        Ok(out)
    }

    /// Each action's results (for custom columns: one action, its values).
    pub fn results(&self, data: &Value) -> Result<Vec<Value>, String> {
        let mut all = Vec::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => all.push(Value::String(t.clone())),
                Part::Action(nodes) => all.extend(eval(nodes, vec![data.clone()])?),
            }
        }
        Ok(all)
    }
}

/// Runs parts, handling `{range}` ... `{end}` blocks.
fn run_parts(parts: &[&Part], data: &Value, out: &mut String) -> Result<(), String> {
    let mut i = 0;
    while i < parts.len() {
        match parts[i] {
            Part::Text(t) => out.push_str(t),
            Part::Action(nodes) if nodes.first() == Some(&Node::Range) => {
                let items = eval(&nodes[1..], vec![data.clone()])?;
                // The block: up to the matching `{end}`.
                let mut depth = 1;
                let mut j = i + 1;
                while j < parts.len() {
                    if let Part::Action(n) = parts[j] {
                        match n.first() {
                            Some(Node::Range) => depth += 1,
                            Some(Node::End) => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    j += 1;
                }
                for item in &items {
                    run_parts(&parts[i + 1..j.min(parts.len())], item, out)?;
                }
                i = j + 1;
                continue;
            }
            Part::Action(nodes) if nodes.first() == Some(&Node::End) => {
                return Err("not in range, nothing to end".into());
            }
            Part::Action(nodes) => {
                let values = eval(nodes, vec![data.clone()])?;
                let texts: Vec<String> = values.iter().map(to_text).collect();
                out.push_str(&texts.join(" "));
            }
        }
        i += 1;
    }
    Ok(())
}

/// A result as kubectl prints it: maps and lists as JSON, the rest as Go's `fmt` does.
pub fn to_text(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => crate::json::to_go_compact(v).trim_end().to_string(),
        other => go_fmt(other),
    }
}

/// A map's entries in key order (as Go's `fmt` prints maps).
fn sorted(m: &serde_json::Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.into_iter()
}

/// Go's `fmt.Sprint` of a decoded JSON value (`map[k:v]`, `[a b]`, `<nil>`).
pub fn go_fmt(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => f.to_string(),
            None => n.to_string(),
        },
        Value::Array(a) => format!("[{}]", a.iter().map(go_fmt).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let pairs: Vec<String> = sorted(m)
                .map(|(k, v)| format!("{k}:{}", go_fmt(v)))
                .collect();
            format!("map[{}]", pairs.join(" "))
        }
    }
}

/// Go's `%#v` of a decoded JSON value (`map[string]interface {}{"k":"v"}`), as kubectl's
/// jsonpath errors show the object.
pub fn go_sharp(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "interface {}(nil)".into(),
        Value::Array(a) => format!(
            "[]interface {{}}{{{}}}",
            a.iter().map(go_sharp).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => {
            let pairs: Vec<String> = sorted(m)
                .map(|(k, v)| format!("{k:?}:{}", go_sharp(v)))
                .collect();
            format!("map[string]interface {{}}{{{}}}", pairs.join(", "))
        }
        other => go_fmt(other),
    }
}

fn eval(nodes: &[Node], mut cur: Vec<Value>) -> Result<Vec<Value>, String> {
    for n in nodes {
        cur = step(n, cur)?;
    }
    Ok(cur)
}

/// Values below `v`, `v` first (kubectl's recursive descent visits containers only).
fn descend(v: &Value, out: &mut Vec<Value>) {
    let children: Vec<&Value> = match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            keys.iter().map(|k| &m[k.as_str()]).collect()
        }
        Value::Array(a) => a.iter().collect(),
        _ => return,
    };
    if children.is_empty() {
        return;
    }
    out.push(v.clone());
    for c in children {
        descend(c, out);
    }
}

fn step(n: &Node, cur: Vec<Value>) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    match n {
        Node::Field(name) => {
            for v in &cur {
                if let Some(x) = v.as_object().and_then(|m| m.get(name)) {
                    out.push(x.clone());
                }
            }
        }
        Node::Wildcard => {
            for v in &cur {
                match v {
                    Value::Object(m) => {
                        let mut keys: Vec<&String> = m.keys().collect();
                        keys.sort();
                        out.extend(keys.iter().map(|k| m[k.as_str()].clone()));
                    }
                    Value::Array(a) => out.extend(a.iter().cloned()),
                    _ => {}
                }
            }
        }
        Node::Recursive => {
            for v in &cur {
                descend(v, &mut out);
            }
        }
        Node::Slice {
            start,
            end,
            step,
            index,
        } => {
            for v in &cur {
                if v.is_null() {
                    continue;
                }
                let Some(a) = v.as_array() else {
                    return Err(format!("{} is not array or slice", go_type(v)));
                };
                let len = a.len() as i64;
                let mut s = start.unwrap_or(0);
                if s < 0 {
                    s += len;
                }
                let mut e = match (end, index) {
                    (Some(e), true) if *e == 0 && start.is_some_and(|s| s < 0) => len,
                    (Some(e), _) => *e,
                    (None, _) => len,
                };
                if *index && start.is_some_and(|s| s < 0) {
                    e = s + 1;
                }
                if e < 0 {
                    e += len;
                }
                if e != s {
                    if s >= len || s < 0 {
                        return Err(format!(
                            "array index out of bounds: index {s}, length {len}"
                        ));
                    }
                    if e > len {
                        return Err(format!(
                            "array index out of bounds: index {}, length {len}",
                            e - 1
                        ));
                    }
                }
                let (s, e) = (s.max(0) as usize, e.max(0) as usize);
                if e <= s {
                    continue;
                }
                let by = step.filter(|st| *st > 0).unwrap_or(1) as usize;
                out.extend(a[s..e].iter().step_by(by).cloned());
            }
        }
        Node::Union(alts) => {
            for alt in alts {
                out.extend(eval(alt, cur.clone())?);
            }
        }
        Node::Filter { left, op, right } => {
            for v in &cur {
                let Some(a) = v.as_array() else {
                    return Err(format!(
                        "{} is not array or slice and cannot be filtered",
                        go_fmt(v)
                    ));
                };
                for item in a {
                    let lefts = eval(left, vec![item.clone()])?;
                    if op == "exists" {
                        if !lefts.is_empty() {
                            out.push(item.clone());
                        }
                        continue;
                    }
                    let rights = eval(right, vec![item.clone()])?;
                    if lefts.len() != 1 || rights.len() != 1 {
                        return Err("can only compare one element at a time".into());
                    }
                    if compare(&lefts[0], op, &rights[0])? {
                        out.push(item.clone());
                    }
                }
            }
        }
        Node::Text(t) => out.push(Value::String(t.clone())),
        Node::Int(i) => out.extend(cur.iter().map(|_| Value::from(*i))),
        Node::Float(f) => out.extend(cur.iter().map(|_| Value::from(*f))),
        Node::Bool(b) => out.extend(cur.iter().map(|_| Value::from(*b))),
        Node::Range | Node::End => out = cur,
    }
    Ok(out)
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "map[string]interface {}",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        _ => "interface {}",
    }
}

/// The comparison of Go's template package (`eq`, `lt`, ...): like kinds only.
fn compare(a: &Value, op: &str, b: &Value) -> Result<bool, String> {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Value::Bool(x), Value::Bool(y)) if matches!(op, "==" | "!=") => x.cmp(y),
        _ => return Err("incompatible types for comparison".into()),
    };
    Ok(match op {
        "==" => ord == Ordering::Equal,
        "!=" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        ">" => ord == Ordering::Greater,
        "<=" => ord != Ordering::Greater,
        ">=" => ord != Ordering::Less,
        other => return Err(format!("unrecognized filter operator {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> String {
        Template::parse(t).unwrap().execute(v).unwrap()
    }

    #[test]
    fn kubectls_examples() {
        let pods = json!({"kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app": "x"}}, "status": {"conditions": [
                {"type": "Ready", "status": "True"}, {"type": "Init", "status": "False"}]},
                "spec": {"containers": [{"name": "c", "image": "nginx"}, {"name": "d", "image": "busybox"}]}},
            {"metadata": {"name": "b"}, "status": {}, "spec": {"containers": [{"name": "c", "image": "redis"}]}}
        ]});
        assert_eq!(run("{.items[*].metadata.name}", &pods), "a b");
        assert_eq!(run("{.items[0].metadata.labels}", &pods), "{\"app\":\"x\"}");
        assert_eq!(
            run(
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.containers[*].image}{\"\\n\"}{end}",
                &pods
            ),
            "a\tnginx busybox\nb\tredis\n"
        );
        assert_eq!(
            run(
                "{.items[0].status.conditions[?(@.type==\"Ready\")].status}",
                &pods
            ),
            "True"
        );
        assert_eq!(run("{.items[-1:].metadata.name}", &pods), "b");
        assert_eq!(run("{.items[-1].metadata.name}", &pods), "b");
        assert_eq!(run("{.items[*]['metadata.name']}", &pods), "");
        assert_eq!(run("{.items[0].spec.containers[0,1].name}", &pods), "c d");
        assert_eq!(
            run(
                "names: {..name}",
                &json!({"a": {"name": "x"}, "b": [{"name": "y"}]})
            ),
            "names: x y"
        );
        assert_eq!(run("{.nope}", &pods), "", "missing keys print nothing");
        assert_eq!(
            run("{.items[?(@.status.conditions)].metadata.name}", &pods),
            "a"
        );
        assert!(Template::parse("{.a").is_err());
        assert!(Template::parse("{.a[x]}").is_err());
        assert_eq!(
            Template::parse("{.items[5]}")
                .unwrap()
                .execute(&pods)
                .unwrap_err(),
            "array index out of bounds: index 5, length 2"
        );
    }
}
