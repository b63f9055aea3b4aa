//! Who a message is for, and who reads it.
//!
//! A message is addressed to one audience at one site and stored with one key naming it
//! (`site:7`, `role:7:cook`, `position:7:steward`, `person:42`). A reader holds the set of keys
//! that reach them, worked out when they read: the inbox is "messages whose key is one of
//! mine", and a message's recipients are "the people whose keys hold its key". Both answers come
//! from [`Reader::keys`], so the inbox, the unread count and the read receipts cannot disagree,
//! and someone who joins the crew later sees what was sent to their position.

use galley_core::auth::Role;
use serde::{Deserialize, Serialize};

use crate::rotation::position::Position;

/// To whom, at the message's site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = MessageAudience)]
pub enum Audience {
    /// Everyone on the site.
    Site,
    /// Everyone on the site with this role.
    Role { role: Role },
    /// The crew in this position on the site (through their linked accounts).
    Position { position: Position },
    /// One person of the tenant.
    Person { user_id: i64 },
}

impl Audience {
    pub fn kind(self) -> &'static str {
        match self {
            Audience::Site => "site",
            Audience::Role { .. } => "role",
            Audience::Position { .. } => "position",
            Audience::Person { .. } => "person",
        }
    }

    /// What the kind names: a role, a position or a user id; empty for the whole site.
    pub fn value(self) -> String {
        match self {
            Audience::Site => String::new(),
            Audience::Role { role } => role.as_str().to_owned(),
            Audience::Position { position } => position.as_str().to_owned(),
            Audience::Person { user_id } => user_id.to_string(),
        }
    }

    /// The stored key of this audience at `site_id`.
    pub fn key(self, site_id: i64) -> String {
        match self {
            Audience::Site => format!("site:{site_id}"),
            Audience::Role { role } => format!("role:{site_id}:{}", role.as_str()),
            Audience::Position { position } => {
                format!("position:{site_id}:{}", position.as_str())
            }
            Audience::Person { user_id } => format!("person:{user_id}"),
        }
    }

    /// Reads back what [`Audience::kind`] and [`Audience::value`] stored.
    pub fn from_stored(kind: &str, value: &str) -> Option<Audience> {
        match kind {
            "site" => Some(Audience::Site),
            "role" => Role::parse(value).map(|role| Audience::Role { role }),
            "position" => Position::parse(value).map(|position| Audience::Position { position }),
            "person" => value
                .parse()
                .ok()
                .map(|user_id| Audience::Person { user_id }),
            _ => None,
        }
    }
}

/// What decides which messages one person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// `None` for an API token: it reads site and role messages but has no inbox of its own.
    pub user_id: Option<i64>,
    pub role: Role,
    /// The sites whose site-wide and role messages reach this person.
    pub sites: Vec<i64>,
    /// The crew positions this person's account is linked to, per site.
    pub positions: Vec<(i64, Position)>,
}

impl Reader {
    /// Works out the sites a person belongs to: the site their account is bound to; every site
    /// of the tenant for kitchen staff and readers bound to none (department staff bound to none
    /// belong to none); and, always, the sites where they are linked to crew.
    pub fn new(
        user_id: Option<i64>,
        role: Role,
        bound_site: Option<i64>,
        tenant_sites: &[i64],
        crew_links: &[(i64, Position)],
    ) -> Reader {
        let mut sites: Vec<i64> = match bound_site {
            Some(site) => vec![site],
            None if matches!(role, Role::Admin | Role::Cook | Role::Viewer) => {
                tenant_sites.to_vec()
            }
            None => Vec::new(),
        };
        sites.extend(crew_links.iter().map(|(site, _)| *site));
        sites.sort_unstable();
        sites.dedup();
        Reader {
            user_id,
            role,
            sites,
            positions: crew_links.to_vec(),
        }
    }

    /// Every audience key that reaches this person.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::with_capacity(self.sites.len() * 2 + self.positions.len() + 1);
        for &site in &self.sites {
            keys.push(Audience::Site.key(site));
            keys.push(Audience::Role { role: self.role }.key(site));
        }
        for &(site, position) in &self.positions {
            keys.push(Audience::Position { position }.key(site));
        }
        if let Some(user_id) = self.user_id {
            keys.push(Audience::Person { user_id }.key(0));
        }
        keys
    }

    /// Whether a message with `key` reaches this person.
    pub fn reads(&self, key: &str) -> bool {
        self.keys().iter().any(|mine| mine == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITES: [i64; 2] = [7, 8];

    #[test]
    fn keys_name_the_site_except_for_a_person() {
        assert_eq!(Audience::Site.key(7), "site:7");
        assert_eq!(Audience::Role { role: Role::Cook }.key(7), "role:7:cook");
        let steward = Audience::Position {
            position: Position::Steward,
        };
        assert_eq!(steward.key(7), "position:7:steward");
        assert_eq!(Audience::Person { user_id: 42 }.key(7), "person:42");
        assert_eq!(Audience::Person { user_id: 42 }.key(8), "person:42");
    }

    #[test]
    fn stored_audiences_read_back() {
        let all = [
            Audience::Site,
            Audience::Role { role: Role::Viewer },
            Audience::Position {
                position: Position::NightCook,
            },
            Audience::Person { user_id: 9 },
        ];
        for audience in all {
            assert_eq!(
                Audience::from_stored(audience.kind(), &audience.value()),
                Some(audience)
            );
        }
        assert_eq!(Audience::from_stored("role", "chef"), None);
        assert_eq!(Audience::from_stored("person", "x"), None);
        assert_eq!(Audience::from_stored("crowd", ""), None);
    }

    #[test]
    fn a_cook_bound_to_no_site_reads_every_site() {
        let cook = Reader::new(Some(1), Role::Cook, None, &SITES, &[]);
        assert!(cook.reads("site:7") && cook.reads("site:8"));
        assert!(cook.reads("role:8:cook"));
        assert!(!cook.reads("role:8:admin"));
        assert!(cook.reads("person:1"));
        assert!(!cook.reads("person:2"));
        assert!(
            !cook.reads("position:7:cook"),
            "positions come from crew links only"
        );
    }

    #[test]
    fn a_bound_person_reads_their_site_and_their_crew_site() {
        let steward = Reader::new(
            Some(3),
            Role::Viewer,
            Some(7),
            &SITES,
            &[(8, Position::Steward)],
        );
        assert_eq!(steward.sites, vec![7, 8]);
        assert!(steward.reads("site:7"));
        assert!(steward.reads("site:8"));
        assert!(steward.reads("position:8:steward"));
        assert!(!steward.reads("position:7:steward"));
        assert!(!steward.reads("position:8:cook"));
    }

    #[test]
    fn department_staff_on_no_site_read_only_their_own() {
        let staff = Reader::new(Some(5), Role::Department, None, &SITES, &[]);
        assert!(staff.sites.is_empty());
        assert_eq!(staff.keys(), vec!["person:5".to_owned()]);
    }

    #[test]
    fn a_token_has_no_person_key() {
        let token = Reader::new(None, Role::Viewer, Some(7), &SITES, &[]);
        assert_eq!(token.keys(), vec!["site:7", "role:7:viewer"]);
    }
}
