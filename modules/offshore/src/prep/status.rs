//! The life of a prep task: which status may follow which. The table is the rule; the API
//! refuses any other move and names the moves that are allowed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Todo,
    Doing,
    Blocked,
    Done,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Todo,
        Status::Doing,
        Status::Blocked,
        Status::Done,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::Doing => "doing",
            Status::Blocked => "blocked",
            Status::Done => "done",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The statuses a task in this one may move to. A finished or cancelled task can only be
    /// reopened, so that going back is always a deliberate, recorded step.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Todo => &[Doing, Blocked, Cancelled, Done],
            Doing => &[Done, Blocked, Todo, Cancelled],
            Blocked => &[Todo, Doing, Cancelled],
            Done => &[Todo],
            Cancelled => &[Todo],
        }
    }

    pub fn may_become(self, to: Status) -> bool {
        self.next().contains(&to)
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    /// Every ordered pair of distinct statuses, written out by hand from the rule.
    #[test]
    fn every_pair_is_allowed_or_refused_as_the_rule_says() {
        let expected = [
            (Todo, Doing, true),
            (Todo, Blocked, true),
            (Todo, Done, true),
            (Todo, Cancelled, true),
            (Doing, Todo, true),
            (Doing, Blocked, true),
            (Doing, Done, true),
            (Doing, Cancelled, true),
            (Blocked, Todo, true),
            (Blocked, Doing, true),
            (Blocked, Done, false),
            (Blocked, Cancelled, true),
            (Done, Todo, true),
            (Done, Doing, false),
            (Done, Blocked, false),
            (Done, Cancelled, false),
            (Cancelled, Todo, true),
            (Cancelled, Doing, false),
            (Cancelled, Blocked, false),
            (Cancelled, Done, false),
        ];
        assert_eq!(expected.len(), 20);
        for (from, to, allowed) in expected {
            assert_eq!(from.may_become(to), allowed, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn staying_put_is_not_a_move() {
        for status in Status::ALL {
            assert!(!status.may_become(status), "{status:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("Done"), None);
        assert_eq!(Status::parse(""), None);
    }
}
