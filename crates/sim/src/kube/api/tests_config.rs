//! ConfigMaps, Secrets, ServiceAccounts and the namespace lifecycle through the API handler.

use super::tests::{TABLE, cells, cluster, listed, req, with_body};
use crate::Cluster;
use crate::base::time::SimDuration;
use serde_json::Value;

fn post(c: &mut Cluster, path: &str, body: &str) -> (u16, Value) {
    let r = c.kube_api(&with_body(req("POST", path, ""), "application/json", body));
    (r.status, r.value())
}

fn get(c: &mut Cluster, path: &str) -> (u16, Value) {
    let r = c.kube_api(&req("GET", path, ""));
    (r.status, r.value())
}

#[test]
fn secrets_take_string_data_and_default_their_type() {
    let mut c = cluster();
    let path = "/api/v1/namespaces/default/secrets";
    let (code, v) = post(
        &mut c,
        path,
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"user":"YWRtaW4="},"stringData":{"password":"s3cret","user":"root"}}"#,
    );
    assert_eq!(code, 201, "{v}");
    assert_eq!(v["type"], "Opaque");
    // stringData is merged into data (its values win) and never stored.
    assert_eq!(v["data"]["password"], "czNjcmV0");
    assert_eq!(v["data"]["user"], "cm9vdA==");
    assert!(v.get("stringData").is_none(), "{v}");
    let rows = cells(&c.kube_api(&req("GET", path, TABLE)).value());
    assert_eq!(rows, [["db", "Opaque", "2", "0s"]]);

    // A type change is refused, and so are bad keys and missing type-specific keys.
    let before = c.state().meta.kube.rv;
    let r = c.kube_api(&with_body(
        req("PATCH", &format!("{path}/db"), ""),
        "application/merge-patch+json",
        r#"{"type":"kubernetes.io/tls"}"#,
    ));
    assert_eq!(r.status, 422);
    let msg = r.value()["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with("Secret \"db\" is invalid: [")
            && msg.contains("type: Invalid value: \"kubernetes.io/tls\": field is immutable"),
        "{msg}"
    );
    let (code, v) = post(
        &mut c,
        path,
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bad"},"stringData":{"a b":"x"}}"#,
    );
    assert_eq!(code, 422);
    assert_eq!(
        v["message"],
        "Secret \"bad\" is invalid: data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
    );
    let (code, v) = post(
        &mut c,
        path,
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"reg"},"type":"kubernetes.io/dockerconfigjson","data":{}}"#,
    );
    assert_eq!(code, 422);
    assert_eq!(
        v["message"],
        "Secret \"reg\" is invalid: data[.dockerconfigjson]: Required value"
    );
    assert_eq!(c.state().meta.kube.rv, before);
}

#[test]
fn immutable_config_maps_keep_their_data() {
    let mut c = cluster();
    let path = "/api/v1/namespaces/default/configmaps";
    let (code, v) = post(
        &mut c,
        path,
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"1","b.txt":"2"},"immutable":true}"#,
    );
    assert_eq!(code, 201, "{v}");
    let rows = listed(&mut c, path);
    assert!(
        rows.contains(&vec!["conf".into(), "2".into(), "0s".into()]),
        "{rows:?}"
    );
    let r = c.kube_api(&with_body(
        req("PATCH", &format!("{path}/conf"), ""),
        "application/merge-patch+json",
        r#"{"data":{"a":"9"}}"#,
    ));
    assert_eq!(r.status, 422);
    assert_eq!(
        r.value()["message"],
        "ConfigMap \"conf\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
    );
    // Labels may still change.
    let r = c.kube_api(&with_body(
        req("PATCH", &format!("{path}/conf"), ""),
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"x":"y"}}}"#,
    ));
    assert_eq!(r.status, 200, "{:?}", r.value());
}

#[test]
fn every_namespace_gets_a_default_service_account() {
    let mut c = cluster();
    c.advance(SimDuration::from_secs(1));
    let rows = listed(&mut c, "/api/v1/serviceaccounts");
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["default"; 4], "{rows:?}");
    let (code, _) = post(
        &mut c,
        "/api/v1/namespaces",
        r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"dev"}}"#,
    );
    assert_eq!(code, 201);
    c.advance(SimDuration::from_secs(1));
    let (code, sa) = get(&mut c, "/api/v1/namespaces/dev/serviceaccounts/default");
    assert_eq!(code, 200, "{sa}");
    assert_eq!(
        listed(&mut c, "/api/v1/namespaces/dev/serviceaccounts"),
        [["default", "0", "1s"]]
    );
    // Pods run as it unless they say otherwise.
    let (code, pod) = post(
        &mut c,
        "/api/v1/namespaces/dev/pods",
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#,
    );
    assert_eq!(code, 201);
    assert_eq!(pod["spec"]["serviceAccountName"], "default");
    assert_eq!(pod["spec"]["serviceAccount"], "default");
}

#[test]
fn a_deleted_namespace_terminates_its_contents_then_goes() {
    let mut c = cluster();
    post(
        &mut c,
        "/api/v1/namespaces",
        r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"dev"}}"#,
    );
    let pod = serde_json::json!({"containers": [
        {"name": "sleep", "image": "busybox", "command": ["sh", "-c", "sleep 3600"]}
    ]});
    let dep = crate::kube::manifest::deployment("web", 2, pod).to_string();
    let (code, v) = post(&mut c, "/apis/apps/v1/namespaces/dev/deployments", &dep);
    assert_eq!(code, 201, "{v}");
    post(
        &mut c,
        "/api/v1/namespaces/dev/configmaps",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf"},"data":{"a":"1"}}"#,
    );
    c.advance(SimDuration::from_secs(10));
    let pods = listed(&mut c, "/api/v1/namespaces/dev/pods");
    assert!(
        pods.len() == 2 && pods.iter().all(|p| p[2] == "Running"),
        "{pods:?}"
    );

    let r = c.kube_api(&req("DELETE", "/api/v1/namespaces/dev", ""));
    assert_eq!(r.status, 200);
    let v = r.value();
    assert_eq!(v["status"]["phase"], "Terminating", "{v}");
    assert!(v["metadata"]["deletionTimestamp"].is_string());
    // No new content while it terminates.
    let (code, v) = post(
        &mut c,
        "/api/v1/namespaces/dev/configmaps",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"late"}}"#,
    );
    assert_eq!(code, 403);
    assert_eq!(
        v["message"],
        "configmaps \"late\" is forbidden: unable to create new content in namespace dev because it is being terminated"
    );
    c.advance(SimDuration::from_secs(1));
    // Its pods stop gracefully (a shell as PID 1 ignores SIGTERM: the 30 s grace period);
    // everything else is gone at once.
    let pods = listed(&mut c, "/api/v1/namespaces/dev/pods");
    assert!(
        pods.len() == 2 && pods.iter().all(|p| p[2] == "Terminating"),
        "{pods:?}"
    );
    assert!(listed(&mut c, "/apis/apps/v1/namespaces/dev/deployments").is_empty());
    assert!(listed(&mut c, "/apis/apps/v1/namespaces/dev/replicasets").is_empty());
    assert!(listed(&mut c, "/api/v1/namespaces/dev/configmaps").is_empty());
    let (code, ns) = get(&mut c, "/api/v1/namespaces/dev");
    assert_eq!(
        (code, &ns["status"]["phase"]),
        (200, &Value::from("Terminating"))
    );

    c.advance(SimDuration::from_secs(40));
    let (code, _) = get(&mut c, "/api/v1/namespaces/dev");
    assert_eq!(code, 404);
    let st = c.state();
    for kind in crate::state::Kind::STORED.iter().filter(|k| k.is_kube()) {
        let left = kind.with(Left(st)).unwrap();
        assert_eq!(left, 0, "{kind:?} left in dev");
    }
    // The other namespaces are untouched.
    assert_eq!(listed(&mut c, "/api/v1/namespaces").len(), 4);
}

/// How many objects of a kind are in namespace `dev`.
struct Left<'a>(&'a crate::state::State);
impl crate::state::KindFn for Left<'_> {
    type Out = usize;
    fn call<T: crate::state::Object>(self) -> usize {
        self.0.with_prefix::<T>("dev/").count()
    }
}
