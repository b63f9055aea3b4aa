//! Small facts a hot request needs before it can answer (who an API token belongs to), kept in
//! memory under the same rules as the ready answers: each records the scopes it was read from
//! and the ticket taken before reading, and it is served only while no write of those scopes
//! came after, the cache is live, and it has not expired.

use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use super::{AnswerCache, Scope, Ticket};

struct Stamped<V> {
    value: V,
    scopes: Arc<[Scope]>,
    ticket: u64,
    expires: Instant,
}

/// A bounded memo of facts, invalidated with the ready answers. Cheap to clone.
pub struct Memo<K, V> {
    answers: AnswerCache,
    /// `None` when the ready answers are off: then nothing is remembered either.
    entries: Option<Arc<Cache<K, Arc<Stamped<V>>>>>,
}

impl<K, V> Clone for Memo<K, V> {
    fn clone(&self) -> Self {
        Self {
            answers: self.answers.clone(),
            entries: self.entries.clone(),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    /// At most `capacity` facts, following `answers`' invalidations.
    pub fn new(answers: &AnswerCache, capacity: usize) -> Self {
        let entries = answers
            .is_on()
            .then(|| Arc::new(Cache::new(capacity.max(16))));
        Self {
            answers: answers.clone(),
            entries,
        }
    }

    /// Taken before the fact is read from the database.
    pub fn ticket(&self) -> Ticket {
        self.answers.ticket()
    }

    /// The fact, while nothing it was read from changed since.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.as_ref()?;
        if !self.answers.is_live() {
            return None;
        }
        let stamped = entries.get(key)?;
        (stamped.expires > Instant::now()
            && self
                .answers
                .still_current(Ticket(stamped.ticket), &stamped.scopes))
        .then(|| stamped.value.clone())
    }

    /// Remembers a fact read under `ticket`, unless a write to one of its scopes came since.
    pub fn put(&self, key: K, ticket: Ticket, scopes: &[Scope], fresh_for: Duration, value: V) {
        let Some(entries) = self.entries.as_ref() else {
            return;
        };
        if self.answers.is_live() && self.answers.still_current(ticket, scopes) {
            entries.insert(
                key,
                Arc::new(Stamped {
                    value,
                    scopes: scopes.into(),
                    ticket: ticket.0,
                    expires: Instant::now() + fresh_for,
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Invalidation;

    #[test]
    fn a_fact_is_forgotten_when_its_scope_is_written() {
        let answers = AnswerCache::new(1 << 20, true);
        let memo: Memo<&str, i64> = Memo::new(&answers, 16);
        let minute = Duration::from_secs(60);
        memo.put("a", memo.ticket(), &[Scope::Credentials(7)], minute, 1);
        assert_eq!(memo.get(&"a"), Some(1));
        answers.invalidate(Invalidation::Tenant(8));
        assert_eq!(memo.get(&"a"), Some(1), "another tenant's write");
        answers.invalidate(Invalidation::Credentials(7));
        assert_eq!(memo.get(&"a"), None);
        // Read before a write, stored after it: refused.
        let before = memo.ticket();
        answers.invalidate(Invalidation::Tenant(7));
        memo.put("a", before, &[Scope::Credentials(7)], minute, 2);
        assert_eq!(memo.get(&"a"), None);
        // A tenant-wide write reaches credentials too (a person disabled ends their tokens).
        memo.put("a", memo.ticket(), &[Scope::Credentials(7)], minute, 3);
        assert_eq!(memo.get(&"a"), Some(3));
        answers.invalidate(Invalidation::Tenant(7));
        assert_eq!(memo.get(&"a"), None);
    }

    #[test]
    fn nothing_is_remembered_while_suspended_expired_or_off() {
        let answers = AnswerCache::new(1 << 20, true);
        let memo: Memo<&str, i64> = Memo::new(&answers, 16);
        memo.put(
            "a",
            memo.ticket(),
            &[Scope::Credentials(7)],
            Duration::ZERO,
            1,
        );
        assert_eq!(memo.get(&"a"), None, "expired");
        memo.put(
            "a",
            memo.ticket(),
            &[Scope::Credentials(7)],
            Duration::from_secs(60),
            1,
        );
        answers.suspend();
        assert_eq!(memo.get(&"a"), None, "suspended");
        let off = AnswerCache::new(0, true);
        let memo: Memo<&str, i64> = Memo::new(&off, 16);
        memo.put(
            "a",
            memo.ticket(),
            &[Scope::Credentials(7)],
            Duration::from_secs(60),
            1,
        );
        assert_eq!(memo.get(&"a"), None, "off");
    }
}
