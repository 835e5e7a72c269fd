//! Everything a key can be bound to. Each operation has a name (what keymaps call it), a
//! context (where it applies), a description (what help shows) and whether it changes the
//! cluster (kiosk mode drops those).

use serde::{Deserialize, Serialize};

/// Where a binding applies. Lookup goes from the most specific context to `Global`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Context {
    Global,
    Navigation,
    Nodes,
    Services,
    Tasks,
    Logs,
    Volumes,
    Rollouts,
    Inspect,
}

impl Context {
    pub const ALL: [Context; 9] = [
        Context::Global,
        Context::Navigation,
        Context::Nodes,
        Context::Services,
        Context::Tasks,
        Context::Logs,
        Context::Volumes,
        Context::Rollouts,
        Context::Inspect,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Navigation => "navigation",
            Context::Nodes => "nodes",
            Context::Services => "services",
            Context::Tasks => "tasks",
            Context::Logs => "logs",
            Context::Volumes => "volumes",
            Context::Rollouts => "rollouts",
            Context::Inspect => "inspect",
        }
    }

    pub fn from_name(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Navigation => "Moving around",
            Context::Nodes => "Nodes",
            Context::Services => "Services",
            Context::Tasks => "Tasks",
            Context::Logs => "Logs",
            Context::Volumes => "Volumes",
            Context::Rollouts => "Rollouts",
            Context::Inspect => "Inspect view",
        }
    }
}

macro_rules! ops {
    ($($variant:ident = $name:literal, $ctx:ident, $mutating:literal, $desc:literal;)*) => {
        /// A bindable operation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Op {
            $($variant,)*
        }

        impl Op {
            pub const ALL: &'static [Op] = &[$(Op::$variant,)*];

            pub fn name(self) -> &'static str {
                match self {
                    $(Op::$variant => $name,)*
                }
            }

            pub fn context(self) -> Context {
                match self {
                    $(Op::$variant => Context::$ctx,)*
                }
            }

            /// Whether it changes the cluster (kiosk mode drops it).
            pub fn mutating(self) -> bool {
                match self {
                    $(Op::$variant => $mutating,)*
                }
            }

            pub fn describe(self) -> &'static str {
                match self {
                    $(Op::$variant => $desc,)*
                }
            }
        }
    };
}

ops! {
    Quit = "quit", Global, false, "Quit";
    Help = "help", Global, false, "Show the keys of this view";
    CommandLine = "command_line", Global, false, "Type a command (docker or sim, or :nodes, :tasks web, ...)";
    Filter = "filter", Global, false, "Filter the table (text or regex; ! in front inverts)";
    NextPane = "next_pane", Global, false, "Next pane";
    PrevPane = "prev_pane", Global, false, "Previous pane";
    PaneNodes = "pane_nodes", Global, false, "Nodes pane";
    PaneServices = "pane_services", Global, false, "Services pane";
    PaneTasks = "pane_tasks", Global, false, "Tasks pane";
    PaneLogs = "pane_logs", Global, false, "Logs pane";
    PaneVolumes = "pane_volumes", Global, false, "Volumes pane";
    PaneRollouts = "pane_rollouts", Global, false, "Rollouts pane";
    Back = "back", Global, false, "Back (close, clear the filter, leave a drill-down)";
    Inspect = "inspect", Global, false, "Inspect the selected object (YAML/JSON)";

    Up = "up", Navigation, false, "Up";
    Down = "down", Navigation, false, "Down";
    Left = "left", Navigation, false, "Scroll left";
    Right = "right", Navigation, false, "Scroll right";
    PageUp = "page_up", Navigation, false, "Page up";
    PageDown = "page_down", Navigation, false, "Page down";
    Top = "top", Navigation, false, "First row";
    Bottom = "bottom", Navigation, false, "Last row";
    Select = "select", Navigation, false, "Open (service → tasks → logs; node → tasks)";

    NodeActivate = "node_activate", Nodes, true, "Availability active";
    NodePause = "node_pause", Nodes, true, "Availability pause (no new tasks)";
    NodeDrain = "node_drain", Nodes, true, "Drain: show which tasks move where, then move them";
    NodePromote = "node_promote", Nodes, true, "Promote to manager";
    NodeDemote = "node_demote", Nodes, true, "Demote to worker";
    NodeLabelAdd = "node_label_add", Nodes, true, "Add a label (key=value)";
    NodeLabelRm = "node_label_rm", Nodes, true, "Remove a label";
    NodeDown = "node_down", Nodes, true, "Take the node down (built-in cluster)";
    NodeUp = "node_up", Nodes, true, "Bring the node back up (built-in cluster)";
    NodeTasks = "node_tasks", Nodes, false, "Tasks on this node";

    ServiceScale = "service_scale", Services, true, "Scale";
    ServiceImage = "service_image", Services, true, "Update the image (rolling update)";
    ServiceRollback = "service_rollback", Services, true, "Roll back to the previous spec";
    ServiceRemove = "service_remove", Services, true, "Remove the service";
    ServiceCreate = "service_create", Services, true, "Create a service in the spec editor";
    StackDeploy = "stack_deploy", Services, true, "Deploy a stack from a compose file";
    ServiceLogs = "service_logs", Services, false, "Logs of the service";
    ServiceTasks = "service_tasks", Services, false, "Tasks of the service";

    TaskLogs = "task_logs", Tasks, false, "Logs of the task";
    TaskHistory = "task_history", Tasks, false, "Show or hide finished tasks (history rows)";
    TaskStop = "task_stop", Tasks, true, "Stop the task's container (built-in cluster: exits 0)";
    TaskCrash = "task_crash", Tasks, true, "Crash the task's container (built-in cluster: exits 1)";
    ContainerStart = "container_start", Tasks, true, "Start the container (plain Docker engine)";
    ContainerStop = "container_stop", Tasks, true, "Stop the container (plain Docker engine)";
    ContainerRestart = "container_restart", Tasks, true, "Restart the container (plain Docker engine)";
    ContainerRemove = "container_remove", Tasks, true, "Remove the container (plain Docker engine)";

    LogsFollow = "logs_follow", Logs, false, "Follow on/off (stay at the newest line)";
    LogsPause = "logs_pause", Logs, false, "Pause/resume taking new lines";
    LogsTimestamps = "logs_timestamps", Logs, false, "Timestamps on/off";
    LogsWrap = "logs_wrap", Logs, false, "Wrap long lines on/off";
    LogsSearch = "logs_search", Logs, false, "Search (highlights matches)";
    LogsNext = "logs_next", Logs, false, "Next match";
    LogsPrev = "logs_prev", Logs, false, "Previous match";
    LogsTail = "logs_tail", Logs, false, "Restart with the last N lines";
    LogsClear = "logs_clear", Logs, false, "Clear the buffer";

    VolumeCreate = "volume_create", Volumes, true, "Create a volume on the selected node";
    VolumeRemove = "volume_remove", Volumes, true, "Remove the volume";

    RolloutPause = "rollout_pause", Rollouts, true, "Pause the update in progress (built-in cluster)";
    RolloutResume = "rollout_resume", Rollouts, true, "Resume a paused update";
    RolloutRollback = "rollout_rollback", Rollouts, true, "Roll back to the previous spec";

    InspectFormat = "inspect_format", Inspect, false, "Switch between YAML and JSON";
}

impl Op {
    pub fn from_name(s: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|o| o.name() == s)
    }
}
