//! `/municipal/admin/sites/{site_id}/settings`: when a kitchen's choices close and whether
//! its weekends offer Alt 2, with the next deadline in plain words.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use galley_core::auth::Caller;
use galley_core::people::sites::Site;
use galley_core::state::AppState;
use galley_core::web::admin::{Console, FormErrors, Outcome};
use galley_core::web::{Page, render};

use super::text::{deadline_sentence, weekday_label};
use super::{Fields, SavedQuery, can_edit, failed, field_error, localized, number, saved_at};
use crate::api::settings::{
    SettingsIn, next_deadline, save_settings, settings_etag, site_settings,
};
use crate::api::{Admins, KitchenReaders};
use crate::settings::Settings;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/sites/{site_id}/settings", get(show).post(save))
}

/// The settings form, as stored or as typed.
#[derive(Debug, Clone)]
pub struct SettingsForm {
    pub weekday: String,
    pub time: String,
    pub weeks_before: String,
    pub weekend_alt2: bool,
}

impl SettingsForm {
    fn of(settings: &Settings) -> Self {
        SettingsForm {
            weekday: settings.deadline_weekday.to_string(),
            time: settings.deadline_time(),
            weeks_before: settings.deadline_weeks_before.to_string(),
            weekend_alt2: settings.weekend_alt2,
        }
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin/municipal_settings.html")]
struct SettingsTemplate {
    page: Page,
    site: Site,
    can_edit: bool,
    csrf: String,
    etag: String,
    saved: String,
    /// "Valen för v. 49 stänger torsdag 26 november kl. 12:00."
    deadline: String,
    form: SettingsForm,
    weekdays: Vec<Choice>,
    weeks_before: Vec<Choice>,
    errors: FormErrors,
}

async fn settings_page(
    state: &AppState,
    caller: &Caller,
    page: Page,
    site_id: i64,
    saved: String,
    typed: Option<(SettingsForm, FormErrors)>,
) -> Response {
    let (site, settings) = match site_settings(state, caller, site_id).await {
        Ok(found) => found,
        Err(error) => return failed(page, error),
    };
    let now = chrono::Utc::now();
    let (week, at) = next_deadline(&settings, site.zone(), now);
    let mut deadline = deadline_sentence(&page, week, at, now);
    if at <= now {
        // Next week's choices have closed already: say so, and when the week after closes.
        let after = week.next();
        let closes = settings
            .deadline(after, site.zone())
            .with_timezone(&site.zone());
        deadline = format!(
            "{deadline} {}",
            deadline_sentence(&page, after, closes, now)
        );
    }
    let (form, errors) = match typed {
        Some((_, errors)) if errors.general.as_deref() == Some("admin.stale") => {
            (SettingsForm::of(&settings), errors)
        }
        Some(typed) => typed,
        None => (SettingsForm::of(&settings), FormErrors::default()),
    };
    let weekdays = (1..=7)
        .map(|day| Choice {
            value: day.to_string(),
            label: weekday_label(&page, day),
        })
        .collect();
    let weeks_before = (0..=4)
        .map(|weeks| {
            let key = format!("municipal.admin.weeks_before.{weeks}");
            Choice {
                value: weeks.to_string(),
                label: page.t(&key).to_owned(),
            }
        })
        .collect();
    render(
        errors.status(),
        &SettingsTemplate {
            can_edit: can_edit(caller),
            csrf: caller.csrf_token().unwrap_or_default().to_owned(),
            etag: settings_etag(site_id, settings.version),
            page,
            site,
            saved,
            deadline,
            form,
            weekdays,
            weeks_before,
            errors,
        },
    )
}

async fn show(
    State(state): State<AppState>,
    console: Console<KitchenReaders>,
    Path(site_id): Path<i64>,
    Query(saved): Query<SavedQuery>,
) -> Response {
    settings_page(
        &state,
        &console.caller,
        console.page,
        site_id,
        saved.saved.unwrap_or_default(),
        None,
    )
    .await
}

fn message_key(field: &str) -> &'static str {
    match field {
        "deadline_weekday" => "municipal.admin.error_weekday",
        "deadline_time" => "municipal.admin.error_time",
        _ => "municipal.admin.error_weeks_before",
    }
}

async fn save(
    State(state): State<AppState>,
    admin: Console<Admins>,
    Path(site_id): Path<i64>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields(fields);
    let form = SettingsForm {
        weekday: fields.get("deadline_weekday").to_owned(),
        time: fields.get("deadline_time").to_owned(),
        weeks_before: fields.get("deadline_weeks_before").to_owned(),
        weekend_alt2: fields.get("weekend_alt2") == "yes",
    };
    let outcome = match (number(&form.weekday), number(&form.weeks_before)) {
        (Some(weekday), Some(weeks_before)) => {
            let body = SettingsIn {
                deadline_weekday: weekday,
                deadline_time: form.time.trim().to_owned(),
                deadline_weeks_before: weeks_before,
                weekend_alt2: form.weekend_alt2,
            };
            let result = save_settings(&state, &admin.caller, site_id, fields.etag(), &body).await;
            localized(&admin.page, result, str::to_owned, message_key)
        }
        (None, _) => Outcome::Invalid(field_error(
            &admin.page,
            "deadline_weekday",
            "municipal.admin.error_weekday",
        )),
        (_, None) => Outcome::Invalid(field_error(
            &admin.page,
            "deadline_weeks_before",
            "municipal.admin.error_weeks_before",
        )),
    };
    match outcome {
        Outcome::Done(_) => saved_at(
            &format!("/municipal/admin/sites/{site_id}/settings"),
            "settings",
        ),
        Outcome::Invalid(errors) => {
            settings_page(
                &state,
                &admin.caller,
                admin.page,
                site_id,
                String::new(),
                Some((form, errors)),
            )
            .await
        }
        Outcome::Failed(error) => failed(admin.page, error),
    }
}
