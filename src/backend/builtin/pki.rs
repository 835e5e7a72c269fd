//! The built-in Kubernetes cluster's certificates, kept in `<state>/pki/` as kubeadm keeps
//! them in `/etc/kubernetes/pki`: the cluster CA (`ca.crt`, `ca.key`), the API server's
//! serving certificate, and the admin's client certificate (group `system:masters`). Made
//! once, on first use; `<state>/kubeconfig` (mode 0600) points kubectl at the server.

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use std::path::{Path, PathBuf};

/// The PEM files of the cluster's PKI.
pub struct Pki {
    pub ca_cert: String,
    pub server_cert: String,
    pub server_key: String,
    pub admin_cert: String,
    pub admin_key: String,
}

/// The names the API server's certificate is valid for.
const SERVER_NAMES: &[&str] = &[
    "127.0.0.1",
    "::1",
    "localhost",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "10.96.0.1",
    "192.168.122.11",
];

const FILES: &[&str] = &[
    "ca.crt",
    "ca.key",
    "apiserver.crt",
    "apiserver.key",
    "admin.crt",
    "admin.key",
];

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("cannot make the cluster's certificates ({what}): {e}")
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A certificate the CA signs (CN, O, names, use), as PEM, with its key.
fn leaf(
    cn: &str,
    org: Option<&str>,
    names: Vec<String>,
    usage: ExtendedKeyUsagePurpose,
    issuer: &Issuer<'_, &KeyPair>,
) -> Result<(String, String), String> {
    let mut p = CertificateParams::new(names).map_err(|e| err(cn, e))?;
    p.distinguished_name.push(DnType::CommonName, cn);
    if let Some(o) = org {
        p.distinguished_name.push(DnType::OrganizationName, o);
    }
    p.extended_key_usages = vec![usage];
    p.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().map_err(|e| err(cn, e))?;
    let cert = p.signed_by(&key, issuer).map_err(|e| err(cn, e))?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// A new PKI, and the CA's key (kept only on disk, for signing users' certificates).
fn generate() -> Result<(Pki, String), String> {
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(|e| err("CA", e))?;
    ca.distinguished_name.push(DnType::CommonName, "kubernetes");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    let ca_key = KeyPair::generate().map_err(|e| err("CA key", e))?;
    let ca_cert = ca.self_signed(&ca_key).map_err(|e| err("CA", e))?;
    let issuer = Issuer::new(ca, &ca_key);

    let names: Vec<String> = SERVER_NAMES.iter().map(|s| s.to_string()).collect();
    let (server_cert, server_key) = leaf(
        "kube-apiserver",
        None,
        names,
        ExtendedKeyUsagePurpose::ServerAuth,
        &issuer,
    )?;
    let (admin_cert, admin_key) = leaf(
        "kubernetes-admin",
        Some("system:masters"),
        Vec::new(),
        ExtendedKeyUsagePurpose::ClientAuth,
        &issuer,
    )?;
    let pki = Pki {
        ca_cert: ca_cert.pem(),
        server_cert,
        server_key,
        admin_cert,
        admin_key,
    };
    Ok((pki, ca_key.serialize_pem()))
}

/// The PKI of the state in `dir`, made on first use.
pub fn ensure(dir: &Path) -> Result<Pki, String> {
    let pki = dir.join("pki");
    let read = |f: &str| std::fs::read_to_string(pki.join(f));
    if FILES.iter().all(|f| pki.join(f).exists()) {
        let get =
            |f: &str| read(f).map_err(|e| format!("cannot read {}: {e}", pki.join(f).display()));
        return Ok(Pki {
            ca_cert: get("ca.crt")?,
            server_cert: get("apiserver.crt")?,
            server_key: get("apiserver.key")?,
            admin_cert: get("admin.crt")?,
            admin_key: get("admin.key")?,
        });
    }
    std::fs::create_dir_all(&pki).map_err(|e| format!("cannot create {}: {e}", pki.display()))?;
    let (p, ca_key) = generate()?;
    for (f, text) in [
        ("ca.key", ca_key.as_str()),
        ("apiserver.key", &p.server_key),
        ("admin.key", &p.admin_key),
        ("ca.crt", &p.ca_cert),
        ("apiserver.crt", &p.server_cert),
        ("admin.crt", &p.admin_cert),
    ] {
        write_private(&pki.join(f), text)?;
    }
    Ok(p)
}

/// Writes `<dir>/kubeconfig` for the admin, pointing at `server` (`https://HOST:PORT`).
pub fn write_kubeconfig(dir: &Path, server: &str, pki: &Pki) -> Result<PathBuf, String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: {}
    server: {server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
preferences: {{}}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: {}
    client-key-data: {}
",
        b64(&pki.ca_cert),
        b64(&pki.admin_cert),
        b64(&pki.admin_key)
    );
    let path = dir.join("kubeconfig");
    write_private(&path, &text)?;
    Ok(path)
}
