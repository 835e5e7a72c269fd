//! `kubectl apply -f` (client-side apply: the last applied configuration kept in an
//! annotation, changes sent as a three-way strategic merge patch; or `--server-side`, an
//! apply patch) and `kubectl create -f`, with kubectl's messages and errors.

use crate::api::{Api, Failure, enc};
use crate::discovery::{Discovery, Resource};
use crate::manifest::{self, Doc};
use crate::smp::three_way;
use crate::{Out, finish};
use opsconsole_sim::lang::kubectl::{Apply, Create};
use serde_json::{Value, json};
use std::borrow::Cow;

/// kubectl's annotation with the configuration last applied.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A manifest's object, mapped to its resource and namespace.
pub struct Item<'a> {
    pub doc: Doc,
    pub res: Cow<'a, Resource>,
    pub namespace: Option<String>,
}

impl Item<'_> {
    pub fn name(&self) -> &str {
        self.doc.name()
    }
    /// Its URL.
    pub fn path(&self) -> String {
        format!("{}/{}", self.collection(), self.name())
    }
    /// Its collection's URL.
    pub fn collection(&self) -> String {
        self.res.path(self.namespace.as_deref())
    }
    /// `deployment.apps/web`.
    pub fn slash_name(&self) -> String {
        format!("{}/{}", self.res.kind_name(), self.name())
    }
}

/// How a command reads its `-f` objects.
pub struct Reading<'a> {
    pub filenames: &'a [String],
    pub recursive: bool,
    /// The namespace objects without one go to.
    pub namespace: &'a str,
    /// `-n` was given: an object in another namespace is an error.
    pub enforce: bool,
    /// Client-side checks of `apiVersion` and `kind` (`--validate` not off).
    pub validate: bool,
}

/// The objects of the `-f` files, each mapped as kubectl's resource builder maps them; the
/// errors of those that could not be (kubectl reports them after acting on the rest).
/// `Err`: nothing could be read.
pub fn objects<'a>(
    d: &'a Discovery,
    r: &Reading,
    stdin: &mut dyn FnMut() -> Result<String, String>,
) -> Result<(Vec<Item<'a>>, Vec<String>), String> {
    let docs = manifest::read(r.filenames, r.recursive, stdin)?;
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for doc in docs {
        if r.validate {
            let mut missing = Vec::new();
            if doc.object.get("apiVersion").is_none_or(Value::is_null) {
                missing.push("apiVersion not set");
            }
            if doc.object.get("kind").is_none_or(Value::is_null) {
                missing.push("kind not set");
            }
            if !missing.is_empty() {
                let what = match missing.as_slice() {
                    [one] => one.to_string(),
                    many => format!("[{}]", many.join(", ")),
                };
                errors.push(format!(
                    "error: error validating \"{}\": error validating data: {what}; if you choose to ignore these errors, turn validation off with --validate=false",
                    doc.source
                ));
                continue;
            }
        }
        if doc.kind().is_empty() {
            errors.push(format!(
                "error: unable to decode \"{}\": Object 'Kind' is missing in '{}'",
                doc.source,
                crate::json::to_go_compact(&doc.object).trim_end()
            ));
            continue;
        }
        let found = match doc.api_version() {
            "" => d.core_kind_unversioned(doc.kind()),
            v => d.for_kind(v, doc.kind()).map(Cow::Borrowed),
        };
        let Some(res) = found else {
            errors.push(format!(
                "error: resource mapping not found for name: \"{}\" namespace: \"{}\" from \"{}\": no matches for kind \"{}\" in version \"{}\"\nensure CRDs are installed first",
                doc.name(),
                doc.namespace().unwrap_or_default(),
                doc.source,
                doc.kind(),
                doc.api_version()
            ));
            continue;
        };
        let namespace = if res.namespaced {
            match doc.namespace() {
                Some(ns) if r.enforce && ns != r.namespace => {
                    errors.push(format!(
                        "error: the namespace from the provided object \"{ns}\" does not match the namespace \"{}\". You must pass '--namespace={ns}' to perform this operation.",
                        r.namespace
                    ));
                    continue;
                }
                Some(ns) => Some(ns.to_string()),
                None => Some(r.namespace.to_string()),
            }
        } else {
            None
        };
        let mut doc = doc;
        if let Some(ns) = &namespace {
            doc.object["metadata"]["namespace"] = json!(ns);
        }
        items.push(Item {
            doc,
            res,
            namespace,
        });
    }
    Ok((items, errors))
}

/// The object with its last applied configuration in the annotation (kubectl's
/// `GetModifiedConfiguration`): the object as given, its annotations without the old one
/// (`{}` when none), as Go writes it; then the object with that as the annotation.
pub fn with_last_applied(object: &Value) -> Value {
    let mut bare = object.clone();
    let mut annotations = bare["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.remove(LAST_APPLIED);
    bare["metadata"]["annotations"] = Value::Object(annotations.clone());
    let text = crate::json::to_go_compact(&bare);
    annotations.insert(LAST_APPLIED.into(), json!(text));
    bare["metadata"]["annotations"] = Value::Object(annotations);
    bare
}

/// `--validate`'s value as the `fieldValidation` the server is asked for.
fn field_validation(v: Option<&str>) -> Result<&'static str, String> {
    match v.unwrap_or("strict").to_lowercase().as_str() {
        "strict" | "true" => Ok("Strict"),
        "warn" => Ok("Warn"),
        "ignore" | "false" => Ok("Ignore"),
        other => Err(format!(
            "error: invalid - validate option \"{other}\"; must be one of: strict (or true), warn, ignore (or false)"
        )),
    }
}

/// `--dry-run`'s value, already read (see `run_api`): `none`, `client` or `server`.
fn dry_run(v: Option<&str>) -> Result<&'static str, String> {
    Ok(match v {
        Some("client") => "client",
        Some("server") => "server",
        _ => "none",
    })
}

fn suffix(dry: &str) -> &'static str {
    match dry {
        "client" => " (dry run)",
        "server" => " (server dry run)",
        _ => "",
    }
}

/// What kubectl prints for one object it wrote.
fn printed(output: Option<&str>, item: &Item, object: &Value, message: &str) -> String {
    let format = crate::printer::parse(output, None, crate::printer::CHANGE_FORMATS)
        .unwrap_or(crate::printer::Format::Table { wide: false });
    crate::printer::changed(&format, &item.slash_name(), object, message).unwrap_or_else(|e| e)
}

fn check_output(output: Option<&str>) -> Result<(), String> {
    crate::printer::parse(output, None, crate::printer::CHANGE_FORMATS).map(drop)
}

/// The query of a write: field manager, validation, dry run.
fn query(manager: &str, validation: &str, dry: &str) -> String {
    let mut q = format!(
        "?fieldManager={}&fieldValidation={validation}",
        enc(manager)
    );
    if dry == "server" {
        q.push_str("&dryRun=All");
    }
    q
}

/// Reads the objects for a command; on failure prints kubectl's error.
async fn load<'a>(
    api: &Api,
    d: &'a mut Option<Discovery>,
    r: &Reading<'_>,
    out: &mut Out,
) -> Option<(Vec<Item<'a>>, Vec<String>)> {
    match Discovery::load(api).await {
        Ok(found) => *d = Some(found),
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            return None;
        }
    }
    let discovery = d.as_ref()?;
    let mut stdin = out.stdin_reader();
    match objects(discovery, r, &mut stdin) {
        Ok(x) => Some(x),
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            None
        }
    }
}

/// `--validate`, `--dry-run` and `-o` of a command that writes objects: the field
/// validation to ask for and the dry-run mode.
fn write_options(
    validate: Option<&str>,
    dry: Option<&str>,
    output: Option<&str>,
) -> Result<(&'static str, &'static str), String> {
    let v = field_validation(validate)?;
    let d = dry_run(dry)?;
    check_output(output)?;
    Ok((v, d))
}

/// The objects for a command that needs at least one (`no objects passed to VERB`).
async fn load_some<'a>(
    api: &Api,
    d: &'a mut Option<Discovery>,
    r: &Reading<'_>,
    verb: &str,
    out: &mut Out,
) -> Option<(Vec<Item<'a>>, Vec<String>)> {
    let (items, errors) = load(api, d, r, out).await?;
    if items.is_empty() && errors.is_empty() {
        out.eprint(&format!("error: no objects passed to {verb}\n"));
        return None;
    }
    Some((items, errors))
}

/// Client-side apply of one object: what kubectl prints for it.
async fn apply_one(
    api: &Api,
    item: &Item<'_>,
    a: &Apply,
    validation: &str,
    dry: &str,
    out: &mut Out,
) -> Result<String, String> {
    let modified = with_last_applied(&item.doc.object);
    let manager = a
        .field_manager
        .as_deref()
        .unwrap_or("kubectl-client-side-apply");
    let current = match api.get(&item.path(), "application/json").await {
        Ok(v) => Some(v),
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            return Err(e
                .with_source("retrieving current configuration of", &item.doc.source)
                .report());
        }
    };
    let Some(current) = current else {
        if dry == "client" {
            return Ok(printed(
                a.output.as_deref(),
                item,
                &modified,
                &format!("created{}", suffix(dry)),
            ));
        }
        let body = serde_json::to_vec(&modified).unwrap_or_default();
        let url = format!("{}{}", item.collection(), query(manager, validation, dry));
        let made = api
            .call("POST", &url, "application/json", body, "application/json")
            .await
            .map_err(|e| e.with_source("creating", &item.doc.source).report())?;
        return Ok(printed(
            a.output.as_deref(),
            item,
            &made,
            &format!("created{}", suffix(dry)),
        ));
    };
    let original: Option<Value> = current["metadata"]["annotations"][LAST_APPLIED]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok());
    if original.is_none() {
        out.eprint(&format!(
            "Warning: resource {}/{} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
            item.res.plural,
            item.name()
        ));
    }
    let patch = three_way(original.as_ref(), &modified, &current);
    if patch.as_object().is_some_and(|m| m.is_empty()) {
        return Ok(printed(
            a.output.as_deref(),
            item,
            &current,
            &format!("unchanged{}", suffix(dry)),
        ));
    }
    if dry == "client" {
        return Ok(printed(
            a.output.as_deref(),
            item,
            &current,
            &format!("configured{}", suffix(dry)),
        ));
    }
    let url = format!("{}{}", item.path(), query(manager, validation, dry));
    let patched = api.patch(&url, "strategic-merge-patch+json", &patch)
        .await
        .map_err(|e| {
            let gvk = format!(
                "Resource: \"{}, Resource={}\", GroupVersionKind: \"{}, Kind={}\"",
                item.res.api_version(),
                item.res.plural,
                item.res.api_version(),
                item.res.kind
            );
            let head = format!(
                "error when applying patch:\n{}\nto:\n{gvk}\nName: \"{}\", Namespace: \"{}\"\nfor: \"{}\"",
                crate::json::to_go_compact(&patch).trim_end(),
                item.name(),
                item.namespace.as_deref().unwrap_or_default(),
                item.doc.source
            );
            match e {
                Failure::Status {
                    code,
                    reason,
                    message,
                    details,
                } if reason != "Invalid" => Failure::Status {
                    code,
                    reason,
                    message: format!("{head}: error when patching \"{}\": {message}", item.doc.source),
                    details,
                }
                .report(),
                e => e.report(),
            }
        })?;
    Ok(printed(
        a.output.as_deref(),
        item,
        &patched,
        &format!("configured{}", suffix(dry)),
    ))
}

/// Server-side apply of one object: an apply patch, which creates it if it is absent.
async fn server_side_one(
    api: &Api,
    item: &Item<'_>,
    a: &Apply,
    validation: &str,
    dry: &str,
) -> Result<String, String> {
    let manager = a.field_manager.as_deref().unwrap_or("kubectl");
    let mut url = format!("{}{}", item.path(), query(manager, validation, dry));
    url.push_str(if a.force_conflicts {
        "&force=true"
    } else {
        "&force=false"
    });
    let applied = api
        .patch(&url, "apply-patch+yaml", &item.doc.object)
        .await
        .map_err(|e| e.report())?;
    Ok(printed(
        a.output.as_deref(),
        item,
        &applied,
        &format!("serverside-applied{}", suffix(dry)),
    ))
}

pub async fn apply(api: &Api, namespace: &str, enforce: bool, a: &Apply, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    if a.kustomize.is_some() {
        return fail(out, "error: opsconsole does not run kustomize (-k) yet");
    }
    if a.filenames.is_empty() {
        return fail(out, "error: must specify one of -f and -k");
    }
    let (validation, dry) = match write_options(
        a.validate.as_deref(),
        a.dry_run.as_deref(),
        a.output.as_deref(),
    ) {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    if a.force_conflicts && !a.server_side {
        return fail(
            out,
            "error: --force-conflicts only works with --server-side",
        );
    }
    let reading = Reading {
        filenames: &a.filenames,
        recursive: a.recursive,
        namespace,
        enforce,
        validate: validation != "Ignore",
    };
    let mut d = None;
    let Some((items, mut errors)) = load_some(api, &mut d, &reading, "apply", out).await else {
        return 1;
    };
    for item in &items {
        let done = if a.server_side {
            server_side_one(api, item, a, validation, dry).await
        } else {
            apply_one(api, item, a, validation, dry, out).await
        };
        match done {
            Ok(line) => out.print(&line),
            Err(e) => errors.push(e),
        }
    }
    finish(&errors, out)
}

/// `kubectl create -f`: each object posted as it is (with `--save-config`, with the last
/// applied configuration).
pub async fn create(api: &Api, namespace: &str, enforce: bool, c: &Create, out: &mut Out) -> i32 {
    let fail = |out: &mut Out, e: &str| {
        out.eprint(&format!("{e}\n"));
        1
    };
    let (validation, dry) = match write_options(
        c.validate.as_deref(),
        c.dry_run.as_deref(),
        c.output.as_deref(),
    ) {
        Ok(x) => x,
        Err(e) => return fail(out, &e),
    };
    let reading = Reading {
        filenames: &c.filenames,
        recursive: c.recursive,
        namespace,
        enforce,
        validate: validation != "Ignore",
    };
    let mut d = None;
    let Some((items, mut errors)) = load_some(api, &mut d, &reading, "create", out).await else {
        return 1;
    };
    let manager = c.field_manager.as_deref().unwrap_or("kubectl-create");
    for item in &items {
        let object = if c.save_config {
            with_last_applied(&item.doc.object)
        } else {
            item.doc.object.clone()
        };
        if dry == "client" {
            out.print(&printed(
                c.output.as_deref(),
                item,
                &object,
                "created (dry run)",
            ));
            continue;
        }
        let url = format!("{}{}", item.collection(), query(manager, validation, dry));
        let body = serde_json::to_vec(&object).unwrap_or_default();
        match api
            .call("POST", &url, "application/json", body, "application/json")
            .await
        {
            Ok(made) => out.print(&printed(
                c.output.as_deref(),
                item,
                &made,
                &format!("created{}", suffix(dry)),
            )),
            Err(e) => errors.push(e.with_source("creating", &item.doc.source).report()),
        }
    }
    finish(&errors, out)
}

/// The objects `-f` names, for commands that act on existing objects (`delete -f`).
pub async fn named<'a>(
    api: &Api,
    d: &'a mut Option<Discovery>,
    r: &Reading<'_>,
    out: &mut Out,
) -> Option<(Vec<Item<'a>>, Vec<String>)> {
    load(api, d, r, out).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annotation_is_the_object_as_go_writes_it() {
        let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a&b"}});
        let m = with_last_applied(&obj);
        assert_eq!(
            m["metadata"]["annotations"][LAST_APPLIED],
            "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"annotations\":{},\"name\":\"a\\u0026b\"}}\n"
        );
        let again = with_last_applied(&m);
        assert_eq!(again, m, "the old annotation is not part of the new one");
    }
}
