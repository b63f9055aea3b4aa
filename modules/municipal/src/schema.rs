//! The municipal tables, hand-written with portable types (see `galley_core::schema`).

diesel::table! {
    municipal_settings (site_id) {
        site_id -> BigInt,
        tenant_id -> BigInt,
        deadline_weekday -> Integer,
        deadline_minute -> Integer,
        deadline_weeks_before -> Integer,
        weekend_alt2 -> Bool,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    departments (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        name_key -> Text,
        residents -> Integer,
        notes -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    department_members (user_id) {
        user_id -> BigInt,
        department_id -> BigInt,
        tenant_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    diet_defaults (department_id, diet_type_id) {
        department_id -> BigInt,
        diet_type_id -> BigInt,
        residents -> Integer,
    }
}

diesel::table! {
    standing_residents (department_id, weekday) {
        department_id -> BigInt,
        weekday -> Integer,
        residents -> Integer,
        dinner_residents -> Nullable<Integer>,
    }
}

diesel::table! {
    week_residents (department_id, year, week, weekday) {
        department_id -> BigInt,
        year -> Integer,
        week -> Integer,
        weekday -> Integer,
        residents -> Integer,
        dinner_residents -> Nullable<Integer>,
    }
}

diesel::table! {
    resident_overrides (department_id, date, meal) {
        department_id -> BigInt,
        date -> Date,
        meal -> Text,
        residents -> Integer,
    }
}

diesel::table! {
    department_weeks (department_id, year, week) {
        department_id -> BigInt,
        year -> Integer,
        week -> Integer,
        version -> BigInt,
        choices_at -> Nullable<Timestamp>,
        marks_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lunch_choices (department_id, year, week, day) {
        department_id -> BigInt,
        year -> Integer,
        week -> Integer,
        day -> Integer,
        choice -> Text,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    diet_marks (department_id, year, week, day, meal, diet_type_id) {
        department_id -> BigInt,
        year -> Integer,
        week -> Integer,
        day -> Integer,
        meal -> Text,
        diet_type_id -> BigInt,
    }
}

diesel::table! {
    order_reminders (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        year -> Integer,
        week -> Integer,
        text -> Text,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(department_members -> departments (department_id));
diesel::allow_tables_to_appear_in_same_query!(
    departments,
    department_members,
    diet_defaults,
    standing_residents,
    week_residents,
    resident_overrides,
    department_weeks,
    lunch_choices,
    diet_marks,
);

diesel::table! {
    municipal_setup_history (site_id, until_week) {
        site_id -> BigInt,
        tenant_id -> BigInt,
        until_week -> Integer,
        setup -> Text,
        created_at -> Timestamp,
    }
}
