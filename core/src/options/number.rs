//! Numeric options: durations, sizes and counts, each finite and within a documented range.

use std::time::Duration;

use super::arg::{invalid, number_text, Arg};
use crate::error::Result;

/// What a numeric option counts, for its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds of time.
    Seconds,
    /// Bytes.
    Bytes,
    /// Entries (a cache size).
    Entries,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Bytes => "bytes",
            Unit::Entries => "entries",
        }
    }
}

/// A numeric option: name, unit, inclusive range, default, and whether fractions are allowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumberOption {
    /// The canonical name messages use.
    pub name: &'static str,
    /// What it counts.
    pub unit: Unit,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// The value when the caller sets none.
    pub default: f64,
    /// Only whole numbers (a count, a size, whole seconds).
    pub whole: bool,
}

impl NumberOption {
    fn range_text(&self) -> String {
        let kind = if self.whole { "whole number" } else { "number" };
        format!(
            "{} must be a {kind} of {} from {} to {}",
            self.name,
            self.unit.as_str(),
            number_text(self.min),
            number_text(self.max)
        )
    }

    /// The caller's value (or the default when unset), checked: finite, in range, whole
    /// where it must be. Booleans are not numbers here, whatever the host thinks.
    pub fn value(&self, arg: Option<&Arg>) -> Result<f64> {
        let v = match arg {
            None => return Ok(self.default),
            Some(Arg::Int(i)) => *i as f64,
            Some(Arg::Float(x)) => *x,
            Some(other) => return Err(invalid(format!("{}; got {other}", self.range_text()))),
        };
        let whole_ok = !self.whole || v.fract() == 0.0;
        if v.is_finite() && whole_ok && v >= self.min && v <= self.max {
            Ok(v)
        } else {
            let shown = arg.map_or_else(String::new, ToString::to_string);
            Err(invalid(format!("{}; got {shown}", self.range_text())))
        }
    }

    /// [`NumberOption::value`] as a duration; the range keeps it far from `Duration`'s limits.
    pub fn duration(&self, arg: Option<&Arg>) -> Result<Duration> {
        self.value(arg).map(Duration::from_secs_f64)
    }

    /// [`NumberOption::value`] as a count or size (the range is whole and non-negative).
    pub fn count(&self, arg: Option<&Arg>) -> Result<usize> {
        // In range and whole, so the cast is exact.
        self.value(arg).map(|v| v as usize)
    }

    /// [`NumberOption::value`] as whole seconds (the range is whole).
    pub fn whole_seconds(&self, arg: Option<&Arg>) -> Result<i64> {
        self.value(arg).map(|v| v as i64)
    }
}
