//! Request-body schemas that the derive cannot state from a literal: closed lists whose members
//! live in server constants (time zones, grantable roles, tenant kinds). Fields point here with
//! `#[schema(schema_with = ..)]`, so the document lists exactly what the validator accepts.
//! Also the rule every body's strings share: no control characters.

use utoipa::openapi::schema::{ArrayItems, Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

use super::text_input::PLAIN_TEXT_PATTERN;
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

/// Every string of a JSON request body is refused with a 422 if it holds a control character
/// (see `text_input`); the strings that state no pattern of their own say so here. Patterns
/// written on fields leave control characters out themselves.
pub fn refuse_control_characters(doc: &mut OpenApi) {
    let mut pending: Vec<String> = doc
        .paths
        .paths
        .values_mut()
        .flat_map(super::openapi_shared::operations)
        .filter_map(|operation| operation.request_body.as_ref())
        .filter_map(|body| body.content.get("application/json"))
        .filter_map(|content| content.schema.as_ref())
        .filter_map(ref_name)
        .collect();
    let mut done = Vec::new();
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    while let Some(name) = pending.pop() {
        if done.contains(&name) {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            for property in object.properties.values_mut() {
                match property {
                    RefOr::Ref(_) => pending.extend(ref_name(property)),
                    RefOr::T(Schema::Array(array)) => {
                        if let ArrayItems::RefOrSchema(items) = &array.items {
                            pending.extend(ref_name(items));
                        }
                    }
                    RefOr::T(Schema::Object(field)) => plain_text(field),
                    RefOr::T(_) => {}
                }
            }
        }
        done.push(name);
    }
}

/// A free string (no pattern, list or format of its own) gets the plain-text pattern.
pub(super) fn plain_text(schema: &mut Object) {
    let is_string = match &schema.schema_type {
        SchemaType::Type(kind) => *kind == Type::String,
        SchemaType::Array(kinds) => kinds.contains(&Type::String),
        SchemaType::AnyValue => false,
    };
    if is_string
        && schema.pattern.is_none()
        && schema.enum_values.is_none()
        && schema.format.is_none()
    {
        schema.pattern = Some(PLAIN_TEXT_PATTERN.to_owned());
    }
}

fn ref_name(schema: &RefOr<Schema>) -> Option<String> {
    match schema {
        RefOr::Ref(reference) => reference
            .ref_location
            .strip_prefix("#/components/schemas/")
            .map(str::to_owned),
        RefOr::T(_) => None,
    }
}
