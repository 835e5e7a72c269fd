//! `metav1.Status`: the API server's errors, with the real server's reasons, codes and
//! message formats (apimachinery `pkg/api/errors`), so kubectl prints its usual texts.

use serde_json::{Value, json};

/// An error answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Value,
}

/// `resource[.group]`, as messages qualify a resource.
pub fn qualified(resource: &str, group: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

impl Status {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !self.details.is_null() {
            v["details"] = self.details.clone();
        }
        v
    }

    pub fn not_found(resource: &str, group: &str, name: &str) -> Status {
        Status {
            code: 404,
            reason: "NotFound",
            message: format!("{} \"{name}\" not found", qualified(resource, group)),
            details: json!({"name": name, "group": group, "kind": resource}),
        }
    }

    /// A path the server does not serve.
    pub fn no_route() -> Status {
        Status {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".into(),
            details: Value::Null,
        }
    }

    pub fn already_exists(resource: &str, group: &str, name: &str) -> Status {
        Status {
            code: 409,
            reason: "AlreadyExists",
            message: format!("{} \"{name}\" already exists", qualified(resource, group)),
            details: json!({"name": name, "group": group, "kind": resource}),
        }
    }

    /// `pods "x" is forbidden: WHY`.
    pub fn forbidden(resource: &str, group: &str, name: &str, why: &str) -> Status {
        Status {
            code: 403,
            reason: "Forbidden",
            message: format!(
                "{} \"{name}\" is forbidden: {why}",
                qualified(resource, group)
            ),
            details: json!({"name": name, "group": group, "kind": resource}),
        }
    }

    pub fn conflict(resource: &str, group: &str, name: &str) -> Status {
        Status {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                qualified(resource, group)
            ),
            details: json!({"name": name, "group": group, "kind": resource}),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Status {
        Status {
            code: 400,
            reason: "BadRequest",
            message: message.into(),
            details: Value::Null,
        }
    }

    /// `The Kind "name" is invalid: field: reason` with its causes.
    pub fn invalid(kind: &str, group: &str, name: &str, causes: &[(String, String)]) -> Status {
        let list: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        let what = qualified(kind, group);
        let message = match list.len() {
            1 => format!("{what} \"{name}\" is invalid: {}", list[0]),
            _ => format!("{what} \"{name}\" is invalid: [{}]", list.join(", ")),
        };
        Status {
            code: 422,
            reason: "Invalid",
            message,
            details: json!({
                "name": name,
                "group": group,
                "kind": kind,
                "causes": causes.iter().map(|(f, m)| json!({
                    "reason": "FieldValueInvalid",
                    "message": m,
                    "field": f,
                })).collect::<Vec<_>>(),
            }),
        }
    }

    pub fn method_not_allowed(method: &str) -> Status {
        Status {
            code: 405,
            reason: "MethodNotAllowed",
            message: format!(
                "the server does not allow this method on the requested resource ({method})"
            ),
            details: Value::Null,
        }
    }

    pub fn unsupported_media(ct: &str) -> Status {
        Status {
            code: 415,
            reason: "UnsupportedMediaType",
            message: format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {ct})"
            ),
            details: Value::Null,
        }
    }

    pub fn too_large() -> Status {
        Status {
            code: 413,
            reason: "RequestEntityTooLarge",
            message: "the request is too large: limit is 3145728".into(),
            details: Value::Null,
        }
    }

    pub fn unavailable() -> Status {
        Status {
            code: 503,
            reason: "ServiceUnavailable",
            message: "the cluster is shutting down".into(),
            details: Value::Null,
        }
    }

    pub fn unauthorized() -> Status {
        Status {
            code: 401,
            reason: "Unauthorized",
            message: "Unauthorized".into(),
            details: Value::Null,
        }
    }
}
