//! The shell's own commands and the ones every shell script leans on: `echo`, `true`/`false`,
//! `exit`, `sh -c`, `env`, `export`, `pwd`, `cd`.

use super::{Call, Output, Shell};

fn echo(_: &mut Shell, call: &Call) -> Output {
    let (newline, words) = match call.args.first().map(String::as_str) {
        Some("-n") => (false, &call.args[1..]),
        _ => (true, call.args),
    };
    let mut s = words.join(" ");
    if newline {
        s.push('\n');
    }
    Output::ok(s)
}

fn true_(_: &mut Shell, _: &Call) -> Output {
    Output::default()
}

fn false_(_: &mut Shell, _: &Call) -> Output {
    Output::err(1, "")
}

fn exit(sh: &mut Shell, call: &Call) -> Output {
    let code = call
        .args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(sh.last);
    sh.exited = Some(code);
    Output {
        code,
        ..Default::default()
    }
}

fn shell(sh: &mut Shell, call: &Call) -> Output {
    match call.args {
        [c, script, ..] if c == "-c" => {
            let saved = std::mem::replace(&mut sh.name, call.base.into());
            let o = sh.line(script);
            sh.name = saved;
            sh.exited = None;
            o
        }
        [] => {
            let text = String::from_utf8_lossy(call.input).to_string();
            let mut all = Output::default();
            for l in text.lines() {
                let o = sh.line(l);
                all.stdout.extend(o.stdout);
                all.stderr.extend(o.stderr);
                all.code = o.code;
            }
            sh.exited = None;
            all
        }
        [f, ..] => match sh.read(f) {
            Ok(b) => {
                let script = String::from_utf8_lossy(&b).to_string();
                sh.line(&script.replace('\n', ";"))
            }
            Err(e) => Output::err(2, format!("{}: {f}: {e}\n", call.base)),
        },
    }
}

fn env(sh: &mut Shell, call: &Call) -> Output {
    if let Some(name) = call.args.first() {
        return match sh.vars.get(name) {
            Some(v) => Output::ok(format!("{v}\n")),
            None => Output::err(1, ""),
        };
    }
    let mut s = String::new();
    for (k, _) in &sh.c.env {
        if let Some(v) = sh.vars.get(k) {
            s.push_str(&format!("{k}={v}\n"));
        }
    }
    Output::ok(s)
}

fn export(sh: &mut Shell, call: &Call) -> Output {
    for a in call.args {
        if let Some((k, v)) = a.split_once('=') {
            if !sh.c.env.iter().any(|(n, _)| n == k) {
                sh.c.env.push((k.into(), v.into()));
            }
            sh.vars.insert(k.into(), v.into());
        }
    }
    Output::default()
}

fn pwd(sh: &mut Shell, _: &Call) -> Output {
    Output::ok(format!("{}\n", sh.cwd))
}

fn cd(sh: &mut Shell, call: &Call) -> Output {
    let to = sh.abs(call.args.first().map_or("/root", String::as_str));
    if sh.dirs.contains(&to) {
        sh.cwd = to;
        Output::default()
    } else {
        let what = call.args.first().cloned().unwrap_or_default();
        if sh.name == "bash" {
            Output::err(1, format!("bash: cd: {what}: No such file or directory\n"))
        } else {
            Output::err(
                2,
                format!("sh: cd: can't cd to {what}: No such file or directory\n"),
            )
        }
    }
}

/// The commands of this family, by name.
pub(super) const COMMANDS: &[(&str, super::Run)] = &[
    ("echo", echo),
    ("true", true_),
    ("false", false_),
    ("exit", exit),
    ("sh", shell),
    ("ash", shell),
    ("bash", shell),
    ("env", env),
    ("printenv", env),
    ("export", export),
    ("pwd", pwd),
    ("cd", cd),
];
