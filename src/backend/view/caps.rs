//! What a backend can do to an object: the console offers an operation only where the
//! selected object (or, with nothing selected, its pane's kinds) has the capability.

use serde::{Deserialize, Serialize};

/// A set of capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Caps(u32);

macro_rules! caps {
    ($($(#[$doc:meta])* $name:ident = $bit:literal, $word:literal;)*) => {
        impl Caps {
            $($(#[$doc])* pub const $name: Caps = Caps(1 << $bit);)*

            /// The names of the capabilities in the set (for messages and tests).
            pub fn names(self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $(if self.has(Caps::$name) { out.push($word); })*
                out
            }
        }
    };
}

caps! {
    SCALE = 0, "scale";
    SET_IMAGE = 1, "set image";
    ROLLBACK = 2, "roll back";
    PAUSE = 3, "pause a rollout";
    RESUME = 4, "resume a rollout";
    REMOVE = 5, "remove";
    /// Node availability: active, pause, drain.
    AVAILABILITY = 6, "change availability";
    PROMOTE = 7, "promote";
    DEMOTE = 8, "demote";
    LABEL = 9, "label";
    /// The simulator's node down/up.
    POWER = 10, "take down and up";
    /// The simulator's task stop/crash.
    EXIT = 11, "stop or crash";
    START = 12, "start";
    STOP = 13, "stop";
    RESTART = 14, "restart";
    /// One reading of resource use (real engines).
    STATS = 15, "resource use";
    /// A revision history to read, compare and undo to (Kubernetes workloads).
    HISTORY = 16, "list revisions";
    /// Events recorded about it (Kubernetes objects).
    EVENTS = 17, "list events";
}

impl Caps {
    pub const NONE: Caps = Caps(0);

    pub fn has(self, c: Caps) -> bool {
        self.0 & c.0 == c.0 && c.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Caps {
    type Output = Caps;
    fn bitor(self, o: Caps) -> Caps {
        Caps(self.0 | o.0)
    }
}

impl std::ops::BitOrAssign for Caps {
    fn bitor_assign(&mut self, o: Caps) {
        self.0 |= o.0;
    }
}

impl std::ops::Sub for Caps {
    type Output = Caps;
    fn sub(self, o: Caps) -> Caps {
        Caps(self.0 & !o.0)
    }
}
