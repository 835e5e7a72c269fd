//! The three-way strategic merge patch of client-side apply, as apimachinery's
//! `strategicpatch.CreateThreeWayMergePatch` computes it: the changes from the live object
//! to the file (additions and changes only), merged with the deletions from the last
//! applied configuration to the file. An empty patch (`{}`) is kubectl's `unchanged`.
//!
//! Merge keys and strategies are the built-in kinds' (the server's own table,
//! [`opsconsole_sim::kube::api::patch`]).

use opsconsole_sim::kube::api::patch::{
    items_retain_keys, merge_key, merges_primitives, retains_keys,
};
use serde_json::{Map, Value, json};

/// What a diff keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Additions and changes (from the live object to the file).
    Changes,
    /// Deletions only (from the last applied configuration to the file).
    Deletions,
}

/// The patch that takes `current` to `modified`, deleting what `original` (the last applied
/// configuration) had and `modified` no longer has.
pub fn three_way(original: Option<&Value>, modified: &Value, current: &Value) -> Value {
    let empty = Map::new();
    let as_map = |v: Option<&Value>| v.and_then(Value::as_object).cloned().unwrap_or_default();
    let modified = as_map(Some(modified));
    let delta = diff_maps(&as_map(Some(current)), &modified, Mode::Changes, false);
    let deletions = match original {
        Some(o) => diff_maps(&as_map(Some(o)), &modified, Mode::Deletions, false),
        None => empty,
    };
    Value::Object(merge_maps(deletions, delta))
}

/// Go's `reflect.TypeOf` as unstructured JSON decodes: integers and floats differ.
fn same_type(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.is_f64() == y.is_f64(),
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

fn diff_maps(
    original: &Map<String, Value>,
    modified: &Map<String, Value>,
    mode: Mode,
    retain: bool,
) -> Map<String, Value> {
    let mut patch = Map::new();
    for (key, m) in modified {
        let Some(o) = original.get(key) else {
            if mode == Mode::Changes {
                patch.insert(key.clone(), m.clone());
            }
            continue;
        };
        if !same_type(o, m) {
            if mode == Mode::Changes {
                patch.insert(key.clone(), m.clone());
            }
            continue;
        }
        match (o, m) {
            (Value::Object(o), Value::Object(m)) => {
                let sub = diff_maps(o, m, mode, retains_keys(key));
                if !sub.is_empty() {
                    patch.insert(key.clone(), Value::Object(sub));
                }
            }
            (Value::Array(o), Value::Array(m)) => diff_lists(key, o, m, mode, &mut patch),
            _ => {
                if mode == Mode::Changes && o != m {
                    patch.insert(key.clone(), m.clone());
                }
            }
        }
    }
    if mode == Mode::Deletions {
        for key in original.keys() {
            if !modified.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    let extra = original.keys().any(|k| !modified.contains_key(k));
    if retain && (!patch.is_empty() || extra) {
        let mut keys: Vec<&String> = modified
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        if !keys.is_empty() {
            patch.insert("$retainKeys".into(), json!(keys));
        }
    }
    patch
}

/// A list item's merge key value, as the Go code compares it (`%v`).
fn key_of(item: &Value, mk: &str) -> String {
    match item.get(mk) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "<nil>".into(),
    }
}

fn diff_lists(
    key: &str,
    original: &[Value],
    modified: &[Value],
    mode: Mode,
    patch: &mut Map<String, Value>,
) {
    let both: Vec<Value> = original.iter().chain(modified).cloned().collect();
    let all_maps = both.iter().all(Value::is_object);
    let mk = merge_key(key, &both).filter(|_| all_maps && !both.is_empty());
    if let Some(mk) = mk {
        let mut list = Vec::new();
        for m in modified {
            let k = key_of(m, mk);
            match original.iter().find(|o| key_of(o, mk) == k) {
                Some(o) => {
                    let (om, mm) = (
                        o.as_object().cloned().unwrap_or_default(),
                        m.as_object().cloned().unwrap_or_default(),
                    );
                    let mut sub = diff_maps(&om, &mm, mode, items_retain_keys(key));
                    if !sub.is_empty() {
                        sub.insert(mk.to_string(), m[mk].clone());
                        list.push(Value::Object(sub));
                    }
                }
                None if mode == Mode::Changes => list.push(m.clone()),
                None => {}
            }
        }
        if mode == Mode::Deletions {
            for o in original {
                let k = key_of(o, mk);
                if !modified.iter().any(|m| key_of(m, mk) == k) {
                    list.push(json!({mk: o[mk].clone(), "$patch": "delete"}));
                }
            }
        }
        let order_same = original.len() == modified.len()
            && original
                .iter()
                .zip(modified)
                .all(|(o, m)| key_of(o, mk) == key_of(m, mk));
        let reorder = !list.is_empty() || (mode == Mode::Changes && !order_same);
        if !list.is_empty() {
            patch.insert(key.to_string(), Value::Array(list));
        }
        if reorder {
            let order: Vec<Value> = modified
                .iter()
                .map(|m| json!({mk: m[mk].clone()}))
                .collect();
            patch.insert(format!("$setElementOrder/{key}"), Value::Array(order));
        }
        return;
    }
    if merges_primitives(key) {
        let added: Vec<Value> = modified
            .iter()
            .filter(|m| !original.contains(m))
            .cloned()
            .collect();
        let removed: Vec<Value> = original
            .iter()
            .filter(|o| !modified.contains(o))
            .cloned()
            .collect();
        match mode {
            Mode::Changes if !added.is_empty() => {
                patch.insert(key.to_string(), Value::Array(added));
            }
            Mode::Deletions if !removed.is_empty() => {
                patch.insert(
                    format!("$deleteFromPrimitiveList/{key}"),
                    Value::Array(removed),
                );
            }
            _ => {}
        }
        if mode == Mode::Changes && original != modified {
            patch.insert(
                format!("$setElementOrder/{key}"),
                Value::Array(modified.to_vec()),
            );
        }
        return;
    }
    if mode == Mode::Changes && original != modified {
        patch.insert(key.to_string(), Value::Array(modified.to_vec()));
    }
}

/// Merges the deletions and the changes into one patch (they touch different things, except
/// in items both keep, whose patches are merged in turn).
fn merge_maps(mut a: Map<String, Value>, b: Map<String, Value>) -> Map<String, Value> {
    for (k, bv) in b {
        let av = a.remove(&k);
        let merged = match (av, bv) {
            (Some(Value::Object(x)), Value::Object(y)) => Value::Object(merge_maps(x, y)),
            (Some(Value::Array(x)), Value::Array(y)) if !k.starts_with('$') => {
                Value::Array(merge_lists(&k, x, y))
            }
            (_, bv) => bv,
        };
        a.insert(k, merged);
    }
    a
}

fn merge_lists(key: &str, mut a: Vec<Value>, b: Vec<Value>) -> Vec<Value> {
    let both: Vec<Value> = a.iter().chain(&b).cloned().collect();
    let Some(mk) = merge_key(key, &both).filter(|_| both.iter().all(Value::is_object)) else {
        return b;
    };
    for item in b {
        let k = key_of(&item, mk);
        match a.iter().position(|x| key_of(x, mk) == k) {
            Some(i) => {
                let x = a[i].as_object().cloned().unwrap_or_default();
                let y = item.as_object().cloned().unwrap_or_default();
                a[i] = Value::Object(merge_maps(x, y));
            }
            None => a.push(item),
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsconsole_sim::kube::api::patch::strategic;

    fn deployment(image: &str, replicas: i64, extra_port: bool) -> Value {
        let mut ports = vec![json!({"containerPort": 80})];
        if extra_port {
            ports.push(json!({"containerPort": 443}));
        }
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                    {"name": "nginx", "image": image, "ports": ports}]}}}})
    }

    /// The live object: the file plus what the server added.
    fn live(of: &Value) -> Value {
        let mut v = of.clone();
        v["metadata"]["uid"] = json!("u-1");
        v["metadata"]["resourceVersion"] = json!("7");
        v["spec"]["strategy"] =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}});
        v["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
        v["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = json!("TCP");
        v
    }

    #[test]
    fn the_same_file_again_is_an_empty_patch() {
        let file = deployment("nginx:1.15", 2, false);
        assert_eq!(three_way(Some(&file), &file, &live(&file)), json!({}));
    }

    #[test]
    fn changes_and_deletions_are_patched_and_the_result_is_the_file_on_the_live_object() {
        let before = deployment("nginx:1.15", 2, true);
        let mut after = deployment("nginx:1.16", 3, false);
        after["metadata"]["labels"] = json!({});
        let current = live(&before);
        let patch = three_way(Some(&before), &after, &current);
        assert_eq!(patch["spec"]["replicas"], 3);
        assert_eq!(
            patch["spec"]["template"]["spec"]["$setElementOrder/containers"],
            json!([{"name": "nginx"}])
        );
        let result = strategic(current, patch).unwrap();
        let c = &result["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["image"], "nginx:1.16");
        assert_eq!(c["imagePullPolicy"], "IfNotPresent", "server defaults kept");
        assert_eq!(
            c["ports"],
            json!([{"containerPort": 80, "protocol": "TCP"}])
        );
        assert_eq!(result["metadata"]["labels"], json!({}));
        assert_eq!(result["metadata"]["uid"], "u-1");
    }

    #[test]
    fn a_strategy_changed_to_recreate_keeps_only_its_type() {
        let mut before = deployment("nginx", 1, false);
        before["spec"]["strategy"] = json!({"type": "RollingUpdate"});
        let mut after = before.clone();
        after["spec"]["strategy"] = json!({"type": "Recreate"});
        let current = live(&before);
        let patch = three_way(Some(&before), &after, &current);
        assert_eq!(
            patch["spec"]["strategy"],
            json!({"type": "Recreate", "$retainKeys": ["type"]})
        );
        let result = strategic(current, patch).unwrap();
        assert_eq!(result["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn without_a_last_applied_configuration_nothing_is_deleted() {
        let before = deployment("nginx", 1, false);
        let mut after = before.clone();
        after["metadata"].as_object_mut().unwrap().remove("labels");
        assert_eq!(three_way(None, &after, &live(&before)), json!({}));
        let mut order = after.clone();
        order["metadata"]["finalizers"] = json!(["a"]);
        let patch = three_way(None, &order, &live(&before));
        assert_eq!(patch["metadata"]["finalizers"], json!(["a"]));
    }
}
