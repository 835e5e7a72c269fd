//! Commands on the container's files: `cat`, `ls`, `mkdir`, `touch`, `rm`.

use super::{Call, Output, Shell, parent};

fn cat(sh: &mut Shell, call: &Call) -> Output {
    if call.args.is_empty() {
        return Output::ok(call.input.to_vec());
    }
    let mut o = Output::default();
    for f in call.args {
        match sh.read(f) {
            Ok(b) => o.stdout.extend(b),
            Err(e) => {
                o.stderr.extend(format!("cat: {f}: {e}\n").into_bytes());
                o.code = 1;
            }
        }
    }
    o
}

fn ls(sh: &mut Shell, call: &Call) -> Output {
    list(sh, call.args)
}

fn mkdir(sh: &mut Shell, call: &Call) -> Output {
    let parents = call.args.iter().any(|a| a == "-p");
    let mut o = Output::default();
    for d in call.args.iter().filter(|a| !a.starts_with('-')) {
        let a = sh.abs(d);
        if sh.dirs.contains(&a) && !parents {
            o.stderr
                .extend(format!("mkdir: can't create directory '{d}': File exists\n").into_bytes());
            o.code = 1;
        } else if !parents && !sh.dirs.contains(&parent(&a)) {
            o.stderr.extend(
                format!("mkdir: can't create directory '{d}': No such file or directory\n")
                    .into_bytes(),
            );
            o.code = 1;
        } else {
            let mut p = a;
            while sh.dirs.insert(p.clone()) {
                p = parent(&p);
            }
        }
    }
    o
}

fn touch(sh: &mut Shell, call: &Call) -> Output {
    let mut o = Output::default();
    for f in call.args {
        let a = sh.abs(f);
        if !sh.c.files.contains_key(&a)
            && let Err(e) = sh.write(f, Vec::new(), true)
        {
            o.stderr.extend(format!("touch: {f}: {e}\n").into_bytes());
            o.code = 1;
        }
    }
    o
}

fn rm(sh: &mut Shell, call: &Call) -> Output {
    let force = call
        .args
        .iter()
        .any(|a| a.starts_with('-') && a.contains('f'));
    let rec = call
        .args
        .iter()
        .any(|a| a.starts_with('-') && a.contains('r'));
    let mut o = Output::default();
    for f in call.args.iter().filter(|a| !a.starts_with('-')) {
        let a = sh.abs(f);
        if sh.c.files.remove(&a).is_some() {
            continue;
        }
        if sh.dirs.contains(&a) && rec {
            let prefix = format!("{a}/");
            sh.c.files.retain(|k, _| !k.starts_with(&prefix));
            sh.dirs.retain(|k| *k != a && !k.starts_with(&prefix));
        } else if sh.dirs.contains(&a) {
            o.stderr
                .extend(format!("rm: '{f}' is a directory\n").into_bytes());
            o.code = 1;
        } else if !force {
            o.stderr.extend(
                format!("rm: can't remove '{f}': No such file or directory\n").into_bytes(),
            );
            o.code = 1;
        }
    }
    o
}

fn list(sh: &Shell, args: &[String]) -> Output {
    let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
    let all = args.iter().any(|a| a.starts_with('-') && a.contains('a'));
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let targets: Vec<String> = if paths.is_empty() {
        vec![".".into()]
    } else {
        paths.iter().map(|p| p.to_string()).collect()
    };
    let mut o = Output::default();
    let many = targets.len() > 1;
    for (i, t) in targets.iter().enumerate() {
        let a = sh.abs(t);
        if let Some(b) = sh.c.files.get(&a) {
            let line = if long {
                format!("-rw-r--r--    1 root     root     {:>8} {t}\n", b.len())
            } else {
                format!("{t}\n")
            };
            o.stdout.extend(line.into_bytes());
            continue;
        }
        if !sh.dirs.contains(&a) {
            o.stderr
                .extend(format!("ls: {t}: No such file or directory\n").into_bytes());
            o.code = 1;
            continue;
        }
        if many {
            if i > 0 {
                o.stdout.push(b'\n');
            }
            o.stdout.extend(format!("{t}:\n").into_bytes());
        }
        let prefix = if a == "/" {
            "/".to_string()
        } else {
            format!("{a}/")
        };
        let child = |p: &String| -> Option<String> {
            let rest = p.strip_prefix(&prefix)?;
            (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_string())
        };
        let mut entries: Vec<(String, bool, usize)> = sh
            .dirs
            .iter()
            .filter_map(|d| child(d).map(|n| (n, true, 4096)))
            .chain(
                sh.c.files
                    .iter()
                    .filter_map(|(f, b)| child(f).map(|n| (n, false, b.len()))),
            )
            .filter(|(n, _, _)| all || !n.starts_with('.'))
            .collect();
        entries.sort();
        for (n, dir, size) in entries {
            let line = if long {
                let mode = if dir { "drwxr-xr-x" } else { "-rw-r--r--" };
                format!(
                    "{mode}    {} root     root     {size:>8} {n}\n",
                    if dir { 2 } else { 1 }
                )
            } else {
                format!("{n}\n")
            };
            o.stdout.extend(line.into_bytes());
        }
    }
    o
}

/// The commands of this family, by name.
pub(super) const COMMANDS: &[(&str, super::Run)] = &[
    ("cat", cat),
    ("ls", ls),
    ("mkdir", mkdir),
    ("touch", touch),
    ("rm", rm),
];
