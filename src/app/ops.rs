//! Everything a key can be bound to. Each operation has a name (what keymaps call it), a
//! context (where it applies), whether it changes the cluster (kiosk mode drops those), the
//! word the footer shows, what it needs to be offered, and a description (what help
//! shows).

use crate::backend::view::{Caps, ResKind};
use serde::{Deserialize, Serialize};

/// What an operation needs before the console offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Nothing: it only moves around or shows things.
    Nothing,
    /// The selected object (or, with none selected, its pane's kinds) must have this.
    Cap(Caps),
    /// The backend must be able to create objects of this kind.
    Create(ResKind),
}

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
    ($($variant:ident = $name:literal, $ctx:ident, $mutating:literal, $short:literal, $need:expr, $desc:literal;)*) => {
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

            /// The word a footer hint shows.
            pub fn short(self) -> &'static str {
                match self {
                    $(Op::$variant => $short,)*
                }
            }

            /// What it needs to be offered.
            pub fn need(self) -> Need {
                use Need::*;
                match self {
                    $(Op::$variant => $need,)*
                }
            }
        }
    };
}

ops! {
    Quit = "quit", Global, false, "quit", Nothing, "Quit";
    Help = "help", Global, false, "help", Nothing, "Show the keys of this view";
    CommandLine = "command_line", Global, false, "cmd", Nothing, "Type a command (docker or sim, or :nodes, :tasks web, ...)";
    Filter = "filter", Global, false, "filter", Nothing, "Filter the table (text or regex; ! in front inverts)";
    NextPane = "next_pane", Global, false, "next_pane", Nothing, "Next pane";
    PrevPane = "prev_pane", Global, false, "prev_pane", Nothing, "Previous pane";
    PaneNodes = "pane_nodes", Global, false, "pane_nodes", Nothing, "Nodes pane";
    PaneServices = "pane_services", Global, false, "pane_services", Nothing, "Services pane";
    PaneTasks = "pane_tasks", Global, false, "pane_tasks", Nothing, "Tasks pane";
    PaneLogs = "pane_logs", Global, false, "pane_logs", Nothing, "Logs pane";
    PaneVolumes = "pane_volumes", Global, false, "pane_volumes", Nothing, "Volumes pane";
    PaneRollouts = "pane_rollouts", Global, false, "pane_rollouts", Nothing, "Rollouts pane";
    Back = "back", Global, false, "back", Nothing, "Back (close, clear the filter, leave a drill-down)";
    Inspect = "inspect", Global, false, "inspect", Nothing, "Inspect the selected object (YAML/JSON)";
    Events = "events", Global, false, "events", Cap(Caps::EVENTS), "Events of the selected object, oldest first (Kubernetes)";

    Up = "up", Navigation, false, "up", Nothing, "Up";
    Down = "down", Navigation, false, "down", Nothing, "Down";
    Left = "left", Navigation, false, "left", Nothing, "Scroll left";
    Right = "right", Navigation, false, "right", Nothing, "Scroll right";
    PageUp = "page_up", Navigation, false, "page_up", Nothing, "Page up";
    PageDown = "page_down", Navigation, false, "page_down", Nothing, "Page down";
    Top = "top", Navigation, false, "top", Nothing, "First row";
    Bottom = "bottom", Navigation, false, "bottom", Nothing, "Last row";
    Select = "select", Navigation, false, "open", Nothing, "Open (service → tasks → logs; node → tasks)";

    NodeActivate = "node_activate", Nodes, true, "active", Cap(Caps::AVAILABILITY), "Availability active";
    NodePause = "node_pause", Nodes, true, "pause", Cap(Caps::AVAILABILITY), "Availability pause (no new tasks)";
    NodeDrain = "node_drain", Nodes, true, "drain", Cap(Caps::AVAILABILITY), "Drain: show which tasks move where, then move them";
    NodePromote = "node_promote", Nodes, true, "promote", Cap(Caps::PROMOTE), "Promote to manager";
    NodeDemote = "node_demote", Nodes, true, "demote", Cap(Caps::DEMOTE), "Demote to worker";
    NodeLabelAdd = "node_label_add", Nodes, true, "label", Cap(Caps::LABEL), "Add a label (key=value)";
    NodeLabelRm = "node_label_rm", Nodes, true, "unlabel", Cap(Caps::LABEL), "Remove a label";
    NodeDown = "node_down", Nodes, true, "down", Cap(Caps::POWER), "Take the node down (built-in cluster)";
    NodeUp = "node_up", Nodes, true, "up", Cap(Caps::POWER), "Bring the node back up (built-in cluster)";
    NodeTasks = "node_tasks", Nodes, false, "tasks", Nothing, "Tasks on this node";

    ServiceScale = "service_scale", Services, true, "scale", Cap(Caps::SCALE), "Scale";
    ServiceImage = "service_image", Services, true, "image", Cap(Caps::SET_IMAGE), "Update the image (rolling update)";
    ServiceRollback = "service_rollback", Services, true, "rollback", Cap(Caps::ROLLBACK), "Roll back to the previous spec";
    ServiceRemove = "service_remove", Services, true, "remove", Cap(Caps::REMOVE), "Remove the service";
    ServiceCreate = "service_create", Services, true, "new", Create(ResKind::SwarmService), "Create a service in the spec editor";
    StackDeploy = "stack_deploy", Services, true, "stack", Create(ResKind::SwarmService), "Deploy a stack from a compose file";
    WorkloadRestart = "workload_restart", Services, true, "restart", Cap(Caps::RESTART), "Restart every pod of the workload (kubectl rollout restart)";
    WorkloadPause = "workload_pause", Services, true, "pause", Cap(Caps::PAUSE), "Pause or resume the rollout; suspend or resume a CronJob";
    CronJobTrigger = "cronjob_trigger", Services, true, "run now", Cap(Caps::START), "Run a CronJob's Job now (kubectl create job --from=cronjob/NAME)";
    ServiceLogs = "service_logs", Services, false, "logs", Nothing, "Logs of the service (a workload: its pods, merged)";
    ServiceTasks = "service_tasks", Services, false, "tasks", Nothing, "Tasks of the service";

    TaskLogs = "task_logs", Tasks, false, "logs", Nothing, "Logs of the task";
    TaskHistory = "task_history", Tasks, false, "history", Nothing, "Show or hide finished tasks (history rows)";
    TaskStop = "task_stop", Tasks, true, "stop", Cap(Caps::EXIT), "Stop the task's container (built-in cluster: exits 0)";
    TaskCrash = "task_crash", Tasks, true, "crash", Cap(Caps::EXIT), "Crash the task's container (built-in cluster: exits 1)";
    ContainerStart = "container_start", Tasks, true, "start", Cap(Caps::START), "Start the container (plain Docker engine)";
    ContainerStop = "container_stop", Tasks, true, "stop", Cap(Caps::STOP), "Stop the container (plain Docker engine)";
    ContainerRestart = "container_restart", Tasks, true, "restart", Cap(Caps::RESTART), "Restart the container (plain Docker engine)";
    ContainerRemove = "container_remove", Tasks, true, "remove", Cap(Caps::REMOVE), "Remove the container (plain Docker engine)";

    LogsFollow = "logs_follow", Logs, false, "follow", Nothing, "Follow on/off (stay at the newest line)";
    LogsPause = "logs_pause", Logs, false, "pause", Nothing, "Pause/resume taking new lines";
    LogsTimestamps = "logs_timestamps", Logs, false, "time", Nothing, "Timestamps on/off";
    LogsWrap = "logs_wrap", Logs, false, "wrap", Nothing, "Wrap long lines on/off";
    LogsSearch = "logs_search", Logs, false, "search", Nothing, "Search (highlights matches)";
    LogsNext = "logs_next", Logs, false, "next", Nothing, "Next match";
    LogsPrev = "logs_prev", Logs, false, "prev", Nothing, "Previous match";
    LogsTail = "logs_tail", Logs, false, "tail", Nothing, "Restart with the last N lines";
    LogsClear = "logs_clear", Logs, false, "clear", Nothing, "Clear the buffer";
    LogsPrevious = "logs_previous", Logs, false, "previous", Nothing, "The previous container's log (after a restart) or the current one's";

    VolumeCreate = "volume_create", Volumes, true, "new", Create(ResKind::Volume), "Create a volume on the selected node";
    VolumeRemove = "volume_remove", Volumes, true, "remove", Cap(Caps::REMOVE), "Remove the volume";

    RolloutPause = "rollout_pause", Rollouts, true, "pause", Cap(Caps::PAUSE), "Pause the update in progress (built-in cluster)";
    RolloutResume = "rollout_resume", Rollouts, true, "resume", Cap(Caps::RESUME), "Resume a paused update";
    RolloutRollback = "rollout_rollback", Rollouts, true, "rollback", Cap(Caps::ROLLBACK), "Roll back to the previous spec (in a history: undo to the selected revision)";
    RolloutHistory = "rollout_history", Rollouts, false, "history", Cap(Caps::HISTORY), "Revision history (Kubernetes): change-causes, the diff between any two, undo to one";

    InspectFormat = "inspect_format", Inspect, false, "yaml/json", Nothing, "Switch between YAML and JSON";
}

impl Op {
    pub fn from_name(s: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|o| o.name() == s)
    }
}
