//! What an image's filesystem and environment hold, as far as someone exec'd into one of
//! its containers can see: the distribution, nginx's version and pages, the image's `ENV`.

use super::{App, ImageInfo, ImageRef};
use crate::infra::shell::Userland;
use std::collections::BTreeMap;

/// The page nginx serves until someone changes it (nginx 1.14 to 1.21).
pub const NGINX_INDEX: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

const NGINX_50X: &str = "<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
</body>
</html>
";

const NGINX_DEFAULT_CONF: &str = "server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
";

/// The nginx release a tag of the official image carries.
pub fn nginx_version(tag: &str) -> &'static str {
    let t = tag.trim_end_matches("-alpine");
    match t {
        "1.14" | "1.14.2" => "1.14.2",
        "1.15" | "1.15.12" => "1.15.12",
        "1.16" | "1.16.1" => "1.16.1",
        "1.17" | "1.17.10" => "1.17.10",
        "1.21.4" => "1.21.4",
        _ => "1.27.3",
    }
}

/// An image's userland, nginx version (for nginx), environment and files.
pub struct View {
    pub userland: Userland,
    pub nginx: Option<String>,
    pub env: Vec<(String, String)>,
    pub files: BTreeMap<String, Vec<u8>>,
}

fn os_release(r: &ImageRef, userland: Userland) -> &'static str {
    match (r.repo.as_str(), userland) {
        ("centos", _) => {
            "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nVERSION_ID=\"7\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n"
        }
        ("ubuntu", _) => {
            "NAME=\"Ubuntu\"\nVERSION=\"20.04.6 LTS (Focal Fossa)\"\nID=ubuntu\nVERSION_ID=\"20.04\"\nPRETTY_NAME=\"Ubuntu 20.04.6 LTS\"\n"
        }
        ("busybox", _) => "",
        (_, Userland::Busybox) => {
            "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.10.5\nPRETTY_NAME=\"Alpine Linux v3.10\"\nHOME_URL=\"https://alpinelinux.org/\"\n"
        }
        (_, Userland::Gnu) => {
            "PRETTY_NAME=\"Debian GNU/Linux 9 (stretch)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"9\"\nVERSION=\"9 (stretch)\"\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n"
        }
    }
}

pub fn view(r: &ImageRef, info: &ImageInfo) -> View {
    let busybox = r.repo == "busybox" || r.repo == "alpine" || r.tag.contains("alpine");
    let userland = if busybox {
        Userland::Busybox
    } else {
        Userland::Gnu
    };
    let mut files = BTreeMap::new();
    let os = os_release(r, userland);
    if !os.is_empty() {
        files.insert("/etc/os-release".to_string(), os.as_bytes().to_vec());
    }
    let mut env = Vec::new();
    let mut nginx = None;
    if info.app == App::Nginx {
        let v = nginx_version(&r.tag);
        nginx = Some(v.to_string());
        env.push(("NGINX_VERSION".to_string(), v.to_string()));
        for (path, text) in [
            ("/usr/share/nginx/html/index.html", NGINX_INDEX),
            ("/usr/share/nginx/html/50x.html", NGINX_50X),
            ("/etc/nginx/conf.d/default.conf", NGINX_DEFAULT_CONF),
        ] {
            files.insert(path.to_string(), text.as_bytes().to_vec());
        }
    }
    if r.repo == "perl" {
        env.push(("PERL_VERSION".into(), "5.40.0".into()));
    }
    View {
        userland,
        nginx,
        env,
        files,
    }
}
