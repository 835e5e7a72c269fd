//! `?watch=true`: a collection's changes as newline-delimited JSON events, read from the
//! state's watch window ([`crate::state::WatchLog`]).
//!
//! The request starts the watch ([`start`]): its first bytes are the synthetic `ADDED`
//! events of a watch from "now" (`resourceVersion` unset or `0`) or the window's changes
//! after the given resourceVersion, or one in-stream `ERROR` 410 for a resourceVersion the
//! window no longer holds (a real server sends it in a 200 response; kube-rs re-lists only on
//! that). Whoever serves the response then keeps the [`Watch`] and calls [`Watch::poll`]
//! after each change to the cluster for the next bytes. Events are Table-wrapped (one row
//! each) when the request asked for a Table, as `kubectl get -w` does.

use super::resources::Resource;
use super::select::{FieldSelector, LabelSelector};
use super::status::Status;
use super::{Query, Target};
use crate::kube::print::PrintCx;
use crate::state::{EventAction, State};
use serde_json::{Value, json};
use std::collections::HashSet;

/// A watch in progress.
#[derive(Clone)]
pub struct Watch {
    res: &'static Resource,
    ns: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    /// The Table form, and what its rows carry (`Metadata`, `Object` or `None`).
    table: Option<String>,
    bookmarks: bool,
    /// Every change up to this resourceVersion has been sent (or did not match).
    since: u64,
    /// `timeoutSeconds`: when the server ends the response (the client watches again).
    pub timeout_secs: Option<u64>,
    /// The stream has ended (after an ERROR event).
    pub done: bool,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("resource", &self.res.plural)
            .field("ns", &self.ns)
            .field("since", &self.since)
            .finish()
    }
}

/// Starts a watch: the watch and its first bytes.
pub(super) fn start(
    st: &State,
    q: &Query,
    t: &Target,
    table: bool,
) -> Result<(Watch, Vec<u8>), Status> {
    let mut fields = FieldSelector::parse(q.get("fieldSelector").unwrap_or(""))?;
    if let Some(name) = t.name {
        // A watch of one object (the old `/watch/.../NAME` form, or a named path).
        fields = FieldSelector::parse(&format!("metadata.name={name}"))?;
    }
    let mut w = Watch {
        res: t.res,
        ns: t.ns.map(str::to_string),
        labels: LabelSelector::parse(q.get("labelSelector").unwrap_or(""))?,
        fields,
        table: table.then(|| q.get("includeObject").unwrap_or("Metadata").to_string()),
        bookmarks: q.get("allowWatchBookmarks") == Some("true"),
        since: st.meta.kube.rv,
        timeout_secs: q.get("timeoutSeconds").and_then(|s| s.parse().ok()),
        done: false,
    };
    let mut out = Vec::new();
    match q.get("resourceVersion").unwrap_or("") {
        "" | "0" => w.initial(st, &mut out),
        rv => {
            let rv: u64 = rv
                .parse()
                .map_err(|_| Status::bad_request(format!("invalid resource version: {rv:?}")))?;
            w.since = rv.min(st.meta.kube.rv);
            w.follow(st, &mut out);
        }
    }
    if w.bookmarks && q.get("sendInitialEvents") == Some("true") {
        w.bookmark(&mut out, true);
    }
    Ok((w, out))
}

impl Watch {
    /// The bytes of the changes since the last call (and a bookmark if `bookmark` and the
    /// client asked for them).
    pub fn poll(&mut self, st: &State, bookmark: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        self.follow(st, &mut out);
        if bookmark && self.bookmarks && !self.done {
            self.bookmark(&mut out, false);
        }
        out
    }

    fn in_scope(&self, key: &str) -> bool {
        match &self.ns {
            Some(ns) => key
                .strip_prefix(ns.as_str())
                .is_some_and(|r| r.starts_with('/')),
            None => true,
        }
    }

    fn matches(&self, obj: &Value) -> bool {
        self.labels.matches_json(obj) && self.fields.matches_json(obj)
    }

    /// Synthetic ADDED events for what exists now.
    fn initial(&mut self, st: &State, out: &mut Vec<u8>) {
        let cx = PrintCx { now: st.now() };
        let ops = self.res.ops;
        for key in ops.keys(st, self.ns.as_deref()) {
            if let Some(obj) = ops.json(st, &key)
                && self.matches(&obj)
            {
                let cells = ops.cells(st, &key, &cx).unwrap_or_default();
                self.event(out, "ADDED", obj, cells);
            }
        }
        self.since = st.meta.kube.rv;
    }

    /// The window's changes after `since`: each object at its latest change, as it is now.
    fn follow(&mut self, st: &State, out: &mut Vec<u8>) {
        let log = st.watch_log();
        let Some(changes) = log.since(self.since) else {
            let e = Status {
                code: 410,
                reason: "Expired",
                message: format!("too old resource version: {} ({})", self.since, log.floor()),
                details: Value::Null,
            };
            line(out, &json!({"type": "ERROR", "object": e.to_json()}));
            self.done = true;
            return;
        };
        let cx = PrintCx { now: st.now() };
        let ops = self.res.ops;
        let kind = ops.kind();
        // Objects created in this stretch whose creation was superseded: their first event
        // is still ADDED.
        let mut created: HashSet<&str> = HashSet::new();
        for c in changes {
            if c.kind != kind || !self.in_scope(c.key.as_str()) {
                continue;
            }
            let key = c.key.as_str();
            if c.action == EventAction::Remove {
                created.remove(key);
                if let Some((obj, cells)) = c.gone.as_ref().and_then(|o| ops.gone(o, &cx))
                    && self.matches(&obj)
                {
                    self.event(out, "DELETED", obj, cells);
                }
                continue;
            }
            // Superseded by a later change of the same object (or its removal).
            if ops.rv(st, key) != Some(c.rv) {
                if c.action == EventAction::Create {
                    created.insert(key);
                }
                continue;
            }
            let Some(obj) = ops.json(st, key) else {
                continue;
            };
            if self.matches(&obj) {
                let ty = if c.action == EventAction::Create || created.remove(key) {
                    "ADDED"
                } else {
                    "MODIFIED"
                };
                let cells = ops.cells(st, key, &cx).unwrap_or_default();
                self.event(out, ty, obj, cells);
            }
        }
        self.since = st.meta.kube.rv;
    }

    fn bookmark(&self, out: &mut Vec<u8>, initial_end: bool) {
        let mut meta = json!({"resourceVersion": self.since.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        line(
            out,
            &json!({"type": "BOOKMARK", "object": {
                "kind": self.res.kind,
                "apiVersion": self.res.group_version(),
                "metadata": meta,
            }}),
        );
    }

    fn event(&self, out: &mut Vec<u8>, ty: &str, obj: Value, cells: Vec<Value>) {
        let object = match &self.table {
            None => obj,
            Some(include) => {
                let rv = obj
                    .pointer("/metadata/resourceVersion")
                    .cloned()
                    .unwrap_or(Value::Null);
                json!({
                    "kind": "Table",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": {"resourceVersion": rv},
                    "columnDefinitions": super::column_defs(self.res),
                    "rows": [{"cells": cells, "object": super::row_object(include, obj)}],
                })
            }
        };
        line(out, &json!({"type": ty, "object": object}));
    }
}

fn line(out: &mut Vec<u8>, v: &Value) {
    if serde_json::to_writer(&mut *out, v).is_ok() {
        out.push(b'\n');
    }
}
