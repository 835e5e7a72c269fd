//! Kubernetes resource quantities (`500m`, `2`, `64Mi`, `1.5G`) as numbers.

/// A quantity as a number: CPU in millicores, everything else in units (`128Mi`, `1.5G`).
pub fn quantity(q: &str, milli: bool) -> i64 {
    let q = q.trim();
    let split = q.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(q.len());
    let (num, unit) = q.split_at(split);
    // Whole numbers in the common units, exactly and without floating point.
    if let Ok(n) = num.parse::<i64>() {
        let scale: Option<i64> = match (unit, milli) {
            ("m", true) => Some(1),
            ("", true) => Some(1000),
            ("", false) => Some(1),
            ("Ki", false) => Some(1 << 10),
            ("Mi", false) => Some(1 << 20),
            ("Gi", false) => Some(1 << 30),
            ("k", false) => Some(1_000),
            ("M", false) => Some(1_000_000),
            ("G", false) => Some(1_000_000_000),
            _ => None,
        };
        if let Some(v) = scale.and_then(|s| n.checked_mul(s)) {
            return v;
        }
    }
    let n: f64 = num.parse().unwrap_or(0.0);
    let mult: f64 = match unit {
        "m" => 0.001,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        _ => 1.0,
    };
    let v = n * mult;
    (if milli { v * 1000.0 } else { v }).round() as i64
}
