//! Manifests in the shapes kubectl's generators make them, as JSON for the API handler.

use serde_json::{Value, json};

/// A Deployment as `kubectl create deployment NAME` makes it: `app: NAME` on the
/// Deployment, its selector and its pod template, whose spec is `pod`.
pub fn deployment(name: &str, replicas: i64, pod: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": pod,
            },
        },
    })
}
