//! The idempotency ledger: an issue property on the parent recording, per application, which item
//! became which subtask. Jira stores it (the backend keeps nothing); users can edit it, so it is
//! parsed defensively: unreadable content means "recover from origin markers", never a panic.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Applications remembered per parent; older ones are dropped first (their subtasks keep their
/// origin markers, so even a dropped entry can be recovered).
pub const MAX_APPLIES: usize = 20;
const VERSION: u32 = 1;

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
    /// Created key per item, in typed order; `None` until created.
    pub keys: Vec<Option<String>>,
    /// A bulk create was started and its outcome is not yet recorded.
    pub pending: bool,
}

impl Ledger {
    pub fn parse(stored: Option<&Value>) -> Self {
        match stored {
            None => Self { v: VERSION, ..Self::default() },
            Some(value) => match serde_json::from_value::<Self>(value.clone()) {
                Ok(ledger)
                    if ledger.v == VERSION && ledger.applies.iter().all(ApplyEntry::is_sane) =>
                {
                    ledger
                }
                _ => Self { v: VERSION, applies: Vec::new(), untrusted: true },
            },
        }
    }

    pub const fn untrusted(&self) -> bool {
        self.untrusted
    }

    /// Takes the entry for `id` out of the ledger (a fresh one with `n` empty slots when missing
    /// or when its size differs); give it back with [`Ledger::with`] to save.
    pub fn take(&mut self, id: &str, n: usize) -> ApplyEntry {
        let fresh = ApplyEntry { id: id.to_owned(), keys: vec![None; n], pending: false };
        match self.applies.iter().position(|e| e.id == id) {
            Some(i) => Some(self.applies.remove(i)).filter(|e| e.keys.len() == n).unwrap_or(fresh),
            None => fresh,
        }
    }

    /// The ledger with `entry` as its newest application, oldest dropped beyond [`MAX_APPLIES`].
    pub fn with(&self, entry: &ApplyEntry) -> Self {
        let mut applies: Vec<ApplyEntry> =
            self.applies.iter().filter(|e| e.id != entry.id).cloned().collect();
        applies.push(entry.clone());
        let excess = applies.len().saturating_sub(MAX_APPLIES);
        applies.drain(..excess);
        Self { v: VERSION, applies, untrusted: false }
    }

    pub fn find(&self, id: &str) -> Option<&ApplyEntry> {
        self.applies.iter().find(|e| e.id == id)
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
            && self.keys.iter().flatten().all(|k| stj_validation::ids::issue_key(k).is_ok())
    }

    pub fn missing(&self) -> Vec<usize> {
        self.keys.iter().enumerate().filter(|(_, k)| k.is_none()).map(|(i, _)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_or_broken_content_is_untrusted_not_fatal() {
        for value in [
            serde_json::json!("text"),
            serde_json::json!({"v": 9}),
            serde_json::json!({"v":1,"applies":[{"id":"a","keys":["not a key"],"pending":false}]}),
        ] {
            let ledger = Ledger::parse(Some(&value));
            assert!(ledger.untrusted(), "{value}");
        }
        assert!(!Ledger::parse(None).untrusted());
    }

    #[test]
    fn entries_round_trip_and_are_bounded() {
        let mut ledger = Ledger::parse(None);
        let mut first = ledger.take("a", 2);
        first.keys[0] = Some("DEMO-2".into());
        ledger = ledger.with(&first);
        assert_eq!(ledger.take("a", 2), first);
        for n in 0..MAX_APPLIES {
            let entry = ledger.take(&format!("x{n}"), 1);
            ledger = ledger.with(&entry);
        }
        assert_eq!(ledger.applies.len(), MAX_APPLIES);
        assert!(ledger.applies.iter().all(|e| e.id != "a"), "oldest dropped");
        let back = Ledger::parse(Some(&ledger.to_value()));
        assert_eq!(back, ledger);
        let mut entry = Ledger::parse(None).take("b", 3);
        entry.keys[1] = Some("DEMO-7".into());
        assert_eq!(entry.missing(), vec![0, 2]);
        assert_eq!(
            Ledger::parse(None).with(&entry).take("b", 4).missing(),
            vec![0, 1, 2, 3],
            "size change starts afresh"
        );
    }
}
