//! Serde helpers for the Engine API's JSON conventions (Go's zero values and number formats).

use crate::base::time::{SimDuration, SimTime};
use serde::Serializer;

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
pub(crate) fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}
pub(crate) fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}
pub(crate) fn is_zero_dur(v: &SimDuration) -> bool {
    v.is_zero()
}

/// Go's JSON prints a whole float32 without a fraction ("0", not "0.0").
pub(crate) fn ser_ratio<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v as f64)
    }
}

/// Docker prints Go's zero time for "never".
pub(crate) fn ser_opt_time<S: Serializer>(t: &Option<SimTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.rfc3339_nano()),
        None => s.serialize_str("0001-01-01T00:00:00Z"),
    }
}

pub mod opt_time_de {
    use crate::base::time::SimTime;
    use serde::{Deserialize, Deserializer};
    pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimTime>, D::Error> {
        let s = String::deserialize(d)?;
        if s.starts_with("0001-01-01") {
            Ok(None)
        } else {
            SimTime::parse_rfc3339(&s)
                .map(Some)
                .map_err(serde::de::Error::custom)
        }
    }
}

pub(crate) fn ser_secs_time<S: Serializer>(t: &SimTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.rfc3339())
}
