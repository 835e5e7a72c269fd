//! `kubectl get -w` / `--watch-only`: the list (unless `--watch-only`), then a line (or an
//! object) for every change, until interrupted; each event's row aligned on its own, as
//! kubectl flushes its tabwriter after every event.

use crate::Out;
use crate::api::{Api, TABLE, enc};
use crate::printer::{self, Format};
use crate::table::{Shape, align, render};
use crate::target::{Ask, list_query};
use futures::StreamExt;
use opsconsole_sim::lang::kubectl::Get;
use serde_json::Value;

pub async fn get(
    api: &Api,
    namespace: &str,
    g: &Get,
    asks: &[Ask<'_>],
    format: &Format,
    out: &mut Out,
) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let names: usize = asks.iter().map(|a| a.names.len().max(1)).sum();
    if asks.len() != 1 || names != 1 {
        return fail(
            out,
            &format!(
                "error: watch is only supported on individual resources and resource collections, but {names} resources were found"
            ),
        );
    }
    let ask = &asks[0];
    let res = ask.res;
    let ns = (!g.all_namespaces).then_some(namespace);
    let mut field = g.field_selector.clone();
    if let Some(name) = ask.names.first() {
        field = Some(match field {
            Some(f) => format!("{f},metadata.name={name}"),
            None => format!("metadata.name={name}"),
        });
    }
    let accept = if format.needs_objects() {
        "application/json"
    } else {
        TABLE
    };
    let base = res.path(ns);
    let list_url = format!(
        "{base}{}",
        list_query(g.selector.as_deref(), field.as_deref(), None, "")
    );
    let first = match api.get(&list_url, accept).await {
        Ok(v) => v,
        Err(e) => return fail(out, &e.to_string()),
    };
    let rv = first["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let shape = Shape {
        wide: matches!(format, Format::Table { wide: true }),
        namespace_column: g.all_namespaces && res.namespaced,
        kind_prefix: g.show_kind.then(|| res.kind_name()),
        show_labels: g.show_labels,
        no_headers: g.no_headers,
        label_columns: Vec::new(),
    };
    let mut headers_done = g.no_headers;
    let print = |out: &mut Out, page: Value, headers_done: &mut bool| match format {
        Format::Table { .. } => {
            let rows = page["rows"].as_array().map_or(0, Vec::len);
            if rows == 0 && *headers_done {
                return;
            }
            let shape = Shape {
                no_headers: *headers_done,
                ..shape.clone()
            };
            if rows == 0 {
                return;
            }
            out.print(&align(&render(&[page], &shape)));
            *headers_done = true;
        }
        Format::Name => {
            for row in page["rows"].as_array().into_iter().flatten() {
                let n = row["object"]["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default();
                out.print(&format!("{}/{n}\n", res.kind_name()));
            }
        }
        f => {
            let objs: Vec<Value> = match page["items"].as_array() {
                Some(items) => items.clone(),
                None => vec![page],
            };
            for o in objs {
                match printer::print(f, vec![o], true, true) {
                    Ok(t) => out.print(&t),
                    Err(e) => out.eprint(&format!("{e}\n")),
                }
            }
        }
    };
    if !g.watch_only {
        let empty = first["rows"]
            .as_array()
            .or(first["items"].as_array())
            .is_none_or(Vec::is_empty);
        if empty {
            if res.namespaced && !g.all_namespaces {
                out.eprint(&format!("No resources found in {namespace} namespace.\n"));
            } else {
                out.eprint("No resources found\n");
            }
        } else {
            print(out, first, &mut headers_done);
        }
        out.flush_to_terminal();
    }
    let mut url = format!("{base}?watch=true&resourceVersion={}", enc(&rv));
    if let Some(s) = &g.selector {
        url.push_str(&format!("&labelSelector={}", enc(s)));
    }
    if let Some(f) = &field {
        url.push_str(&format!("&fieldSelector={}", enc(f)));
    }
    let events = match api.watch_as(&url, accept).await {
        Ok(e) => e,
        Err(e) => return fail(out, &e.to_string()),
    };
    let mut events = std::pin::pin!(events);
    while let Some(ev) = events.next().await {
        match ev {
            Ok(("BOOKMARK", _)) => {}
            Ok((_, obj)) => {
                print(out, obj, &mut headers_done);
                out.flush_to_terminal();
            }
            Err(e) => return fail(out, &e.to_string()),
        }
    }
    0
}
