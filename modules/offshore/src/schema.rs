//! The offshore tables, hand-written with portable types (see `galley_core::schema`).

diesel::table! {
    offshore_rota_settings (site_id) {
        site_id -> BigInt,
        tenant_id -> BigInt,
        day_start_minute -> Integer,
        day_end_minute -> Integer,
        night_start_minute -> Integer,
        night_end_minute -> Integer,
        cover -> Text,
        max_period_days -> Integer,
        max_extended_period_days -> Integer,
        max_shift_minutes -> Integer,
        min_rest_days -> Integer,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offshore_patterns (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        name_key -> Text,
        segments -> Text,
        anchor_date -> Date,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offshore_crew (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        position -> Text,
        user_id -> Nullable<BigInt>,
        pattern_id -> Nullable<BigInt>,
        start_offset_days -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offshore_shifts (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        crew_id -> BigInt,
        date -> Date,
        kind -> Text,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offshore_period_exceptions (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        crew_id -> BigInt,
        first_date -> Date,
        reason -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    offshore_waste_entries (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        date -> Date,
        meal -> Text,
        category -> Text,
        dish -> Nullable<Text>,
        guests -> Integer,
        produced_g -> BigInt,
        served_g -> BigInt,
        leftover_g -> BigInt,
        created_by -> Nullable<BigInt>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offshore_portion_guidelines (site_id, category) {
        site_id -> BigInt,
        category -> Text,
        tenant_id -> BigInt,
        grams_per_guest -> Integer,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offshore_calendar_feeds (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        crew_id -> BigInt,
        token_hash -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offshore_menu_cycles (site_id) {
        site_id -> BigInt,
        tenant_id -> BigInt,
        length_weeks -> Integer,
        start_year -> Integer,
        start_week -> Integer,
        start_index -> Integer,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offshore_cycle_weeks (site_id, cycle_week) {
        site_id -> BigInt,
        cycle_week -> Integer,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offshore_cycle_items (site_id, cycle_week, day, meal, slot) {
        site_id -> BigInt,
        cycle_week -> Integer,
        day -> Integer,
        meal -> Text,
        slot -> Text,
        dish_id -> BigInt,
    }
}

diesel::table! {
    offshore_prep_tasks (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        date -> Date,
        title -> Text,
        notes -> Text,
        status -> Text,
        position -> Integer,
        version -> BigInt,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offshore_prep_history (id) {
        id -> BigInt,
        task_id -> BigInt,
        from_status -> Nullable<Text>,
        to_status -> Text,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    offshore_freezer_items (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        quantity_milli -> BigInt,
        unit -> Text,
        frozen_on -> Date,
        use_by -> Date,
        location -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offshore_freezer_moves (id) {
        id -> BigInt,
        item_id -> BigInt,
        delta_milli -> BigInt,
        reason -> Text,
        moved_by -> Nullable<BigInt>,
        moved_at -> Timestamp,
    }
}

diesel::table! {
    offshore_messages (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        author_id -> Nullable<BigInt>,
        audience_kind -> Text,
        audience_value -> Text,
        audience_key -> Text,
        body -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    offshore_message_reads (message_id, user_id) {
        message_id -> BigInt,
        user_id -> BigInt,
        read_at -> Timestamp,
    }
}

diesel::joinable!(offshore_shifts -> offshore_crew (crew_id));
diesel::joinable!(offshore_prep_history -> offshore_prep_tasks (task_id));
diesel::joinable!(offshore_freezer_moves -> offshore_freezer_items (item_id));
diesel::allow_tables_to_appear_in_same_query!(
    offshore_rota_settings,
    offshore_patterns,
    offshore_crew,
    offshore_shifts,
    offshore_period_exceptions,
    offshore_waste_entries,
    offshore_portion_guidelines,
    offshore_menu_cycles,
    offshore_cycle_weeks,
    offshore_cycle_items,
    offshore_prep_tasks,
    offshore_prep_history,
    offshore_freezer_items,
    offshore_freezer_moves,
    offshore_messages,
    offshore_message_reads,
);
