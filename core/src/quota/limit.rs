//! The limit model: who a limit counts (instance, user or realm), which unit primitives it
//! covers, its rate, and the rates some instances get instead.

use std::collections::BTreeMap;

/// What a limit keys its counter by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    /// The token's `gitlab_instance_id`.
    Instance,
    /// The global user id (`X-Gitlab-Global-User-Id`).
    User,
    /// The token's `gitlab_realm`.
    Realm,
}

impl KeyKind {
    /// Every kind, in the order the quota file documents them.
    pub const ALL: [KeyKind; 3] = [KeyKind::Instance, KeyKind::User, KeyKind::Realm];

    /// The quota file's spelling (`per: instance`), also the metrics label.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyKind::Instance => "instance",
            KeyKind::User => "user",
            KeyKind::Realm => "realm",
        }
    }

    /// The kind spelled `name`, if any.
    pub fn from_name(name: &str) -> Option<KeyKind> {
        KeyKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A rate: `requests` per `period_seconds`, at most `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Requests per period.
    pub requests: u64,
    /// The period, whole seconds.
    pub period_seconds: u64,
    /// Requests allowed at once.
    pub burst: u64,
}

impl Rate {
    /// GCRA's emission interval in microseconds: the period over the requests, rounded up so
    /// a limit never lets through more than it says. At least 1 (the file's ranges see to it).
    pub fn emission_micros(&self) -> i64 {
        let period = self.period_seconds.saturating_mul(1_000_000);
        i64::try_from(period.div_ceil(self.requests.max(1)))
            .unwrap_or(i64::MAX)
            .max(1)
    }

    /// How far ahead of now the theoretical arrival time may run: `burst` intervals.
    pub fn tolerance_micros(&self) -> i64 {
        self.emission_micros()
            .saturating_mul(i64::try_from(self.burst).unwrap_or(i64::MAX))
    }
}

/// One limit of a quota file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The limit's name: unique in its file, shown in the `RateLimit` headers.
    pub name: String,
    /// What the counter is keyed by.
    pub per: KeyKind,
    /// The unit primitives it covers (groups already expanded to their unit primitives).
    pub unit_primitives: Vec<String>,
    /// The rate.
    pub rate: Rate,
    /// Rates that replace `rate` for these `gitlab_instance_id`s.
    pub overrides: BTreeMap<String, Rate>,
}

impl Limit {
    /// The rate for a request from `instance`: its override, or the limit's own.
    pub fn rate_for(&self, instance: Option<&str>) -> Rate {
        instance
            .and_then(|i| self.overrides.get(i))
            .copied()
            .unwrap_or(self.rate)
    }
}
