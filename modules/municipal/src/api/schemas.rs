//! Request-body schemas built from the server's own constants, where the derive takes only
//! literals or cannot reach into a list's items.

use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Type};
use utoipa::openapi::{Array, schema::SchemaType};

use super::departments::MAX_RESIDENTS;
use crate::plan::Meal;

pub fn meal() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Meal::ALL.iter().map(|meal| meal.as_str())))
        .build()
}

/// Seven resident counts, Monday to Sunday, or `null`.
pub fn weekday_counts() -> Array {
    let count = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int32,
        )))
        .minimum(Some(0))
        .maximum(Some(MAX_RESIDENTS));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(count)
        .min_items(Some(7))
        .max_items(Some(7))
        .description(Some(format!(
            "Residents Monday to Sunday, 0 to {MAX_RESIDENTS} each, or `null` for no schedule. \
             The field must be sent."
        )))
        .examples([serde_json::json!([12, 12, 12, 12, 12, 10, 10])])
        .build()
}
