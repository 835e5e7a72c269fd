//! The simulated image catalog (there is no registry) and what containers of each image do:
//! how long a pull and a start take, how much memory they use, what they write to their log,
//! when they exit, and how they react to `docker stop`.
//!
//! Shell images (busybox, alpine, centos, ubuntu, perl) run their command through a small
//! interpreter of the commands tutorials use: `sh -c "while true;do echo tang;sleep 1;done"`,
//! `sleep N`, `echo`, `ping`, `yes`, `tail -f /dev/null`, `exit N`.

use crate::base::rng::stable_hex64;

mod lines;
mod pi;
mod programs;
pub mod userland;

pub use lines::LOG_LIMIT;
pub use programs::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum App {
    Nginx,
    Httpd,
    Redis,
    Mysql,
    Tomcat,
    Portainer,
    Visualizer,
    Elasticsearch,
    Shell,
    Crash,
    BadStart,
    Chatty,
    Job,
    Flaky,
    /// A cluster component (CoreDNS, kube-proxy, Calico, the control plane): runs for ever.
    Component,
}

pub struct ImageInfo {
    pub repo: &'static str,
    pub tags: &'static [&'static str],
    pub entrypoint: &'static [&'static str],
    pub cmd: &'static [&'static str],
    pub exposed: &'static [&'static str],
    pub pull_ms: i64,
    pub start_ms: i64,
    pub memory_mb: i64,
    pub arm64: bool,
    pub app: App,
}

macro_rules! img {
    ($repo:expr, [$($tag:expr),*], entry=[$($e:expr),*], cmd=[$($c:expr),*], ports=[$($p:expr),*], pull=$pull:expr, start=$start:expr, mem=$mem:expr, arm=$arm:expr, $app:ident) => {
        ImageInfo { repo: $repo, tags: &[$($tag),*], entrypoint: &[$($e),*], cmd: &[$($c),*], exposed: &[$($p),*],
            pull_ms: $pull, start_ms: $start, memory_mb: $mem, arm64: $arm, app: App::$app }
    };
}

pub static CATALOG: &[ImageInfo] = &[
    img!(
        "nginx",
        [
            "latest",
            "new",
            "alpine",
            "1.15-alpine",
            "1.16-alpine",
            "1.17-alpine",
            "1.15",
            "1.16",
            "1.17",
            "1.21.4",
            "1.14.2",
            "1.14",
            "1.15.12",
            "1.16.1",
            "1.17.10"
        ],
        entry = [],
        cmd = ["nginx", "-g", "daemon off;"],
        ports = ["80/tcp"],
        pull = 6500,
        start = 400,
        mem = 12,
        arm = true,
        Nginx
    ),
    img!(
        "httpd",
        ["latest", "2.4", "alpine"],
        entry = [],
        cmd = ["httpd-foreground"],
        ports = ["80/tcp"],
        pull = 5200,
        start = 500,
        mem = 20,
        arm = true,
        Httpd
    ),
    img!(
        "redis",
        ["latest", "5", "6", "alpine"],
        entry = ["docker-entrypoint.sh"],
        cmd = ["redis-server"],
        ports = ["6379/tcp"],
        pull = 4800,
        start = 300,
        mem = 8,
        arm = true,
        Redis
    ),
    img!(
        "mysql",
        ["5.7", "8.0", "latest"],
        entry = ["docker-entrypoint.sh"],
        cmd = ["mysqld"],
        ports = ["3306/tcp", "33060/tcp"],
        pull = 24000,
        start = 900,
        mem = 360,
        arm = false,
        Mysql
    ),
    img!(
        "tomcat",
        ["latest", "9.0", "8.5"],
        entry = [],
        cmd = ["catalina.sh", "run"],
        ports = ["8080/tcp"],
        pull = 18000,
        start = 1200,
        mem = 180,
        arm = true,
        Tomcat
    ),
    img!(
        "portainer/portainer",
        ["latest"],
        entry = ["/portainer"],
        cmd = [],
        ports = ["9000/tcp"],
        pull = 7000,
        start = 300,
        mem = 14,
        arm = true,
        Portainer
    ),
    img!(
        "dockersamples/visualizer",
        ["latest", "stable"],
        entry = [],
        cmd = ["npm", "start"],
        ports = ["8080/tcp"],
        pull = 15000,
        start = 2500,
        mem = 60,
        arm = false,
        Visualizer
    ),
    img!(
        "elasticsearch",
        ["7.6.2"],
        entry = ["/usr/local/bin/docker-entrypoint.sh"],
        cmd = ["eswrapper"],
        ports = ["9200/tcp", "9300/tcp"],
        pull = 45000,
        start = 1500,
        mem = 1300,
        arm = false,
        Elasticsearch
    ),
    img!(
        "busybox",
        ["latest", "1.31", "musl", "1.28.4", "1.28"],
        entry = [],
        cmd = ["sh"],
        ports = [],
        pull = 1200,
        start = 200,
        mem = 1,
        arm = true,
        Shell
    ),
    img!(
        "alpine",
        ["latest", "3.10", "3.12"],
        entry = [],
        cmd = ["/bin/sh"],
        ports = [],
        pull = 1500,
        start = 200,
        mem = 1,
        arm = true,
        Shell
    ),
    img!(
        "centos",
        ["latest", "7", "8"],
        entry = [],
        cmd = ["/bin/bash"],
        ports = [],
        pull = 9000,
        start = 300,
        mem = 3,
        arm = true,
        Shell
    ),
    img!(
        "ubuntu",
        ["latest", "18.04", "20.04"],
        entry = [],
        cmd = ["bash"],
        ports = [],
        pull = 8000,
        start = 300,
        mem = 3,
        arm = true,
        Shell
    ),
    img!(
        "perl",
        ["latest", "5"],
        entry = [],
        cmd = ["perl5.30.0", "-de0"],
        ports = [],
        pull = 20000,
        start = 300,
        mem = 6,
        arm = true,
        Shell
    ),
    img!(
        "opsconsole/crash",
        ["latest"],
        entry = ["/app/server"],
        cmd = [],
        ports = ["8080/tcp"],
        pull = 2000,
        start = 300,
        mem = 10,
        arm = true,
        Crash
    ),
    img!(
        "opsconsole/badstart",
        ["latest"],
        entry = ["/app/start"],
        cmd = [],
        ports = [],
        pull = 2000,
        start = 300,
        mem = 0,
        arm = true,
        BadStart
    ),
    img!(
        "opsconsole/flaky",
        ["latest"],
        entry = ["/app/server"],
        cmd = [],
        ports = ["8080/tcp"],
        pull = 2000,
        start = 300,
        mem = 20,
        arm = true,
        Flaky
    ),
    img!(
        "opsconsole/chatty",
        ["latest"],
        entry = ["/app/chatty"],
        cmd = [],
        ports = [],
        pull = 2000,
        start = 200,
        mem = 15,
        arm = true,
        Chatty
    ),
    img!(
        "opsconsole/job",
        ["latest"],
        entry = ["/app/job"],
        cmd = [],
        ports = [],
        pull = 2000,
        start = 200,
        mem = 10,
        arm = true,
        Job
    ),
    img!(
        "registry.k8s.io/coredns/coredns",
        ["v1.11.3"],
        entry = ["/coredns"],
        cmd = [],
        ports = ["53/tcp", "53/udp", "9153/tcp"],
        pull = 3000,
        start = 300,
        mem = 70,
        arm = true,
        Component
    ),
    img!(
        "registry.k8s.io/kube-proxy",
        ["v1.32.4"],
        entry = [],
        cmd = ["/usr/local/bin/kube-proxy"],
        ports = [],
        pull = 5000,
        start = 300,
        mem = 40,
        arm = true,
        Component
    ),
    img!(
        "calico/node",
        ["v3.28.2"],
        entry = [],
        cmd = ["start_runit"],
        ports = [],
        pull = 9000,
        start = 800,
        mem = 150,
        arm = true,
        Component
    ),
    img!(
        "registry.k8s.io/kube-apiserver",
        ["v1.32.4"],
        entry = [],
        cmd = ["kube-apiserver"],
        ports = [],
        pull = 6000,
        start = 500,
        mem = 300,
        arm = true,
        Component
    ),
    img!(
        "registry.k8s.io/kube-controller-manager",
        ["v1.32.4"],
        entry = [],
        cmd = ["kube-controller-manager"],
        ports = [],
        pull = 6000,
        start = 400,
        mem = 60,
        arm = true,
        Component
    ),
    img!(
        "registry.k8s.io/kube-scheduler",
        ["v1.32.4"],
        entry = [],
        cmd = ["kube-scheduler"],
        ports = [],
        pull = 4000,
        start = 300,
        mem = 30,
        arm = true,
        Component
    ),
    img!(
        "registry.k8s.io/etcd",
        ["3.5.16-0"],
        entry = [],
        cmd = ["etcd"],
        ports = [],
        pull = 8000,
        start = 500,
        mem = 100,
        arm = true,
        Component
    ),
];

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub repo: String,
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses "nginx", "nginx:1.16-alpine", "docker.io/library/nginx:latest@sha256:...".
    pub fn parse(s: &str) -> Option<ImageRef> {
        if s.is_empty()
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_ascii_uppercase())
        {
            return None;
        }
        let (name, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (s, None),
        };
        let (repo, tag) = match name.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, t.to_string()),
            _ => (name, "latest".to_string()),
        };
        if repo.is_empty() || tag.is_empty() {
            return None;
        }
        let repo = repo
            .strip_prefix("docker.io/")
            .or_else(|| repo.strip_prefix("index.docker.io/"))
            .unwrap_or(repo);
        let repo = repo.strip_prefix("library/").unwrap_or(repo);
        Some(ImageRef {
            repo: repo.to_string(),
            tag,
            digest,
        })
    }

    /// "nginx:latest" (docker's familiar form, no digest).
    pub fn familiar(&self) -> String {
        format!("{}:{}", self.repo, self.tag)
    }
}

pub fn lookup(image: &str) -> Option<(&'static ImageInfo, ImageRef)> {
    let r = ImageRef::parse(image)?;
    let info = CATALOG
        .iter()
        .find(|i| i.repo == r.repo && i.tags.contains(&r.tag.as_str()))?;
    if let Some(d) = &r.digest
        && *d != digest_of(&r.familiar())
    {
        return None;
    }
    Some((info, r))
}

/// The registry digest of a known image ("sha256:..."); stable across runs.
pub fn digest_of(familiar: &str) -> String {
    if familiar == "nginx:latest" {
        // The digest seed 000's `service inspect --pretty` shows.
        return "sha256:b73f527d86e3461fd652f62cf47e7b375196063bbbd503e853af5be16597cb2e".into();
    }
    format!("sha256:{}", stable_hex64(&format!("digest:{familiar}")))
}

/// The local image ID ("sha256:...") of a known image.
pub fn image_id_of(familiar: &str) -> String {
    format!("sha256:{}", stable_hex64(&format!("image:{familiar}")))
}

/// What the docker CLI records in a service spec: the image pinned to its digest, as
/// `service create` does when the registry answers. `None` if no registry knows it.
pub fn pin(image: &str) -> Option<String> {
    let (_, r) = lookup(image)?;
    Some(format!("{}@{}", r.familiar(), digest_of(&r.familiar())))
}

/// The image as `service ls` and `service ps` show it: familiar name, no digest.
pub fn display(image: &str) -> String {
    match ImageRef::parse(image) {
        Some(r) if image.contains(':') || image.contains('@') => r.familiar(),
        Some(r) => r.familiar(),
        None => image.to_string(),
    }
}
