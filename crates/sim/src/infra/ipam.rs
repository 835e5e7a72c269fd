//! IPv4 addresses: parsing, CIDR blocks, and the MAC address docker derives from an address.

pub fn parse_ipv4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v = 0u32;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        v = (v << 8) | p.parse::<u8>().ok()? as u32;
    }
    Some(v)
}

/// Parses "a.b.c.d/n" into (network, prefix length).
pub fn parse_cidr(s: &str) -> Option<(u32, u8)> {
    let (ip, len) = s.split_once('/')?;
    let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
    let ip = parse_ipv4(ip)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((ip & mask, len))
}

pub fn format_ipv4(v: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        v >> 24,
        (v >> 16) & 255,
        (v >> 8) & 255,
        v & 255
    )
}

/// Docker derives a container's MAC address from its IPv4 address.
pub fn mac_for(addr: &str) -> String {
    let ip = addr.split('/').next().unwrap_or("");
    let parts: Vec<u8> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
    if parts.len() == 4 {
        format!(
            "02:42:{:02x}:{:02x}:{:02x}:{:02x}",
            parts[0], parts[1], parts[2], parts[3]
        )
    } else {
        "02:42:00:00:00:00".into()
    }
}
