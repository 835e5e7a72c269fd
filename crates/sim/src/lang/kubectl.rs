//! kubectl command lines: the command kubectl would run and whether it changes the cluster.
//! The language knows kubectl's commands (its global flags, its verbs and their groups), so
//! a read-only console refuses kubectl's changes the way it refuses docker's, and the
//! `:` line, macros and `ctl` take kubectl lines where they take docker's. Running them is
//! the Kubernetes control plane's part.

use super::flags::ParseError;

/// A kubectl command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubectlCmd {
    /// The command: `get`, `rollout undo`, `auth can-i`, ...
    pub command: String,
    /// Every word after `kubectl`, as typed.
    pub args: Vec<String>,
}

/// Global flags that take a value (as a separate word when not written `--flag=value`).
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--as-uid",
    "--request-timeout",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
    "--tls-server-name",
    "-v",
    "--v",
    "--cache-dir",
    "--profile",
    "--profile-output",
];

/// Commands whose second word names the command.
const GROUPS: &[&str] = &["rollout", "auth", "config", "set", "certificate", "plugin"];

/// Commands that only read (everything else changes the cluster, or a kubeconfig, or runs
/// something in a container).
const READING: &[&str] = &[
    "get",
    "describe",
    "logs",
    "explain",
    "top",
    "api-resources",
    "api-versions",
    "version",
    "cluster-info",
    "diff",
    "events",
    "wait",
    "completion",
    "options",
    "help",
    "rollout status",
    "rollout history",
    "auth can-i",
    "auth whoami",
    "config view",
    "config get-contexts",
    "config get-clusters",
    "config get-users",
    "config current-context",
    "plugin list",
];

/// Every command kubectl 1.32 has.
const COMMANDS: &[&str] = &[
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "alpha",
    "api-resources",
    "api-versions",
    "config",
    "plugin",
    "version",
    "options",
    "help",
];

impl KubectlCmd {
    /// Whether it changes the cluster (or runs something in it); a kiosk refuses these.
    pub fn is_mutating(&self) -> bool {
        !READING.contains(&self.command.as_str())
    }
}

/// Parses the words after `kubectl`.
pub fn parse(args: &[String]) -> Result<KubectlCmd, ParseError> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let w = args[i].as_str();
        if w.starts_with('-') {
            // A global flag before the command (and its value, if it takes one).
            if VALUE_FLAGS.contains(&w) {
                i += 1;
            }
        } else {
            words.push(w);
            if words.len() == 2 || !GROUPS.contains(&words[0]) {
                break;
            }
        }
        i += 1;
    }
    let Some(first) = words.first() else {
        return Err(ParseError::new(
            "kubectl controls the Kubernetes cluster manager.\n\nUse \"kubectl <command> --help\" for more information about a given command.",
            0,
        ));
    };
    if !COMMANDS.contains(first) {
        return Err(ParseError::new(
            format!("error: unknown command \"{first}\" for \"kubectl\""),
            1,
        ));
    }
    Ok(KubectlCmd {
        command: words.join(" "),
        args: args.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(line: &str) -> Result<KubectlCmd, ParseError> {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        parse(&words)
    }

    #[test]
    fn finds_the_command_past_global_flags() {
        let c = cmd("-n kube-system --context=prod get pods -o wide").unwrap();
        assert_eq!(c.command, "get");
        assert!(!c.is_mutating());
        let c = cmd("--namespace default rollout undo deploy/web --to-revision=2").unwrap();
        assert_eq!(c.command, "rollout undo");
        assert!(c.is_mutating());
        assert!(!cmd("rollout history deploy/web").unwrap().is_mutating());
        assert!(
            !cmd("auth can-i list pods --as aliang")
                .unwrap()
                .is_mutating()
        );
        assert!(cmd("config use-context other").unwrap().is_mutating());
        for changes in [
            "apply -f -",
            "scale deploy/web --replicas=3",
            "set image deploy/web nginx=nginx:1.9.1",
            "delete pod web-0",
            "exec web-0 -- ls",
            "drain node1",
            "label node node1 disk=ssd",
        ] {
            assert!(cmd(changes).unwrap().is_mutating(), "{changes}");
        }
    }

    #[test]
    fn unknown_commands_are_kubectls_error() {
        let e = cmd("frobnicate pods").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.exit),
            ("error: unknown command \"frobnicate\" for \"kubectl\"", 1)
        );
        assert_eq!(cmd("-n x").unwrap_err().exit, 0, "no command: the usage");
    }
}
