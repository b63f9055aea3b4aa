//! Request-body schemas that the derive cannot state from a literal: closed lists whose members
//! live in server constants (time zones, grantable roles, tenant kinds). Fields point here with
//! `#[schema(schema_with = ..)]`, so the document lists exactly what the validator accepts.

use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

use crate::auth::Role;
use crate::people::api::users::GRANTABLE;
use crate::people::tenants::KINDS;

fn one_of<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
}

/// The names `chrono_tz` parses, which is how the server checks a time zone.
pub fn timezone() -> Object {
    one_of(
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()),
        "An IANA time zone such as Europe/Stockholm.",
    )
}

/// The roles an admin or a token may be given: never `superuser`.
pub fn grantable_role() -> Object {
    one_of(
        GRANTABLE.iter().map(|role: &Role| role.as_str()),
        "admin, cook, department or viewer.",
    )
}

pub fn tenant_kind() -> Object {
    one_of(KINDS, "The kind of institution the tenant is.")
}
