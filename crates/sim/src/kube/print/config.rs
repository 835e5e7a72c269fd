//! The printers of ConfigMaps, Secrets and ServiceAccounts.

use super::*;

impl Printer for ConfigMap {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col(
            "Data",
            "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
        ),
        AGE,
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        let n = self.data.as_ref().map_or(0, |d| d.len())
            + self.binary_data.as_ref().map_or(0, |d| d.len());
        vec![name(&self.metadata), json!(n), age(&self.metadata, cx)]
    }
}

impl Printer for Secret {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col(
            "Type",
            "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
        ),
        col(
            "Data",
            "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
        ),
        AGE,
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        vec![
            name(&self.metadata),
            json!(self.type_.as_deref().unwrap_or_default()),
            json!(self.data.as_ref().map_or(0, |d| d.len())),
            age(&self.metadata, cx),
        ]
    }
}

impl Printer for ServiceAccount {
    const COLUMNS: &'static [Column] = &[
        NAME,
        col(
            "Secrets",
            "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret",
        ),
        AGE,
    ];
    fn cells(&self, cx: &PrintCx) -> Vec<Value> {
        vec![
            name(&self.metadata),
            json!(self.secrets.as_ref().map_or(0, |s| s.len())),
            age(&self.metadata, cx),
        ]
    }
}
