//! What a container says about itself: `hostname`, `uname`, `whoami`, `id`, `date`, `sleep`,
//! `nginx -v`, `which`, `ps`.

use super::{Call, Output, Shell};

fn hostname(sh: &mut Shell, _: &Call) -> Output {
    Output::ok(format!("{}\n", sh.c.hostname))
}

fn nginx(sh: &mut Shell, call: &Call) -> Output {
    let v = sh.c.nginx.clone().unwrap_or_default();
    match call.args.first().map(String::as_str) {
        Some("-v") => Output::err(0, format!("nginx version: nginx/{v}\n")),
        Some("-V") => Output::err(
            0,
            format!(
                "nginx version: nginx/{v}\nbuilt by gcc\nconfigure arguments: --prefix=/etc/nginx --sbin-path=/usr/sbin/nginx\n"
            ),
        ),
        Some("-t") => Output::err(
            0,
            "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n",
        ),
        _ => Output::err(
            1,
            "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n",
        ),
    }
}

fn uname(sh: &mut Shell, call: &Call) -> Output {
    let k = &sh.c.kernel;
    let h = &sh.c.hostname;
    let s = match call.args.first().map(String::as_str) {
        Some("-a") => format!("Linux {h} {k} #1 SMP x86_64 GNU/Linux"),
        Some("-r") => k.clone(),
        Some("-n") => h.clone(),
        Some("-m") => "x86_64".into(),
        _ => "Linux".into(),
    };
    Output::ok(format!("{s}\n"))
}

fn whoami(_: &mut Shell, _: &Call) -> Output {
    Output::ok("root\n")
}

fn id(_: &mut Shell, _: &Call) -> Output {
    Output::ok("uid=0(root) gid=0(root) groups=0(root)\n")
}

fn date(sh: &mut Shell, _: &Call) -> Output {
    Output::ok(format!("{}\n", sh.c.date))
}

fn sleep(_: &mut Shell, _: &Call) -> Output {
    Output::default()
}

fn which(sh: &mut Shell, call: &Call) -> Output {
    let mut o = Output::default();
    for a in call.args {
        if sh.exists(a) {
            let dir = if a == "nginx" { "/usr/sbin" } else { "/bin" };
            o.stdout.extend(format!("{dir}/{a}\n").into_bytes());
        } else {
            o.code = 1;
        }
    }
    o
}

fn ps(sh: &mut Shell, _: &Call) -> Output {
    let main = sh.c.main.join(" ");
    Output::ok(format!(
        "PID   USER     TIME  COMMAND\n    1 root      0:00 {main}\n"
    ))
}

/// The commands of this family, by name.
pub(super) const COMMANDS: &[(&str, super::Run)] = &[
    ("hostname", hostname),
    ("nginx", nginx),
    ("uname", uname),
    ("whoami", whoami),
    ("id", id),
    ("date", date),
    ("sleep", sleep),
    ("which", which),
    ("ps", ps),
];
