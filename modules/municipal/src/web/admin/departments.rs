//! `/municipal/admin/sites/{site_id}/departments`: a kitchen's departments at a glance
//! (residents, special diets, who works there) and a form for a new one.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use galley_core::audit::{self, Entry};
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::kitchen::diets;
use galley_core::people::sites::Site;
use galley_core::people::users;
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors, Outcome};
use galley_core::web::{Page, render};

use super::{Fields, SavedQuery, can_edit, failed, field_error, localized, number, own_site};
use crate::api::departments::{NewDepartment, create_department};
use crate::api::{Admins, KitchenReaders};
use crate::departments::{self, setup};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/sites/{site_id}/departments", get(list).post(create))
}

/// One line of the list.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub residents: i32,
    /// "Glutenfri 2 · Timbal 1"; empty when nobody is on a special diet.
    pub diets: String,
    pub staff: Vec<String>,
}

/// What the new-department form shows: empty, or what was typed.
#[derive(Debug, Default)]
pub struct NewForm {
    pub name: String,
    pub residents: String,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "admin/municipal_departments.html")]
struct ListTemplate {
    page: Page,
    site: Site,
    rows: Vec<Row>,
    can_edit: bool,
    form: NewForm,
    errors: FormErrors,
    csrf: String,
    saved: String,
}

/// The rows, with each department's diets and staff. An admin reading diet details is audited.
async fn rows(state: &AppState, caller: &Caller, site: &Site) -> Result<Vec<Row>, AppError> {
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let list = departments::list(conn, site.id).await?;
    let ids: Vec<i64> = list.iter().map(|d| d.id).collect();
    let diet_names: HashMap<i64, String> = diets::list(conn, site.id)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut defaults: HashMap<i64, Vec<String>> = HashMap::new();
    for (department, diet, residents) in setup::diet_defaults_of(conn, &ids).await? {
        if let Some(name) = diet_names.get(&diet) {
            defaults
                .entry(department)
                .or_default()
                .push(format!("{name} {residents}"));
        }
    }
    let (people, _) = users::list(conn, site.tenant_id, 0, 10_000).await?;
    let names: HashMap<i64, String> = people.into_iter().map(|u| (u.id, u.display_name)).collect();
    let mut rows = Vec::new();
    for department in &list {
        let staff = departments::members(conn, department.id)
            .await?
            .iter()
            .filter_map(|id| names.get(id).cloned())
            .collect();
        rows.push(Row {
            id: department.id,
            name: department.name.clone(),
            residents: department.residents,
            diets: defaults
                .remove(&department.id)
                .unwrap_or_default()
                .join(" · "),
            staff,
        });
    }
    if can_edit(caller) && !ids.is_empty() {
        audit::record(
            conn,
            Entry::new("diet_defaults.read", caller.actor(), Some(site.tenant_id))
                .target("site", site.id)
                .details(serde_json::json!({ "departments": ids })),
        )
        .await?;
    }
    Ok(rows)
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    site_id: i64,
    saved: String,
    form: NewForm,
    errors: FormErrors,
) -> Response {
    let loaded = async {
        let site = own_site(state, caller, site_id).await?;
        let rows = rows(state, caller, &site).await?;
        Ok::<_, AppError>((site, rows))
    }
    .await;
    match loaded {
        Ok((site, rows)) => render(
            errors.status(),
            &ListTemplate {
                can_edit: can_edit(caller),
                page,
                site,
                rows,
                form,
                errors,
                csrf: caller.csrf_token().unwrap_or_default().to_owned(),
                saved,
            },
        ),
        Err(error) => failed(page, error),
    }
}

async fn list(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path(site_id): Path<i64>,
    Query(saved): Query<SavedQuery>,
) -> Response {
    list_page(
        &state,
        &console.caller,
        console.page,
        site_id,
        saved.saved.unwrap_or_default(),
        NewForm::default(),
        FormErrors::default(),
    )
    .await
}

fn message_key(field: &str) -> &'static str {
    match field {
        "name" => "municipal.admin.error_name",
        "notes" => "municipal.admin.error_notes",
        _ => "municipal.admin.error_count",
    }
}

async fn create(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(site_id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let form = NewForm {
        name: fields.get("name").to_owned(),
        residents: fields.get("residents").to_owned(),
        notes: fields.get("notes").to_owned(),
    };
    let outcome = match number(&form.residents) {
        Some(residents) => {
            let body = NewDepartment {
                name: form.name.clone(),
                residents,
                notes: form.notes.clone(),
            };
            let result = create_department(&state, &admin.caller, site_id, &body).await;
            localized(&admin.page, result, str::to_owned, message_key)
        }
        None => Outcome::Invalid(field_error(
            &admin.page,
            "residents",
            "municipal.admin.error_count",
        )),
    };
    match outcome {
        Outcome::Done(department) => Redirect::to(&format!(
            "/municipal/admin/departments/{}?saved=created",
            department.id
        ))
        .into_response(),
        Outcome::Invalid(errors) => {
            list_page(
                &state,
                &admin.caller,
                admin.page,
                site_id,
                String::new(),
                form,
                errors,
            )
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}
