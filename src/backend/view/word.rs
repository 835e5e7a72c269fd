//! A backend's own word for a state ("running", "preparing", "rollback_started"), kept for
//! display beside the typed phase. The words backends use all the time cost no allocation.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Word(Cow<'static, str>);

/// Docker's task, container and update states, and its other everyday words.
const VOCABULARY: &[&str] = &[
    "new",
    "allocated",
    "pending",
    "assigned",
    "accepted",
    "preparing",
    "ready",
    "starting",
    "running",
    "complete",
    "shutdown",
    "failed",
    "rejected",
    "remove",
    "orphaned",
    "created",
    "paused",
    "restarting",
    "removing",
    "exited",
    "dead",
    "updating",
    "completed",
    "rollback_started",
    "rollback_paused",
    "rollback_completed",
    "pause",
    "continue",
    "rollback",
    "stop-first",
    "start-first",
    // Kubernetes' pod statuses and phases, as kubectl prints them.
    "Running",
    "Pending",
    "Succeeded",
    "Failed",
    "Unknown",
    "Terminating",
    "Completed",
    "ContainerCreating",
    "PodInitializing",
    "CrashLoopBackOff",
    "ErrImagePull",
    "ImagePullBackOff",
    "Error",
    "OOMKilled",
    "Evicted",
    "",
];

impl Word {
    pub fn new(s: &str) -> Word {
        match VOCABULARY.iter().find(|w| **w == s) {
            Some(w) => Word(Cow::Borrowed(w)),
            None => Word(Cow::Owned(s.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Docker's title case ("Running").
    pub fn title(&self) -> String {
        let mut c = self.0.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    }
}

impl From<&str> for Word {
    fn from(s: &str) -> Word {
        Word::new(s)
    }
}

impl std::fmt::Display for Word {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Word {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Word, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Ok(Word::new(&s))
    }
}
