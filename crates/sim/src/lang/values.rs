//! Parsers for flag values (ports, mounts, sizes, CPUs, durations, ...) with the error texts
//! of the docker CLI's option types.

use crate::base::time::{SimDuration, parse_go_duration, ram_in_bytes};
use crate::model::*;

/// `strconv.ParseUint` as docker's uint flags use it.
pub fn parse_uint(s: &str) -> Result<u64, String> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else {
        (s, 10)
    };
    if digits.is_empty() || digits.starts_with('+') || digits.starts_with('-') {
        return Err(format!("strconv.ParseUint: parsing {s:?}: invalid syntax"));
    }
    u64::from_str_radix(digits, radix).map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow => {
            format!("strconv.ParseUint: parsing {s:?}: value out of range")
        }
        _ => format!("strconv.ParseUint: parsing {s:?}: invalid syntax"),
    })
}

pub fn parse_int(s: &str) -> Result<i64, String> {
    s.parse::<i64>()
        .map_err(|_| format!("strconv.ParseInt: parsing {s:?}: invalid syntax"))
}

pub fn parse_float(s: &str) -> Result<f32, String> {
    s.parse::<f32>()
        .ok()
        .filter(|f| f.is_finite())
        .ok_or_else(|| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax"))
}

/// docker's `NanoCPUs` option: a rational number of CPUs.
pub fn parse_cpus(s: &str) -> Result<i64, String> {
    let err = || format!("failed to parse {s} as a rational number");
    let (num, den) = match s.split_once('/') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    let valid = |t: &str| {
        !t.is_empty()
            && t.chars().all(|c| c.is_ascii_digit() || c == '.')
            && t.matches('.').count() <= 1
            && t != "."
    };
    if !valid(num) || den.is_some_and(|d| !valid(d)) {
        return Err(err());
    }
    let n: f64 = num.parse().map_err(|_| err())?;
    let d: f64 = den
        .map(|d| d.parse::<f64>())
        .transpose()
        .map_err(|_| err())?
        .unwrap_or(1.0);
    if d == 0.0 {
        return Err(err());
    }
    let nano = n / d * 1e9;
    if (nano - nano.round()).abs() > 1e-6 {
        return Err("value is too precise".into());
    }
    Ok(nano.round() as i64)
}

pub fn parse_memory(s: &str) -> Result<i64, String> {
    ram_in_bytes(s)
}

pub fn parse_duration(s: &str) -> Result<SimDuration, String> {
    parse_go_duration(s)
}

/// `KEY=VALUE` (or `KEY`, meaning an empty value).
pub fn parse_kv(s: &str) -> (String, String) {
    match s.split_once('=') {
        Some((k, v)) => (k.to_string(), v.to_string()),
        None => (s.to_string(), String::new()),
    }
}

fn parse_port_range(s: &str, what: &str) -> Result<(u32, u32), String> {
    let bad = || format!("invalid {what}: {s}");
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (a, b),
        None => (s, s),
    };
    let a: u32 = a.parse().ok().filter(|p| *p <= 65535).ok_or_else(bad)?;
    let b: u32 = b.parse().ok().filter(|p| *p <= 65535).ok_or_else(bad)?;
    if b < a {
        return Err(bad());
    }
    Ok((a, b))
}

fn parse_proto(s: &str) -> Result<Protocol, String> {
    match s.to_ascii_lowercase().as_str() {
        "tcp" => Ok(Protocol::Tcp),
        "udp" => Ok(Protocol::Udp),
        "sctp" => Ok(Protocol::Sctp),
        _ => Err(format!("invalid proto: {s}")),
    }
}

/// `-p`/`--publish`: `[published:]target[/proto]` (ranges allowed) or the long CSV syntax
/// `published=8080,target=80,protocol=tcp,mode=host`.
pub fn parse_publish(s: &str) -> Result<Vec<PortConfig>, String> {
    if s.contains('=') {
        let mut p = PortConfig {
            name: String::new(),
            protocol: Protocol::Tcp,
            target_port: 0,
            published_port: 0,
            publish_mode: PublishMode::Ingress,
        };
        for field in s.split(',') {
            let (k, v) = field
                .split_once('=')
                .ok_or_else(|| format!("invalid field {field}"))?;
            match k.to_ascii_lowercase().as_str() {
                "name" => p.name = v.to_string(),
                "protocol" => {
                    p.protocol =
                        parse_proto(v).map_err(|_| format!("invalid protocol value {v}"))?
                }
                "mode" => {
                    p.publish_mode = match v.to_ascii_lowercase().as_str() {
                        "ingress" => PublishMode::Ingress,
                        "host" => PublishMode::Host,
                        _ => return Err(format!("invalid publish mode value {v}")),
                    }
                }
                "target" => {
                    p.target_port = v.parse().ok().filter(|x| *x <= 65535).ok_or_else(|| {
                        format!("invalid target port {v}: value must be an integer")
                    })?
                }
                "published" => {
                    p.published_port = v.parse().ok().filter(|x| *x <= 65535).ok_or_else(|| {
                        format!("invalid published port {v}: value must be an integer")
                    })?
                }
                _ => return Err(format!("invalid field key {k}")),
            }
        }
        if p.target_port == 0 {
            return Err("missing mandatory field \"target\"".into());
        }
        return Ok(vec![p]);
    }
    let (spec, proto) = match s.rsplit_once('/') {
        Some((a, p)) => (a, parse_proto(p)?),
        None => (s, Protocol::Tcp),
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let (host, container) = match parts.as_slice() {
        [c] => ("", *c),
        [h, c] => (*h, *c),
        [_ip, h, c] => (*h, *c),
        _ => return Err(format!("invalid port format: {s}")),
    };
    let (c0, c1) = parse_port_range(container, "containerPort")?;
    if c0 == 0 {
        return Err(format!("invalid containerPort: {container}"));
    }
    let host_range = if host.is_empty() {
        None
    } else {
        Some(parse_port_range(host, "hostPort")?)
    };
    if let Some((h0, h1)) = host_range
        && h1 - h0 != c1 - c0
    {
        return Err(format!(
            "invalid ranges specified for container and host Ports: {container} and {host}"
        ));
    }
    Ok((0..=(c1 - c0))
        .map(|i| PortConfig {
            name: String::new(),
            protocol: proto,
            target_port: c0 + i,
            published_port: host_range.map(|(h0, _)| h0 + i).unwrap_or(0),
            publish_mode: PublishMode::Ingress,
        })
        .collect())
}

fn parse_bool_field(k: &str, v: Option<&str>) -> Result<bool, String> {
    match v {
        None => Ok(true),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(format!("invalid value for {k}: {v}")),
        },
    }
}

/// `--mount type=volume,src=x,dst=/y,readonly` (docker's MountOpt).
pub fn parse_mount(s: &str) -> Result<Mount, String> {
    let mut m = Mount {
        r#type: MountType::Volume,
        ..Default::default()
    };
    let mut vol_opts = VolumeOptions::default();
    let mut has_vol_opts = false;
    for field in s.split(',') {
        let (k, v) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
            None => (field.to_ascii_lowercase(), None),
        };
        let need = |v: Option<&str>| {
            v.map(|s| s.to_string())
                .ok_or_else(|| format!("invalid field '{field}' must be a key=value pair"))
        };
        match k.as_str() {
            "type" => {
                m.r#type = match need(v)?.to_ascii_lowercase().as_str() {
                    "volume" => MountType::Volume,
                    "bind" => MountType::Bind,
                    "tmpfs" => MountType::Tmpfs,
                    other => return Err(format!("invalid mount type: {other}")),
                }
            }
            "source" | "src" => m.source = need(v)?,
            "target" | "dst" | "destination" => m.target = need(v)?,
            "readonly" | "ro" => m.read_only = parse_bool_field(&k, v)?,
            "volume-nocopy" => {
                vol_opts.no_copy = parse_bool_field(&k, v)?;
                has_vol_opts = true;
            }
            "volume-driver" => {
                vol_opts.driver_config = Some(DriverConfig {
                    name: need(v)?,
                    options: Labels::new(),
                });
                has_vol_opts = true;
            }
            "volume-label" => {
                let (a, b) = parse_kv(&need(v)?);
                vol_opts.labels.insert(a, b);
                has_vol_opts = true;
            }
            "volume-opt" => {
                let (a, b) = parse_kv(&need(v)?);
                vol_opts
                    .driver_config
                    .get_or_insert_with(|| DriverConfig {
                        name: "local".into(),
                        options: Labels::new(),
                    })
                    .options
                    .insert(a, b);
                has_vol_opts = true;
            }
            "bind-propagation" | "consistency" | "tmpfs-size" | "tmpfs-mode"
            | "bind-nonrecursive" => {
                need(v)?;
            }
            _ if v.is_none() => {
                return Err(format!("invalid field '{field}' must be a key=value pair"));
            }
            _ => return Err(format!("unexpected key '{k}' in '{field}'")),
        }
    }
    if m.target.is_empty() {
        return Err("target is required".into());
    }
    if has_vol_opts {
        if m.r#type != MountType::Volume {
            return Err(format!(
                "cannot mix 'volume-*' options with mount type '{}'",
                m.r#type.as_str()
            ));
        }
        m.volume_options = Some(vol_opts);
    }
    Ok(m)
}

/// `--placement-pref spread=node.labels.datacenter`
pub fn parse_placement_pref(s: &str) -> Result<PlacementPreference, String> {
    let (strategy, arg) = s.split_once('=').ok_or_else(|| {
        "placement preference must be of the format \"<strategy>=<arg>\"".to_string()
    })?;
    if !strategy.eq_ignore_ascii_case("spread") {
        return Err(format!(
            "unsupported placement preference {strategy} (only spread is supported)"
        ));
    }
    Ok(PlacementPreference {
        spread: SpreadOver {
            spread_descriptor: arg.to_string(),
        },
    })
}

pub fn parse_availability(s: &str) -> Result<Availability, String> {
    match s.to_ascii_lowercase().as_str() {
        "active" => Ok(Availability::Active),
        "pause" => Ok(Availability::Pause),
        "drain" => Ok(Availability::Drain),
        _ => Err(format!(
            "invalid availability \"{s}\": must be one of active, pause, drain"
        )),
    }
}

pub fn parse_role(s: &str) -> Result<NodeRole, String> {
    match s.to_ascii_lowercase().as_str() {
        "worker" => Ok(NodeRole::Worker),
        "manager" => Ok(NodeRole::Manager),
        _ => Err(format!("invalid role \"{s}\": must be worker or manager")),
    }
}

pub fn parse_restart_condition(s: &str) -> Result<RestartCondition, String> {
    match s {
        "none" => Ok(RestartCondition::None),
        "on-failure" => Ok(RestartCondition::OnFailure),
        "any" => Ok(RestartCondition::Any),
        _ => Err(format!(
            "invalid restart condition \"{s}\": must be one of none, on-failure, any"
        )),
    }
}

pub fn parse_failure_action(s: &str, rollback: bool) -> Result<FailureAction, String> {
    match s {
        "pause" => Ok(FailureAction::Pause),
        "continue" => Ok(FailureAction::Continue),
        "rollback" if !rollback => Ok(FailureAction::Rollback),
        _ if rollback => Err(format!(
            "invalid rollback failure action \"{s}\": must be pause or continue"
        )),
        _ => Err(format!(
            "invalid update failure action \"{s}\": must be one of pause, continue, rollback"
        )),
    }
}

pub fn parse_order(s: &str) -> Result<UpdateOrder, String> {
    match s {
        "stop-first" => Ok(UpdateOrder::StopFirst),
        "start-first" => Ok(UpdateOrder::StartFirst),
        _ => Err(format!(
            "invalid update order \"{s}\": must be stop-first or start-first"
        )),
    }
}

pub fn parse_endpoint_mode(s: &str) -> Result<EndpointMode, String> {
    match s {
        "vip" => Ok(EndpointMode::Vip),
        "dnsrr" => Ok(EndpointMode::Dnsrr),
        _ => Err(format!(
            "invalid endpoint mode \"{s}\": must be vip or dnsrr"
        )),
    }
}

/// `--filter key=value`
pub fn parse_filter(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.trim().to_ascii_lowercase(), v.trim().to_string())),
        _ => Err("bad format of filter (expected name=value)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        let p = parse_publish("80:80").unwrap();
        assert_eq!(
            (p[0].published_port, p[0].target_port, p[0].protocol),
            (80, 80, Protocol::Tcp)
        );
        let p = parse_publish("8080-8081:80-81/udp").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[1].published_port, p[1].target_port, p[1].protocol),
            (8081, 81, Protocol::Udp)
        );
        let p = parse_publish("80").unwrap();
        assert_eq!(p[0].published_port, 0);
        let p = parse_publish("published=8080,target=80,mode=host").unwrap();
        assert_eq!(p[0].publish_mode, PublishMode::Host);
        assert_eq!(
            parse_publish("abc").unwrap_err(),
            "invalid containerPort: abc"
        );
        assert!(parse_publish("80:80/xyz").is_err());
        assert!(parse_publish("1-3:80-81").is_err());
        assert_eq!(
            parse_publish("published=80").unwrap_err(),
            "missing mandatory field \"target\""
        );
    }

    #[test]
    fn mounts() {
        let m = parse_mount("type=volume,src=testvolume,dst=/zjz").unwrap();
        assert_eq!(
            (m.r#type, m.source.as_str(), m.target.as_str(), m.read_only),
            (MountType::Volume, "testvolume", "/zjz", false)
        );
        let m = parse_mount("type=bind,target=/usr/share/nginx/html/,source=/opt/web/,readonly")
            .unwrap();
        assert_eq!(m.r#type, MountType::Bind);
        assert!(m.read_only);
        assert_eq!(
            parse_mount("type=volume,src=x").unwrap_err(),
            "target is required"
        );
        assert_eq!(
            parse_mount("type=weird,dst=/x").unwrap_err(),
            "invalid mount type: weird"
        );
        assert_eq!(
            parse_mount("bogus=1,dst=/x").unwrap_err(),
            "unexpected key 'bogus' in 'bogus=1'"
        );
        assert_eq!(
            parse_mount("dst").unwrap_err(),
            "invalid field 'dst' must be a key=value pair"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_cpus("0.5").unwrap(), 500_000_000);
        assert_eq!(parse_cpus("1/4").unwrap(), 250_000_000);
        assert_eq!(
            parse_cpus("x").unwrap_err(),
            "failed to parse x as a rational number"
        );
        assert_eq!(
            parse_uint("abc").unwrap_err(),
            "strconv.ParseUint: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            parse_uint("-1").unwrap_err(),
            "strconv.ParseUint: parsing \"-1\": invalid syntax"
        );
        assert_eq!(parse_uint("4").unwrap(), 4);
    }
}
