//! `kubectl api-resources`: the resources discovery lists (preferred versions, no
//! subresources), by group then name, filtered by `--namespaced`, `--api-group`,
//! `--verbs` and `--categories`; as a table, `-o wide` (verbs, categories) or `-o name`.

use crate::api::Api;
use crate::discovery::Discovery;
use crate::table::align;
use crate::{Out, finish};
use opsconsole_sim::lang::kubectl::ApiResources;

pub async fn run(api: &Api, a: &ApiResources, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let output = a.output.as_deref().unwrap_or("");
    if !matches!(output, "" | "wide" | "name") {
        return fail(out, &format!("error: --output {output} is not available"));
    }
    let namespaced = match a.namespaced.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(v) => {
            return fail(
                out,
                &format!(
                    "error: invalid argument {v:?} for \"--namespaced\" flag: strconv.ParseBool: parsing {v:?}: invalid syntax\nSee 'kubectl api-resources --help' for usage."
                ),
            );
        }
    };
    let discovery = match Discovery::load(api).await {
        Ok(d) => d,
        Err(e) => return fail(out, &e.to_string()),
    };
    let mut list: Vec<_> = discovery
        .resources
        .iter()
        .filter(|r| r.preferred)
        .filter(|r| namespaced.is_none_or(|n| r.namespaced == n))
        .filter(|r| a.api_group.as_ref().is_none_or(|g| &r.group == g))
        .filter(|r| a.verbs.iter().all(|v| r.verbs.contains(v)))
        .filter(|r| a.categories.iter().all(|c| r.categories.contains(c)))
        .collect();
    match a.sort_by.as_deref() {
        None | Some("") => list.sort_by(|x, y| (&x.group, &x.plural).cmp(&(&y.group, &y.plural))),
        Some("name") => list.sort_by(|x, y| x.plural.cmp(&y.plural)),
        Some("kind") => list.sort_by(|x, y| x.kind.cmp(&y.kind)),
        Some(other) => {
            return fail(
                out,
                &format!("error: --sort-by accepts only name or kind, got {other:?}"),
            );
        }
    }
    if output == "name" {
        for r in &list {
            out.print(&format!("{}\n", r.qualified()));
        }
        return finish(&[], out);
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !a.no_headers {
        let mut h: Vec<String> = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if output == "wide" {
            h.push("VERBS".into());
            h.push("CATEGORIES".into());
        }
        rows.push(h);
    }
    for r in &list {
        let mut row = vec![
            r.plural.clone(),
            r.short_names.join(","),
            r.api_version(),
            r.namespaced.to_string(),
            r.kind.clone(),
        ];
        if output == "wide" {
            let mut verbs = r.verbs.clone();
            verbs.sort();
            row.push(verbs.join(","));
            row.push(r.categories.join(","));
        }
        rows.push(row);
    }
    out.print(&align(&rows));
    0
}
