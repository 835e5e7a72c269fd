//! What a drain would move, on a real engine (its scheduler decides; this only says which
//! tasks leave the node).

use super::*;
use opsconsole_sim::engine::Availability;

/// What a drain would move: the node's running tasks, to wherever the engine's scheduler
/// puts them.
pub async fn plan(c: &bollard::Docker, inv: &Invocation) -> Result<Plan, BackendError> {
    let Cmd::Docker(DockerCmd::NodeUpdate {
        node,
        availability: Some(Availability::Drain),
        ..
    }) = &inv.cmd
    else {
        return Ok(Plan::default());
    };
    let fail = |e: bollard::errors::Error| BackendError::failed(api_error(&e));
    let n = c.inspect_node(node).await.map_err(fail)?;
    let id = n.id.unwrap_or_default();
    let mut f = HashMap::new();
    f.insert("node".to_string(), vec![id]);
    f.insert("desired-state".to_string(), vec!["running".to_string()]);
    let raw = Raw {
        swarm: true,
        tasks: c
            .list_tasks(Some(ListTasksOptions { filters: Some(f) }))
            .await
            .map_err(fail)?
            .into_iter()
            .map(json)
            .collect(),
        services: c
            .list_services(None::<ListServicesOptions>)
            .await
            .map_err(fail)?
            .into_iter()
            .map(json)
            .collect(),
        ..Raw::default()
    };
    let mut moves: Vec<PlannedMove> = convert::task_views(&raw)
        .into_iter()
        .map(|t| PlannedMove {
            task: t.name().to_string(),
            from: Some(node.clone()),
            to: None,
        })
        .collect();
    moves.sort_by(|a, b| a.task.cmp(&b.task));
    Ok(Plan {
        moves,
        notes: vec!["the engine's scheduler decides where each task goes".into()],
    })
}
