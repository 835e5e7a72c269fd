//! Kubernetes resource quantities (`250m`, `128Mi`, `1.5G`, `4`) as apimachinery's
//! `resource.Quantity` keeps and prints them: exact to the milli-unit, summed, and written
//! in canonical form (binary suffixes for binary amounts, decimal ones otherwise).

/// How a quantity was written, which is how it is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    DecimalSI,
    BinarySI,
}

/// A quantity in thousandths of its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    pub milli: i128,
    pub format: Format,
}

impl Default for Quantity {
    fn default() -> Self {
        Quantity {
            milli: 0,
            format: Format::DecimalSI,
        }
    }
}

const BINARY: &[(&str, u32)] = &[
    ("Ki", 1),
    ("Mi", 2),
    ("Gi", 3),
    ("Ti", 4),
    ("Pi", 5),
    ("Ei", 6),
];
const DECIMAL: &[(&str, i32)] = &[
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

fn pow10(e: i32) -> i128 {
    10i128.pow(e.unsigned_abs())
}

impl Quantity {
    /// Parses `q`; an unparsable quantity is zero.
    pub fn parse(q: &str) -> Quantity {
        let q = q.trim();
        let split = q.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(q.len());
        let (num, unit) = q.split_at(split);
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let neg = int.starts_with('-');
        let int = int.trim_start_matches(['+', '-']);
        let digits = format!("{int}{frac}");
        let Ok(mantissa) = digits.parse::<i128>() else {
            return Quantity::default();
        };
        let frac_exp = -(frac.len() as i32);
        let (scale_exp, binary): (i32, Option<u32>) = match BINARY.iter().find(|(s, _)| *s == unit)
        {
            Some((_, p)) => (0, Some(*p)),
            None => match DECIMAL.iter().find(|(s, _)| *s == unit) {
                Some((_, e)) => (*e, None),
                None => return Quantity::default(),
            },
        };
        // Value in milli-units: mantissa * 10^(frac_exp + scale_exp + 3) * 1024^p.
        let e = frac_exp + scale_exp + 3;
        let mut v = if e >= 0 {
            mantissa * pow10(e)
        } else {
            mantissa / pow10(e)
        };
        if let Some(p) = binary {
            v *= 1024i128.pow(p);
        }
        Quantity {
            milli: if neg { -v } else { v },
            format: if binary.is_some() {
                Format::BinarySI
            } else {
                Format::DecimalSI
            },
        }
    }

    /// Thousandths (CPU's millicores).
    pub fn milli_value(self) -> i128 {
        self.milli
    }

    /// Whole units, rounded up.
    pub fn value(self) -> i128 {
        (self.milli + 999).div_euclid(1000)
    }
}

/// The sum (in the first one's format, or the second's when the first is zero).
impl std::ops::Add for Quantity {
    type Output = Quantity;
    fn add(self, other: Quantity) -> Quantity {
        Quantity {
            milli: self.milli + other.milli,
            format: if self.milli == 0 {
                other.format
            } else {
                self.format
            },
        }
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.milli == 0 {
            return write!(f, "0");
        }
        let whole = self.milli % 1000 == 0;
        let units = self.milli / 1000;
        if self.format == Format::BinarySI && whole && units.abs() >= 1024 {
            let mut n = units;
            let mut p = 0;
            while n % 1024 == 0 && p < 6 {
                n /= 1024;
                p += 1;
            }
            let suffix = if p == 0 { "" } else { BINARY[p - 1].0 };
            return write!(f, "{n}{suffix}");
        }
        // Decimal: the largest exponent (a multiple of 3, from milli up) that keeps the
        // number whole.
        let mut n = self.milli;
        let mut e = -3;
        while n % 1000 == 0 && e < 18 {
            n /= 1000;
            e += 3;
        }
        let suffix = DECIMAL.iter().find(|(_, x)| *x == e).map_or("", |(s, _)| s);
        write!(f, "{n}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_add_and_print_as_apimachinery_does() {
        let q = |s: &str| Quantity::parse(s);
        assert_eq!(q("250m").to_string(), "250m");
        assert_eq!((q("250m") + q("750m")).to_string(), "1");
        assert_eq!((q("100m") + q("100m")).to_string(), "200m");
        assert_eq!((q("70Mi") + q("170Mi")).to_string(), "240Mi");
        assert_eq!(q("8008876Ki").to_string(), "8008876Ki");
        assert_eq!(q("1.5").to_string(), "1500m");
        assert_eq!(q("2000").to_string(), "2k");
        assert_eq!(q("0").to_string(), "0");
        assert_eq!(q("1Gi").value(), 1 << 30);
        assert_eq!(q("4").milli_value(), 4000);
        assert_eq!(q("512").to_string(), "512");
    }
}
