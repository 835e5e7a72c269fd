//! The subcommands of `kubectl config`: each reads the command and changes (or prints) the
//! kubeconfig as kubectl does, with its checks and messages.

use super::*;

/// What a subcommand did: its message (stdout), a warning (stderr), and whether the file
/// changed.
#[derive(Default)]
struct Done {
    message: String,
    warning: String,
    changed: bool,
}

impl Done {
    fn changed(message: String) -> Done {
        Done {
            message,
            warning: String::new(),
            changed: true,
        }
    }
    fn printed(message: String) -> Done {
        Done {
            message,
            ..Done::default()
        }
    }
}

/// One run of a subcommand: the command, the file as named, and the global `--context`.
struct Ctx<'a> {
    c: &'a ConfigCmd,
    file: &'a Path,
    shown: &'a str,
    context: Option<&'a str>,
}

impl Ctx<'_> {
    fn given(&self, flag: &str) -> Option<&str> {
        self.c.last(flag)
    }
    fn one_name(&self, lower: bool) -> Result<&str, String> {
        match self.c.args.as_slice() {
            [n] => Ok(n),
            a => Err(unexpected(a, lower)),
        }
    }
}

fn set_cluster(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let name = x.one_name(false)?;
    let embed = x.c.on("embed-certs");
    let ca = x.given("certificate-authority");
    let insecure = x.given("insecure-skip-tls-verify");
    let insecure_on = insecure.is_some_and(|v| v != "false");
    if insecure_on && ca.is_some_and(|c| !c.is_empty()) {
        return Err(
            "error: you cannot specify a certificate authority and insecure mode at the same time"
                .into(),
        );
    }
    if embed {
        match ca.filter(|c| !c.is_empty()) {
            None => return Err("error: you must specify a --certificate-authority to embed".into()),
            Some(p) => {
                embedded("certificate-authority", p)?;
            }
        }
    }
    let fields = kc.clusters.entry(name.to_string()).or_default();
    if let Some(s) = x.given("server") {
        put(fields, "server", json!(s));
    }
    if let Some(s) = x.given("tls-server-name") {
        put(fields, "tls-server-name", json!(s));
    }
    if insecure.is_some() {
        put(fields, "insecure-skip-tls-verify", json!(insecure_on));
        if insecure_on {
            fields.remove("certificate-authority");
            fields.remove("certificate-authority-data");
        }
    }
    if let Some(p) = ca {
        if embed {
            fields.insert(
                "certificate-authority-data".into(),
                json!(embedded("certificate-authority", p)?),
            );
            fields.remove("insecure-skip-tls-verify");
            fields.remove("certificate-authority");
        } else {
            put(
                fields,
                "certificate-authority",
                json!(stored_path(p, x.file)),
            );
            if !p.is_empty() {
                fields.remove("insecure-skip-tls-verify");
                fields.remove("certificate-authority-data");
            }
        }
    }
    if let Some(p) = x.given("proxy-url") {
        put(fields, "proxy-url", json!(p));
    }
    Ok(Done::changed(format!("Cluster {name:?} set.\n")))
}

fn set_credentials(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let name = x.one_name(true)?;
    let embed = x.c.on("embed-certs");
    let cert = x.given("client-certificate");
    let key = x.given("client-key");
    if embed && cert.is_none() && key.is_none() {
        return Err(
            "error: you must specify a --client-certificate or --client-key to embed".into(),
        );
    }
    let token = x.given("token");
    let basic = x.given("username").is_some() || x.given("password").is_some();
    if token.is_some_and(|t| !t.is_empty()) && basic {
        return Err("error: you cannot specify more than one authentication method at the same time: --token, --username/--password".into());
    }
    let mut files = Vec::new();
    for (flag, path_key, data_key) in [
        (
            "client-certificate",
            "client-certificate",
            "client-certificate-data",
        ),
        ("client-key", "client-key", "client-key-data"),
    ] {
        if let Some(p) = x.given(flag) {
            let value = if embed {
                Some(embedded(flag, p)?)
            } else {
                None
            };
            files.push((path_key, data_key, p, value));
        }
    }
    let fields = kc.users.entry(name.to_string()).or_default();
    for (path_key, data_key, p, data) in files {
        match data {
            Some(d) => {
                fields.insert(data_key.into(), json!(d));
                fields.remove(path_key);
            }
            None => {
                put(fields, path_key, json!(stored_path(p, x.file)));
                if !p.is_empty() {
                    fields.remove(data_key);
                }
            }
        }
    }
    if let Some(t) = token {
        put(fields, "token", json!(t));
        if !t.is_empty() {
            fields.remove("username");
            fields.remove("password");
        }
    }
    for k in ["username", "password"] {
        if let Some(v) = x.given(k) {
            put(fields, k, json!(v));
            if !v.is_empty() {
                fields.remove("token");
            }
        }
    }
    if let Some(p) = x.given("auth-provider") {
        let mut provider = json!({"name": p});
        let mut config = Map::new();
        for a in x.c.values.iter().filter(|(k, _)| k == "auth-provider-arg") {
            if let Some((k, v)) = a.1.split_once('=') {
                config.insert(k.into(), json!(v));
            }
        }
        if !config.is_empty() {
            provider["config"] = Value::Object(config);
        }
        fields.insert("auth-provider".into(), provider);
    }
    if let Some(cmd) = x.given("exec-command") {
        let mut exec = Map::new();
        exec.insert("command".into(), json!(cmd));
        let args: Vec<&str> =
            x.c.values
                .iter()
                .filter(|(k, _)| k == "exec-arg")
                .map(|(_, v)| v.as_str())
                .collect();
        if !args.is_empty() {
            exec.insert("args".into(), json!(args));
        }
        let env: Vec<Value> =
            x.c.values
                .iter()
                .filter(|(k, _)| k == "exec-env")
                .filter_map(|(_, v)| v.split_once('='))
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect();
        if !env.is_empty() {
            exec.insert("env".into(), json!(env));
        }
        exec.insert(
            "apiVersion".into(),
            json!(
                x.given("exec-api-version")
                    .unwrap_or("client.authentication.k8s.io/v1beta1")
            ),
        );
        exec.insert("provideClusterInfo".into(), json!(false));
        exec.insert("interactiveMode".into(), json!("IfAvailable"));
        fields.insert("exec".into(), Value::Object(exec));
    }
    Ok(Done::changed(format!("User {name:?} set.\n")))
}

fn set_context(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let current = x.c.on("current");
    let name = match (x.c.args.as_slice(), current) {
        ([], true) => {
            if kc.current.is_empty() {
                return Err("error: no current context is set".into());
            }
            kc.current.clone()
        }
        ([n], false) if !n.is_empty() => n.clone(),
        ([_], true) => {
            return Err("error: you cannot specify both a context name and --current".into());
        }
        ([], false) => {
            return Err("error: you must specify a non-empty context name or --current".into());
        }
        (a, _) => return Err(unexpected(a, false)),
    };
    let existed = kc.contexts.contains_key(&name);
    let fields = kc.contexts.entry(name.clone()).or_default();
    for (flag, key) in [
        ("cluster", "cluster"),
        ("user", "user"),
        ("namespace", "namespace"),
    ] {
        if let Some(v) = x.given(flag) {
            put(fields, key, json!(v));
        }
    }
    let how = if existed { "modified" } else { "created" };
    Ok(Done::changed(format!("Context {name:?} {how}.\n")))
}

fn use_context(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let name = x.one_name(false)?;
    if !kc.contexts.contains_key(name) {
        return Err(format!("error: no context exists with the name: {name:?}"));
    }
    kc.current = name.to_string();
    Ok(Done::changed(format!("Switched to context {name:?}.\n")))
}

fn delete(x: &Ctx, kc: &mut Kubeconfig, section: Section) -> Result<Done, String> {
    let what = match section {
        Section::Clusters => "cluster",
        Section::Users => "user",
        Section::Contexts => "context",
    };
    let name = match x.c.args.as_slice() {
        [n, ..] => n.as_str(),
        [] => {
            return Err(format!(
                "error: {what} to delete is required\nSee 'kubectl config delete-{what} -h' for help and examples"
            ));
        }
    };
    if kc.entries_mut(section).remove(name).is_none() {
        return Err(format!(
            "error: cannot delete {what} {name}, not in {}",
            x.shown
        ));
    }
    let mut done = Done::changed(format!("deleted {what} {name} from {}\n", x.shown));
    if section == Section::Contexts && kc.current == name {
        done.warning = "warning: this removed your active context, use \"kubectl config use-context\" to select a different one\n".into();
    }
    Ok(done)
}

fn rename_context(x: &Ctx, kc: &mut Kubeconfig) -> Result<Done, String> {
    let [old, new] = x.c.args.as_slice() else {
        return Err(unexpected(&x.c.args, false));
    };
    let Some(ctx) = kc.contexts.get(old).cloned() else {
        return Err(format!(
            "error: cannot rename the context {old:?}, it's not in {}",
            x.shown
        ));
    };
    if kc.contexts.contains_key(new) {
        return Err(format!(
            "error: cannot rename the context {old:?}, the context {new:?} already exists in {}",
            x.shown
        ));
    }
    kc.contexts.remove(old);
    kc.contexts.insert(new.clone(), ctx);
    if kc.current == *old {
        kc.current = new.clone();
    }
    Ok(Done::changed(format!(
        "Context {old:?} renamed to {new:?}.\n"
    )))
}

/// `config set|unset PROPERTY [VALUE]`: a dotted path through the config's fields and the
/// entries' names.
fn set_property(x: &Ctx, kc: &mut Kubeconfig, unset: bool) -> Result<Done, String> {
    let (path, value) = match (x.c.args.as_slice(), unset) {
        ([p], true) => (p.as_str(), None),
        ([p, v], false) => (p.as_str(), Some(v.as_str())),
        (a, _) => return Err(unexpected(a, false)),
    };
    let parts: Vec<&str> = path.split('.').collect();
    let verb = if unset { "unset" } else { "set" };
    let done = Done::changed(format!("Property {path:?} {verb}.\n"));
    match parts.as_slice() {
        ["current-context"] => {
            kc.current = value.unwrap_or_default().to_string();
            return Ok(done);
        }
        [section, rest @ ..] => {
            let Some(section) = Section::ALL.into_iter().find(|s| s.key() == *section) else {
                return Err(format!(
                    "error: unable to parse {path} after [] at api.Config"
                ));
            };
            match rest {
                [] if unset => {
                    kc.entries_mut(section).clear();
                    return Ok(done);
                }
                [] => return Err("error: can't set a map to a value".into()),
                [name] if unset => {
                    kc.entries_mut(section).remove(*name);
                    return Ok(done);
                }
                [_] => return Err("error: can't set a map to a value".into()),
                [name, field] => {
                    if !section.fields().iter().any(|(f, _)| f == field) {
                        return Err(format!(
                            "error: unable to parse one or more field values of {path}"
                        ));
                    }
                    let Some(v) = value else {
                        if let Some(e) = kc.entries_mut(section).get_mut(*name) {
                            e.remove(*field);
                        }
                        return Ok(done);
                    };
                    let v = if BOOLS.contains(field) {
                        json!(parse_bool(v)?)
                    } else if BYTES.contains(field) {
                        let engine = base64::engine::general_purpose::STANDARD;
                        if x.c.on("set-raw-bytes") {
                            json!(engine.encode(v))
                        } else {
                            engine.decode(v).map_err(|e| {
                                format!(
                                    "error: error decoding input value: {}",
                                    go_base64_error(&e)
                                )
                            })?;
                            json!(v)
                        }
                    } else if matches!(
                        *field,
                        "as-groups" | "extensions" | "as-user-extra" | "auth-provider" | "exec"
                    ) {
                        return Err(format!("error: unable to set {path}: not a string field"));
                    } else {
                        json!(v)
                    };
                    put(
                        kc.entries_mut(section)
                            .entry((*name).to_string())
                            .or_default(),
                        field,
                        v,
                    );
                    return Ok(done);
                }
                _ => {}
            }
        }
        [] => {}
    }
    Err(format!(
        "error: unable to parse {path} after [] at api.Config"
    ))
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!(
            "error: strconv.ParseBool: parsing {v:?}: invalid syntax"
        )),
    }
}

fn go_base64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
            format!("illegal base64 data at input byte {at}")
        }
        base64::DecodeError::InvalidLength(at) => format!("illegal base64 data at input byte {at}"),
        base64::DecodeError::InvalidPadding => "illegal base64 data at input byte 0".into(),
    }
}

fn names_table(header: &str, names: impl Iterator<Item = String>) -> String {
    let mut s = format!("{header}\n");
    for n in names {
        s.push_str(&n);
        s.push('\n');
    }
    s
}

fn get_contexts(x: &Ctx, kc: &Kubeconfig) -> Result<Done, String> {
    let output = x.given("output").unwrap_or("");
    if !matches!(output, "" | "name") {
        return Err(format!(
            "error: --output {output} is not available in kubectl config get-contexts; resetting to default output format"
        ));
    }
    let mut missing = Vec::new();
    let names: Vec<&String> = if x.c.args.is_empty() {
        kc.contexts.keys().collect()
    } else {
        let mut wanted: Vec<&String> = Vec::new();
        for a in &x.c.args {
            match kc.contexts.get_key_value(a) {
                Some((k, _)) => wanted.push(k),
                None => missing.push(a.clone()),
            }
        }
        wanted.sort();
        wanted
    };
    let mut text = String::new();
    if output == "name" {
        for n in &names {
            text.push_str(n);
            text.push('\n');
        }
    } else {
        let mut rows = String::new();
        if !x.c.on("no-headers") {
            rows.push_str("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
        }
        for n in &names {
            let c = &kc.contexts[*n];
            let f = |k: &str| {
                c.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let star = if **n == kc.current { "*" } else { "" };
            rows.push_str(&format!(
                "{star}\t{n}\t{}\t{}\t{}\n",
                f("cluster"),
                f("user"),
                f("namespace")
            ));
        }
        text = crate::tabwriter::tabwrite(&rows, 6, 3);
    }
    if let Some(m) = missing.first() {
        return Err(format!("{text}\u{0}error: context {m} not found"));
    }
    Ok(Done::printed(text))
}

fn view(x: &Ctx, kc: &Kubeconfig) -> Result<Done, String> {
    let format = printer::parse(
        Some(x.given("output").unwrap_or("yaml")),
        x.given("template"),
        printer::CHANGE_FORMATS,
    )?;
    let mut shown = if x.c.on("minify") {
        kc.minified(x.context)?
    } else {
        kc.clone()
    };
    if x.c.on("flatten") {
        let base = x.file.parent().unwrap_or(Path::new(""));
        shown = shown.flattened(base)?;
    } else if !x.c.on("raw") {
        shown = shown.shortened();
    }
    let v = shown.to_v1();
    let text = match format {
        Format::Name => "config/<unknown>\n".to_string(),
        f => printer::generated(&f, "", &v, "")?,
    };
    Ok(Done::printed(text))
}

/// Runs `kubectl config ...` on `file` (named `shown` in messages); `context` is the
/// global `--context`.
pub fn run(c: &ConfigCmd, file: &Path, shown: &str, context: Option<&str>, out: &mut Out) -> i32 {
    let x = Ctx {
        c,
        file,
        shown,
        context,
    };
    let mut kc = match Kubeconfig::load(file, shown) {
        Ok(k) => k,
        Err(e) => {
            out.eprint(&format!("{e}\n"));
            return 1;
        }
    };
    let result = match c.action.as_str() {
        "view" => view(&x, &kc),
        "current-context" => match kc.current.as_str() {
            "" => Err("error: current-context is not set".into()),
            cur => Ok(Done::printed(format!("{cur}\n"))),
        },
        "get-contexts" => get_contexts(&x, &kc),
        "get-clusters" => Ok(Done::printed(names_table(
            "NAME",
            kc.clusters.keys().cloned(),
        ))),
        "get-users" => Ok(Done::printed(names_table("NAME", kc.users.keys().cloned()))),
        "use-context" | "use" => use_context(&x, &mut kc),
        "set-cluster" => set_cluster(&x, &mut kc),
        "set-credentials" => set_credentials(&x, &mut kc),
        "set-context" => set_context(&x, &mut kc),
        "delete-context" => delete(&x, &mut kc, Section::Contexts),
        "delete-cluster" => delete(&x, &mut kc, Section::Clusters),
        "delete-user" => delete(&x, &mut kc, Section::Users),
        "rename-context" => rename_context(&x, &mut kc),
        "set" => set_property(&x, &mut kc, false),
        "unset" => set_property(&x, &mut kc, true),
        other => Err(format!(
            "error: unknown command \"{other}\" for \"kubectl config\""
        )),
    };
    match result {
        Ok(done) => {
            if done.changed
                && let Err(e) = kc.save(file, shown)
            {
                out.eprint(&format!("{e}\n"));
                return 1;
            }
            out.eprint(&done.warning);
            out.print(&done.message);
            0
        }
        Err(e) => {
            // Output printed before the error (get-contexts' table) comes first.
            let (printed, e) = e.split_once('\u{0}').unwrap_or(("", &e));
            out.print(printed);
            out.eprint(&format!("{e}\n"));
            1
        }
    }
}
