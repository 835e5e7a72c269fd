//! The four patch types the API server takes: JSON merge patch (RFC 7386), JSON patch
//! (RFC 6902), strategic merge patch (merge keys and directives of the built-in kinds, as
//! apimachinery `strategicpatch` applies them) and apply patches (merged as a strategic
//! patch: no field ownership yet).

use super::status::Status;
use serde_json::{Map, Value};

/// Applies a patch of content type `ct` to `cur`.
pub fn apply(ct: &str, cur: Value, patch: Value) -> Result<Value, Status> {
    match ct {
        "application/merge-patch+json" => Ok(merge(cur, patch)),
        "application/json-patch+json" => json_patch(cur, &patch),
        "application/strategic-merge-patch+json" | "application/apply-patch+yaml" => {
            strategic(cur, patch)
        }
        other => Err(Status::unsupported_media(other)),
    }
}

/// RFC 7386.
pub fn merge(cur: Value, patch: Value) -> Value {
    match patch {
        Value::Object(p) => {
            let mut cur = match cur {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            for (k, v) in p {
                if v.is_null() {
                    cur.remove(&k);
                } else {
                    let old = cur.remove(&k).unwrap_or(Value::Null);
                    cur.insert(k, merge(old, v));
                }
            }
            Value::Object(cur)
        }
        other => other,
    }
}

fn pointer_parts(path: &str) -> Result<Vec<String>, Status> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(Status::bad_request(format!("invalid JSON pointer: {path}")));
    };
    Ok(rest
        .split('/')
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn parent<'a>(doc: &'a mut Value, parts: &[String]) -> Result<&'a mut Value, Status> {
    let mut at = doc;
    for p in parts {
        at = match at {
            Value::Object(m) => m.get_mut(p),
            Value::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| {
            Status::bad_request(format!(
                "the server rejected our request due to an error in our request: missing path /{}",
                parts.join("/")
            ))
        })?;
    }
    Ok(at)
}

/// RFC 6902 (`add`, `remove`, `replace`, `move`, `copy`, `test`).
pub fn json_patch(mut doc: Value, ops: &Value) -> Result<Value, Status> {
    let Some(ops) = ops.as_array() else {
        return Err(Status::bad_request("a JSON patch is a list of operations"));
    };
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or_default();
        let path = pointer_parts(op.get("path").and_then(Value::as_str).unwrap_or_default())?;
        let value = op.get("value").cloned();
        match kind {
            "add" | "replace" => {
                let v = value.ok_or_else(|| Status::bad_request("missing value"))?;
                let Some((last, head)) = path.split_last() else {
                    doc = v;
                    continue;
                };
                let p = parent(&mut doc, head)?;
                match p {
                    Value::Object(m) => {
                        if kind == "replace" && !m.contains_key(last) {
                            return Err(Status::bad_request(format!(
                                "replace operation does not apply: doc is missing key: /{}",
                                path.join("/")
                            )));
                        }
                        m.insert(last.clone(), v);
                    }
                    Value::Array(a) => {
                        let i = if last == "-" {
                            a.len()
                        } else {
                            last.parse::<usize>()
                                .map_err(|_| Status::bad_request("bad index"))?
                        };
                        match kind {
                            "add" if i <= a.len() => a.insert(i, v),
                            "replace" if i < a.len() => a[i] = v,
                            _ => return Err(Status::bad_request("index out of range")),
                        }
                    }
                    _ => return Err(Status::bad_request("path does not name a container")),
                }
            }
            "remove" => {
                let Some((last, head)) = path.split_last() else {
                    return Err(Status::bad_request("cannot remove the root"));
                };
                let missing = || {
                    Status::bad_request(format!(
                        "remove operation does not apply: doc is missing path: /{}",
                        path.join("/")
                    ))
                };
                match parent(&mut doc, head)? {
                    Value::Object(m) => {
                        m.remove(last).ok_or_else(missing)?;
                    }
                    Value::Array(a) => match last.parse::<usize>() {
                        Ok(i) if i < a.len() => {
                            a.remove(i);
                        }
                        _ => return Err(Status::bad_request("index out of range")),
                    },
                    _ => return Err(missing()),
                }
            }
            "test" => {
                let got = parent(&mut doc, &path)?;
                if Some(&*got) != value.as_ref() {
                    return Err(Status::bad_request("test operation failed"));
                }
            }
            "move" | "copy" => {
                let from =
                    pointer_parts(op.get("from").and_then(Value::as_str).unwrap_or_default())?;
                let v = parent(&mut doc, &from)?.clone();
                if kind == "move" {
                    doc = json_patch(
                        doc,
                        &serde_json::json!([{"op": "remove", "path": op["from"]}]),
                    )?;
                }
                doc = json_patch(
                    doc,
                    &serde_json::json!([{"op": "add", "path": op["path"], "value": v}]),
                )?;
            }
            other => {
                return Err(Status::bad_request(format!(
                    "unknown JSON patch operation {other:?}"
                )));
            }
        }
    }
    Ok(doc)
}

/// The merge key of a list field of the built-in kinds (Go struct tags
/// `patchMergeKey`), or None where the list is replaced whole.
pub fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "volumeClaimTemplates" => Some("name"),
        "volumeMounts" | "volumeDevices" => Some("mountPath"),
        "ownerReferences" => Some("uid"),
        "conditions" => Some("type"),
        "hostAliases" => Some("ip"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "ports" => Some(if items.iter().any(|i| i.get("containerPort").is_some()) {
            "containerPort"
        } else {
            "port"
        }),
        _ => None,
    }
}

/// Primitive lists merged as sets.
pub fn merges_primitives(field: &str) -> bool {
    field == "finalizers"
}

/// Where the patch strategy includes `retainKeys`: a map field (a Deployment's `strategy`, a
/// DaemonSet's or StatefulSet's `updateStrategy`), or the items of a list field (`volumes`),
/// whose patch names the keys to keep.
pub fn retains_keys(field: &str) -> bool {
    matches!(field, "strategy" | "updateStrategy")
}

/// A list whose items' patches name the keys to keep (`merge,retainKeys`).
pub fn items_retain_keys(field: &str) -> bool {
    field == "volumes"
}

/// A strategic merge patch.
pub fn strategic(cur: Value, patch: Value) -> Result<Value, Status> {
    Ok(smp_map(cur, patch))
}

fn smp_map(cur: Value, patch: Value) -> Value {
    let Value::Object(mut p) = patch else {
        return patch;
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        p.remove("$patch");
        return Value::Object(strip_directives(p));
    }
    if p.get("$patch").and_then(Value::as_str) == Some("delete") {
        return Value::Null;
    }
    let mut cur = match cur {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(Value::Array(keep)) = p.remove("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        cur.retain(|k, _| keep.contains(&k.as_str()));
    }
    let mut orders = Vec::new();
    let mut deletes = Vec::new();
    for k in p.keys() {
        if let Some(f) = k.strip_prefix("$setElementOrder/") {
            orders.push((f.to_string(), k.clone()));
        } else if let Some(f) = k.strip_prefix("$deleteFromPrimitiveList/") {
            deletes.push((f.to_string(), k.clone()));
        }
    }
    for (k, v) in p.clone() {
        if k.starts_with('$') {
            continue;
        }
        if v.is_null() {
            cur.remove(&k);
            continue;
        }
        let old = cur.remove(&k).unwrap_or(Value::Null);
        let new = match (old, v) {
            (Value::Array(old), Value::Array(new)) => Value::Array(smp_list(&k, old, new)),
            (old, v @ Value::Object(_)) => smp_map(old, v),
            (_, v) => strip_value(v),
        };
        if !new.is_null() {
            cur.insert(k, new);
        }
    }
    for (field, key) in deletes {
        if let (Some(Value::Array(gone)), Some(Value::Array(list))) =
            (p.get(&key), cur.get_mut(&field))
        {
            list.retain(|v| !gone.contains(v));
        }
    }
    for (field, key) in orders {
        let (Some(Value::Array(order)), Some(Value::Array(list))) =
            (p.get(&key), cur.get_mut(&field))
        else {
            continue;
        };
        let mk = merge_key(&field, order);
        let pos = |v: &Value| {
            order.iter().position(|o| match mk {
                Some(mk) => o.get(mk).is_some() && o.get(mk) == v.get(mk),
                None => o == v,
            })
        };
        list.sort_by_key(|v| pos(v).unwrap_or(usize::MAX));
    }
    Value::Object(cur)
}

fn smp_list(field: &str, old: Vec<Value>, new: Vec<Value>) -> Vec<Value> {
    if merges_primitives(field) {
        let mut out = old;
        for v in new {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        return out;
    }
    let Some(mk) = merge_key(field, &new) else {
        return new.into_iter().map(strip_value).collect();
    };
    if new
        .iter()
        .any(|v| v.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        return new
            .into_iter()
            .filter(|v| v.get("$patch").is_none())
            .map(strip_value)
            .collect();
    }
    let mut out = old;
    for item in new {
        let key = item.get(mk).cloned();
        let at = out
            .iter()
            .position(|o| key.is_some() && o.get(mk) == key.as_ref());
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (at, delete) {
            (Some(i), true) => {
                out.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => {
                let merged = smp_map(out[i].take(), item);
                out[i] = merged;
            }
            (None, false) => out.push(strip_value(item)),
        }
    }
    out
}

fn strip_directives(m: Map<String, Value>) -> Map<String, Value> {
    m.into_iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .map(|(k, v)| (k, strip_value(v)))
        .collect()
}

fn strip_value(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(strip_directives(m)),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_value).collect()),
        v => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_patches_merge_containers_by_name() {
        let cur = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.15-alpine", "ports": [{"containerPort": 80}]},
            {"name": "side", "image": "busybox"}]}}, "paused": true}});
        let patch = json!({"spec": {"paused": null, "template": {"spec": {
            "$setElementOrder/containers": [{"name": "side"}, {"name": "nginx"}],
            "containers": [{"name": "nginx", "image": "nginx:1.16-alpine"}]}}}});
        let got = strategic(cur, patch).unwrap();
        assert_eq!(
            got,
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "side", "image": "busybox"},
                {"name": "nginx", "image": "nginx:1.16-alpine", "ports": [{"containerPort": 80}]}]}}}})
        );
        let replaced = strategic(
            json!({"spec": {"template": {"a": 1, "b": 2}}}),
            json!({"spec": {"template": {"$patch": "replace", "c": 3}}}),
        )
        .unwrap();
        assert_eq!(replaced, json!({"spec": {"template": {"c": 3}}}));
    }

    #[test]
    fn json_and_merge_patches() {
        let doc = json!({"spec": {"replicas": 1, "template": {"x": 1}}, "metadata": {"annotations": {"a": "b"}}});
        let got = json_patch(
            doc.clone(),
            &json!([{"op": "replace", "path": "/spec/template", "value": {"y": 2}},
                    {"op": "add", "path": "/metadata/labels", "value": {"l": "v"}}]),
        )
        .unwrap();
        assert_eq!(got["spec"]["template"], json!({"y": 2}));
        assert_eq!(got["metadata"]["labels"], json!({"l": "v"}));
        assert!(
            json_patch(
                doc.clone(),
                &json!([{"op": "replace", "path": "/nope", "value": 1}])
            )
            .is_err()
        );
        let merged = merge(
            doc,
            json!({"spec": {"replicas": 3}, "metadata": {"annotations": null}}),
        );
        assert_eq!(merged["spec"]["replicas"], 3);
        assert!(merged["metadata"].get("annotations").is_none());
    }
}
