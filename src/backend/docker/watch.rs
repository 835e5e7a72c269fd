//! Watching an engine: events mark what changed, debounced; only that is listed again, the
//! views rebuilt and the difference sent. Polls fill in what events do not say (task
//! progress), often while something converges and rarely otherwise.

use super::*;

/// Which kinds of objects to list again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Dirty {
    info: bool,
    nodes: bool,
    services: bool,
    tasks: bool,
    containers: bool,
    volumes: bool,
    networks: bool,
    /// Containers that had events: their start and finish times are read again.
    touched: std::collections::BTreeSet<String>,
}

impl Dirty {
    fn all() -> Dirty {
        Dirty {
            info: true,
            nodes: true,
            services: true,
            tasks: true,
            containers: true,
            volumes: true,
            networks: true,
            touched: Default::default(),
        }
    }

    fn any(&self) -> bool {
        *self != Dirty::default()
    }

    fn merge(&mut self, o: Dirty) {
        self.touched.extend(o.touched);
        self.info |= o.info;
        self.nodes |= o.nodes;
        self.services |= o.services;
        self.tasks |= o.tasks;
        self.containers |= o.containers;
        self.volumes |= o.volumes;
        self.networks |= o.networks;
    }

    /// What an event from `/events` makes stale.
    fn of_event(ev: &bollard::models::EventMessage) -> Dirty {
        let kind = ev.typ.map(|t| t.to_string()).unwrap_or_default();
        let action = ev.action.clone().unwrap_or_default();
        let attrs = ev.actor.as_ref().and_then(|a| a.attributes.as_ref());
        let mut d = Dirty::default();
        match kind.as_str() {
            "service" => {
                d.services = true;
                d.tasks = true;
            }
            "node" => {
                d.nodes = true;
                d.tasks = true;
            }
            "container" => {
                if action.starts_with("exec_") || action == "top" {
                    return d;
                }
                d.containers = true;
                d.volumes = action == "create" || action == "destroy";
                if let Some(id) = ev.actor.as_ref().and_then(|a| a.id.clone()) {
                    d.touched.insert(id);
                }
                if attrs.is_some_and(|a| a.contains_key("com.docker.swarm.task.id")) {
                    d.tasks = true;
                    d.services = true;
                }
            }
            "volume" => d.volumes = true,
            "network" => d.networks = action == "create" || action == "destroy",
            "daemon" => d.info = true,
            _ => {}
        }
        d
    }
}

/// Lists what is dirty, into `raw`.
async fn refresh(c: &bollard::Docker, host: &str, raw: &mut Raw, d: Dirty) -> Result<(), String> {
    if d.info {
        let info = c.info().await.map_err(|e| fetch_err("info", e))?;
        let info = json(info);
        raw.swarm = convert::s(&info, "/Swarm/LocalNodeState") == "active"
            && info
                .pointer("/Swarm/ControlAvailable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        raw.info = info;
    }
    let swarm = raw.swarm;
    let (nodes, services, tasks, containers, volumes, networks) = tokio::join!(
        async {
            if d.nodes && swarm {
                c.list_nodes(None::<ListNodesOptions>).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.services && swarm {
                let opts = ListServicesOptions {
                    status: Some(true),
                    ..Default::default()
                };
                list_services_json(c, host, opts).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.tasks && swarm {
                list_tasks_json(c, host).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.containers {
                let opts = ListContainersOptions {
                    all: true,
                    size: false,
                    ..Default::default()
                };
                c.list_containers(Some(opts)).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.volumes {
                c.list_volumes(None::<ListVolumesOptions>).await.map(Some)
            } else {
                Ok(None)
            }
        },
        async {
            if d.networks {
                c.list_networks(None::<ListNetworksOptions>).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    if let Some(v) = nodes.map_err(|e| fetch_err("nodes", e))? {
        raw.nodes = v.into_iter().map(json).collect();
    }
    if let Some(v) = services.map_err(|e| format!("listing services: {e}"))? {
        raw.services = v;
    }
    if let Some(v) = tasks.map_err(|e| format!("listing tasks: {e}"))? {
        raw.tasks = v;
    }
    if let Some(v) = containers.map_err(|e| fetch_err("containers", e))? {
        raw.containers = v.into_iter().map(json).collect();
        container_times(c, raw, &d.touched).await;
    }
    if let Some(v) = volumes.map_err(|e| fetch_err("volumes", e))? {
        raw.volumes = v
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(json)
            .collect();
    }
    if let Some(v) = networks.map_err(|e| fetch_err("networks", e))? {
        raw.networks = v.into_iter().map(json).collect();
    }
    if !swarm {
        raw.nodes.clear();
        raw.services.clear();
        raw.tasks.clear();
    }
    Ok(())
}

/// When each container last started and finished (`docker ps` only says "Up 5 minutes"):
/// read with an inspect for new containers and those that had events, kept otherwise.
async fn container_times(
    c: &bollard::Docker,
    raw: &mut Raw,
    touched: &std::collections::BTreeSet<String>,
) {
    let mut times = std::mem::take(&mut raw.times);
    times.retain(|id, _| raw.containers.iter().any(|c| convert::s(c, "/Id") == id));
    for ct in &mut raw.containers {
        let id = convert::s(ct, "/Id").to_string();
        if (!times.contains_key(&id) || touched.contains(&id))
            && let Ok(i) = c.inspect_container(&id, None).await
        {
            let i = json(i);
            times.insert(
                id.clone(),
                (
                    convert::time(&i, "/State/StartedAt"),
                    convert::time(&i, "/State/FinishedAt"),
                ),
            );
        }
    }
    raw.times = times;
}

/// Something is on its way somewhere: list tasks often until it settles.
fn converging(v: &[View]) -> bool {
    v.iter().any(|v| match v {
        View::Workload(s) => {
            (s.scalable() && s.running != s.desired)
                || s.rollout.as_ref().is_some_and(|u| u.state.in_progress())
        }
        View::Replica(t) => {
            (t.desired == Phase::Running && t.phase < Phase::Running)
                || (t.desired > Phase::Running && t.phase == Phase::Running)
        }
        _ => false,
    })
}

impl Shared {
    /// One connection's life: snapshot, then changes until the engine goes away (Err) or
    /// nobody listens any more (Ok).
    pub(super) async fn session(
        &self,
        tx: &mpsc::Sender<WatchEvent>,
        connected: &mut bool,
    ) -> Result<(), String> {
        let c = connect(&self.endpoint).await.map_err(|e| e.message)?;
        *connected = true;
        // Subscribe first, so nothing that happens while listing is missed.
        let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
        let mut filters = HashMap::new();
        filters.insert(
            "type".to_string(),
            [
                "container",
                "service",
                "node",
                "volume",
                "network",
                "daemon",
            ]
            .map(String::from)
            .to_vec(),
        );
        let events = c.events(Some(EventsOptions {
            filters: Some(filters),
            ..Default::default()
        }));
        let pump = tokio::spawn(async move {
            let mut events = std::pin::pin!(events);
            while let Some(e) = events.next().await {
                if ev_tx.send(e.map_err(|e| api_error(&e))).is_err() {
                    return;
                }
            }
            let _ = ev_tx.send(Err("the event stream ended".into()));
        });
        let _abort = AbortOnDrop(pump.abort_handle());

        let mut raw = Raw::default();
        refresh(&c, &self.endpoint.host, &mut raw, Dirty::all()).await?;
        self.swarm.store(raw.swarm, Ordering::Relaxed);
        let ip = self.endpoint_ip();
        let mut view = convert::cluster_view(&raw, &ip);
        let sent = tx.send(WatchEvent::Info(self.info())).await.is_ok()
            && tx
                .send(WatchEvent::Snapshot(
                    Box::new(view.clone()),
                    ClockInfo::wall(),
                ))
                .await
                .is_ok();
        if !sent {
            return Ok(());
        }
        let mut dirty = Dirty::default();
        let mut deadline: Option<Instant> = None;
        let mut next_poll = Instant::now() + poll_interval(&raw, &view);
        // `/info` is the costliest read (about 10 ms of the engine's CPU): only now and then,
        // to notice the engine joining or leaving a swarm.
        let mut next_info = Instant::now() + INFO_INTERVAL;
        loop {
            let wake = deadline.unwrap_or(next_poll).min(next_poll).min(next_info);
            tokio::select! {
                ev = ev_rx.recv() => match ev {
                    Some(Ok(ev)) => {
                        dirty.merge(Dirty::of_event(&ev));
                        if dirty.any() && deadline.is_none() {
                            deadline = Some(Instant::now() + DEBOUNCE);
                        }
                    }
                    Some(Err(e)) => return Err(e),
                    None => return Err("the event stream ended".into()),
                },
                _ = tokio::time::sleep_until(wake) => {
                    let now = Instant::now();
                    if now >= next_poll {
                        dirty.merge(Dirty { nodes: raw.swarm, services: raw.swarm,
                            tasks: raw.swarm, ..Dirty::default() });
                    }
                    if now >= next_info {
                        dirty.info = true;
                        next_info = now + INFO_INTERVAL;
                    }
                    let was_swarm = raw.swarm;
                    refresh(&c, &self.endpoint.host, &mut raw, std::mem::take(&mut dirty)).await?;
                    if raw.swarm != was_swarm {
                        // Joined or left a swarm: everything looks different.
                        refresh(&c, &self.endpoint.host, &mut raw, Dirty::all()).await?;
                        self.swarm.store(raw.swarm, Ordering::Relaxed);
                        if tx.send(WatchEvent::Info(self.info())).await.is_err() {
                            return Ok(());
                        }
                    }
                    dirty = Dirty::default();
                    deadline = None;
                    let new = convert::cluster_view(&raw, &ip);
                    let changes = convert::diff(&view, &new);
                    view = new;
                    if !changes.is_empty() && tx.send(WatchEvent::Changes(changes)).await.is_err() {
                        return Ok(());
                    }
                    next_poll = Instant::now() + poll_interval(&raw, &view);
                }
                _ = tx.closed() => return Ok(()),
            }
        }
    }
}

fn poll_interval(raw: &Raw, view: &[View]) -> Duration {
    if !raw.swarm {
        // A plain engine reports every container change as an event.
        Duration::from_secs(3600)
    } else if converging(view) {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(10)
    }
}

pub(super) use crate::backend::task::{AbortOnDrop, spawn_stream};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_marks_only_what_it_changes() {
        let ev: bollard::models::EventMessage = serde_json::from_value(serde_json::json!({
            "Type": "container", "Action": "die",
            "Actor": {"ID": "abc", "Attributes": {"com.docker.swarm.task.id": "t1"}}
        }))
        .unwrap();
        let d = Dirty::of_event(&ev);
        assert!(d.containers && d.tasks && d.services && !d.nodes && !d.networks);
        assert!(d.touched.contains("abc"));
        let exec: bollard::models::EventMessage = serde_json::from_value(serde_json::json!({
            "Type": "container", "Action": "exec_start: sh", "Actor": {"ID": "abc"}
        }))
        .unwrap();
        assert!(!Dirty::of_event(&exec).any());
    }
}
