//! The bounds the server enforces on path and query values, stated in the document. Handlers
//! declare parameters by type (`i32`, `String`); the rules live in the parsers they call
//! (`IsoWeek::new`, `PageQuery::checked`, the report and CSV options). Parameters with the same
//! name mean the same thing on every operation, so the bounds are applied here by name.

use utoipa::Number;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

use super::pagination::MAX_PER_PAGE;
use crate::kitchen::iso_week::{MAX_YEAR, MIN_YEAR};

pub fn constrain(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for operation in super::openapi_shared::operations(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                constrain_one(parameter);
            }
        }
    }
}

fn constrain_one(parameter: &mut Parameter) {
    let location = match parameter.parameter_in {
        ParameterIn::Path => Location::Path,
        ParameterIn::Query => Location::Query,
        _ => return,
    };
    let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else {
        return;
    };
    let is = |wanted: Type| schema.schema_type == SchemaType::Type(wanted);
    let integer = is(Type::Integer);
    let string = is(Type::String) && schema.format.is_none();
    let range = |low: i64, high: i64| (Some(number(low)), Some(number(high)));
    let (minimum, maximum) = match (parameter.name.as_str(), location) {
        ("year", _) if integer => range(i64::from(MIN_YEAR), i64::from(MAX_YEAR)),
        ("week", Location::Path) if integer => range(1, 53),
        ("day", Location::Path) if integer => range(1, 7),
        ("page", Location::Query) if integer => range(1, i64::from(u32::MAX)),
        ("per_page", Location::Query) if integer => range(1, i64::from(MAX_PER_PAGE)),
        ("id" | "site_id" | "user_id", Location::Path) if integer => range(1, i64::MAX),
        ("date", Location::Path) | ("from" | "to", Location::Query) if string => {
            schema.format = Some(SchemaFormat::KnownFormat(KnownFormat::Date));
            (None, None)
        }
        ("delimiter", Location::Query) if string => {
            schema.enum_values = Some(vec!["comma".into(), "semicolon".into()]);
            (None, None)
        }
        ("format", Location::Query) if string => {
            schema.enum_values = Some(vec![
                "json".into(),
                "csv".into(),
                "xlsx".into(),
                "pdf".into(),
            ]);
            (None, None)
        }
        ("lang", Location::Query) if string => {
            schema.enum_values = Some(vec!["sv".into(), "nb".into(), "en".into()]);
            (None, None)
        }
        // The path and query refuse control characters like bodies do.
        _ if string => {
            super::openapi_schema::plain_text(schema);
            (None, None)
        }
        _ => (None, None),
    };
    if minimum.is_some() {
        schema.minimum = minimum;
        schema.maximum = maximum;
    }
}

#[derive(Clone, Copy)]
enum Location {
    Path,
    Query,
}

fn number(value: i64) -> Number {
    Number::Int(isize::try_from(value).unwrap_or(isize::MAX))
}
