//! `/admin/users`: the people of the admin's tenant, their roles and kitchens, password-reset
//! links and removal.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Console, FormErrors, Outcome, Saved, saved};
use crate::auth::Role;
use crate::http::AppError;
use crate::people::api::Admins;
use crate::people::api::users::{
    GRANTABLE, NewUserIn, ResetLinkOut, UserChange, create_reset_link, create_user, delete_user,
    update_user, user_etag,
};
use crate::people::sites::{self, Site};
use crate::people::users::{self, User};
use crate::state::AppState;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{id}", get(show).post(update))
        .route("/admin/users/{id}/reset-link", post(reset_link))
        .route("/admin/users/{id}/delete", post(delete))
}

/// The most people and kitchens one page lists.
const LIMIT: i64 = 1000;

/// The add-a-person form, as typed. The password is read, never shown again.
#[derive(Debug, Default, Deserialize)]
pub struct NewPersonForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    password: String,
}

/// The edit form, as stored or as typed; also what the reset-link and delete forms send.
#[derive(Debug, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    disabled: Option<String>,
    #[serde(default)]
    etag: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

impl PersonForm {
    fn of(user: &User) -> Self {
        PersonForm {
            display_name: user.display_name.clone(),
            role: user.role.clone(),
            site_id: user.site_id.map(|id| id.to_string()).unwrap_or_default(),
            disabled: user.disabled_at.is_some().then(|| "yes".to_owned()),
            ..PersonForm::default()
        }
    }

    fn is_disabled(&self) -> bool {
        self.disabled.is_some()
    }
}

/// One option of a select.
pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
}

/// One person in the table.
struct Row {
    id: i64,
    name: String,
    email: String,
    role: String,
    site: Option<String>,
    disabled: bool,
    is_you: bool,
}

/// One line of "what you typed", shown when someone else saved first.
struct Typed {
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct ListTemplate {
    page: Page,
    rows: Vec<Row>,
    /// More people than the page lists.
    truncated: bool,
    saved: bool,
    form: NewPersonForm,
    errors: FormErrors,
    roles: Vec<Choice>,
    sites: Vec<Choice>,
    csrf: String,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct PersonTemplate {
    page: Page,
    id: i64,
    heading: String,
    email: String,
    is_you: bool,
    form: PersonForm,
    errors: FormErrors,
    typed: Vec<Typed>,
    roles: Vec<Choice>,
    sites: Vec<Choice>,
    reset: Option<ResetShown>,
    csrf: String,
    etag: String,
}

/// A reset link just made: shown on this one page only.
struct ResetShown {
    path: String,
    expires: String,
}

fn tenant(console: &Console<Admins>) -> Result<i64, AppError> {
    console.caller.tenant_id.ok_or(AppError::NotFound)
}

/// The translation key of a role's name.
pub(super) fn role_key(role: &str) -> &'static str {
    match role {
        "admin" => "admin_users.role_admin",
        "cook" => "admin_users.role_cook",
        "department" => "admin_users.role_department",
        "viewer" => "admin_users.role_viewer",
        _ => "admin_users.role_superuser",
    }
}

/// The roles an admin can give, named in the reader's language.
pub(super) fn role_choices(page: &Page) -> Vec<Choice> {
    GRANTABLE
        .iter()
        .map(|role| Choice {
            value: role.as_str().to_owned(),
            label: page.t(role_key(role.as_str())).to_owned(),
        })
        .collect()
}

fn site_choices(sites: &[Site]) -> Vec<Choice> {
    sites
        .iter()
        .map(|site| Choice {
            value: site.id.to_string(),
            label: site.name.clone(),
        })
        .collect()
}

async fn tenant_sites(state: &AppState, tenant: i64) -> Result<Vec<Site>, AppError> {
    let mut pooled = state.db.get().await?;
    let (sites, _) = sites::list(&mut pooled.conn(), tenant, 0, LIMIT).await?;
    Ok(sites)
}

/// What the select sent: a grantable role, or `None`.
fn chosen_role(text: &str) -> Option<Role> {
    Role::parse(text).filter(|role| GRANTABLE.contains(role))
}

/// What the site select sent: `Ok(None)` for no kitchen, `Err` for anything unreadable.
fn chosen_site(text: &str) -> Result<Option<i64>, ()> {
    if text.is_empty() {
        Ok(None)
    } else {
        text.parse().map(Some).map_err(|_| ())
    }
}

/// The operation's reasons, in the reader's words. `own`: the person edits their own account.
fn in_words(page: &Page, mut errors: FormErrors, own: bool) -> FormErrors {
    let fields = std::mem::take(&mut errors.fields);
    for (field, reason) in fields {
        let (field, key) = match field.as_str() {
            "email" => (field, "admin_users.error_email"),
            "display_name" => (field, "admin_users.error_name"),
            "role" if own => (field, "admin_users.error_own_role"),
            "role" => (field, "admin_users.error_role"),
            "site_id" => (field, "admin_users.error_site"),
            "password" => (field, "admin_users.error_password"),
            "disabled" => (field, "admin_users.error_own_disable"),
            // Deleting yourself: the page as a whole says so.
            "id" => {
                errors.general = Some("admin_users.error_delete_self".into());
                continue;
            }
            _ => {
                errors.fields.insert(field, reason);
                continue;
            }
        };
        errors.fields.insert(field, page.t(key).to_owned());
    }
    errors
}

/// A conflict (not a stale version) said in the reader's words, next to `field`.
fn conflict_at(page: &Page, mut errors: FormErrors, field: &str, key: &str) -> FormErrors {
    if errors
        .general
        .as_deref()
        .is_some_and(|g| g != "admin.stale")
    {
        errors.general = None;
        errors
            .fields
            .insert(field.to_owned(), page.t(key).to_owned());
    }
    errors
}

fn unreadable(page: &Page, field: &str, key: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors
        .fields
        .insert(field.to_owned(), page.t(key).to_owned());
    errors
}

async fn list_page(
    state: &AppState,
    console: Console<Admins>,
    form: NewPersonForm,
    errors: FormErrors,
    saved: bool,
) -> Response {
    match list_template(state, console, form, errors, saved).await {
        Ok((status, template)) => render(status, &template),
        Err(error) => error.into_response(),
    }
}

async fn list_template(
    state: &AppState,
    console: Console<Admins>,
    form: NewPersonForm,
    errors: FormErrors,
    saved: bool,
) -> Result<(StatusCode, ListTemplate), AppError> {
    let tenant = tenant(&console)?;
    let sites = tenant_sites(state, tenant).await?;
    let (people, total) = {
        let mut pooled = state.db.get().await?;
        users::list(&mut pooled.conn(), tenant, 0, LIMIT).await?
    };
    let site_names: BTreeMap<i64, &str> = sites.iter().map(|s| (s.id, s.name.as_str())).collect();
    let truncated = total > people.len() as i64;
    let rows = people
        .into_iter()
        .map(|user| Row {
            id: user.id,
            is_you: console.caller.user_id == Some(user.id),
            role: console.page.t(role_key(&user.role)).to_owned(),
            site: user
                .site_id
                .and_then(|id| site_names.get(&id))
                .map(|name| (*name).to_owned()),
            disabled: user.disabled_at.is_some(),
            name: user.display_name,
            email: user.email,
        })
        .collect();
    let csrf = console.csrf();
    let roles = role_choices(&console.page);
    Ok((
        errors.status(),
        ListTemplate {
            page: console.page,
            rows,
            truncated,
            saved,
            form,
            errors,
            roles,
            sites: site_choices(&sites),
            csrf,
        },
    ))
}

async fn list(
    State(state): State<AppState>,
    console: Console<Admins>,
    Query(q): Query<Saved>,
) -> Response {
    let form = NewPersonForm {
        role: Role::Cook.as_str().to_owned(),
        ..NewPersonForm::default()
    };
    list_page(&state, console, form, FormErrors::default(), q.shown()).await
}

async fn create(
    State(state): State<AppState>,
    console: Console<Admins>,
    axum::Form(mut form): axum::Form<NewPersonForm>,
) -> Response {
    // Never sent back to the browser.
    let password = std::mem::take(&mut form.password);
    let Some(role) = chosen_role(&form.role) else {
        let errors = unreadable(&console.page, "role", "admin_users.error_role");
        return list_page(&state, console, form, errors, false).await;
    };
    let Ok(site_id) = chosen_site(&form.site_id) else {
        let errors = unreadable(&console.page, "site_id", "admin_users.error_site");
        return list_page(&state, console, form, errors, false).await;
    };
    let body = NewUserIn {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        role,
        site_id,
        password,
    };
    match Outcome::from(create_user(&state, &console.caller, &body).await) {
        Outcome::Done(_) => saved("/admin/users"),
        Outcome::Invalid(errors) => {
            let errors = in_words(&console.page, errors, false);
            let errors = conflict_at(&console.page, errors, "email", "admin_users.error_taken");
            list_page(&state, console, form, errors, false).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn find(state: &AppState, console: &Console<Admins>, id: i64) -> Result<User, AppError> {
    let tenant = tenant(console)?;
    let mut pooled = state.db.get().await?;
    users::find_in_tenant(&mut pooled.conn(), tenant, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Everything the person page shows besides the form.
struct Extras {
    typed: Vec<Typed>,
    reset: Option<ResetShown>,
    status: Option<StatusCode>,
}

impl Extras {
    fn none() -> Self {
        Extras {
            typed: Vec::new(),
            reset: None,
            status: None,
        }
    }
}

async fn person_page(
    state: &AppState,
    console: Console<Admins>,
    user: &User,
    form: PersonForm,
    errors: FormErrors,
    extras: Extras,
) -> Response {
    let sites = match tenant(&console) {
        Ok(tenant) => tenant_sites(state, tenant).await,
        Err(error) => Err(error),
    };
    let sites = match sites {
        Ok(sites) => sites,
        Err(error) => return error.into_response(),
    };
    let status = extras.status.unwrap_or_else(|| errors.status());
    let csrf = console.csrf();
    let roles = role_choices(&console.page);
    let has_secret = extras.reset.is_some();
    let mut response = render(
        status,
        &PersonTemplate {
            id: user.id,
            heading: user.display_name.clone(),
            email: user.email.clone(),
            is_you: console.caller.user_id == Some(user.id),
            form,
            errors,
            typed: extras.typed,
            roles,
            sites: site_choices(&sites),
            reset: extras.reset,
            csrf,
            etag: user_etag(user),
            page: console.page,
        },
    );
    if has_secret {
        // The link must not linger in a cache on the way.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn show(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
) -> Response {
    match find(&state, &console, id).await {
        Ok(user) => {
            let form = PersonForm::of(&user);
            person_page(
                &state,
                console,
                &user,
                form,
                FormErrors::default(),
                Extras::none(),
            )
            .await
        }
        Err(error) => error.into_response(),
    }
}

/// What was typed, in words, for the page that says someone else saved first.
async fn typed_lines(state: &AppState, console: &Console<Admins>, form: &PersonForm) -> Vec<Typed> {
    let page = &console.page;
    let site = match chosen_site(&form.site_id) {
        Ok(Some(id)) => {
            let sites = match tenant(console) {
                Ok(tenant) => tenant_sites(state, tenant).await.unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            sites
                .into_iter()
                .find(|s| s.id == id)
                .map_or_else(|| form.site_id.clone(), |s| s.name)
        }
        _ => page.t("admin_users.no_site").to_owned(),
    };
    let line = |key: &str, value: String| Typed {
        label: page.t(key).to_owned(),
        value,
    };
    vec![
        line("admin_users.name", form.display_name.clone()),
        line("admin_users.role", page.t(role_key(&form.role)).to_owned()),
        line("admin_users.site", site),
        line(
            "admin_users.status",
            page.t(if form.is_disabled() {
                "admin_users.disabled"
            } else {
                "admin_users.active"
            })
            .to_owned(),
        ),
    ]
}

async fn update(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<PersonForm>,
) -> Response {
    let own = console.caller.user_id == Some(id);
    let (role, site_id) = match (chosen_role(&form.role), chosen_site(&form.site_id)) {
        (Some(role), Ok(site_id)) => (role, site_id),
        (role, _) => {
            let errors = if role.is_none() {
                unreadable(&console.page, "role", "admin_users.error_role")
            } else {
                unreadable(&console.page, "site_id", "admin_users.error_site")
            };
            return match find(&state, &console, id).await {
                Ok(user) => person_page(&state, console, &user, form, errors, Extras::none()).await,
                Err(error) => error.into_response(),
            };
        }
    };
    let change = UserChange {
        display_name: Some(form.display_name.clone()),
        role: Some(role),
        site_id: Some(site_id),
        disabled: Some(form.is_disabled()),
        // A person chooses their own language with the switch in the top bar.
        language: None,
    };
    let result = update_user(&state, &console.caller, id, form.etag.as_deref(), &change).await;
    match Outcome::from(result) {
        Outcome::Done(_) => saved("/admin/users"),
        Outcome::Invalid(errors) => {
            let errors = in_words(&console.page, errors, own);
            // Someone else saved first: show what is stored now, and what was typed beside it.
            let stale = errors.general.as_deref() == Some("admin.stale");
            let current = match find(&state, &console, id).await {
                Ok(current) => current,
                Err(error) => return error.into_response(),
            };
            let (form, extras) = if stale {
                let typed = typed_lines(&state, &console, &form).await;
                (
                    PersonForm::of(&current),
                    Extras {
                        typed,
                        ..Extras::none()
                    },
                )
            } else {
                (form, Extras::none())
            };
            person_page(&state, console, &current, form, errors, extras).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn reset_link(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
) -> Response {
    let result = create_reset_link(&state, &console.caller, id).await;
    let user = match find(&state, &console, id).await {
        Ok(user) => user,
        Err(error) => return error.into_response(),
    };
    let form = PersonForm::of(&user);
    match Outcome::from(result) {
        Outcome::Done(ResetLinkOut { url, expires_at }) => {
            let extras = Extras {
                reset: Some(ResetShown {
                    path: url,
                    expires: expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                }),
                status: Some(StatusCode::CREATED),
                ..Extras::none()
            };
            person_page(&state, console, &user, form, FormErrors::default(), extras).await
        }
        Outcome::Invalid(errors) => {
            let errors = conflict_at(
                &console.page,
                errors,
                "reset",
                "admin_users.error_reset_disabled",
            );
            person_page(&state, console, &user, form, errors, Extras::none()).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}

async fn delete(
    State(state): State<AppState>,
    console: Console<Admins>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<PersonForm>,
) -> Response {
    let user = match find(&state, &console, id).await {
        Ok(user) => user,
        Err(error) => return error.into_response(),
    };
    let shown = PersonForm::of(&user);
    if form.confirm.as_deref() != Some("yes") {
        let errors = unreadable(&console.page, "confirm", "admin.confirm_required");
        return person_page(&state, console, &user, shown, errors, Extras::none()).await;
    }
    match Outcome::from(delete_user(&state, &console.caller, id, form.etag.as_deref()).await) {
        Outcome::Done(()) => saved("/admin/users"),
        Outcome::Invalid(errors) => {
            let errors = in_words(&console.page, errors, true);
            person_page(&state, console, &user, shown, errors, Extras::none()).await
        }
        Outcome::Failed(error) => error.into_response(),
    }
}
