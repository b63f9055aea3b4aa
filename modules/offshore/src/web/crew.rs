//! `/offshore/crew`: the galley's crew and rotation patterns. Everyone who reads the rota sees
//! who is in the crew and on which rotation; admins add people and patterns here (changing and
//! removing them is in the API).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use galley_core::auth::Role;
use galley_core::http::AppError;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::admin::form::{FormErrors, Outcome};
use galley_core::web::site_choice::{ChosenSite, SiteQuery, chosen_site, page_error};
use galley_core::web::{Page, render};
use serde::Deserialize;

use super::t;
use crate::api::crew::{CrewIn, add_crew};
use crate::api::patterns::{PatternIn, add_pattern};
use crate::api::{GalleyReaders, RotaAdmins};
use crate::rota::{crew, patterns};
use crate::rotation::pattern::{DayKind, Template as Rotation};
use crate::rotation::position::Position;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crew", get(list).post(add_person))
        .route("/crew/patterns", post(add_rotation))
}

#[derive(Debug, Default, Deserialize)]
pub struct CrewQuery {
    site: Option<String>,
    saved: Option<String>,
}

/// The add-a-person form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    pattern_id: String,
    #[serde(default)]
    start_offset_days: String,
}

/// The add-a-pattern form, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct PatternForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    anchor_date: String,
}

pub struct PersonRow {
    pub name: String,
    pub position: String,
    pub pattern: String,
    pub offset: i32,
    pub linked: bool,
}

pub struct PatternRow {
    pub id: i64,
    pub name: String,
    pub summary: String,
    pub anchor: String,
    pub selected: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "offshore/crew.html")]
struct CrewTemplate {
    page: Page,
    site_name: String,
    site_id: i64,
    people: Vec<PersonRow>,
    patterns: Vec<PatternRow>,
    positions: Vec<Choice>,
    templates: Vec<Choice>,
    admin: bool,
    csrf: String,
    person: PersonForm,
    person_errors: FormErrors,
    pattern: PatternForm,
    pattern_errors: FormErrors,
    saved: bool,
}

async fn list(
    State(state): State<AppState>,
    console: Console<GalleyReaders>,
    Query(query): Query<CrewQuery>,
) -> Response {
    let site = match chosen_site(&state, &console.caller, &SiteQuery { site: query.site }).await {
        Ok(Some(site)) => site,
        Ok(None) => return page_error(AppError::NotFound),
        Err(error) => return page_error(error),
    };
    let admin = console.caller.role == Role::Admin;
    let csrf = console.csrf();
    show(
        &state,
        console.page,
        &site,
        (admin, csrf),
        Forms {
            saved: query.saved.is_some(),
            ..Forms::default()
        },
    )
    .await
}

#[derive(Default)]
struct Forms {
    person: PersonForm,
    person_errors: FormErrors,
    pattern: PatternForm,
    pattern_errors: FormErrors,
    saved: bool,
}

/// A pattern's segments in words: "7 N · 1 S · 6 D · 28 fri".
fn summary(page: &Page, row: &patterns::PatternRow) -> String {
    row.segments()
        .iter()
        .map(|segment| {
            let code = match segment.kind {
                DayKind::Off => t(page, "crew.off"),
                kind => t(page, &format!("rota.code.{}", kind.as_str())),
            };
            format!("{} {code}", segment.days)
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

async fn show(
    state: &AppState,
    page: Page,
    site: &ChosenSite,
    (admin, csrf): (bool, String),
    forms: Forms,
) -> Response {
    let loaded = async {
        let mut pooled = state.db.get().await?;
        let conn = &mut pooled.conn();
        let people = crew::list(conn, site.site.id).await?;
        let rotations = patterns::list(conn, site.site.id).await?;
        Ok::<_, AppError>((people, rotations))
    }
    .await;
    let (people, rotations) = match loaded {
        Ok(found) => found,
        Err(error) => return page_error(error),
    };
    let pattern_name = |id: Option<i64>| {
        id.and_then(|id| rotations.iter().find(|p| p.id == id))
            .map_or_else(|| t(&page, "crew.no_pattern"), |p| p.name.clone())
    };
    let people = people
        .iter()
        .map(|person| PersonRow {
            name: person.name.clone(),
            position: t(&page, &format!("position.{}", person.position().as_str())),
            pattern: pattern_name(person.pattern_id),
            offset: person.start_offset_days,
            linked: person.user_id.is_some(),
        })
        .collect();
    let template = CrewTemplate {
        site_name: site.site.name.clone(),
        site_id: site.site.id,
        people,
        patterns: rotations
            .iter()
            .map(|row| PatternRow {
                id: row.id,
                name: row.name.clone(),
                summary: summary(&page, row),
                anchor: row.anchor_date.to_string(),
                selected: forms.person.pattern_id == row.id.to_string(),
            })
            .collect(),
        positions: Position::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str().to_owned(),
                label: t(&page, &format!("position.{}", p.as_str())),
                selected: forms.person.position == p.as_str(),
            })
            .collect(),
        templates: Rotation::ALL
            .iter()
            .map(|r| Choice {
                value: r.name().to_owned(),
                label: r.name().to_owned(),
                selected: forms.pattern.template == r.name(),
            })
            .collect(),
        admin,
        csrf,
        person: forms.person,
        person_errors: in_words(&page, forms.person_errors),
        pattern: forms.pattern,
        pattern_errors: in_words(&page, forms.pattern_errors),
        saved: forms.saved,
        page,
    };
    render(StatusCode::OK, &template)
}

/// Field errors in the reader's words; the API's own reason where there is no translation.
fn in_words(page: &Page, mut errors: FormErrors) -> FormErrors {
    for (field, reason) in errors.fields.iter_mut() {
        let key = format!("offshore.crew.error.{field}");
        let words = page.t(&key);
        if words != key {
            *reason = words.to_owned();
        }
    }
    errors
}

async fn admin_site(
    state: &AppState,
    console: &Console<RotaAdmins>,
    site: &str,
) -> Result<ChosenSite, AppError> {
    chosen_site(
        state,
        &console.caller,
        &SiteQuery {
            site: Some(site.to_owned()),
        },
    )
    .await?
    .ok_or(AppError::NotFound)
}

fn saved_redirect(site: &ChosenSite) -> Response {
    let mut href = "/offshore/crew?saved=1".to_owned();
    if !site.choices.is_empty() {
        href.push_str(&format!("&site={}", site.site.id));
    }
    Redirect::to(&href).into_response()
}

fn unreadable(field: &str, reason: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.fields.insert(field.to_owned(), reason.to_owned());
    errors
}

async fn add_person(
    State(state): State<AppState>,
    console: Console<RotaAdmins>,
    axum::Form(form): axum::Form<PersonForm>,
) -> Response {
    let site = match admin_site(&state, &console, &form.site).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let csrf = console.csrf();
    let position = Position::parse(&form.position);
    let offset = form.start_offset_days.trim();
    let offset = if offset.is_empty() {
        Some(0)
    } else {
        offset.parse::<i32>().ok()
    };
    let pattern_id = match form.pattern_id.trim() {
        "" => Some(None),
        id => id.parse::<i64>().ok().map(Some),
    };
    let errors = match (position, offset, pattern_id) {
        (Some(position), Some(offset), Some(pattern_id)) => {
            let body = CrewIn {
                name: form.name.clone(),
                position,
                user_id: None,
                pattern_id,
                start_offset_days: offset,
            };
            match Outcome::from(add_crew(&state, &console.caller, site.site.id, &body).await) {
                Outcome::Done(_) => return saved_redirect(&site),
                Outcome::Invalid(errors) => errors,
                Outcome::Failed(error) => return page_error(error),
            }
        }
        (None, _, _) => unreadable("position", "must be one of the positions"),
        (_, None, _) => unreadable("start_offset_days", "must be 0 to 365"),
        (_, _, None) => unreadable("pattern_id", "is not a pattern of this site"),
    };
    let forms = Forms {
        person: form,
        person_errors: errors,
        ..Forms::default()
    };
    show(&state, console.page, &site, (true, csrf), forms).await
}

async fn add_rotation(
    State(state): State<AppState>,
    console: Console<RotaAdmins>,
    axum::Form(form): axum::Form<PatternForm>,
) -> Response {
    let site = match admin_site(&state, &console, &form.site).await {
        Ok(site) => site,
        Err(error) => return page_error(error),
    };
    let csrf = console.csrf();
    let template = Rotation::ALL
        .into_iter()
        .find(|r| r.name() == form.template);
    let anchor = NaiveDate::parse_from_str(form.anchor_date.trim(), "%Y-%m-%d").ok();
    let errors = match (template, anchor) {
        (Some(template), Some(anchor_date)) => {
            let body = PatternIn {
                name: form.name.clone(),
                template: Some(template),
                segments: None,
                anchor_date,
            };
            match Outcome::from(add_pattern(&state, &console.caller, site.site.id, &body).await) {
                Outcome::Done(_) => return saved_redirect(&site),
                Outcome::Invalid(errors) => errors,
                Outcome::Failed(error) => return page_error(error),
            }
        }
        (None, _) => unreadable("template", "must be one of the templates"),
        (_, None) => unreadable("anchor_date", "must be a date"),
    };
    let forms = Forms {
        pattern: form,
        pattern_errors: errors,
        ..Forms::default()
    };
    show(&state, console.page, &site, (true, csrf), forms).await
}
