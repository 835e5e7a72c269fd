//! `docker service ...` on a real engine. `service update` works like the CLI: read the
//! service's spec, apply the flags, send it back with the version read; only the fields the
//! flags changed are touched, so whatever else the spec holds survives.

use super::*;
use opsconsole_sim::engine::ServiceSpec;
use opsconsole_sim::lang::service::{ServiceFlags, create_spec, update_spec};

/// The image as the user typed it, with `:latest` when it has no tag or digest (what the
/// docker CLI sends when no registry can resolve a digest).
pub(super) fn image_ref(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains(':') || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

/// Makes `orig` differ from what it was in exactly the ways `after` differs from `before`.
pub fn patch(orig: &mut Value, before: &Value, after: &Value) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            if !orig.is_object() {
                *orig = Value::Object(Default::default());
            }
            let Some(o) = orig.as_object_mut() else {
                return;
            };
            for (k, av) in a {
                match b.get(k) {
                    Some(bv) if bv == av => {}
                    Some(bv) if bv.is_object() && av.is_object() => {
                        patch(o.entry(k.clone()).or_insert(Value::Null), bv, av)
                    }
                    _ => {
                        o.insert(k.clone(), av.clone());
                    }
                }
            }
            for k in b.keys() {
                if !a.contains_key(k) {
                    o.remove(k);
                }
            }
        }
        _ if before != after => *orig = after.clone(),
        _ => {}
    }
}

pub(super) struct Current {
    pub id: String,
    pub name: String,
    pub version: i32,
    pub spec: Value,
}

pub(super) async fn service(c: &bollard::Docker, name: &str) -> R<Current> {
    let s = c
        .inspect_service(name, None::<InspectServiceOptions>)
        .await
        .map_err(|e| match &e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => format!("Error: No such service: {name}"),
            _ => err(e),
        })?;
    let v = json(&s);
    Ok(Current {
        id: convert::s(&v, "/ID").to_string(),
        name: convert::s(&v, "/Spec/Name").to_string(),
        version: v
            .pointer("/Version/Index")
            .and_then(Value::as_i64)
            .unwrap_or(0) as i32,
        spec: v.get("Spec").cloned().unwrap_or(Value::Null),
    })
}

pub(super) async fn send_update(
    c: &bollard::Docker,
    cur: &Current,
    spec: Value,
    rollback: bool,
) -> R<()> {
    let opts = UpdateServiceOptions {
        version: cur.version,
        rollback: rollback.then(|| "previous".to_string()),
        ..Default::default()
    };
    let resp = c
        .update_service(&cur.id, from_json(spec)?, opts, None)
        .await
        .map_err(err)?;
    let _ = resp;
    Ok(())
}

/// `service update`: the flags applied to the engine's own spec.
async fn service_update(c: &bollard::Docker, name: &str, flags: &ServiceFlags) -> R<String> {
    let cur = service(c, name).await?;
    let parsed: ServiceSpec = serde_json::from_value(cur.spec.clone())
        .map_err(|e| format!("opsconsole: cannot read the spec of {name}: {e}"))?;
    let updated = update_spec(&parsed, flags, &image_ref)?;
    let mut spec = cur.spec.clone();
    patch(&mut spec, &json(&parsed), &json(&updated));
    send_update(c, &cur, spec, false).await?;
    Ok(cur.name)
}

pub(super) fn create_body(flags: &ServiceFlags) -> R<Value> {
    let name = flags.name.clone().unwrap_or_default();
    let spec = create_spec(flags, name, &image_ref)?;
    Ok(json(&spec))
}

pub(super) async fn create(c: &bollard::Docker, out: &mut Out, sc: Box<ServiceCreate>) -> R<()> {
    let body = create_body(&sc.flags)?;
    let r = c
        .create_service(from_json(body)?, None)
        .await
        .map_err(err)?;
    out.line(r.id.unwrap_or_default());
    Ok(())
}

pub(super) async fn update(c: &bollard::Docker, out: &mut Out, su: Box<ServiceUpdate>) -> R<()> {
    if su.rollback {
        let cur = service(c, &su.service).await?;
        let spec = cur.spec.clone();
        send_update(c, &cur, spec, true).await?;
        out.line(cur.name);
    } else {
        out.line(service_update(c, &su.service, &su.flags).await?);
    }
    Ok(())
}

pub(super) async fn scale(c: &bollard::Docker, out: &mut Out, pairs: Vec<(String, u64)>) -> R<()> {
    for (name, n) in pairs {
        let r = async {
            let cur = service(c, &name).await?;
            let mut spec = cur.spec.clone();
            if let Some(r) = spec.pointer_mut("/Mode/Replicated/Replicas") {
                *r = json!(n);
            } else if let Some(r) = spec.pointer_mut("/Mode/ReplicatedJob") {
                r["TotalCompletions"] = json!(n);
            } else {
                return Err(format!(
                    "{name}: scale can only be used with replicated or replicated-job mode"
                ));
            }
            send_update(c, &cur, spec, false).await?;
            Ok(format!("{name} scaled to {n}"))
        }
        .await;
        out.result(r);
    }
    Ok(())
}

pub(super) async fn rollback(c: &bollard::Docker, out: &mut Out, name: String) -> R<()> {
    let cur = service(c, &name).await?;
    let spec = cur.spec.clone();
    send_update(c, &cur, spec, true).await?;
    out.line(cur.name);
    Ok(())
}

pub(super) async fn rm(c: &bollard::Docker, out: &mut Out, names: Vec<String>) -> R<()> {
    for name in names {
        let r = async {
            let cur = service(c, &name).await?;
            c.delete_service(&cur.id).await.map_err(err)?;
            Ok(name.clone())
        }
        .await;
        out.result(r);
    }
    Ok(())
}
