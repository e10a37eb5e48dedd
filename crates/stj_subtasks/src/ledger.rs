//! The idempotency ledger: an issue property on the parent recording, per application (one click,
//! named by its `Idempotency-Key`), where it came from, when, and which item became which subtask.
//! Jira stores it (the backend keeps nothing); users can edit it, so it is parsed defensively:
//! unreadable content means "recover from origin markers", never a panic.
//!
//! Version 2 adds `source`, `on` and `total` to each entry; version 1 ledgers still parse, their
//! entries kept as earlier applications of no known source.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use stj_core::IssueKey;

/// Applications remembered per parent; older ones are dropped first (their subtasks keep their
/// origin markers, so even a dropped entry can be recovered).
pub const MAX_APPLIES: usize = 20;
/// Jira's limit on an entity property's value; the oldest entries go first to stay under it.
pub const MAX_LEDGER_BYTES: usize = 32_768;
const VERSION: u32 = 2;
const DATE: &str = "%Y-%m-%d";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    v: u32,
    applies: Vec<ApplyEntry>,
    /// Set when the stored value was unreadable: every apply then re-checks Jira first.
    #[serde(skip)]
    untrusted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyEntry {
    pub id: String,
    /// What was applied: `personal/{id}`, `project/{KEY}/{id}` or `quick-entry` (v1: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The UTC date the application started, `YYYY-MM-DD` (v1: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on: Option<String>,
    /// Items in the application (v1: the length of `keys`).
    #[serde(default)]
    pub total: usize,
    /// Created key per item, in typed order; `None` until created.
    pub keys: Vec<Option<String>>,
    /// A bulk create was started and its outcome is not yet recorded.
    pub pending: bool,
}

/// Where an application came from and when: what a fresh ledger entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub source: String,
    pub on: NaiveDate,
}

impl Ledger {
    pub fn parse(stored: Option<&Value>) -> Self {
        match stored {
            None => Self { v: VERSION, ..Self::default() },
            Some(value) => match serde_json::from_value::<Self>(value.clone()) {
                Ok(mut ledger)
                    if (1..=VERSION).contains(&ledger.v)
                        && ledger.applies.iter().all(ApplyEntry::is_sane) =>
                {
                    for entry in &mut ledger.applies {
                        if entry.total != entry.keys.len() {
                            entry.total = entry.keys.len();
                        }
                    }
                    ledger.v = VERSION;
                    ledger
                }
                _ => Self { v: VERSION, applies: Vec::new(), untrusted: true },
            },
        }
    }

    pub const fn untrusted(&self) -> bool {
        self.untrusted
    }

    /// Takes the entry for `id` out of the ledger, or a fresh one with `n` empty slots stamped
    /// with `stamp`; give it back with [`Ledger::with`] to save. `Err` (the ledger unchanged): an
    /// entry with this id exists for a different number of items, so the id was reused.
    pub fn take(&mut self, id: &str, n: usize, stamp: &Stamp) -> Result<ApplyEntry, usize> {
        match self.applies.iter().position(|e| e.id == id) {
            Some(i) => match self.applies.get(i) {
                Some(found) if found.keys.len() != n => Err(found.keys.len()),
                _ => Ok(self.applies.remove(i)),
            },
            None => Ok(ApplyEntry {
                id: id.to_owned(),
                source: Some(stamp.source.clone()),
                on: Some(stamp.on.format(DATE).to_string()),
                total: n,
                keys: vec![None; n],
                pending: false,
            }),
        }
    }

    /// The ledger with `entry` as its newest application; the oldest are dropped beyond
    /// [`MAX_APPLIES`] or while the whole would exceed [`MAX_LEDGER_BYTES`].
    pub fn with(&self, entry: &ApplyEntry) -> Self {
        let mut applies: Vec<ApplyEntry> =
            self.applies.iter().filter(|e| e.id != entry.id).cloned().collect();
        applies.push(entry.clone());
        let excess = applies.len().saturating_sub(MAX_APPLIES);
        applies.drain(..excess);
        let mut ledger = Self { v: VERSION, applies, untrusted: false };
        while ledger.applies.len() > 1 && ledger.to_value().to_string().len() > MAX_LEDGER_BYTES {
            ledger.applies.remove(0);
        }
        ledger
    }

    pub fn find(&self, id: &str) -> Option<&ApplyEntry> {
        self.applies.iter().find(|e| e.id == id)
    }

    /// Earlier applications of `source`, newest first.
    pub fn of_source<'a>(&'a self, source: &'a str) -> impl Iterator<Item = &'a ApplyEntry> {
        self.applies.iter().rev().filter(move |e| e.source.as_deref() == Some(source))
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl ApplyEntry {
    fn is_sane(&self) -> bool {
        !self.id.is_empty()
            && self.id.len() <= 64
            && self.keys.len() <= stj_validation::limits::MAX_SUBTASKS_PER_TEMPLATE
            && self.keys.iter().flatten().all(|k| IssueKey::parse(k).is_ok())
            && self.source.as_ref().is_none_or(|s| s.len() <= 256)
            && self.on.as_deref().is_none_or(|d| NaiveDate::parse_from_str(d, DATE).is_ok())
    }

    /// The UTC date the application started (v1: unknown).
    pub fn applied_on(&self) -> Option<NaiveDate> {
        self.on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, DATE).ok())
    }

    pub fn missing(&self) -> Vec<usize> {
        self.keys.iter().enumerate().filter(|(_, k)| k.is_none()).map(|(i, _)| i).collect()
    }

    /// Items created so far.
    pub fn created(&self) -> usize {
        self.keys.iter().flatten().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp {
            source: "personal/launch".into(),
            on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        }
    }

    #[test]
    fn foreign_or_broken_content_is_untrusted_not_fatal() {
        for value in [
            serde_json::json!("text"),
            serde_json::json!({"v": 9}),
            serde_json::json!({"v":1,"applies":[{"id":"a","keys":["not a key"],"pending":false}]}),
            serde_json::json!({"v":2,"applies":[{"id":"a","source":"x".repeat(300),"keys":[],"pending":false}]}),
        ] {
            let ledger = Ledger::parse(Some(&value));
            assert!(ledger.untrusted(), "{value}");
        }
        assert!(!Ledger::parse(None).untrusted());
    }

    #[test]
    fn version_1_ledgers_are_earlier_applications_of_no_known_source() {
        let v1 = serde_json::json!({"v":1,"applies":[{"id":"ab12","keys":["DEMO-2",null],"pending":true}]});
        let mut ledger = Ledger::parse(Some(&v1));
        assert!(!ledger.untrusted());
        let entry = ledger.find("ab12").unwrap().clone();
        assert_eq!((entry.total, entry.source.clone(), entry.applied_on()), (2, None, None));
        assert_eq!(entry.created(), 1);
        assert_eq!(ledger.of_source("personal/launch").count(), 0);
        // Retrying the old id continues the old application.
        assert_eq!(ledger.take("ab12", 2, &stamp()), Ok(entry));
        assert_eq!(ledger.to_value()["v"], 2);
    }

    #[test]
    fn a_reused_id_for_another_size_is_refused_and_kept() {
        let mut ledger = Ledger::parse(None);
        let entry = ledger.take("a", 2, &stamp()).unwrap();
        ledger = ledger.with(&entry);
        assert_eq!(ledger.take("a", 3, &stamp()), Err(2));
        assert!(ledger.find("a").is_some());
    }

    #[test]
    fn entries_round_trip_and_are_bounded() {
        let mut ledger = Ledger::parse(None);
        let mut first = ledger.take("a", 2, &stamp()).unwrap();
        first.keys[0] = Some("DEMO-2".into());
        ledger = ledger.with(&first);
        assert_eq!(ledger.take("a", 2, &stamp()), Ok(first));
        for n in 0..MAX_APPLIES {
            let entry = ledger.take(&format!("x{n}"), 1, &stamp()).unwrap();
            ledger = ledger.with(&entry);
        }
        assert_eq!(ledger.applies.len(), MAX_APPLIES);
        assert!(ledger.applies.iter().all(|e| e.id != "a"), "oldest dropped");
        let back = Ledger::parse(Some(&ledger.to_value()));
        assert_eq!(back, ledger);
        assert_eq!(back.of_source("personal/launch").next().unwrap().id, "x19", "newest first");
        let mut entry = Ledger::parse(None).take("b", 3, &stamp()).unwrap();
        entry.keys[1] = Some("DEMO-7".into());
        assert_eq!(entry.missing(), vec![0, 2]);
    }

    #[test]
    fn the_ledger_stays_within_jiras_property_limit() {
        let mut ledger = Ledger::parse(None);
        for n in 0..MAX_APPLIES {
            let mut entry = ledger.take(&format!("{n:032x}"), 200, &stamp()).unwrap();
            for (i, slot) in entry.keys.iter_mut().enumerate() {
                *slot = Some(format!("LONGPROJECT-{}", 100_000 + i));
            }
            ledger = ledger.with(&entry);
        }
        assert!(ledger.to_value().to_string().len() <= MAX_LEDGER_BYTES);
        assert!(ledger.find(&format!("{:032x}", MAX_APPLIES - 1)).is_some(), "newest kept");
    }
}
