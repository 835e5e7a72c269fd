//! kubectl command lines: the command kubectl would run and whether it changes the cluster.
//! The language knows kubectl's commands (its global flags, its verbs and their groups), so
//! a read-only console refuses kubectl's changes the way it refuses docker's, and the
//! `:` line, macros and `ctl` take kubectl lines where they take docker's. Running them is
//! the Kubernetes control plane's part.

mod create;
mod more;
mod pflag;
mod types;
mod verbs;
pub mod vocab;

use super::flags::ParseError;
use create::generator;
pub use types::*;
use verbs::typed;

/// A kubectl command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubectlCmd {
    /// The command: `get`, `rollout undo`, `auth can-i`, ...
    pub command: String,
    /// Every word after `kubectl`, as typed.
    pub args: Vec<String>,
    /// The global flags.
    pub globals: Globals,
    /// The command with its own flags and arguments, for the commands opsconsole runs.
    pub verb: Verb,
}

/// The flags every kubectl command takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Globals {
    pub namespace: Option<String>,
    pub context: Option<String>,
    pub kubeconfig: Option<String>,
    pub as_user: Option<String>,
    pub as_groups: Vec<String>,
    pub verbosity: Option<String>,
    /// The kubeconfig's cluster and user to use instead of the context's.
    pub cluster: Option<String>,
    pub user: Option<String>,
    /// The server's address, a bearer token, a CA file and no TLS verification, over
    /// what the kubeconfig says.
    pub server: Option<String>,
    pub token: Option<String>,
    pub certificate_authority: Option<String>,
    pub insecure_skip_tls_verify: bool,
    /// The command line as `--record` writes it into `kubernetes.io/change-cause`.
    pub change_cause: String,
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

    /// It runs until interrupted, following the cluster (`get -w`): simulated time runs with
    /// the clock while it does.
    pub fn follows(&self) -> bool {
        match &self.verb {
            Verb::Get(g) => g.watch || g.watch_only,
            Verb::Logs(l) => l.follow,
            _ => false,
        }
    }

    /// It reads manifests from its standard input (`-f -`).
    pub fn reads_stdin(&self) -> bool {
        let files = match &self.verb {
            Verb::Apply(a) => &a.filenames,
            Verb::Create(c) => &c.filenames,
            Verb::Delete(d) => &d.targets.filenames,
            Verb::Scale(s) => &s.targets.filenames,
            Verb::Label(l) => &l.targets.filenames,
            _ => return false,
        };
        files.iter().any(|f| f == "-")
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
    // `create` names a generator with its next word(s) (`create deploy`, `create secret
    // generic`), or reads files (`create -f`).
    let mut depth = words.len();
    let mut command = words.join(" ");
    if words[0] == "create" {
        let rest: Vec<&str> = args
            .iter()
            .skip_while(|a| a.as_str() != "create")
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .map(String::as_str)
            .collect();
        if let Some((name, n)) = generator(&rest) {
            command = format!("create {name}");
            depth = 1 + n;
        }
    }
    let (globals, verb) = typed(&command, depth, args)?;
    Ok(KubectlCmd {
        command,
        args: args.to_vec(),
        globals,
        verb,
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

    #[test]
    fn get_is_parsed_as_pflag_parses_it() {
        let c = cmd("-n kube-system get pods,svc web -owide -l app=web --show-labels -Aw").unwrap();
        assert_eq!(c.globals.namespace.as_deref(), Some("kube-system"));
        let Verb::Get(g) = c.verb else {
            panic!("{:?}", c.verb)
        };
        assert_eq!(g.args, ["pods,svc", "web"]);
        assert_eq!(g.output.as_deref(), Some("wide"));
        assert_eq!(g.selector.as_deref(), Some("app=web"));
        assert!(g.show_labels && g.all_namespaces && g.watch);
        let Verb::Get(g) = cmd("get deploy --output=name --namespace=x -- -weird")
            .unwrap()
            .verb
        else {
            panic!()
        };
        assert_eq!(
            (g.args.as_slice(), g.output.as_deref()),
            (
                &["deploy".to_string(), "-weird".to_string()][..],
                Some("name")
            )
        );
        let e = cmd("get pods --frob").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.exit),
            (
                "error: unknown flag: --frob\nSee 'kubectl get --help' for usage.",
                1
            )
        );
        let e = cmd("get pods -o").unwrap_err();
        assert_eq!(
            e.message,
            "error: flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage."
        );
        assert_eq!(cmd("certificate approve x").unwrap().verb, Verb::Other);
        let Verb::Rollout(r) = cmd("rollout undo deploy/x --to-revision=2").unwrap().verb else {
            panic!()
        };
        assert_eq!(
            (r.action, r.to_revision.as_deref()),
            (RolloutAction::Undo, Some("2"))
        );
    }

    #[test]
    fn delete_and_scale_are_typed() {
        let Verb::Delete(d) = cmd("delete deploy/web --cascade=orphan --wait=false -l x=y")
            .unwrap()
            .verb
        else {
            panic!()
        };
        assert_eq!(d.targets.args, ["deploy/web"]);
        assert_eq!(d.cascade.as_deref(), Some("orphan"));
        assert_eq!(d.targets.selector.as_deref(), Some("x=y"));
        assert!(!d.wait);
        let Verb::Delete(d) = cmd("delete pod a b --now").unwrap().verb else {
            panic!()
        };
        assert!(d.wait && d.now);
        let Verb::Scale(s) = cmd("scale --replicas 3 deploy web --current-replicas=2")
            .unwrap()
            .verb
        else {
            panic!()
        };
        assert_eq!(s.targets.args, ["deploy", "web"]);
        assert_eq!(
            (s.replicas.as_deref(), s.current_replicas.as_deref()),
            (Some("3"), Some("2"))
        );
        let e = cmd("scale deploy web --replicas=x").unwrap_err();
        assert_eq!(
            e.message,
            "error: invalid argument \"x\" for \"--replicas\" flag: strconv.ParseInt: parsing \"x\": invalid syntax\nSee 'kubectl scale --help' for usage."
        );
    }

    proptest::proptest! {
        #[test]
        fn no_command_line_panics(words in proptest::collection::vec(
            proptest::sample::select(vec![
                "get", "pods", "-n", "--namespace", "-o", "-owide", "--output=json", "-A", "-Aw",
                "-l", "--", "-", "--=", "-=", "-o=", "version", "--client", "rollout", "status",
                "x/y", ",", "--show-labels=false", "-x", "--kubeconfig", "delete", "scale",
                "--replicas", "--replicas=x", "--grace-period=-1", "--cascade", "--all",
            ]),
            0..8,
        )) {
            let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            let _ = parse(&words);
        }
    }
}
