//! `/offshore/messages`: a person's messages, newest first, unread ones marked, each read with
//! one tap. Galley staff also write to the site, a role, a crew position or one person, and see
//! who has read what they sent.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use galley_core::auth::{Caller, Role, RoleSet};
use galley_core::db::DbConn;
use galley_core::http::AppError;
use galley_core::people::api::utc;
use galley_core::people::sites;
use galley_core::state::AppState;
use galley_core::web::admin::Console;
use galley_core::web::site_choice::{ChosenSite, SiteQuery, chosen_site, page_error};
use galley_core::web::{Page, dates, render};
use serde::Deserialize;

use super::t;
use crate::api::messages::{
    MessageIn, load_inbox, load_receipts, mark_read, send_message, site_messages, unread_counts,
};
use crate::api::{GalleyStaff, TenantMembers};
use crate::messages::Directory;
use crate::messages::audience::Audience;
use crate::messages::store::Window;
use crate::rotation::position::Position;

pub const PATH: &str = "/offshore/messages";
/// Messages shown per page.
const PAGE_SIZE: i64 = 30;
/// The site's sent messages shown to staff.
const SENT_SHOWN: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages", get(list).post(send))
        .route("/messages/{id}/read", post(read))
}

/// The unread count beside "Messages" in the navigation; nothing when it cannot be had.
pub async fn unread_badge(state: &AppState, caller: &Caller) -> Vec<(&'static str, i64)> {
    if caller.tenant_id.is_none() || caller.user_id.is_none() {
        return Vec::new();
    }
    let counted = async {
        let mut pooled = state.db.get().await?;
        unread_counts(&mut pooled.conn(), caller).await
    }
    .await;
    match counted {
        Ok(counts) => vec![(PATH, counts.total)],
        Err(error) => {
            tracing::warn!(%error, "unread messages for the navigation");
            Vec::new()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    site: Option<String>,
    before: Option<i64>,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SendForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    body: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    site: String,
    #[serde(default)]
    before: String,
}

pub struct MessageCard {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub site: String,
    pub when: String,
    pub body: String,
    pub unread: bool,
}

pub struct SentCard {
    pub to: String,
    pub when: String,
    pub body: String,
    pub read_text: String,
    pub all_read: bool,
    /// (name, when read, or "not read")
    pub readers: Vec<(String, String, bool)>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "offshore/messages.html")]
struct MessagesTemplate {
    page: Page,
    csrf: String,
    notice: Option<(&'static str, String)>,
    messages: Vec<MessageCard>,
    unread: i64,
    older_href: Option<String>,
    staff: Option<StaffPart>,
}

struct StaffPart {
    site_id: i64,
    site_name: String,
    audiences: Vec<ChoiceGroup>,
    form: SendForm,
    errors: Vec<(String, String)>,
    sent: Vec<SentCard>,
}

impl MessagesTemplate {
    fn error(&self, field: &str) -> Option<&str> {
        self.staff.as_ref().and_then(|staff| {
            staff
                .errors
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, reason)| reason.as_str())
        })
    }
}

fn is_staff(caller: &Caller) -> bool {
    matches!(caller.role, Role::Admin | Role::Cook)
}

async fn list(
    State(state): State<AppState>,
    console: Console<TenantMembers>,
    Query(query): Query<ListQuery>,
) -> Response {
    let notice = match query.done.as_deref() {
        Some("sent") => Some(("success", t(&console.page, "messages.sent"))),
        Some("read") => Some(("success", t(&console.page, "messages.marked_read"))),
        _ => None,
    };
    show(
        &state,
        &console,
        &query,
        notice,
        (SendForm::default(), Vec::new()),
    )
    .await
}

/// The words for an audience: "Everyone on Troll A", "Role: Cook", "Position: Steward", a name.
fn audience_text(page: &Page, audience: Audience, site: &str, dir: &Directory) -> String {
    match audience {
        Audience::Site => t(page, "messages.to_site").replace("{site}", site),
        Audience::Role { role } => format!(
            "{}: {}",
            t(page, "messages.role"),
            page.t(&format!("admin_users.role_{}", role.as_str()))
        ),
        Audience::Position { position } => format!(
            "{}: {}",
            t(page, "messages.position"),
            t(page, &format!("position.{}", position.as_str()))
        ),
        Audience::Person { user_id } => dir
            .name_of(user_id)
            .map_or_else(|| t(page, "messages.someone"), str::to_owned),
    }
}

fn audience_choices(page: &Page, site: &str, dir: &Directory, selected: &str) -> Vec<ChoiceGroup> {
    let choice = |value: String, label: String| Choice {
        selected: value == selected,
        value,
        label,
    };
    let roles = [Role::Admin, Role::Cook, Role::Viewer, Role::Department];
    let mut people: Vec<_> = dir
        .accounts
        .iter()
        .filter(|user| user.disabled_at.is_none())
        .map(|user| choice(format!("person:{}", user.id), user.display_name.clone()))
        .collect();
    people.sort_by(|a, b| a.label.cmp(&b.label));
    vec![
        ChoiceGroup {
            label: t(page, "messages.group_site"),
            choices: vec![choice(
                "site".into(),
                t(page, "messages.to_site").replace("{site}", site),
            )],
        },
        ChoiceGroup {
            label: t(page, "messages.group_position"),
            choices: Position::ALL
                .iter()
                .map(|p| {
                    choice(
                        format!("position:{}", p.as_str()),
                        t(page, &format!("position.{}", p.as_str())),
                    )
                })
                .collect(),
        },
        ChoiceGroup {
            label: t(page, "messages.group_role"),
            choices: roles
                .iter()
                .map(|r| {
                    choice(
                        format!("role:{}", r.as_str()),
                        page.t(&format!("admin_users.role_{}", r.as_str()))
                            .to_owned(),
                    )
                })
                .collect(),
        },
        ChoiceGroup {
            label: t(page, "messages.group_person"),
            choices: people,
        },
    ]
}

/// What the audience field of the form names.
fn audience_of(value: &str) -> Option<Audience> {
    let (kind, rest) = value.split_once(':').unwrap_or((value, ""));
    Audience::from_stored(kind, rest)
}

struct SiteBook {
    sites: BTreeMap<i64, (String, chrono_tz::Tz)>,
}

impl SiteBook {
    async fn load(conn: &mut DbConn<'_>, tenant: i64) -> Result<SiteBook, AppError> {
        let (rows, _) = sites::list(conn, tenant, 0, 10_000).await?;
        Ok(SiteBook {
            sites: rows
                .iter()
                .map(|site| (site.id, (site.name.clone(), site.zone())))
                .collect(),
        })
    }

    fn name(&self, site: i64) -> String {
        self.sites
            .get(&site)
            .map(|s| s.0.clone())
            .unwrap_or_default()
    }

    /// "Tuesday 3 March, 14:05" in the site's time zone and the reader's language.
    fn when(&self, page: &Page, site: i64, at: chrono::NaiveDateTime) -> String {
        let zone = self.sites.get(&site).map_or(chrono_tz::UTC, |s| s.1);
        let local = utc(at).with_timezone(&zone);
        let day = local.date_naive();
        format!(
            "{} {}, {}",
            dates::weekday(page, day),
            dates::day_month(page, day),
            local.format("%H:%M")
        )
    }
}

async fn show<R: RoleSet>(
    state: &AppState,
    console: &Console<R>,
    query: &ListQuery,
    notice: Option<(&'static str, String)>,
    (form, errors): (SendForm, Vec<(String, String)>),
) -> Response {
    match build(state, console, query, notice, (form, errors)).await {
        Ok(template) => {
            let mut response = render(StatusCode::OK, &template);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => page_error(error),
    }
}

async fn build<R: RoleSet>(
    state: &AppState,
    console: &Console<R>,
    query: &ListQuery,
    notice: Option<(&'static str, String)>,
    (form, errors): (SendForm, Vec<(String, String)>),
) -> Result<MessagesTemplate, AppError> {
    let page = console.page.clone();
    let caller = &console.caller;
    let tenant = caller.tenant_id.ok_or(AppError::NotFound)?;
    let chosen = if is_staff(caller) {
        chosen_site(
            state,
            caller,
            &SiteQuery {
                site: query.site.clone(),
            },
        )
        .await?
    } else {
        None
    };
    let mut pooled = state.db.get().await?;
    let conn = &mut pooled.conn();
    let book = SiteBook::load(conn, tenant).await?;
    let dir = Directory::load(conn, tenant).await?;
    let window = Window {
        unread_only: false,
        site_id: None,
        before: query.before,
        limit: PAGE_SIZE,
    };
    let inbox = load_inbox(conn, caller, window).await?;
    let site_query = chosen.as_ref().map(ChosenSite::query).unwrap_or_default();
    let messages = inbox
        .items
        .iter()
        .map(|m| MessageCard {
            id: m.id,
            from: m
                .author_name
                .clone()
                .unwrap_or_else(|| t(&page, "messages.someone")),
            to: audience_text(&page, m.audience, &book.name(m.site_id), &dir),
            // The site is named only where there is more than one to tell apart.
            site: if book.sites.len() > 1 {
                book.name(m.site_id)
            } else {
                String::new()
            },
            when: book.when(&page, m.site_id, m.sent_at.naive_utc()),
            body: m.body.clone(),
            unread: m.read_at.is_none(),
        })
        .collect();
    let older_href = inbox.next_before.map(|before| {
        let joiner = if site_query.is_empty() { "?" } else { "&" };
        format!("{PATH}{site_query}{joiner}before={before}")
    });
    let staff = match &chosen {
        Some(site) => Some(staff_part(conn, &page, &book, &dir, site, (form, errors)).await?),
        None => None,
    };
    Ok(MessagesTemplate {
        csrf: console.csrf(),
        notice,
        messages,
        unread: inbox.unread,
        older_href,
        staff,
        page,
    })
}

async fn staff_part(
    conn: &mut DbConn<'_>,
    page: &Page,
    book: &SiteBook,
    dir: &Directory,
    site: &ChosenSite,
    (form, errors): (SendForm, Vec<(String, String)>),
) -> Result<StaffPart, AppError> {
    let tenant = site.site.tenant_id;
    let site_id = site.site.id;
    let sent_list = site_messages(conn, tenant, site_id, None, SENT_SHOWN).await?;
    let mut sent = Vec::with_capacity(sent_list.items.len());
    for message in &sent_list.items {
        let receipts = load_receipts(conn, tenant, site_id, message.id).await?;
        sent.push(SentCard {
            to: audience_text(page, message.audience, &site.site.name, dir),
            when: book.when(page, site_id, message.sent_at.naive_utc()),
            body: message.body.clone(),
            read_text: t(page, "messages.read_by")
                .replace("{read}", &receipts.read.to_string())
                .replace("{all}", &receipts.recipients.len().to_string()),
            all_read: receipts.unread == 0,
            readers: receipts
                .recipients
                .iter()
                .map(|r| match r.read_at {
                    Some(at) => (
                        r.name.clone(),
                        book.when(page, site_id, at.naive_utc()),
                        true,
                    ),
                    None => (r.name.clone(), t(page, "messages.not_read"), false),
                })
                .collect(),
        });
    }
    let selected = if form.audience.is_empty() {
        "site".to_owned()
    } else {
        form.audience.clone()
    };
    Ok(StaffPart {
        site_id,
        site_name: site.site.name.clone(),
        audiences: audience_choices(page, &site.site.name, dir, &selected),
        form,
        errors,
        sent,
    })
}

fn back(site_query: &str, done: &str) -> Response {
    let joiner = if site_query.is_empty() { "?" } else { "&" };
    Redirect::to(&format!("{PATH}{site_query}{joiner}done={done}")).into_response()
}

fn site_param(site: &str) -> String {
    if site.is_empty() {
        String::new()
    } else {
        format!("?site={site}")
    }
}

async fn send(
    State(state): State<AppState>,
    console: Console<GalleyStaff>,
    axum::Form(form): axum::Form<SendForm>,
) -> Response {
    let caller = &console.caller;
    let site = match chosen_site(
        &state,
        caller,
        &SiteQuery {
            site: Some(form.site.clone()),
        },
    )
    .await
    {
        Ok(Some(site)) => site,
        Ok(None) => return page_error(AppError::NotFound),
        Err(error) => return page_error(error),
    };
    let page = console.page.clone();
    let mut errors = Vec::new();
    match audience_of(&form.audience) {
        Some(audience) => {
            let body = MessageIn {
                audience,
                body: form.body.clone(),
            };
            let sent = async {
                let mut pooled = state.db.get().await?;
                send_message(&mut pooled.conn(), caller, site.site.id, &body).await
            }
            .await;
            match sent {
                Ok(_) => return back(&site.query(), "sent"),
                Err(AppError::Validation(refused)) => {
                    for error in refused {
                        let field = if error.field.starts_with("audience") {
                            "audience".to_owned()
                        } else {
                            error.field
                        };
                        let words = t(&page, &format!("messages.error.{field}"));
                        errors.push((field, words));
                    }
                }
                Err(error) => return page_error(error),
            }
        }
        None => errors.push(("audience".into(), t(&page, "messages.error.audience"))),
    }
    let query = ListQuery {
        site: Some(form.site.clone()),
        ..ListQuery::default()
    };
    let mut response = show(&state, &console, &query, None, (form, errors)).await;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

async fn read(
    State(state): State<AppState>,
    console: Console<TenantMembers>,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ReadForm>,
) -> Response {
    let marked = async {
        let mut pooled = state.db.get().await?;
        mark_read(&mut pooled.conn(), &console.caller, id).await
    }
    .await;
    match marked {
        Ok(_) => {
            let mut query = site_param(&form.site);
            if let Ok(before) = form.before.parse::<i64>() {
                let joiner = if query.is_empty() { "?" } else { "&" };
                query.push_str(&format!("{joiner}before={before}"));
            }
            back(&query, "read")
        }
        Err(error) => page_error(error),
    }
}
