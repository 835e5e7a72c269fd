//! The API handler in process, as kubectl's requests reach it.

use super::*;
use crate::base::time::SimTime;
use crate::{Cluster, seed_cluster};

pub(super) const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// A pod named `p` with one nginx container.
const POD: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"#;

pub(super) fn cluster() -> Cluster {
    seed_cluster(1, SimTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap())
}

pub(super) fn req(method: &str, path: &str, accept: &str) -> ApiRequest {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    ApiRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        accept: accept.into(),
        server: "127.0.0.1:6443".into(),
        ..Default::default()
    }
}

pub(super) fn with_body(mut r: ApiRequest, ct: &str, body: &str) -> ApiRequest {
    r.content_type = ct.into();
    r.body = body.as_bytes().to_vec();
    r
}

pub(super) fn cells(table: &Value) -> Vec<Vec<String>> {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn the_seed_cluster_is_seed_002s() {
    let mut c = cluster();
    let r = c.kube_api(&req("GET", "/api/v1/nodes", TABLE));
    assert_eq!(r.status, 200);
    let t = r.value();
    let names: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Name",
            "Status",
            "Roles",
            "Age",
            "Version",
            "Internal-IP",
            "External-IP",
            "OS-Image",
            "Kernel-Version",
            "Container-Runtime"
        ]
    );
    let rows = cells(&t);
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0][..3],
        ["192.168.122.11", "Ready", "control-plane,master"]
    );
    assert_eq!(rows[2][..3], ["192.168.122.13", "Ready", "<none>"]);
    assert_eq!(rows[3][4], "v1.32.4");
    assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(
        t["rows"][0]["object"]["metadata"]["labels"]["node-role.kubernetes.io/master"],
        ""
    );
    let ns = c.kube_api(&req("GET", "/api/v1/namespaces", TABLE)).value();
    let names: Vec<String> = cells(&ns).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    let svc = c
        .kube_api(&req("GET", "/api/v1/namespaces/default/services", TABLE))
        .value();
    assert_eq!(
        cells(&svc)[0][..5],
        ["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"]
    );
    // Time passes: ages move.
    c.advance(crate::base::time::SimDuration::from_secs(126));
    let ns = c
        .kube_api(&req("GET", "/api/v1/namespaces/default", TABLE))
        .value();
    assert_eq!(cells(&ns)[0], ["default", "Active", "2m6s"]);
}

#[test]
fn discovery_is_aggregated_when_asked() {
    let mut c = cluster();
    let agg =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    let r = c.kube_api(&req("GET", "/apis", agg));
    assert_eq!(r.content_type, discovery::AGGREGATED);
    let v = r.value();
    let apps = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .unwrap();
    let deploy = &apps["versions"][0]["resources"][0];
    assert_eq!(deploy["resource"], "deployments");
    assert_eq!(deploy["shortNames"][0], "deploy");
    assert_eq!(deploy["subresources"][0]["responseKind"]["kind"], "Scale");
    let legacy = c.kube_api(&req("GET", "/api", "application/json")).value();
    assert_eq!(legacy["kind"], "APIVersions");
    let list = c.kube_api(&req("GET", "/apis/apps/v1", "")).value();
    assert!(
        list["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "deployments/scale")
    );
    assert_eq!(c.kube_api(&req("GET", "/apis/nope/v1", "")).status, 404);
    assert_eq!(
        c.kube_api(&req("GET", "/version", "")).value()["minor"],
        "32"
    );
    let root = c.kube_api(&req("GET", "/openapi/v3", "")).value();
    let url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap();
    let doc = c.kube_api(&req("GET", url, "")).value();
    assert!(
        doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
            .is_object()
    );
}

#[test]
fn objects_are_created_read_replaced_patched_and_deleted() {
    let mut c = cluster();
    let dep = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
        "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
        "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.15-alpine"}]}}}}"#;
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let r = c.kube_api(&with_body(req("POST", path, ""), "application/json", dep));
    assert_eq!(r.status, 201, "{:?}", r.value());
    let v = r.value();
    assert_eq!(v["metadata"]["generation"], 1);
    assert_eq!(v["metadata"]["namespace"], "default");
    assert_eq!(v["metadata"]["uid"].as_str().unwrap().len(), 36);
    let rv1: u64 = v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // A second create is AlreadyExists, and changes nothing.
    let again = c.kube_api(&with_body(req("POST", path, ""), "application/json", dep));
    assert_eq!(again.status, 409);
    assert_eq!(
        again.value()["message"],
        "deployments.apps \"web\" already exists"
    );

    let item = format!("{path}/web");
    let set_image = r#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.16-alpine","name":"nginx"}]}}}}"#;
    let r = c.kube_api(&with_body(
        req("PATCH", &item, ""),
        "application/strategic-merge-patch+json",
        set_image,
    ));
    assert_eq!(r.status, 200, "{:?}", r.value());
    let v = r.value();
    assert_eq!(
        v["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.16-alpine"
    );
    assert_eq!(v["metadata"]["generation"], 2);
    let rv2: u64 = v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv2 > rv1);

    // A label-only change leaves the generation alone.
    let r = c.kube_api(&with_body(
        req("PATCH", &item, ""),
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"tier":"fe"}}}"#,
    ));
    assert_eq!(r.value()["metadata"]["generation"], 2);

    // A stale resourceVersion on PUT is a Conflict.
    let mut stale = r.value();
    stale["metadata"]["resourceVersion"] = json!(rv1.to_string());
    let r = c.kube_api(&with_body(
        req("PUT", &item, ""),
        "application/json",
        &stale.to_string(),
    ));
    assert_eq!(r.status, 409);
    assert!(r.value()["message"].as_str().unwrap().starts_with(
        "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified"
    ));

    let l = c
        .kube_api(&req(
            "GET",
            "/apis/apps/v1/deployments?labelSelector=app%3Dweb",
            "",
        ))
        .value();
    assert_eq!(l["kind"], "DeploymentList");
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let none = c
        .kube_api(&req("GET", &format!("{path}?labelSelector=app%3Dapi"), ""))
        .value();
    assert!(none["items"].as_array().unwrap().is_empty());

    let r = c.kube_api(&req("DELETE", &item, ""));
    assert_eq!(r.value()["status"], "Success");
    let r = c.kube_api(&req("GET", &item, ""));
    assert_eq!(r.status, 404);
    assert_eq!(r.value()["message"], "deployments.apps \"web\" not found");
}

#[test]
fn bad_requests_are_refused_and_change_nothing() {
    let mut c = cluster();
    let before = c.state().meta.kube.rv;
    let path = "/api/v1/namespaces/nope/pods";
    let pod = POD;
    let r = c.kube_api(&with_body(req("POST", path, ""), "application/json", pod));
    assert_eq!(r.status, 404);
    assert_eq!(r.value()["message"], "namespaces \"nope\" not found");
    let r = c.kube_api(&with_body(
        req("POST", "/api/v1/namespaces/default/pods", ""),
        "application/json",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}"#,
    ));
    assert_eq!(r.status, 400, "{:?}", r.value());
    let r = c.kube_api(&with_body(
        req("POST", "/api/v1/namespaces/default/pods", ""),
        "application/json",
        "{not json",
    ));
    assert_eq!(r.status, 400);
    let r = c.kube_api(&req("DELETE", "/api/v1/namespaces/default", ""));
    assert_eq!(r.status, 403);
    assert_eq!(c.kube_api(&req("GET", "/api/v1/frobs", "")).status, 404);
    assert_eq!(c.state().meta.kube.rv, before);
}

#[test]
fn dry_run_changes_are_answered_and_not_made() {
    let mut c = cluster();
    let before = c.state().meta.kube.rv;
    let pods = "/api/v1/namespaces/default/pods";
    let pod = POD;
    let r = c.kube_api(&with_body(
        req("POST", &format!("{pods}?dryRun=All"), ""),
        "application/json",
        pod,
    ));
    assert_eq!(r.status, 201, "{:?}", r.value());
    let v = r.value();
    assert_eq!(v["metadata"]["name"], "p");
    assert!(v["metadata"]["uid"].is_string(), "defaulted as made: {v}");
    assert!(v["metadata"].get("resourceVersion").is_none());
    assert_eq!(v["spec"]["restartPolicy"], "Always");
    assert_eq!(
        c.kube_api(&req("GET", &format!("{pods}/p"), "")).status,
        404
    );
    // The same object for real, then a dry-run patch and delete of it.
    assert_eq!(
        c.kube_api(&with_body(req("POST", pods, ""), "application/json", pod))
            .status,
        201
    );
    let made = c.kube_api(&req("GET", &format!("{pods}/p"), "")).value();
    let r = c.kube_api(&with_body(
        req("PATCH", &format!("{pods}/p?dryRun=All"), ""),
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"x":"y"}}}"#,
    ));
    assert_eq!(r.value()["metadata"]["labels"]["x"], "y");
    assert_eq!(
        r.value()["metadata"]["resourceVersion"],
        made["metadata"]["resourceVersion"]
    );
    let r = c.kube_api(&req("DELETE", &format!("{pods}/p?dryRun=All"), ""));
    assert_eq!(r.status, 200);
    assert_eq!(
        c.kube_api(&req("GET", &format!("{pods}/p"), "")).value(),
        made
    );
    let r = c.kube_api(&req("DELETE", &format!("{pods}/p?dryRun=Some"), ""));
    assert_eq!(r.status, 400);
    assert_eq!(
        c.kube_api(&req("GET", &format!("{pods}/p"), "")).value(),
        made
    );
    assert!(c.state().meta.kube.rv > before);
}

#[test]
fn queries_are_decoded() {
    let q = Query::parse("labelSelector=app%3Dweb%2Ctier+in+%28fe%29&limit=500&watch");
    assert_eq!(q.get("labelSelector"), Some("app=web,tier in (fe)"));
    assert_eq!(q.get("limit"), Some("500"));
    assert_eq!(q.get("watch"), Some(""));
    assert_eq!(percent_decode("100%"), "100%");
}

/// The rows of a list, as kubectl gets them.
pub(super) fn listed(c: &mut Cluster, path: &str) -> Vec<Vec<String>> {
    cells(&c.kube_api(&req("GET", path, TABLE)).value())
}

fn pods(c: &mut Cluster) -> Vec<Vec<String>> {
    listed(c, "/api/v1/namespaces/default/pods")
}

const REPLICASETS: &str = "/apis/apps/v1/namespaces/default/replicasets";

#[test]
fn a_deployment_runs_its_pods_on_the_workers_and_rolls_to_a_new_image() {
    let mut c = cluster();
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let dep = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/seed002/deployment-nginx.yml"
    ))
    .unwrap();
    let r = c.kube_api(&with_body(req("POST", path, ""), "application/yaml", &dep));
    assert_eq!(r.status, 201, "{:?}", r.value());
    c.advance(crate::base::time::SimDuration::from_secs(5));
    // Converged: the controllers ask for no further pass (no busy loop).
    assert_eq!(c.state().meta.kube.sync_at, None);
    let p = pods(&mut c);
    assert_eq!(p.len(), 1, "{p:?}");
    let (name, ready, status, node, ip) = (&p[0][0], &p[0][1], &p[0][2], &p[0][6], &p[0][5]);
    assert_eq!((ready.as_str(), status.as_str()), ("1/1", "Running"));
    let parts: Vec<&str> = name.rsplitn(3, '-').collect();
    assert_eq!(parts[2], "deploy-nginx");
    assert!(
        parts[1].len() >= 9 && parts[1].bytes().all(|b| b"456789bcdf".contains(&b)),
        "{name}"
    );
    assert!(
        node == "192.168.122.13" || node == "192.168.122.14",
        "{node}"
    );
    let block = if node.ends_with(".13") {
        "10.3.166."
    } else {
        "10.3.104."
    };
    assert!(ip.starts_with(block), "{ip} on {node}");
    let rs = listed(&mut c, REPLICASETS);
    assert_eq!(
        rs[0][..4],
        [
            format!("deploy-nginx-{}", parts[1]),
            "1".into(),
            "1".into(),
            "1".into()
        ]
    );
    let d = cells(&c.kube_api(&req("GET", path, TABLE)).value());
    assert_eq!(d[0][..4], ["deploy-nginx", "1/1", "1", "1"]);

    // A deleted pod is replaced by its ReplicaSet.
    let r = c.kube_api(&req(
        "DELETE",
        &format!("/api/v1/namespaces/default/pods/{name}"),
        "",
    ));
    assert_eq!(r.status, 200);
    c.advance(crate::base::time::SimDuration::from_secs(5));
    let p = pods(&mut c);
    assert_eq!(p.len(), 1);
    assert_ne!(&p[0][0], name);
    assert!(p[0][0].starts_with(&format!("deploy-nginx-{}-", parts[1])));

    // Scaled to 4: on the workers only, spread.
    let item = format!("{path}/deploy-nginx");
    let r = c.kube_api(&with_body(
        req("PATCH", &item, ""),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":4}}"#,
    ));
    assert_eq!(r.status, 200);
    c.advance(crate::base::time::SimDuration::from_secs(5));
    let p = pods(&mut c);
    assert_eq!(p.len(), 4);
    assert_eq!(
        p.iter().filter(|r| r[6] == "192.168.122.13").count(),
        2,
        "{p:?}"
    );
    assert_eq!(
        p.iter().filter(|r| r[6] == "192.168.122.14").count(),
        2,
        "{p:?}"
    );

    // A new image rolls: a second ReplicaSet takes over, revision 2.
    let set_image = r#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.16-alpine","name":"nginx"}]}}}}"#;
    let r = c.kube_api(&with_body(
        req("PATCH", &item, ""),
        "application/strategic-merge-patch+json",
        set_image,
    ));
    assert_eq!(r.status, 200);
    c.advance(crate::base::time::SimDuration::from_secs(30));
    let d = c.kube_api(&req("GET", &item, "")).value();
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    assert_eq!(d["status"]["updatedReplicas"], 4, "{d}");
    assert_eq!(d["status"]["availableReplicas"], 4, "{d}");
    let rs = listed(&mut c, REPLICASETS);
    assert_eq!(rs.len(), 2);
    let desired: Vec<&str> = rs.iter().map(|r| r[1].as_str()).collect();
    assert!(desired.contains(&"4") && desired.contains(&"0"), "{rs:?}");
    let p = pods(&mut c);
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(p.iter().all(|r| r[2] == "Running"));

    // Deleting the Deployment takes its ReplicaSets and pods with it.
    assert_eq!(c.kube_api(&req("DELETE", &item, "")).status, 200);
    c.advance(crate::base::time::SimDuration::from_secs(5));
    let left = pods(&mut c);
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(c.state().meta.kube.sync_at, None);
    assert!(listed(&mut c, REPLICASETS).is_empty());
}

#[test]
fn the_scale_subresource_reads_and_sets_replicas() {
    let mut c = cluster();
    let dep = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/seed002/deployment-nginx.yml"
    ))
    .unwrap();
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let r = c.kube_api(&with_body(req("POST", path, ""), "application/yaml", &dep));
    assert_eq!(r.status, 201);
    let scale = format!("{path}/deploy-nginx/scale");
    let s = c.kube_api(&req("GET", &scale, "")).value();
    assert_eq!(s["kind"], "Scale");
    assert_eq!(s["spec"]["replicas"], 1);
    assert_eq!(s["status"]["selector"], "app=nginx");
    let r = c.kube_api(&with_body(
        req("PATCH", &scale, ""),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    ));
    assert_eq!(r.value()["spec"]["replicas"], 3, "{:?}", r.value());
    let d = c
        .kube_api(&req("GET", &format!("{path}/deploy-nginx"), ""))
        .value();
    assert_eq!(d["spec"]["replicas"], 3);
    // A PUT with a stale resourceVersion is a Conflict; a negative count is Invalid.
    let mut stale = s.clone();
    stale["spec"]["replicas"] = json!(5);
    let r = c.kube_api(&with_body(
        req("PUT", &scale, ""),
        "application/json",
        &stale.to_string(),
    ));
    assert_eq!(r.status, 409);
    let r = c.kube_api(&with_body(
        req("PATCH", &scale, ""),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":-1}}"#,
    ));
    assert_eq!(r.status, 422);
    assert!(
        r.value()["message"]
            .as_str()
            .unwrap()
            .contains("must be greater than or equal to 0")
    );
}

fn events(bytes: &[u8]) -> Vec<(String, Value)> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["type"].as_str().unwrap().to_string(), v["object"].clone())
        })
        .collect()
}

fn start_watch(c: &mut Cluster, path: &str, accept: &str) -> (watch::Watch, Vec<u8>) {
    let r = c.kube_api(&req("GET", path, accept));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    match r.stream {
        Some(Stream::Watch(w)) => (*w, r.body),
        _ => panic!("not a watch: {:?}", r.value()),
    }
}

#[test]
fn a_watch_replays_changes_after_its_resource_version_and_follows_new_ones() {
    let mut c = cluster();
    let ns = "/api/v1/namespaces";
    let list = c.kube_api(&req("GET", ns, "")).value();
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    // From "now" (resourceVersion 0): the existing namespaces as synthetic ADDED events.
    let (_, first) = start_watch(&mut c, &format!("{ns}?watch=true&resourceVersion=0"), "");
    let names: Vec<String> = events(&first)
        .iter()
        .map(|(t, o)| format!("{t} {}", o["metadata"]["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            "ADDED default",
            "ADDED kube-node-lease",
            "ADDED kube-public",
            "ADDED kube-system"
        ]
    );
    // From the list's resourceVersion: nothing yet, then each change as it happens.
    let (mut w, first) = start_watch(
        &mut c,
        &format!("{ns}?watch=true&resourceVersion={rv}&allowWatchBookmarks=true"),
        "",
    );
    assert!(first.is_empty());
    let body = r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}"#;
    let r = c.kube_api(&with_body(req("POST", ns, ""), "application/json", body));
    assert_eq!(r.status, 201);
    let patch = r#"{"metadata":{"labels":{"tier":"gold"}}}"#;
    let r = c.kube_api(&with_body(
        req("PATCH", &format!("{ns}/team-a"), ""),
        "application/merge-patch+json",
        patch,
    ));
    assert_eq!(r.status, 200);
    // Both changes arrive as one event with the latest state, but still as ADDED.
    let got = events(&w.poll(c.state(), false));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "ADDED");
    assert_eq!(got[0].1["metadata"]["labels"]["tier"], "gold");
    let rv_after = got[0].1["metadata"]["resourceVersion"].clone();
    assert_eq!(rv_after, r.value()["metadata"]["resourceVersion"]);
    // A pod in another namespace is not a namespace event; a bookmark carries the RV.
    assert!(w.poll(c.state(), false).is_empty());
    let got = events(&w.poll(c.state(), true));
    assert_eq!(got[0].0, "BOOKMARK");
    assert_eq!(got[0].1["kind"], "Namespace");
    assert_eq!(got[0].1["apiVersion"], "v1");
    // A failed request changes nothing and sends nothing.
    let r = c.kube_api(&with_body(req("POST", ns, ""), "application/json", body));
    assert_eq!(r.status, 409);
    assert!(w.poll(c.state(), false).is_empty());
}

#[test]
fn a_table_watch_of_pods_sends_one_row_per_event_and_deletions_carry_a_new_version() {
    let mut c = cluster();
    let pods = "/api/v1/namespaces/default/pods";
    let t = c.kube_api(&req("GET", pods, TABLE)).value();
    let rv = t["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut w, _) = start_watch(
        &mut c,
        &format!("{pods}?watch=true&resourceVersion={rv}"),
        TABLE,
    );
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"nginx:1.14.2"}]}}"#;
    assert_eq!(
        c.kube_api(&with_body(req("POST", pods, ""), "application/json", pod))
            .status,
        201
    );
    let row = |(t, o): &(String, Value)| {
        assert_eq!(o["kind"], "Table");
        assert_eq!(o["rows"].as_array().unwrap().len(), 1);
        format!("{t} {}", o["rows"][0]["cells"][2].as_str().unwrap())
    };
    let got: Vec<String> = events(&w.poll(c.state(), false)).iter().map(row).collect();
    assert_eq!(got, ["ADDED Pending"]);
    // Scheduled, pulled and started: the changes since the last poll, coalesced.
    c.advance(crate::base::time::SimDuration::from_secs(5));
    let got: Vec<String> = events(&w.poll(c.state(), false)).iter().map(row).collect();
    assert_eq!(got, ["MODIFIED Running"]);
    let r = c.kube_api(&req("DELETE", &format!("{pods}/web"), ""));
    assert_eq!(r.status, 200);
    c.advance(crate::base::time::SimDuration::from_secs(40));
    let got = events(&w.poll(c.state(), false));
    let last = got.last().unwrap();
    assert_eq!(last.0, "DELETED");
    let del_rv: u64 = last.1["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(del_rv > rv.parse::<u64>().unwrap());
}

#[test]
fn a_watch_from_before_the_window_gets_an_in_stream_410() {
    let mut c = cluster();
    // A reopened state has an empty window: anything older than now has expired.
    let rv = c.state().meta.kube.rv;
    let (w, first) = start_watch(
        &mut c,
        &format!("/api/v1/namespaces?watch=true&resourceVersion={}", rv - 1),
        "",
    );
    let rebuilt =
        crate::state::State::from_parts(c.state().meta.clone(), c.state().tables().clone());
    let mut w2 = w.clone();
    let got = events(&w2.poll(&rebuilt, false));
    assert!(first.is_empty() || events(&first)[0].0 != "ERROR");
    assert_eq!(got.len(), 0, "{got:?}");
    let r = crate::kube::api::handle(
        &mut rebuilt.clone(),
        &req(
            "GET",
            &format!("/api/v1/namespaces?watch=true&resourceVersion={}", rv - 1),
            "",
        ),
    );
    let got = events(&r.body);
    assert_eq!(got[0].0, "ERROR");
    assert_eq!(got[0].1["code"], 410);
    assert_eq!(got[0].1["reason"], "Expired");
    assert_eq!(
        got[0].1["message"],
        format!("too old resource version: {} ({rv})", rv - 1)
    );
}

#[test]
fn lists_come_in_pages_with_continue_tokens() {
    let mut c = cluster();
    c.advance(crate::base::time::SimDuration::from_secs(30));
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = c
        .kube_api(&req("GET", "/api/v1/pods", "application/json"))
        .value();
    let everything = names(&all);
    assert!(everything.len() > 5, "{everything:?}");
    // Pages of three, following the tokens, give the whole list once, in order.
    let mut seen = Vec::new();
    let mut path = "/api/v1/pods?limit=3".to_string();
    let mut pages = 0;
    loop {
        let page = c.kube_api(&req("GET", &path, "application/json")).value();
        let got = names(&page);
        assert!(got.len() <= 3);
        seen.extend(got);
        pages += 1;
        match page["metadata"]["continue"].as_str() {
            Some(token) => {
                let left = page["metadata"]["remainingItemCount"].as_u64().unwrap();
                assert_eq!(left as usize, everything.len() - seen.len());
                path = format!("/api/v1/pods?limit=3&continue={token}");
            }
            None => break,
        }
    }
    assert_eq!(seen, everything);
    assert_eq!(pages, everything.len().div_ceil(3));
    // Tables page the same way; a bad token is refused.
    let t = c
        .kube_api(&req("GET", "/api/v1/pods?limit=2", TABLE))
        .value();
    assert_eq!(t["rows"].as_array().unwrap().len(), 2);
    assert!(t["metadata"]["continue"].is_string());
    let r = c.kube_api(&req("GET", "/api/v1/pods?limit=2&continue=%%%", TABLE));
    assert_eq!(r.status, 400);
    assert!(
        r.value()["message"]
            .as_str()
            .unwrap()
            .starts_with("continue key is not valid: "),
        "{:?}",
        r.value()
    );
}

#[test]
fn rbac_objects_are_validated_as_the_real_server_validates_them() {
    let mut c = cluster();
    let roles = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles";
    let post = |c: &mut Cluster, path: &str, body: &str| {
        c.kube_api(&with_body(req("POST", path, ""), "application/json", body))
    };
    let r = post(
        &mut c,
        roles,
        r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r"},"rules":[{"resources":["pods"]},{"verbs":["get"],"nonResourceURLs":["/x"]}]}"#,
    );
    assert_eq!(r.status, 422, "{:?}", r.value());
    assert_eq!(
        r.value()["message"],
        "Role.rbac.authorization.k8s.io \"r\" is invalid: [rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[1].nonResourceURLs: Invalid value: []string{\"/x\"}: namespaced rules cannot apply to non-resource URLs]"
    );
    let role = r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"system:reader"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}"#;
    assert_eq!(post(&mut c, roles, role).status, 201);
    let bindings = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings";
    let binding = r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"b"},"subjects":[{"kind":"User","name":"aliang"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"system:reader"}}"#;
    let r = post(&mut c, bindings, binding);
    assert_eq!(r.status, 201, "{:?}", r.value());
    assert_eq!(
        r.value()["subjects"][0]["apiGroup"],
        "rbac.authorization.k8s.io"
    );
    let before = c
        .kube_api(&req("GET", &format!("{bindings}/b"), ""))
        .value();
    let r = c.kube_api(&with_body(
        req("PATCH", &format!("{bindings}/b"), ""),
        "application/merge-patch+json",
        r#"{"roleRef":{"name":"other"}}"#,
    ));
    assert_eq!(r.status, 422);
    assert_eq!(
        r.value()["message"],
        "RoleBinding.rbac.authorization.k8s.io \"b\" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"other\"}: cannot change roleRef"
    );
    assert_eq!(
        c.kube_api(&req("GET", &format!("{bindings}/b"), ""))
            .value(),
        before
    );
    let r = post(
        &mut c,
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"c"},"subjects":[{"kind":"ServiceAccount","name":"x"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"}}"#,
    );
    assert_eq!(r.status, 422);
    let m = r.value()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        m.contains("roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\""),
        "{m}"
    );
    assert!(m.contains("subjects[0].namespace: Required value"), "{m}");
}
