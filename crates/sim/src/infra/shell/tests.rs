//! The container userland's programs and its shell.

use super::*;

fn shell(userland: Userland) -> Shell {
    let mut files = BTreeMap::new();
    files.insert("/etc/hostname".to_string(), b"web-1\n".to_vec());
    files.insert(
        "/usr/share/nginx/html/index.html".to_string(),
        b"<h1>Welcome to nginx!</h1>\n".to_vec(),
    );
    Shell::new(Container {
        hostname: "web-1".into(),
        userland,
        env: vec![
            ("PATH".into(), "/usr/bin:/bin".into()),
            ("NGINX_VERSION".into(), "1.15.12".into()),
        ],
        files,
        main: vec!["nginx".into(), "-g".into(), "daemon off;".into()],
        nginx: Some("1.15.12".into()),
        kernel: "3.10.0-1160.el7.x86_64".into(),
        date: "Sun Nov 22 10:00:00 UTC 2026".into(),
    })
}

fn argv(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

fn done(s: &mut Shell, a: &[&str]) -> Output {
    match s.start(&argv(a), false) {
        Start::Done(o) => o,
        other => panic!("{other:?}"),
    }
}

#[test]
fn programs_print_what_the_image_would() {
    let mut s = shell(Userland::Busybox);
    let o = done(&mut s, &["nginx", "-v"]);
    assert_eq!(
        (o.stderr.as_slice(), o.code),
        (&b"nginx version: nginx/1.15.12\n"[..], 0)
    );
    assert_eq!(done(&mut s, &["hostname"]).stdout, b"web-1\n");
    assert_eq!(
        done(&mut s, &["cat", "/usr/share/nginx/html/index.html"]).stdout,
        b"<h1>Welcome to nginx!</h1>\n"
    );
    assert_eq!(
        done(&mut s, &["ls", "/usr/share/nginx/html"]).stdout,
        b"index.html\n"
    );
    let env = String::from_utf8(done(&mut s, &["env"]).stdout).unwrap();
    assert_eq!(env, "PATH=/usr/bin:/bin\nNGINX_VERSION=1.15.12\n");
    let o = done(&mut s, &["cat", "/nope"]);
    assert_eq!(
        (o.stderr.as_slice(), o.code),
        (&b"cat: /nope: No such file or directory\n"[..], 1)
    );
    assert_eq!(
        s.start(&argv(&["bash"]), true),
        Start::NotFound("exec: \"bash\": executable file not found in $PATH".into())
    );
    assert_eq!(s.start(&argv(&["sh"]), true), Start::Shell);
    assert_eq!(s.start(&argv(&["cat"]), true), Start::ReadsStdin);
}

#[test]
fn the_shell_runs_lists_pipes_and_redirects() {
    let mut s = shell(Userland::Busybox);
    let sh = |s: &mut Shell, script: &str| done(s, &["sh", "-c", script]);
    let o = sh(
        &mut s,
        "echo hello > /tmp/x; echo world >> /tmp/x; cat /tmp/x | grep -c o",
    );
    assert_eq!(o.stdout, b"2\n");
    let o = sh(&mut s, "cat /tmp/x && echo \"$NGINX_VERSION\" || echo no");
    assert_eq!(o.stdout, b"hello\nworld\n1.15.12\n");
    let o = done(&mut s, &["sh", "-c", "foo; echo $?"]);
    assert_eq!(
        (o.stdout.as_slice(), o.stderr.as_slice()),
        (&b"127\n"[..], &b"sh: foo: not found\n"[..])
    );
    let o = done(&mut s, &["sh", "-c", "exit 3"]);
    assert_eq!(o.code, 3);
    let o = done(&mut s, &["sh", "-c", "echo 'unterminated"]);
    assert_eq!(o.code, 2);
    let mut b = shell(Userland::Gnu);
    let o = done(&mut b, &["bash", "-c", "nope"]);
    assert_eq!(
        (o.stderr.as_slice(), o.code),
        (&b"bash: nope: command not found\n"[..], 127)
    );
    assert_eq!(
        b.line("cd /usr/share/nginx/html; pwd").stdout,
        b"/usr/share/nginx/html\n"
    );
    b.name = "bash".into();
    assert_eq!(b.prompt(), "root@web-1:/usr/share/nginx/html# ");
    b.line("exit 4");
    assert_eq!(b.exited, Some(4));
}
