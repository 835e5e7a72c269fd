//! Reaching a cluster as kubectl does: the kubeconfig read with the global flags over it
//! (`--context`, `--cluster`, `--user`, `--server`, `--token`, `--certificate-authority`,
//! `--insecure-skip-tls-verify`, `--as`, `--as-group`), and a client that logs its requests
//! at `-v` 6 and above.

use crate::verbose;
use opsconsole_sim::lang::kubectl::Globals;
use std::path::Path;

/// The client configuration for `file` under the global flags.
pub async fn config(file: &Path, g: &Globals) -> Result<kube::Config, String> {
    if verbose::level(g.verbosity.as_deref()) >= 6 {
        let line = verbose::klog(
            "loader.go:402",
            &format!("Config loaded from file:  {}", file.display()),
        );
        use std::io::Write;
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
    let kc = kube::config::Kubeconfig::read_from(file)
        .map_err(|e| format!("error: {}: {e}", file.display()))?;
    let opts = kube::config::KubeConfigOptions {
        context: g.context.clone(),
        cluster: g.cluster.clone(),
        user: g.user.clone(),
    };
    let mut config = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .map_err(|e| format!("error: {e}"))?;
    apply_globals(&mut config, g)?;
    Ok(config)
}

/// The global flags that override a configuration, whatever it came from.
pub fn apply_globals(config: &mut kube::Config, g: &Globals) -> Result<(), String> {
    if let Some(server) = &g.server {
        config.cluster_url = server
            .parse()
            .map_err(|e| format!("error: invalid server {server:?}: {e}"))?;
    }
    if let Some(token) = &g.token {
        config.auth_info.token = Some(secrecy::SecretString::from(token.clone()));
    }
    if let Some(ca) = &g.certificate_authority {
        let pem = std::fs::read(ca).map_err(|e| {
            format!(
                "error: unable to read certificate-authority {ca} for {}: {}",
                config.cluster_url,
                crate::go_io_error(&e)
            )
        })?;
        let ders = pem_certificates(&pem);
        if ders.is_empty() {
            return Err(format!(
                "error: unable to load root certificates: unable to parse bytes as PEM block in {ca}"
            ));
        }
        config.root_cert = Some(ders);
    }
    if g.insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
    }
    if let Some(user) = &g.as_user {
        config.auth_info.impersonate = Some(user.clone());
    }
    if !g.as_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(g.as_groups.clone());
    }
    Ok(())
}

/// The DER bytes of each `CERTIFICATE` block of a PEM file.
fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    use base64::Engine;
    let text = String::from_utf8_lossy(pem);
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body = &rest[start + "-----BEGIN CERTIFICATE-----".len()..];
        let Some(end) = body.find("-----END CERTIFICATE-----") else {
            break;
        };
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
            out.push(der);
        }
        rest = &body[end..];
    }
    out
}

/// A client for `config`, logging its requests at the `-v` level of `g`.
pub fn client(config: kube::Config, g: &Globals) -> Result<kube::Client, String> {
    let level = verbose::level(g.verbosity.as_deref());
    let base = config.cluster_url.to_string();
    let builder =
        kube::client::ClientBuilder::try_from(config).map_err(|e| format!("error: {e}"))?;
    Ok(builder.with_layer(&verbose::Layer { level, base }).build())
}
