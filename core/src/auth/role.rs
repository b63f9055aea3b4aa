use serde::{Deserialize, Serialize};

/// What a person (or an API token) may do. One written table in `docs/roles.md` says what each
/// role admits; route guards state the roles they accept.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Superuser,
    Admin,
    Cook,
    Department,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Superuser,
        Role::Admin,
        Role::Cook,
        Role::Department,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Superuser => "superuser",
            Role::Admin => "admin",
            Role::Cook => "cook",
            Role::Department => "department",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}
