//! `kubectl get`: lists and objects of one or more types, printed from the server's Tables
//! (or as names, JSON, YAML, JSONPath or custom columns), sorted with `--sort-by`, with
//! label columns (`-L`), kubectl's errors and its "No resources found".

use crate::Out;
use crate::api::{Api, Failure, TABLE};
use crate::discovery::Discovery;
use crate::printer::{self, Format, GET_FORMATS};
use crate::table::{Shape, align, render};
use crate::target::{asks, list_query};
use opsconsole_sim::lang::kubectl::Get;
use serde_json::{Value, json};

/// Every page of a list.
async fn list(api: &Api, path: &str, g: &Get, accept: &str) -> Result<Vec<Value>, Failure> {
    let mut pages = Vec::new();
    let limit = g.chunk_size.as_deref().unwrap_or("500");
    let mut cont = String::new();
    let extra = if accept == TABLE && g.sort_by.is_some() {
        "&includeObject=Object"
    } else {
        ""
    };
    loop {
        let q = list_query(
            g.selector.as_deref(),
            g.field_selector.as_deref(),
            Some(limit),
            &cont,
        );
        let url = match (q.is_empty(), extra.is_empty()) {
            (_, true) => format!("{path}{q}"),
            (true, false) => format!("{path}?{}", &extra[1..]),
            (false, false) => format!("{path}{q}{extra}"),
        };
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

fn rows_of(page: &Value) -> usize {
    page["rows"]
        .as_array()
        .or_else(|| page["items"].as_array())
        .map_or(1, Vec::len)
}

/// The label keys of `-L` (each flag may list several, comma-separated).
fn label_keys(g: &Get) -> Vec<String> {
    g.label_columns
        .iter()
        .flat_map(|l| l.split(','))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The objects of a page (a list's items with their kind, or the object itself).
fn objects_of(page: Value, api_version: &str, kind: &str) -> Vec<Value> {
    let is_list = page["kind"].as_str().is_some_and(|k| k.ends_with("List"));
    match (is_list, page) {
        (true, Value::Object(mut m)) => {
            let items = m.remove("items").and_then(|v| match v {
                Value::Array(a) => Some(a),
                _ => None,
            });
            items
                .unwrap_or_default()
                .into_iter()
                .map(|mut item| {
                    item["apiVersion"] = json!(api_version);
                    item["kind"] = json!(kind);
                    item
                })
                .collect()
        }
        (_, page) => vec![page],
    }
}

/// Sorts the rows of Tables by their objects' field (`--sort-by` on a table).
fn sort_rows(pages: &mut [Value], field: &str) -> Result<(), String> {
    let mut rows: Vec<Value> = pages
        .iter_mut()
        .flat_map(|p| {
            p["rows"]
                .as_array_mut()
                .map(std::mem::take)
                .unwrap_or_default()
        })
        .collect();
    let mut objs: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut o = r["object"].clone();
            o["__row"] = json!(i);
            o
        })
        .collect();
    printer::sort_by(&mut objs, field)?;
    let order: Vec<usize> = objs
        .iter()
        .map(|o| o["__row"].as_u64().unwrap_or(0) as usize)
        .collect();
    let sorted: Vec<Value> = order
        .iter()
        .map(|&i| std::mem::take(&mut rows[i]))
        .collect();
    if let Some(first) = pages.first_mut() {
        first["rows"] = Value::Array(sorted);
    }
    Ok(())
}

pub async fn run(api: &Api, namespace: &str, g: &Get, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let format = match printer::parse(g.output.as_deref(), g.template.as_deref(), GET_FORMATS) {
        Ok(f) => f,
        Err(e) => return fail(out, &e),
    };
    if g.args.is_empty() {
        out.eprint("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n");
        return 1;
    }
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let (asks, expanded) = match asks(&discovery, &g.args) {
        Ok(a) => a,
        Err(e) => return fail(out, &e),
    };
    if g.watch || g.watch_only {
        return crate::watch::get(api, namespace, g, &asks, &format, out).await;
    }
    let with_kind = g.show_kind || expanded || asks.len() > 1;
    let accept = if format.needs_objects() {
        "application/json"
    } else {
        TABLE
    };
    let ns = (!g.all_namespaces).then_some(namespace);
    let mut errors: Vec<String> = Vec::new();
    let mut printed_tables = 0;
    let mut objects: Vec<Value> = Vec::new();
    let mut names_out = String::new();
    let mut single = false;
    let mut any_namespaced = false;
    let labels = label_keys(g);
    for ask in &asks {
        let res = ask.res;
        any_namespaced |= res.namespaced;
        let base = res.path(ns);
        let mut pages: Vec<Value> = if ask.names.is_empty() {
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
                let url = if accept == TABLE && g.sort_by.is_some() {
                    format!("{base}/{name}?includeObject=Object")
                } else {
                    format!("{base}/{name}")
                };
                match api.get(&url, accept).await {
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
        if format.needs_objects() {
            for p in pages {
                objects.extend(objects_of(p, &res.api_version(), &res.kind));
            }
            continue;
        }
        if let Some(field) = &g.sort_by
            && sort_rows(&mut pages, field).is_err()
        {
            // kubectl's table sorter finds no such field and prints no rows.
            continue;
        }
        if matches!(format, Format::Name) {
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
            wide: matches!(format, Format::Table { wide: true }),
            namespace_column: g.all_namespaces && res.namespaced,
            kind_prefix: with_kind.then(|| res.kind_name()),
            show_labels: g.show_labels,
            no_headers: g.no_headers,
            label_columns: labels.clone(),
        };
        if printed_tables > 0 {
            out.print("\n");
        }
        out.print(&align(&render(&pages, &shape)));
        printed_tables += 1;
    }
    if !objects.is_empty() {
        if let Some(field) = &g.sort_by
            && let Err(e) = printer::sort_by(&mut objects, field)
        {
            return fail(out, &e);
        }
        match printer::print(&format, objects.clone(), single, g.no_headers) {
            Ok(text) => out.print(&text),
            Err(e) => errors.push(e),
        }
    }
    out.print(&names_out);
    let nothing = printed_tables == 0 && objects.is_empty() && names_out.is_empty();
    if nothing && errors.is_empty() && asks.iter().all(|a| a.names.is_empty()) {
        if matches!(format, Format::Json | Format::Yaml) {
            let empty = printer::print(&format, Vec::new(), false, g.no_headers);
            out.print(&empty.unwrap_or_default());
        } else if any_namespaced && !g.all_namespaces {
            out.eprint(&format!("No resources found in {namespace} namespace.\n"));
        } else {
            out.eprint("No resources found\n");
        }
    }
    crate::finish(&errors, out)
}
