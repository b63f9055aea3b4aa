//! `/municipal/admin/sites/{site_id}/diet-types`: a kitchen's special diets, with the
//! allergens each excludes, its texture level and whether it applies at every meal. The
//! operations are core's, the same as `/api/v1/sites/{site_id}/diet-types`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use galley_core::auth::Caller;
use galley_core::http::AppError;
use galley_core::kitchen::allergen::{Allergen, from_mask};
use galley_core::kitchen::diet_api::{
    DietTypeChange, NewDietType, create_diet, delete_diet, diet_etag, update_diet,
};
use galley_core::kitchen::diets::{self, DietType};
use galley_core::people::sites::Site;
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors, Outcome};
use galley_core::web::{Page, render};

use super::{Fields, SavedQuery, can_edit, failed, field_error, localized, own_site};
use crate::api::{Admins, KitchenReaders};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/{site_id}/diet-types", get(list).post(create))
        .route(
            "/admin/sites/{site_id}/diet-types/{id}",
            get(show).post(update),
        )
        .route(
            "/admin/sites/{site_id}/diet-types/{id}/delete",
            post(delete),
        )
}

/// The allergen's code in forms and the API (`gluten`).
fn code(allergen: Allergen) -> &'static str {
    allergen
        .key()
        .strip_prefix("allergen.")
        .unwrap_or(allergen.key())
}

/// A diet type form as stored or as typed.
#[derive(Debug, Default, Clone)]
pub struct DietForm {
    pub name: String,
    pub excludes: Vec<String>,
    /// "" for none, else 0-7.
    pub texture: String,
    pub always: bool,
}

impl DietForm {
    fn of(diet: &DietType) -> Self {
        DietForm {
            name: diet.name.clone(),
            excludes: from_mask(diet.excludes)
                .into_iter()
                .map(|a| code(a).to_owned())
                .collect(),
            texture: diet
                .texture_level
                .map(|l| l.to_string())
                .unwrap_or_default(),
            always: diet.always_applies,
        }
    }

    fn typed(fields: &Fields) -> Self {
        DietForm {
            name: fields.get("name").to_owned(),
            excludes: fields
                .all("excludes")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            texture: fields.get("texture_level").to_owned(),
            always: fields.get("always_applies") == "yes",
        }
    }

    /// The fourteen allergens, with their Swedish (or English) names and whether ticked.
    pub fn boxes(&self, page: &Page) -> Vec<Choice> {
        Allergen::ALL
            .iter()
            .map(|a| Choice {
                value: code(*a).to_owned(),
                label: page.t(a.key()).to_owned(),
                chosen: self.excludes.iter().any(|e| e == code(*a)),
            })
            .collect()
    }

    pub fn levels(&self, page: &Page) -> Vec<Choice> {
        let mut levels = vec![Choice {
            value: String::new(),
            label: page.t("municipal.admin.texture_none").to_owned(),
            chosen: self.texture.is_empty(),
        }];
        levels.extend((0..=7).map(|level: i32| Choice {
            value: level.to_string(),
            label: format!("IDDSI {level}"),
            chosen: self.texture == level.to_string(),
        }));
        levels
    }

    /// The operation's input, or the errors of what cannot even be read.
    fn parsed(&self, page: &Page) -> Result<(Vec<Allergen>, Option<i32>), FormErrors> {
        let mut errors = FormErrors::default();
        let excludes: Vec<Allergen> = Allergen::ALL
            .iter()
            .filter(|a| self.excludes.iter().any(|e| e == code(**a)))
            .copied()
            .collect();
        if excludes.len() != self.excludes.len() {
            errors.fields.insert(
                "excludes".into(),
                page.t("municipal.admin.error_allergen").to_owned(),
            );
        }
        let texture = if self.texture.is_empty() {
            None
        } else {
            match self.texture.parse() {
                Ok(level) => Some(level),
                Err(_) => {
                    errors.fields.insert(
                        "texture_level".into(),
                        page.t("municipal.admin.error_texture").to_owned(),
                    );
                    None
                }
            }
        };
        if errors.is_empty() {
            Ok((excludes, texture))
        } else {
            Err(errors)
        }
    }
}

/// One option of a select or one checkbox.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

/// A line of the list.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub excludes: String,
    pub texture: Option<i32>,
    pub always: bool,
}

#[derive(Template)]
#[template(path = "admin/municipal_diet_types.html")]
struct ListTemplate {
    page: Page,
    site: Site,
    rows: Vec<Row>,
    can_edit: bool,
    csrf: String,
    saved: String,
    form: DietForm,
    errors: FormErrors,
    action: String,
    etag: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/municipal_diet_type.html")]
struct EditTemplate {
    page: Page,
    site: Site,
    diet: DietType,
    action: String,
    etag: Option<String>,
    csrf: String,
    form: DietForm,
    errors: FormErrors,
    delete_errors: FormErrors,
}

fn message_key(field: &str) -> &'static str {
    match field {
        "name" => "municipal.admin.error_diet_name",
        "texture_level" => "municipal.admin.error_texture",
        _ => "municipal.admin.error_allergen",
    }
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    site_id: i64,
    saved: String,
    form: DietForm,
    errors: FormErrors,
) -> Response {
    let loaded = async {
        let site = own_site(state, caller, site_id).await?;
        let mut pooled = state.db.get().await?;
        let rows = diets::list(&mut pooled.conn(), site_id)
            .await?
            .into_iter()
            .map(|diet| Row {
                id: diet.id,
                excludes: from_mask(diet.excludes)
                    .into_iter()
                    .map(|a| page.t(a.key()).to_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
                name: diet.name,
                texture: diet.texture_level,
                always: diet.always_applies,
            })
            .collect();
        Ok::<_, AppError>((site, rows))
    }
    .await;
    match loaded {
        Ok((site, rows)) => render(
            errors.status(),
            &ListTemplate {
                action: format!("/municipal/admin/sites/{site_id}/diet-types"),
                etag: None,
                can_edit: can_edit(caller),
                csrf: caller.csrf_token().unwrap_or_default().to_owned(),
                page,
                site,
                rows,
                saved,
                form,
                errors,
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
        DietForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(site_id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let form = DietForm::typed(&Fields(fields));
    let outcome = match form.parsed(&admin.page) {
        Ok((excludes, texture_level)) => {
            let body = NewDietType {
                name: form.name.clone(),
                excludes,
                texture_level,
                always_applies: form.always,
            };
            let result = create_diet(&state, &admin.caller, site_id, &body).await;
            localized(&admin.page, result, str::to_owned, message_key)
        }
        Err(errors) => Outcome::Invalid(errors),
    };
    match outcome {
        Outcome::Done(_) => Redirect::to(&format!(
            "/municipal/admin/sites/{site_id}/diet-types?saved=created"
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

async fn find(
    state: &AppState,
    caller: &Caller,
    site_id: i64,
    id: i64,
) -> Result<(Site, DietType), AppError> {
    let site = own_site(state, caller, site_id).await?;
    let mut pooled = state.db.get().await?;
    let diet = diets::find(&mut pooled.conn(), site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((site, diet))
}

/// The edit page: as stored, or with what was typed and its errors (but as stored when the
/// diet changed meanwhile).
async fn edit_page(
    state: &AppState,
    admin: Console<Admins>,
    (site_id, id): (i64, i64),
    typed: Option<DietForm>,
    errors: FormErrors,
    delete_errors: FormErrors,
) -> Response {
    match find(state, &admin.caller, site_id, id).await {
        Ok((site, diet)) => {
            let stale = errors.general.as_deref() == Some("admin.stale");
            let form = match typed {
                Some(typed) if !stale => typed,
                _ => DietForm::of(&diet),
            };
            let status = errors.status().max(delete_errors.status());
            let csrf = admin.csrf();
            render(
                status,
                &EditTemplate {
                    page: admin.page,
                    site,
                    action: format!("/municipal/admin/sites/{site_id}/diet-types/{id}"),
                    etag: Some(diet_etag(&diet)),
                    diet,
                    csrf,
                    form,
                    errors,
                    delete_errors,
                },
            )
        }
        Err(error) => failed(admin.page, error),
    }
}

async fn show(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(ids): Path<(i64, i64)>,
) -> Response {
    edit_page(
        &state,
        admin,
        ids,
        None,
        FormErrors::default(),
        FormErrors::default(),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path((site_id, id)): Path<(i64, i64)>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let form = DietForm::typed(&fields);
    let outcome = match form.parsed(&admin.page) {
        Ok((excludes, texture_level)) => {
            let change = DietTypeChange {
                name: Some(form.name.clone()),
                excludes: Some(excludes),
                texture_level: Some(texture_level),
                always_applies: Some(form.always),
            };
            let result =
                update_diet(&state, &admin.caller, site_id, id, fields.etag(), &change).await;
            localized(&admin.page, result, str::to_owned, message_key)
        }
        Err(errors) => Outcome::Invalid(errors),
    };
    match outcome {
        Outcome::Done(_) => Redirect::to(&format!(
            "/municipal/admin/sites/{site_id}/diet-types?saved=updated"
        ))
        .into_response(),
        Outcome::Invalid(errors) => {
            edit_page(
                &state,
                admin,
                (site_id, id),
                Some(form),
                errors,
                FormErrors::default(),
            )
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}

async fn delete(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path((site_id, id)): Path<(i64, i64)>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let outcome = if fields.get("confirm") == "yes" {
        Outcome::from(delete_diet(&state, &admin.caller, site_id, id, fields.etag()).await)
    } else {
        Outcome::Invalid(field_error(
            &admin.page,
            "confirm",
            "admin.confirm_required",
        ))
    };
    match outcome {
        Outcome::Done(()) => Redirect::to(&format!(
            "/municipal/admin/sites/{site_id}/diet-types?saved=deleted"
        ))
        .into_response(),
        Outcome::Invalid(errors) => {
            edit_page(
                &state,
                admin,
                (site_id, id),
                None,
                FormErrors::default(),
                errors,
            )
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}
