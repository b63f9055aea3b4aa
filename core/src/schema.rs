//! The hand-written, portable schema: only types both backends share (BigInt, Integer, Text,
//! Bool, Date, Timestamp as naive UTC; JSON and UUIDs as Text).

diesel::table! {
    module_flags (module_id, scope, scope_id) {
        module_id -> Text,
        scope -> Text,
        scope_id -> BigInt,
        enabled -> Bool,
        version -> BigInt,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}
