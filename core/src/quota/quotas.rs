//! The loaded limits, indexed by unit primitive: which counters a request falls under, and the
//! decision a store's answer makes.

use std::collections::HashMap;
use std::time::Duration;

use super::decision::{Decision, PolicyState};
use super::failure::{FailurePolicy, Judgement};
use super::gcra::{Check, QuotaStore, Spent};
use super::identity::Identity;
use super::limit::{KeyKind, Limit};
use crate::error::{ErrorCode, Result};

/// Every store key starts with this, so quota counters are easy to find in a shared Redis.
const KEY_PREFIX: &str = "cloud-connector:quota";

/// A quota file's limits, ready to decide with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quotas {
    limits: Vec<Limit>,
    by_unit_primitive: HashMap<String, Vec<usize>>,
}

fn micros(d: i64) -> Duration {
    Duration::from_micros(u64::try_from(d).unwrap_or(0))
}

impl Quotas {
    /// Quotas over already validated limits (see [`super::QuotaFile`]).
    pub fn new(limits: Vec<Limit>) -> Quotas {
        let mut by_unit_primitive: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, limit) in limits.iter().enumerate() {
            for up in &limit.unit_primitives {
                by_unit_primitive.entry(up.clone()).or_default().push(i);
            }
        }
        Quotas {
            limits,
            by_unit_primitive,
        }
    }

    /// The limits, in file order.
    pub fn limits(&self) -> &[Limit] {
        &self.limits
    }

    /// The counters a request by `who` spending `unit_primitive` falls under. A limit keyed by
    /// a part of the identity the caller lacks does not apply.
    pub fn checks(&self, who: &Identity, unit_primitive: &str) -> Vec<Check> {
        let Some(indexes) = self.by_unit_primitive.get(unit_primitive) else {
            return Vec::new();
        };
        indexes
            .iter()
            .filter_map(|&i| {
                let limit = &self.limits[i];
                let id = match limit.per {
                    KeyKind::Instance => who.instance.as_deref(),
                    KeyKind::User => who.user.as_deref(),
                    KeyKind::Realm => who.realm.as_deref(),
                }?;
                Some(Check {
                    limit: i,
                    key: format!("{KEY_PREFIX}:{}:{}:{id}", limit.name, limit.per.as_str()),
                    rate: limit.rate_for(who.instance.as_deref()),
                })
            })
            .collect()
    }

    /// The decision a store's answer to `checks` makes.
    pub fn decision(&self, checks: &[Check], spent: &Spent) -> Decision {
        let now = spent.now_micros;
        let policies = checks
            .iter()
            .zip(&spent.tats)
            .map(|(check, &tat)| {
                let (t, tolerance) = (check.rate.emission_micros(), check.rate.tolerance_micros());
                let after = if spent.admitted {
                    tat.saturating_add(t)
                } else {
                    tat
                };
                let ahead = after.saturating_sub(now);
                let remaining = u64::try_from((tolerance - ahead) / t).unwrap_or(0);
                // The wait until this counter would admit one more request.
                let wait = after.saturating_add(t).saturating_sub(tolerance) - now;
                PolicyState {
                    name: self.limits[check.limit].name.clone(),
                    per: self.limits[check.limit].per,
                    rate: check.rate,
                    remaining,
                    reset: micros(ahead),
                    retry_after: if spent.admitted {
                        Duration::ZERO
                    } else {
                        micros(wait)
                    },
                }
            })
            .collect();
        Decision {
            allowed: spent.admitted,
            policies,
        }
    }

    /// Judges a request by `who` spending `unit_primitive` against `store`.
    pub fn decide(
        &self,
        store: &dyn QuotaStore,
        who: &Identity,
        unit_primitive: &str,
    ) -> Result<Decision> {
        let checks = self.checks(who, unit_primitive);
        if checks.is_empty() {
            return Ok(Decision::unlimited());
        }
        let spent = store.spend(&checks)?;
        Ok(self.decision(&checks, &spent))
    }

    /// [`Quotas::decide`], with a store failure answered by `policy` instead of returned.
    pub fn judge(
        &self,
        store: &dyn QuotaStore,
        policy: FailurePolicy,
        who: &Identity,
        unit_primitive: &str,
    ) -> Result<Judgement> {
        match self.decide(store, who, unit_primitive) {
            Ok(d) => Ok(Judgement::Decided(d)),
            Err(error) if error.code() == ErrorCode::QuotaStoreFailed => {
                Ok(Judgement::StoreFailed { error, policy })
            }
            Err(e) => Err(e),
        }
    }
}
