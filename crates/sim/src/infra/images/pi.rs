//! Pi to any number of digits, as Perl's `bignum` `bpi(N)` prints it: N significant digits,
//! rounded (Machin's formula in fixed point, base 10^9).

const BASE: u64 = 1_000_000_000;

/// A fixed-point number: `limbs[0]` is the integer part, then base-10^9 fraction digits.
struct Fixed(Vec<u64>);

impl Fixed {
    fn unit(len: usize) -> Fixed {
        let mut v = vec![0; len];
        v[0] = 1;
        Fixed(v)
    }
    fn div(&mut self, d: u64) {
        let mut rem = 0u64;
        for l in self.0.iter_mut() {
            let cur = rem * BASE + *l;
            *l = cur / d;
            rem = cur % d;
        }
    }
    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }
    fn add(&mut self, o: &Fixed) {
        let mut carry = 0;
        for (a, b) in self.0.iter_mut().zip(&o.0).rev() {
            let s = *a + b + carry;
            *a = s % BASE;
            carry = s / BASE;
        }
    }
    fn sub(&mut self, o: &Fixed) {
        let mut borrow = 0;
        for (a, b) in self.0.iter_mut().zip(&o.0).rev() {
            let take = b + borrow;
            if *a >= take {
                *a -= take;
                borrow = 0;
            } else {
                *a = *a + BASE - take;
                borrow = 1;
            }
        }
    }
    fn mul(&mut self, m: u64) {
        let mut carry = 0;
        for a in self.0.iter_mut().rev() {
            let p = *a * m + carry;
            *a = p % BASE;
            carry = p / BASE;
        }
    }
}

/// atan(1/x) = 1/x - 1/(3x^3) + 1/(5x^5) - ...
fn atan_inv(x: u64, len: usize) -> Fixed {
    let mut power = Fixed::unit(len);
    power.div(x);
    let mut sum = Fixed(power.0.clone());
    let mut k = 1u64;
    loop {
        power.div(x * x);
        let mut term = Fixed(power.0.clone());
        term.div(2 * k + 1);
        if term.is_zero() {
            return sum;
        }
        if k % 2 == 1 {
            sum.sub(&term);
        } else {
            sum.add(&term);
        }
        k += 1;
    }
}

/// Pi to `n` significant digits (`3.14` for 3), rounded half up.
pub fn digits(n: usize) -> String {
    let len = (n + 20) / 9 + 2;
    let mut pi = atan_inv(5, len);
    pi.mul(4);
    pi.sub(&atan_inv(239, len));
    pi.mul(4);
    let mut all: Vec<u8> = pi.0[0].to_string().into_bytes();
    for l in &pi.0[1..] {
        all.extend(format!("{l:09}").bytes());
    }
    let mut kept: Vec<u8> = all[..n].to_vec();
    if all[n] >= b'5' {
        let mut i = kept.len();
        while i > 0 {
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let mut s = String::with_capacity(n + 1);
    s.push(kept[0] as char);
    if n > 1 {
        s.push('.');
        s.extend(kept[1..].iter().map(|&b| b as char));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn pi_matches_perls_bpi() {
        assert_eq!(super::digits(20), "3.1415926535897932385");
        assert_eq!(super::digits(3), "3.14");
        let p = super::digits(2000);
        assert_eq!(p.len(), 2001);
        // As perl (Math::BigFloat->bpi(2000), which bignum's bpi calls) prints it.
        assert!(p.ends_with("4780275901"), "{}", &p[1990..]);
        let perl = include_str!("../../../../../tests/data/seed002/pi-2000.txt");
        assert_eq!(p, perl.trim_end());
    }
}

#[cfg(test)]
mod job_tests {
    #[test]
    fn the_seed_job_prints_pi() {
        let (info, _) = crate::infra::images::lookup("perl").unwrap();
        let argv: Vec<String> = ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
            .map(String::from)
            .to_vec();
        let p = crate::infra::images::program_for(info, &argv, &[]);
        assert_eq!(p.prelude.len(), 1, "{:?}", p.exit);
        let (at, _) = &p.prelude[0];
        assert!(p.exit.unwrap().0 > *at);
        assert_eq!(p.line_count(p.exit.unwrap().0, 1), 1);
    }
}
