//! `kubectl get`: lists and objects of one or more types, printed from the server's Tables
//! (or as names, or JSON), with kubectl's errors and its "No resources found".

use crate::Out;
use crate::api::{Api, Failure, TABLE};
use crate::discovery::Discovery;
use crate::table::{Shape, align, render};
use crate::target::{asks, list_query};
use opsconsole_sim::lang::kubectl::Get;
use serde_json::{Value, json};

/// The output formats kubectl has; the ones printed here are `wide`, `name` and `json`.
const FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

/// Every page of a list.
async fn list(api: &Api, path: &str, g: &Get, accept: &str) -> Result<Vec<Value>, Failure> {
    let mut pages = Vec::new();
    let limit = g.chunk_size.as_deref().unwrap_or("500");
    let mut cont = String::new();
    loop {
        let url = format!(
            "{path}{}",
            list_query(
                g.selector.as_deref(),
                g.field_selector.as_deref(),
                Some(limit),
                &cont
            )
        );
        let page = api.get(&url, accept).await?;
        cont = page["metadata"]["continue"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        pages.push(page);
        if cont.is_empty() {
            return Ok(pages);
        }
    }
}

/// A single object as a one-row Table page, or as itself.
async fn one(api: &Api, path: &str, accept: &str) -> Result<Value, Failure> {
    api.get(path, accept).await
}

fn rows_of(page: &Value) -> usize {
    page["rows"]
        .as_array()
        .or_else(|| page["items"].as_array())
        .map_or(1, Vec::len)
}

/// An object as `-o json` or `-o yaml` prints it.
fn encode(output: &str, v: &Value) -> String {
    if output == "yaml" {
        crate::yaml::to_go_yaml(v)
    } else {
        crate::json::to_go_json(v)
    }
}

pub async fn run(api: &Api, namespace: &str, g: &Get, out: &mut Out) -> i32 {
    let output = g.output.as_deref().unwrap_or("");
    let known = FORMATS
        .split(',')
        .any(|f| output == f || output.starts_with(&format!("{f}=")) || output.is_empty());
    if !known {
        out.eprint(&format!(
            "error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: {FORMATS}\n"
        ));
        return 1;
    }
    if !matches!(output, "" | "wide" | "name" | "json" | "yaml") {
        out.eprint(&format!(
            "error: opsconsole does not print -o {output} yet\n"
        ));
        return 1;
    }
    if g.args.is_empty() {
        out.eprint("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n");
        return 1;
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            return 1;
        }
    };
    let (asks, expanded) = match asks(&discovery, &g.args) {
        Ok(a) => a,
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            return 1;
        }
    };
    let with_kind = g.show_kind || expanded || asks.len() > 1;
    let json_out = output == "json" || output == "yaml";
    let accept = if json_out { "application/json" } else { TABLE };
    let ns = (!g.all_namespaces).then_some(namespace);
    let mut errors: Vec<String> = Vec::new();
    let mut printed_tables = 0;
    let mut objects: Vec<Value> = Vec::new();
    let mut names_out = String::new();
    let mut single = false;
    let mut any_namespaced = false;
    for ask in &asks {
        let res = ask.res;
        any_namespaced |= res.namespaced;
        let base = res.path(ns);
        let pages: Vec<Value> = if ask.names.is_empty() {
            match list(api, &base, g, accept).await {
                Ok(p) => p,
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            }
        } else {
            single = asks.len() == 1 && ask.names.len() == 1;
            let mut pages = Vec::new();
            for name in &ask.names {
                match one(api, &format!("{base}/{name}"), accept).await {
                    Ok(p) => pages.push(p),
                    Err(e) if e.is_not_found() && g.ignore_not_found => {}
                    Err(e) => errors.push(e.to_string()),
                }
            }
            pages
        };
        if pages.iter().map(rows_of).sum::<usize>() == 0 {
            continue;
        }
        if json_out {
            for p in pages {
                match p["items"].as_array() {
                    Some(items) if p["kind"].as_str().is_some_and(|k| k.ends_with("List")) => {
                        for mut item in items.iter().cloned() {
                            item["apiVersion"] = json!(res.api_version());
                            item["kind"] = json!(res.kind);
                            objects.push(item);
                        }
                    }
                    _ => objects.push(p),
                }
            }
            continue;
        }
        if output == "name" {
            for p in &pages {
                for row in p["rows"].as_array().into_iter().flatten() {
                    let name = row["object"]["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default();
                    names_out.push_str(&format!("{}/{name}\n", res.kind_name()));
                }
            }
            continue;
        }
        let shape = Shape {
            wide: output == "wide",
            namespace_column: g.all_namespaces && res.namespaced,
            kind_prefix: with_kind.then(|| res.kind_name()),
            show_labels: g.show_labels,
            no_headers: g.no_headers,
        };
        if printed_tables > 0 {
            out.print("\n");
        }
        out.print(&align(&render(&pages, &shape)));
        printed_tables += 1;
    }
    if json_out && !objects.is_empty() {
        let doc = if single && objects.len() == 1 {
            objects.remove(0)
        } else {
            json!({"apiVersion": "v1", "items": objects, "kind": "List", "metadata": {"resourceVersion": ""}})
        };
        out.print(&encode(output, &doc));
    }
    out.print(&names_out);
    let nothing = printed_tables == 0 && objects.is_empty() && names_out.is_empty();
    if nothing && errors.is_empty() && asks.iter().all(|a| a.names.is_empty()) {
        if json_out {
            out.print(&encode(output, &json!({"apiVersion": "v1", "items": [], "kind": "List", "metadata": {"resourceVersion": ""}})));
        } else if any_namespaced && !g.all_namespaces {
            out.eprint(&format!("No resources found in {namespace} namespace.\n"));
        } else {
            out.eprint("No resources found\n");
        }
    }
    for e in &errors {
        out.eprint(&format!("{e}\n"));
    }
    if errors.is_empty() { 0 } else { 1 }
}
