//! `/admin/modules`: module switches. Admins switch their tenant and each of its kitchens;
//! superusers the whole platform. Saving applies at once: the flags service refreshes.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Console, FormErrors, Outcome, Saved, saved};
use crate::flags::api::{ModuleAdmins, SwitchIn, module_switches, switch_module};
use crate::flags::{FlagScope, FlagSnapshot, FlagSource, Scope};
use crate::http::AppError;
use crate::people::{sites, tenants};
use crate::state::AppState;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/modules", get(show))
        .route("/admin/modules/{id}", post(switch))
}

/// One switch's form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    scope_id: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    etag: Option<String>,
}

/// A module as the page shows it.
struct ModuleView {
    id: &'static str,
    title: String,
    /// Whether it is on for the caller.
    enabled: bool,
    /// Where that comes from, in words.
    source: String,
    switches: Vec<SwitchView>,
}

/// One switch: a small form with three choices.
struct SwitchView {
    scope: &'static str,
    scope_id: i64,
    /// The scope in words ("Hela kunden · Berga").
    label: String,
    /// `on`, `off` or `inherit`: the checked choice.
    choice: &'static str,
    etag: String,
    /// Whether the module is on at this scope now.
    effective: bool,
    /// What "inherit" would mean here, in words.
    inherit_hint: String,
    errors: FormErrors,
    /// A page-unique prefix for the form's ids.
    key: String,
}

#[derive(Template)]
#[template(path = "admin/modules.html")]
struct ModulesTemplate {
    page: Page,
    modules: Vec<ModuleView>,
    saved: bool,
    platform: bool,
    csrf: String,
}

/// A form that was sent back: which switch, its errors and what was chosen.
struct Failed {
    module: String,
    scope: FlagScope,
    scope_id: i64,
    errors: FormErrors,
    choice: Option<&'static str>,
}

fn choice_of(enabled: Option<bool>) -> &'static str {
    match enabled {
        Some(true) => "on",
        Some(false) => "off",
        None => "inherit",
    }
}

fn parse_choice(text: &str) -> Option<(&'static str, Option<bool>)> {
    match text {
        "on" => Some(("on", Some(true))),
        "off" => Some(("off", Some(false))),
        "inherit" => Some(("inherit", None)),
        _ => None,
    }
}

fn parse_scope(text: &str) -> Option<FlagScope> {
    match text {
        "global" => Some(FlagScope::Global),
        "tenant" => Some(FlagScope::Tenant),
        "site" => Some(FlagScope::Site),
        _ => None,
    }
}

fn source_key(source: FlagSource) -> &'static str {
    match source {
        FlagSource::Site => "admin_modules.source_site",
        FlagSource::Tenant => "admin_modules.source_tenant",
        FlagSource::Database => "admin_modules.source_database",
        FlagSource::Env => "admin_modules.source_env",
        FlagSource::Default => "admin_modules.source_default",
    }
}

/// The names of the scopes the caller reaches: their tenant's and its kitchens'.
struct Names {
    tenant: Option<String>,
    sites: HashMap<i64, String>,
}

async fn names(state: &AppState, console: &Console<ModuleAdmins>) -> Result<Names, AppError> {
    let Some(tenant) = console.caller.tenant_id else {
        return Ok(Names {
            tenant: None,
            sites: HashMap::new(),
        });
    };
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let name = tenants::find(conn, tenant).await?.map(|t| t.name);
    let (listed, _) = sites::list(conn, tenant, 0, 1000).await?;
    Ok(Names {
        tenant: name,
        sites: listed.into_iter().map(|s| (s.id, s.name)).collect(),
    })
}

/// The label, the state now and the meaning of "inherit" for one scope.
fn describe_scope(
    page: &Page,
    snapshot: &FlagSnapshot,
    names: &Names,
    tenant: Option<i64>,
    module: &str,
    scope: FlagScope,
    scope_id: i64,
) -> (String, bool, String) {
    let on_off = |on: bool| {
        page.t(if on {
            "admin_modules.now_on"
        } else {
            "admin_modules.now_off"
        })
        .to_owned()
    };
    match scope {
        FlagScope::Global => (
            page.t("admin_modules.scope_global").to_owned(),
            snapshot.state(module).enabled,
            page.t("admin_modules.inherit_global").to_owned(),
        ),
        FlagScope::Tenant => {
            let name = names.tenant.clone().unwrap_or_else(|| scope_id.to_string());
            let inherited = snapshot.state(module).enabled;
            let here = snapshot.state_in(
                module,
                Scope {
                    tenant_id: Some(scope_id),
                    site_id: None,
                },
            );
            (
                format!("{}\u{a0}· {name}", page.t("admin_modules.scope_tenant")),
                here.enabled,
                format!(
                    "{} {}",
                    page.t("admin_modules.inherit_tenant"),
                    on_off(inherited)
                ),
            )
        }
        FlagScope::Site => {
            let name = names
                .sites
                .get(&scope_id)
                .cloned()
                .unwrap_or_else(|| scope_id.to_string());
            let inherited = snapshot
                .state_in(
                    module,
                    Scope {
                        tenant_id: tenant,
                        site_id: None,
                    },
                )
                .enabled;
            let here = snapshot.state_in(
                module,
                Scope {
                    tenant_id: tenant,
                    site_id: Some(scope_id),
                },
            );
            (
                format!("{}\u{a0}· {name}", page.t("admin_modules.scope_site")),
                here.enabled,
                format!(
                    "{} {}",
                    page.t("admin_modules.inherit_site"),
                    on_off(inherited)
                ),
            )
        }
    }
}

async fn modules_page(
    state: &AppState,
    console: Console<ModuleAdmins>,
    failed: Option<Failed>,
    saved: bool,
) -> Response {
    let listed = match module_switches(state, &console.caller).await {
        Ok(listed) => listed,
        Err(error) => return error.into_response(),
    };
    let names = match names(state, &console).await {
        Ok(names) => names,
        Err(error) => return error.into_response(),
    };
    let snapshot = state.flags.snapshot();
    let page = &console.page;
    let tenant = console.caller.tenant_id;
    let mut failed = failed;
    let mut modules = Vec::new();
    for module in listed {
        let mut switches = Vec::new();
        for switch in module.switches {
            let (label, effective, inherit_hint) = describe_scope(
                page,
                &snapshot,
                &names,
                tenant,
                module.id,
                switch.scope,
                switch.scope_id,
            );
            let this = failed.as_ref().is_some_and(|f| {
                f.module == module.id && f.scope == switch.scope && f.scope_id == switch.scope_id
            });
            let (errors, choice) = match failed.take_if(|_| this) {
                Some(f) => (
                    f.errors,
                    f.choice.unwrap_or_else(|| choice_of(switch.enabled)),
                ),
                None => (FormErrors::default(), choice_of(switch.enabled)),
            };
            switches.push(SwitchView {
                scope: switch.scope.as_str(),
                scope_id: switch.scope_id,
                label,
                choice,
                etag: switch.etag,
                effective,
                inherit_hint,
                errors,
                key: format!(
                    "{}-{}-{}",
                    module.id,
                    switch.scope.as_str(),
                    switch.scope_id
                ),
            });
        }
        modules.push(ModuleView {
            id: module.id,
            title: page.t(&format!("module.{}.title", module.id)).to_owned(),
            enabled: module.enabled,
            source: page.t(source_key(module.source)).to_owned(),
            switches,
        });
    }
    let invalid = modules
        .iter()
        .flat_map(|m| &m.switches)
        .any(|s| !s.errors.is_empty());
    let status = if invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let csrf = console.caller.csrf_token().unwrap_or_default().to_owned();
    render(
        status,
        &ModulesTemplate {
            page: console.page,
            modules,
            saved,
            platform: tenant.is_none(),
            csrf,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    console: Console<ModuleAdmins>,
    Query(q): Query<Saved>,
) -> Response {
    modules_page(&state, console, None, q.shown()).await
}

async fn switch(
    State(state): State<AppState>,
    console: Console<ModuleAdmins>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<SwitchForm>,
) -> Response {
    // The hidden fields come from the page; anything else is not a switch of this page.
    let Some(module) = state.registry.get(&id) else {
        return AppError::NotFound.into_response();
    };
    let Some(scope) = parse_scope(&form.scope) else {
        return AppError::NotFound.into_response();
    };
    let scope_id = match form.scope_id.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return AppError::NotFound.into_response(),
        },
    };
    let chosen = parse_choice(&form.choice);
    let result = match chosen {
        Some((_, enabled)) => {
            let body = SwitchIn {
                scope,
                scope_id,
                enabled,
            };
            switch_module(
                &state,
                &console.caller,
                module.id(),
                form.etag.as_deref(),
                &body,
            )
            .await
        }
        None => Err(AppError::validation(
            "choice",
            console.page.t("admin_modules.choose"),
        )),
    };
    match Outcome::from(result) {
        Outcome::Done(_) => saved("/admin/modules"),
        Outcome::Invalid(errors) => {
            // A stale form shows what is stored now; any other keeps what was chosen.
            let stale = errors.general.is_some();
            let failed = Failed {
                module: module.id().to_owned(),
                scope,
                scope_id: match scope {
                    FlagScope::Global => 0,
                    FlagScope::Tenant => scope_id.or(console.caller.tenant_id).unwrap_or(0),
                    FlagScope::Site => scope_id.unwrap_or(0),
                },
                errors,
                choice: if stale { None } else { chosen.map(|c| c.0) },
            };
            modules_page(&state, console, Some(failed), false).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}
