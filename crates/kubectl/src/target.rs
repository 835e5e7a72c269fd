//! What a command line names: `TYPE NAME...`, `TYPE[,TYPE...]`, `TYPE/NAME...`, resolved
//! against discovery the way kubectl's resource builder resolves them, and, for a type
//! with `-l`, `--field-selector` or `--all`, the objects that match.

use crate::api::{Api, Failure, enc};
use crate::discovery::{Discovery, Resource};
use serde_json::Value;

/// A resource asked for and the names of it (none: all of them, or those that match).
pub struct Ask<'a> {
    pub res: &'a Resource,
    pub names: Vec<String>,
}

/// A command that acts on objects was given none.
pub const NOTHING_NAMED: &str = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/// What a command that changes objects and prints them reads first: how to print (`-o`),
/// and the server's types.
pub async fn printing_and_types(
    api: &Api,
    output: Option<&str>,
) -> Result<(crate::printer::Format, Discovery), String> {
    let format = crate::printer::parse(output, None, crate::printer::CHANGE_FORMATS)?;
    let discovery = Discovery::load(api).await.map_err(|e| e.to_string())?;
    Ok((format, discovery))
}

/// The server has no such type: kubectl's words.
pub fn unknown_type(t: &str) -> String {
    format!("error: the server doesn't have a resource type \"{t}\"")
}

/// The resources and names the words ask for; `true` when a category (`all`) was expanded.
pub fn asks<'a>(d: &'a Discovery, args: &[String]) -> Result<(Vec<Ask<'a>>, bool), String> {
    let mut out: Vec<Ask> = Vec::new();
    let mut expanded = false;
    if args.iter().any(|a| a.contains('/')) {
        for a in args {
            let Some((t, name)) = a.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
            };
            let res = d.resolve(t).ok_or_else(|| unknown_type(t))?;
            let res = res[0];
            match out.last_mut() {
                Some(last) if std::ptr::eq(last.res, res) => last.names.push(name.into()),
                _ => out.push(Ask {
                    res,
                    names: vec![name.into()],
                }),
            }
        }
        return Ok((out, false));
    }
    let names: Vec<String> = args[1..].to_vec();
    for t in args[0].split(',').filter(|t| !t.is_empty()) {
        let rs = d.resolve(t).ok_or_else(|| unknown_type(t))?;
        expanded |= rs.len() > 1;
        for res in rs {
            if !out.iter().any(|a| std::ptr::eq(a.res, res)) {
                out.push(Ask {
                    res,
                    names: names.clone(),
                });
            }
        }
    }
    Ok((out, expanded))
}

/// One object a command acts on.
#[derive(Clone, Debug)]
pub struct Target<'a> {
    pub res: std::borrow::Cow<'a, Resource>,
    pub namespace: Option<String>,
    pub name: String,
    /// The file that named it (`-f`), for kubectl's `error when deleting "FILE": ...`.
    pub source: Option<String>,
}

impl Target<'_> {
    /// Its URL.
    pub fn path(&self) -> String {
        format!("{}/{}", self.res.path(self.namespace.as_deref()), self.name)
    }
    /// `deployment.apps/web`: how kubectl names it in `-o name` and in its messages.
    pub fn slash_name(&self) -> String {
        format!("{}/{}", self.res.kind_name(), self.name)
    }
}

/// The query of a list: selectors, a page size and where the last page ended.
pub fn list_query(
    label: Option<&str>,
    field: Option<&str>,
    limit: Option<&str>,
    cont: &str,
) -> String {
    let mut q = vec![];
    if let Some(l) = limit.filter(|l| *l != "0") {
        q.push(format!("limit={}", enc(l)));
    }
    if let Some(s) = label {
        q.push(format!("labelSelector={}", enc(s)));
    }
    if let Some(s) = field {
        q.push(format!("fieldSelector={}", enc(s)));
    }
    if !cont.is_empty() {
        q.push(format!("continue={}", enc(cont)));
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

/// The objects of `res` in `namespace` (`None`: every namespace) that the selectors match.
pub async fn matching<'a>(
    api: &Api,
    res: &'a Resource,
    namespace: Option<&str>,
    label: Option<&str>,
    field: Option<&str>,
) -> Result<Vec<Target<'a>>, Failure> {
    let url = format!(
        "{}{}",
        res.path(namespace),
        list_query(label, field, None, "")
    );
    let items = api.list_all(&url).await?;
    Ok(items
        .iter()
        .map(|item| {
            let meta = &item["metadata"];
            Target {
                res: std::borrow::Cow::Borrowed(res),
                namespace: meta["namespace"].as_str().map(str::to_string),
                name: meta["name"].as_str().unwrap_or_default().to_string(),
                source: None,
            }
        })
        .collect())
}

/// What a mutating command acts on, read off its words and selectors.
pub struct Found<'a> {
    pub targets: Vec<Target<'a>>,
    /// The lists that matched nothing were asked by selector or `--all`.
    pub by_selector: bool,
}

/// Resolves a mutating command's targets (`delete`, `scale`, `label`...): names as given,
/// or the objects the selectors (or `--all`) match.
pub async fn resolve<'a>(
    api: &Api,
    d: &'a Discovery,
    t: &opsconsole_sim::lang::kubectl::Targets,
    namespace: &str,
) -> Result<Found<'a>, String> {
    let (asks, _) = asks(d, &t.args)?;
    let ns_of =
        |res: &Resource| (res.namespaced && !t.all_namespaces).then(|| namespace.to_string());
    let mut found = Found {
        targets: Vec::new(),
        by_selector: false,
    };
    for ask in asks {
        if !ask.names.is_empty() {
            if t.selector.is_some() || t.all {
                return Err("error: name cannot be provided when a selector is specified".into());
            }
            for name in ask.names {
                found.targets.push(Target {
                    res: std::borrow::Cow::Borrowed(ask.res),
                    namespace: ns_of(ask.res),
                    name,
                    source: None,
                });
            }
            continue;
        }
        if t.selector.is_none() && t.field_selector.is_none() && !t.all {
            return Err("error: resource(s) were provided, but no name was specified".into());
        }
        found.by_selector = true;
        let ns = ns_of(ask.res);
        let mut m = matching(
            api,
            ask.res,
            ns.as_deref(),
            t.selector.as_deref(),
            t.field_selector.as_deref(),
        )
        .await
        .map_err(|e| e.to_string())?;
        found.targets.append(&mut m);
    }
    Ok(found)
}

/// The object's uid, as a response carries it.
pub fn uid(v: &Value) -> String {
    v["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The objects a command names by its words, selectors or `-f` files (each file's object
/// keeps its file for kubectl's messages); the files' objects that could not be mapped are
/// the errors beside them.
pub async fn named<'a>(
    api: &Api,
    d: &'a Discovery,
    t: &opsconsole_sim::lang::kubectl::Targets,
    namespace: &str,
    enforce: bool,
    out: &mut crate::Out,
) -> Result<(Found<'a>, Vec<String>), String> {
    if t.filenames.is_empty() {
        return resolve(api, d, t, namespace).await.map(|f| (f, Vec::new()));
    }
    let reading = crate::apply::Reading {
        filenames: &t.filenames,
        recursive: t.recursive,
        namespace,
        enforce,
        validate: true,
    };
    let mut stdin = out.stdin_reader();
    let (items, errors) = crate::apply::objects(d, &reading, &mut stdin)?;
    let targets = items
        .into_iter()
        .map(|i| Target {
            name: i.name().to_string(),
            res: i.res,
            namespace: i.namespace,
            source: Some(i.doc.source),
        })
        .collect();
    Ok((
        Found {
            targets,
            by_selector: false,
        },
        errors,
    ))
}

/// Whether `obj` has the object with `uid` as its controller.
pub fn controlled_by(obj: &Value, uid: &str) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["controller"].as_bool() == Some(true) && r["uid"].as_str() == Some(uid))
}
