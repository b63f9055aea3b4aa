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

/// Seven counts (each a number or `null`), Monday to Sunday.
fn seven_counts(nullable_list: bool, description: String, example: serde_json::Value) -> Array {
    let count = ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int32,
        )))
        .minimum(Some(0))
        .maximum(Some(MAX_RESIDENTS));
    let list = if nullable_list {
        SchemaType::from_iter([Type::Array, Type::Null])
    } else {
        SchemaType::new(Type::Array)
    };
    ArrayBuilder::new()
        .schema_type(list)
        .items(count)
        .min_items(Some(7))
        .max_items(Some(7))
        .description(Some(description))
        .examples([example])
        .build()
}

/// A schedule's lunch counts, or `null` for no schedule.
pub fn weekday_counts() -> Array {
    seven_counts(
        true,
        format!(
            "Residents Monday to Sunday, 0 to {MAX_RESIDENTS} each (lunch, and dinner unless \
             `dinner` says otherwise); a day that is `null` is open and falls through to the \
             next rule. `null` for no schedule; a schedule with every day open is none. The \
             field must be sent."
        ),
        serde_json::json!([12, 12, 12, 12, 12, null, null]),
    )
}

/// A schedule's dinner counts where they differ from lunch.
pub fn dinner_counts() -> Array {
    seven_counts(
        true,
        format!(
            "Dinner residents Monday to Sunday where they differ from lunch, 0 to \
             {MAX_RESIDENTS}; a `null` day counts as lunch. Only days with a lunch count may \
             have one. Left out or `null`: dinner counts as lunch every day. Answers list \
             only the days that differ."
        ),
        serde_json::json!([10, 10, 10, 10, 10, null, null]),
    )
}
