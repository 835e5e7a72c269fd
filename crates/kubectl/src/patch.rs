//! `kubectl patch`: a strategic merge patch (the default), a JSON merge patch or a JSON patch,
//! given as JSON or YAML with `-p` or in a file, sent to each named object (or one of its
//! subresources); kubectl's words for what happened, `(no change)` when the server's object
//! came back exactly as it was read.

use crate::Out;
use crate::api::Api;
use crate::target::{NOTHING_NAMED, named, printing_and_types};
use opsconsole_sim::lang::kubectl::Patch;
use serde_json::Value;

/// The patch's content type for `--type`.
fn content_type(kind: Option<&str>) -> Result<&'static str, String> {
    match kind.unwrap_or("strategic") {
        "strategic" => Ok("strategic-merge-patch+json"),
        "merge" => Ok("merge-patch+json"),
        "json" => Ok("json-patch+json"),
        other => Err(format!(
            "error: --type must be one of [json merge strategic], not {other:?}"
        )),
    }
}

/// The patch's body: JSON as given (the server judges it, as kubectl leaves it to), YAML
/// turned into JSON.
fn body(text: &str) -> Result<Vec<u8>, String> {
    if text.trim_start().starts_with(['{', '[']) {
        return Ok(text.as_bytes().to_vec());
    }
    serde_saphyr::from_str::<Value>(text)
        .map(|v| serde_json::to_vec(&v).unwrap_or_default())
        .map_err(|e| {
            let e = e.to_string();
            let e = e.lines().next().unwrap_or_default().to_string();
            format!("error: unable to parse {text:?}: yaml: {e}")
        })
}

/// The patch's text: `-p`, or the file `--patch-file` names.
fn text(p: &Patch) -> Result<String, String> {
    match (&p.patch, &p.patch_file) {
        (Some(_), Some(_)) => Err("error: cannot specify --patch and --patch-file together".into()),
        (Some(t), None) => Ok(t.clone()),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| format!("error: unable to read patch file: open {f}: {e}")),
        (None, None) => Err(
            "error: must specify --patch or --patch-file containing the contents of the patch"
                .into(),
        ),
    }
}

pub async fn run(api: &Api, namespace: &str, enforce: bool, p: &Patch, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let prepared = content_type(p.kind.as_deref()).and_then(|ct| Ok((ct, body(&text(p)?)?)));
    let (ct, body) = match prepared {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    if p.local {
        return fail(out, "error: opsconsole does not patch --local yet");
    }
    if p.targets.args.is_empty() && p.targets.filenames.is_empty() {
        return fail(out, NOTHING_NAMED);
    }
    let (format, discovery) = match printing_and_types(api, p.output.as_deref()).await {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    let (found, mut errors) =
        match named(api, &discovery, &p.targets, namespace, enforce, out).await {
            Ok(x) => x,
            Err(e) => return fail(out, &e),
        };
    let dry = p.dry_run.as_deref().filter(|d| *d != "none");
    for t in &found.targets {
        let mut path = t.path();
        if let Some(sub) = &p.subresource {
            path = format!("{path}/{sub}");
        }
        let before = match api.get(&path, "application/json").await {
            Ok(v) => v,
            Err(e) => {
                errors.push(e.report());
                continue;
            }
        };
        let manager = p.field_manager.as_deref().unwrap_or("kubectl-patch");
        let mut url = format!("{path}?fieldManager={}", crate::api::enc(manager));
        if dry == Some("server") {
            url.push_str("&dryRun=All");
        }
        let after = if dry == Some("client") {
            // Sent nowhere: what the server holds stands for the result.
            before.clone()
        } else {
            let ct = format!("application/{ct}");
            match api
                .call("PATCH", &url, "application/json", body.clone(), &ct)
                .await
            {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e.report());
                    continue;
                }
            }
        };
        // kubectl's test: the object it read against the one the patch gave back (dry runs
        // are worded as real ones).
        let message = if dry != Some("client") && before == after {
            "patched (no change)"
        } else {
            "patched"
        };
        match crate::printer::changed(&format, &t.slash_name(), &after, message) {
            Ok(text) => out.print(&text),
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        out.eprint(&format!("{e}\n"));
    }
    if errors.is_empty() { 0 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_read_as_json_or_yaml_and_typed() {
        assert_eq!(content_type(None), Ok("strategic-merge-patch+json"));
        assert_eq!(content_type(Some("json")), Ok("json-patch+json"));
        assert!(
            content_type(Some("apply"))
                .unwrap_err()
                .contains("[json merge strategic]")
        );
        assert_eq!(body(r#"{"spec":"#).unwrap(), br#"{"spec":"#.to_vec());
        assert_eq!(
            body("spec:\n  suspend: false\n").unwrap(),
            br#"{"spec":{"suspend":false}}"#.to_vec()
        );
        assert!(
            body("a: [")
                .unwrap_err()
                .starts_with("error: unable to parse")
        );
    }
}
