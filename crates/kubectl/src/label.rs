//! `kubectl label` and `kubectl annotate`: `KEY=VALUE` sets, `KEY-` removes, on objects by
//! name or selector; a value already there is kept unless `--overwrite`; each change is a
//! JSON merge patch of the object's metadata.

use crate::Out;
use crate::api::Api;
use crate::discovery::Discovery;
use crate::target::{NOTHING_NAMED, Target, resolve};
use opsconsole_sim::lang::kubectl::{Label, Targets};
use serde_json::{Map, Value, json};

/// The words split: the objects' words, then the changes (sets in order, removals).
struct Changes {
    set: Vec<(String, String)>,
    remove: Vec<String>,
}

fn split(words: &[String]) -> (Vec<String>, Changes) {
    let mut objects = Vec::new();
    let mut c = Changes {
        set: Vec::new(),
        remove: Vec::new(),
    };
    let mut seen_change = false;
    for w in words {
        if let Some((k, v)) = w.split_once('=') {
            seen_change = true;
            c.set.push((k.to_string(), v.to_string()));
        } else if let Some(k) = w
            .strip_suffix('-')
            .filter(|_| seen_change || !w.contains('/'))
        {
            if !seen_change && objects.is_empty() {
                objects.push(w.clone());
                continue;
            }
            seen_change = true;
            c.remove.push(k.to_string());
        } else {
            objects.push(w.clone());
        }
    }
    (objects, c)
}

/// What `--list` prints: the labels or annotations, `KEY=VALUE` a line (kubectl's order is
/// Go's map order, which varies from run to run; here they are sorted).
fn listing(map: &Map<String, Value>) -> String {
    let mut pairs: Vec<(String, String)> = map
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

/// Applies the changes to one object; the message kubectl prints for it.
async fn change(
    api: &Api,
    t: &Target<'_>,
    l: &Label,
    c: &Changes,
    field: &str,
) -> Result<String, String> {
    let current = api
        .get(&t.path(), "application/json")
        .await
        .map_err(|e| e.to_string())?;
    let meta = &current["metadata"];
    if l.list {
        // kubectl lists what the changes would make and sends nothing.
        let mut after = meta[field].as_object().cloned().unwrap_or_default();
        for (k, v) in &c.set {
            after.insert(k.clone(), json!(v));
        }
        for k in &c.remove {
            after.remove(k);
        }
        return Ok(listing(&after));
    }
    let have = meta[field].as_object().cloned().unwrap_or_default();
    let noun = if l.annotations { "annotation" } else { "label" };
    let mut patch = Map::new();
    for (k, v) in &c.set {
        match have.get(k).and_then(Value::as_str) {
            Some(old) if old != v && !l.overwrite => {
                return Err(if l.annotations {
                    format!(
                        "error: --overwrite is false but found the following declared annotation(s): '{k}' already has a value ({old})"
                    )
                } else {
                    format!("error: '{k}' already has a value ({old}), and --overwrite is false")
                });
            }
            Some(old) if old == v => {}
            _ => {
                patch.insert(k.clone(), json!(v));
            }
        }
    }
    let mut missing = String::new();
    for k in &c.remove {
        if have.contains_key(k) {
            patch.insert(k.clone(), Value::Null);
        } else {
            missing.push_str(&format!("{noun} \"{k}\" not found.\n"));
        }
    }
    let verb = match (l.annotations, c.set.is_empty()) {
        (true, _) => "annotated",
        (false, true) => "unlabeled",
        (false, false) => "labeled",
    };
    if patch.is_empty() {
        let not = if l.annotations { verb } else { "not labeled" };
        return Ok(format!("{missing}{} {not}\n", t.slash_name()));
    }
    let mut body = json!({"metadata": {field: patch}});
    if let Some(rv) = &l.resource_version {
        body["metadata"]["resourceVersion"] = json!(rv);
    }
    api.patch(&t.path(), "merge-patch+json", &body)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("{missing}{} {verb}\n", t.slash_name()))
}

pub async fn run(api: &Api, namespace: &str, l: &Label, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let (objects, changes) = split(&l.targets.args);
    let noun = if l.annotations { "annotation" } else { "label" };
    if !l.list && changes.set.is_empty() && changes.remove.is_empty() {
        return fail(
            out,
            &format!("error: at least one {noun} update is required"),
        );
    }
    if changes
        .remove
        .iter()
        .any(|k| changes.set.iter().any(|(s, _)| s == k))
    {
        let k = changes
            .remove
            .iter()
            .find(|k| changes.set.iter().any(|(s, _)| s == *k))
            .cloned()
            .unwrap_or_default();
        let e = if l.annotations {
            format!(
                "error: can not both modify and remove the following annotation(s) in the same command: {k}"
            )
        } else {
            "error: can not both modify and remove a label in the same command".to_string()
        };
        return fail(out, &e);
    }
    if !l.targets.filenames.is_empty() {
        return fail(
            out,
            &format!("error: opsconsole does not {noun} -f FILE yet"),
        );
    }
    if objects.is_empty() {
        return fail(out, NOTHING_NAMED);
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let targets = Targets {
        args: objects,
        ..l.targets.clone()
    };
    let found = match resolve(api, &discovery, &targets, namespace).await {
        Ok(f) => f,
        Err(e) => return fail(out, &e),
    };
    let field = if l.annotations {
        "annotations"
    } else {
        "labels"
    };
    let mut errors = Vec::new();
    for t in &found.targets {
        match change(api, t, l, &changes, field).await {
            Ok(msg) => out.print(&msg),
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        out.eprint(&format!("{e}\n"));
    }
    if errors.is_empty() { 0 } else { 1 }
}
