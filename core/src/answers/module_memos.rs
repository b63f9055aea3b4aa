//! Memos that module crates keep beside the ready answers (a municipal site's week set-up,
//! say). The platform cannot name their types, so each is kept under its type and made on
//! first use; every one follows the ready answers' invalidations like [`Memo`] does.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use super::{AnswerCache, Memo};

type Kept = Box<dyn Any + Send + Sync>;

/// One memo per key and value type, for one application state. Cheap to clone.
#[derive(Clone)]
pub struct ModuleMemos {
    answers: AnswerCache,
    by_type: Arc<Mutex<HashMap<TypeId, Kept>>>,
}

impl std::fmt::Debug for ModuleMemos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleMemos").finish_non_exhaustive()
    }
}

impl ModuleMemos {
    pub fn new(answers: &AnswerCache) -> Self {
        Self {
            answers: answers.clone(),
            by_type: Arc::default(),
        }
    }

    /// The memo of `K → V`, holding at most `capacity` facts (fixed by its first use).
    pub fn memo<K, V>(&self, capacity: usize) -> Memo<K, V>
    where
        K: Eq + Hash + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        // The map only gains entries; a panic elsewhere cannot leave it half-written.
        let mut by_type = self.by_type.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = by_type
            .entry(TypeId::of::<Memo<K, V>>())
            .or_insert_with(|| Box::new(Memo::<K, V>::new(&self.answers, capacity)));
        match kept.downcast_ref::<Memo<K, V>>() {
            Some(memo) => memo.clone(),
            // Unreachable: the entry was made under this very type id. A memo that
            // remembers nothing would still be correct.
            None => Memo::new(&AnswerCache::new(0, false), capacity),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::answers::{Invalidation, Scope};

    #[test]
    fn each_type_has_one_memo_that_follows_the_answers() {
        let answers = AnswerCache::new(1 << 20, true);
        let memos = ModuleMemos::new(&answers);
        let numbers = memos.memo::<i64, i64>(16);
        numbers.put(
            1,
            numbers.ticket(),
            &[Scope::Tenant(3)],
            Duration::from_secs(60),
            10,
        );
        assert_eq!(
            memos.memo::<i64, i64>(16).get(&1),
            Some(10),
            "the same memo"
        );
        assert_eq!(
            memos.memo::<i64, String>(16).get(&1),
            None,
            "another type's"
        );
        answers.invalidate(Invalidation::Tenant(3));
        assert_eq!(memos.memo::<i64, i64>(16).get(&1), None);
    }

    #[test]
    fn another_state_keeps_its_own() {
        let answers = AnswerCache::new(1 << 20, true);
        let first = ModuleMemos::new(&answers);
        let second = ModuleMemos::new(&answers);
        let memo = first.memo::<i64, i64>(16);
        memo.put(
            1,
            memo.ticket(),
            &[Scope::Tenant(3)],
            Duration::from_secs(60),
            10,
        );
        assert_eq!(second.memo::<i64, i64>(16).get(&1), None);
    }
}
