//! Label and field selectors, with the API server's grammar (apimachinery `labels.Parse`
//! and `fields.ParseSelector`).

use super::status::Status;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector(Vec<Req>);

/// Splits on commas outside parentheses.
fn terms(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

fn set(v: &str) -> Option<Vec<String>> {
    let v = v.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(
        v.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect(),
    )
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<LabelSelector, Status> {
        let bad = |t: &str| Status::bad_request(format!("unable to parse requirement: {t}"));
        let mut reqs = Vec::new();
        for t in terms(s) {
            let r = if let Some(k) = t.strip_prefix('!') {
                Req::NotExists(k.trim().to_string())
            } else if let Some((k, v)) = t.split_once("!=") {
                Req::Ne(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once("==") {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once('=') {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = t.split_once(" notin ") {
                Req::NotIn(k.trim().into(), set(v).ok_or_else(|| bad(t))?)
            } else if let Some((k, v)) = t.split_once(" in ") {
                Req::In(k.trim().into(), set(v).ok_or_else(|| bad(t))?)
            } else if t.contains(' ') || t.contains('(') {
                return Err(bad(t));
            } else {
                Req::Exists(t.to_string())
            };
            reqs.push(r);
        }
        Ok(LabelSelector(reqs))
    }

    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).map(String::as_str);
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => get(k) == Some(v),
            Req::Ne(k, v) => get(k) != Some(v),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }

    /// Matches the labels of an object as JSON.
    pub fn matches_json(&self, obj: &Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let labels: Option<BTreeMap<String, String>> = obj
            .pointer("/metadata/labels")
            .and_then(|l| serde_json::from_value(l.clone()).ok());
        self.matches(labels.as_ref())
    }
}

/// A parsed field selector: `path=value`, `path==value`, `path!=value`, comma-separated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    pub fn parse(s: &str) -> Result<FieldSelector, Status> {
        let mut reqs = Vec::new();
        for t in terms(s) {
            let (k, eq, v) = if let Some((k, v)) = t.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = t.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = t.split_once('=') {
                (k, true, v)
            } else {
                return Err(Status::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{t}'"
                )));
            };
            reqs.push((k.trim().to_string(), eq, v.trim().to_string()));
        }
        Ok(FieldSelector(reqs))
    }

    /// Matches a field of an object as JSON, by its dotted path (absent reads as "").
    pub fn matches_json(&self, obj: &Value) -> bool {
        self.0.iter().all(|(path, eq, want)| {
            let ptr = format!("/{}", path.replace('.', "/"));
            let got = match obj.pointer(&ptr) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(v) => v.to_string(),
            };
            (got == *want) == *eq
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_match_as_the_api_server_does() {
        let pod = json!({"metadata": {"name": "web-1", "labels": {"app": "web", "tier": "fe"}},
                         "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        let yes = |s: &str| LabelSelector::parse(s).unwrap().matches_json(&pod);
        assert!(yes("app=web"));
        assert!(yes("app==web,tier"));
        assert!(yes("app in (web, api),!missing"));
        assert!(!yes("app notin (web)"));
        assert!(!yes("app!=web"));
        assert!(yes(""));
        assert!(LabelSelector::parse("app in web").is_err());
        let f = |s: &str| FieldSelector::parse(s).unwrap().matches_json(&pod);
        assert!(f("metadata.name=web-1,spec.nodeName=n1"));
        assert!(f("status.phase!=Succeeded,status.phase!=Failed"));
        assert!(!f("metadata.name=web-2"));
        assert!(FieldSelector::parse("nonsense").is_err());
    }
}
