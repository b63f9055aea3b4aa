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

diesel::table! {
    tenants (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sites (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        name -> Text,
        timezone -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        tenant_id -> Nullable<BigInt>,
        site_id -> Nullable<BigInt>,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        password_changed_at -> Timestamp,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        acting_tenant_id -> Nullable<BigInt>,
        impersonation_reason -> Nullable<Text>,
        impersonation_expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        name -> Text,
        role -> Text,
        token_hash -> Text,
        token_prefix -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        created_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        tenant_id -> Nullable<BigInt>,
        actor_user_id -> Nullable<BigInt>,
        actor_token_id -> Nullable<BigInt>,
        impersonator_id -> Nullable<BigInt>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        details -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::joinable!(sites -> tenants (tenant_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    sites,
    users,
    sessions,
    api_tokens,
    password_resets,
    audit_log,
);

diesel::table! {
    dishes (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        name -> Text,
        name_key -> Text,
        category -> Text,
        allergens -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        allergens_stated -> Bool,
    }
}

diesel::joinable!(dishes -> tenants (tenant_id));
diesel::allow_tables_to_appear_in_same_query!(dishes, tenants);

diesel::table! {
    diet_types (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        name_key -> Text,
        excludes -> BigInt,
        texture_level -> Nullable<Integer>,
        always_applies -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    menus (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        site_id -> BigInt,
        year -> Integer,
        week -> Integer,
        status -> Text,
        version -> BigInt,
        published_at -> Nullable<Timestamp>,
        changed_after_publish -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    menu_items (menu_id, day, meal, slot) {
        menu_id -> BigInt,
        day -> Integer,
        meal -> Text,
        slot -> Text,
        dish_id -> BigInt,
    }
}

diesel::table! {
    menu_receipts (menu_id, user_id) {
        menu_id -> BigInt,
        user_id -> BigInt,
        seen_version -> BigInt,
        seen_at -> Timestamp,
    }
}

diesel::joinable!(menu_items -> menus (menu_id));
diesel::joinable!(menu_items -> dishes (dish_id));
diesel::allow_tables_to_appear_in_same_query!(menus, menu_items, dishes);

diesel::table! {
    recipes (id) {
        id -> BigInt,
        tenant_id -> BigInt,
        dish_id -> Nullable<BigInt>,
        name -> Text,
        name_key -> Text,
        yield_portions -> BigInt,
        steps -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    recipe_ingredients (recipe_id, position) {
        recipe_id -> BigInt,
        position -> BigInt,
        name -> Text,
        amount_milli -> BigInt,
        unit -> Text,
        allergens -> BigInt,
    }
}

diesel::joinable!(recipes -> dishes (dish_id));
diesel::joinable!(recipe_ingredients -> recipes (recipe_id));
diesel::allow_tables_to_appear_in_same_query!(recipes, recipe_ingredients, dishes);
