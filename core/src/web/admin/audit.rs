//! `/admin/audit`: the audit log, filtered and a page at a time, with a link to the CSV export
//! of the same rows. Admins read their own tenant's rows; superusers everyone's.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::{Console, FormErrors, Outcome};
use crate::audit::api::{AuditEntry, AuditQuery, AuditReaders, audit_page};
use crate::auth::{Caller, Role};
use crate::http::pagination::PageQuery;
use crate::people::sites;
use crate::state::AppState;
use crate::web::{Page, render};

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(show))
}

/// The filter form as sent (a GET form: every field is text, empty meaning "any").
#[derive(Debug, Default, Deserialize)]
pub struct AuditForm {
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor_user_id: String,
    #[serde(default)]
    target_type: String,
    #[serde(default)]
    target_id: String,
    /// A date, `YYYY-MM-DD`, in the reader's time zone: rows from its start.
    #[serde(default)]
    from: String,
    /// A date, `YYYY-MM-DD`, in the reader's time zone: rows to its end.
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: String,
    /// `1`: show reads too (views, exports); they are hidden by default.
    #[serde(default)]
    all: String,
}

impl AuditForm {
    fn shows_reads(&self) -> bool {
        !self.all.trim().is_empty()
    }
}

/// One row as the table shows it.
struct RowView {
    /// The local date and time, and the instant for `<time datetime>`.
    date: String,
    time: String,
    datetime: String,
    tenant: String,
    /// What happened, in a sentence of the reader's language.
    sentence: String,
    action: String,
    actor_href: Option<String>,
    impersonator: Option<String>,
    target: String,
    target_href: Option<String>,
    /// The details on one line, shortened when long.
    details: String,
    /// All of the details, when `details` had to be shortened.
    details_full: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditTemplate {
    page: Page,
    form: AuditForm,
    errors: FormErrors,
    rows: Vec<RowView>,
    /// Superusers outside a tenant: every tenant's rows, and the tenant filter.
    platform: bool,
    zone: String,
    /// Which time zone the times are in, in words.
    zone_note: String,
    summary: String,
    csv_href: Option<String>,
    csv_semicolon_href: Option<String>,
    previous_href: Option<String>,
    next_href: Option<String>,
    toggle_href: String,
    shows_reads: bool,
}

/// Text longer than this is shortened in the table; the whole shows on request.
const DETAILS_SHORT: usize = 120;

fn present(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The reader's time zone: their kitchen's, else UTC.
async fn zone_of(state: &AppState, caller: &Caller) -> Tz {
    let (Some(tenant), Some(site)) = (caller.tenant_id, caller.site_id) else {
        return Tz::UTC;
    };
    let Ok(mut pooled) = state.db.get().await else {
        return Tz::UTC;
    };
    match sites::find(&mut pooled.conn(), tenant, site).await {
        Ok(Some(site)) => site.zone(),
        _ => Tz::UTC,
    }
}

/// The start of `date` in `zone`, as RFC 3339 UTC.
fn start_of(date: NaiveDate, zone: Tz) -> String {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    let local = zone
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc));
    local.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn parse_date(page: &Page, field: &str, text: &str, errors: &mut FormErrors) -> Option<NaiveDate> {
    let text = present(text)?;
    match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            errors.fields.insert(
                field.to_owned(),
                page.t("admin_audit.error_date").to_owned(),
            );
            None
        }
    }
}

/// The operation's field errors, in the reader's words where this page has them.
fn in_words(page: &Page, errors: FormErrors) -> FormErrors {
    let fields = errors
        .fields
        .into_iter()
        .map(|(field, reason)| {
            let key = format!("admin_audit.error_{field}");
            let text = page.t(&key);
            let text = if text == key { reason } else { text.to_owned() };
            (field, text)
        })
        .collect();
    FormErrors {
        fields,
        general: errors.general,
    }
}

/// `key=value&...` of the non-empty pairs.
fn query_string(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// The details as recorded, on one line: `key: value` pairs, a change as `from → to`.
fn compact(details: &serde_json::Value) -> String {
    fn value(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Null => "–".to_owned(),
            serde_json::Value::Object(map)
                if map.len() == 2 && map.contains_key("from") && map.contains_key("to") =>
            {
                format!("{} → {}", value(&map["from"]), value(&map["to"]))
            }
            other => other.to_string(),
        }
    }
    match details {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(key, v)| format!("{key}: {}", value(v)))
            .collect::<Vec<_>>()
            .join(" · "),
        other => value(other),
    }
}

/// The names this page shows instead of ids: people, tokens, tenants, sites and the
/// modules' targets, looked up once per page.
#[derive(Debug, Default)]
struct Names {
    users: HashMap<i64, String>,
    tokens: HashMap<i64, String>,
    tenants: HashMap<i64, String>,
    /// By (target_type, target_id).
    targets: HashMap<(String, String), String>,
}

fn ids_of(entries: &[AuditEntry], kind: &str) -> Vec<i64> {
    entries
        .iter()
        .filter(|e| e.target_type.as_deref() == Some(kind))
        .filter_map(|e| e.target_id.as_deref()?.parse().ok())
        .collect()
}

/// One query per kind of thing named; a failure leaves the ids showing, never fails the page.
async fn names_of(state: &AppState, caller: &Caller, entries: &[AuditEntry]) -> Names {
    let mut names = Names::default();
    let Ok(mut pooled) = state.db.get().await else {
        return names;
    };
    let conn = &mut pooled.conn();
    let mut user_ids: Vec<i64> = entries
        .iter()
        .flat_map(|e| [e.actor_user_id, e.impersonator_id])
        .flatten()
        .collect();
    user_ids.extend(ids_of(entries, "user"));
    let mut token_ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_token_id).collect();
    token_ids.extend(ids_of(entries, "api_token"));
    let mut tenant_ids: Vec<i64> = entries.iter().filter_map(|e| e.tenant_id).collect();
    tenant_ids.extend(ids_of(entries, "tenant"));
    match core_names(
        conn,
        &user_ids,
        &token_ids,
        &tenant_ids,
        &ids_of(entries, "site"),
        &ids_of(entries, "dish"),
    )
    .await
    {
        Ok(found) => names = found,
        Err(error) => tracing::warn!(%error, "audit viewer: names not found"),
    }
    let targets: Vec<(String, String)> = entries
        .iter()
        .filter_map(|e| Some((e.target_type.clone()?, e.target_id.clone()?)))
        .collect();
    for module in state.registry.modules() {
        match module
            .audit_target_names(conn, caller.tenant_id, &targets)
            .await
        {
            Ok(found) => names
                .targets
                .extend(found.into_iter().map(|(kind, id, name)| ((kind, id), name))),
            Err(error) => {
                tracing::warn!(%error, module = module.id(), "audit viewer: target names not found");
            }
        }
    }
    names
}

async fn core_names(
    conn: &mut crate::db::DbConn<'_>,
    user_ids: &[i64],
    token_ids: &[i64],
    tenant_ids: &[i64],
    site_ids: &[i64],
    dish_ids: &[i64],
) -> Result<Names, crate::db::DbError> {
    use crate::schema::{api_tokens, dishes, sites, tenants, users};
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let people: Vec<(i64, String, String)> = crate::db_run!(conn, |c| {
        users::table
            .filter(users::id.eq_any(user_ids))
            .select((users::id, users::display_name, users::email))
            .load(c)
            .await
    })?;
    let tokens: Vec<(i64, String)> = crate::db_run!(conn, |c| {
        api_tokens::table
            .filter(api_tokens::id.eq_any(token_ids))
            .select((api_tokens::id, api_tokens::name))
            .load(c)
            .await
    })?;
    let tenant_rows: Vec<(i64, String)> = crate::db_run!(conn, |c| {
        tenants::table
            .filter(tenants::id.eq_any(tenant_ids))
            .select((tenants::id, tenants::name))
            .load(c)
            .await
    })?;
    let site_rows: Vec<(i64, String)> = crate::db_run!(conn, |c| {
        sites::table
            .filter(sites::id.eq_any(site_ids))
            .select((sites::id, sites::name))
            .load(c)
            .await
    })?;
    let dish_rows: Vec<(i64, String)> = crate::db_run!(conn, |c| {
        dishes::table
            .filter(dishes::id.eq_any(dish_ids))
            .select((dishes::id, dishes::name))
            .load(c)
            .await
    })?;
    let users: HashMap<i64, String> = people
        .into_iter()
        .map(|(id, name, email)| {
            let shown = if name.trim().is_empty() { email } else { name };
            (id, shown)
        })
        .collect();
    let tenants: HashMap<i64, String> = tenant_rows.into_iter().collect();
    let mut targets = HashMap::new();
    for (kind, rows) in [
        (
            "user",
            users.iter().map(|(id, n)| (*id, n.clone())).collect(),
        ),
        (
            "tenant",
            tenants.iter().map(|(id, n)| (*id, n.clone())).collect(),
        ),
        ("site", site_rows),
        ("dish", dish_rows),
        ("api_token", tokens.clone()),
    ] {
        let rows: Vec<(i64, String)> = rows;
        for (id, name) in rows {
            targets.insert((kind.to_owned(), id.to_string()), name);
        }
    }
    Ok(Names {
        users,
        tokens: tokens.into_iter().collect(),
        tenants,
        targets,
    })
}

/// The sentence for an entry: the action's translation with `{actor}`, `{target}`,
/// `{weekday}` and the details' own values (`{to}`, `{week}`, ...) filled in.
fn sentence(page: &Page, entry: &AuditEntry, actor: &str, target: &str) -> String {
    let key = format!("audit_sentence.{}", entry.action);
    let template = page.t(&key);
    if template == key {
        return format!("{actor}: {} {target}", entry.action)
            .trim()
            .to_owned();
    }
    let mut text = template
        .replace("{actor}", actor)
        .replace("{target}", target);
    if let Some(date) = entry
        .details
        .get("date")
        .and_then(|d| d.as_str())
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        text = text.replace("{weekday}", &crate::web::dates::weekday(page, date));
    }
    if let serde_json::Value::Object(map) = &entry.details {
        for (name, value) in map {
            let shown = match value {
                // A code with a name of its own ("alt2" is "Alt 2") shows the name.
                serde_json::Value::String(v) => {
                    let key = format!("audit_value.{v}");
                    let named = page.t(&key);
                    if named == key {
                        v.clone()
                    } else {
                        named.to_owned()
                    }
                }
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            text = text.replace(&format!("{{{name}}}"), &shown);
        }
    }
    text
}

fn row_view(page: &Page, entry: AuditEntry, zone: Tz, names: &Names) -> RowView {
    let local = entry.occurred_at.with_timezone(&zone);
    // Non-breaking hyphens: a narrow column breaks the date nowhere.
    let date = local
        .format("%Y-%m-%d")
        .to_string()
        .replace('-', "\u{2011}");
    let time = local.format("%H:%M").to_string();
    let datetime = local.to_rfc3339();
    let (actor, actor_href) = match (entry.actor_user_id, entry.actor_token_id) {
        (Some(user), _) => (
            names
                .users
                .get(&user)
                .cloned()
                .unwrap_or_else(|| format!("{}\u{a0}{user}", page.t("admin_audit.actor_user"))),
            Some(format!("/admin/audit?actor_user_id={user}")),
        ),
        (None, Some(token)) => (
            names.tokens.get(&token).map_or_else(
                || format!("{}\u{a0}{token}", page.t("admin_audit.actor_token")),
                |name| format!("{} «{name}»", page.t("admin_audit.actor_token")),
            ),
            None,
        ),
        (None, None) => (page.t("admin_audit.actor_system").to_owned(), None),
    };
    let impersonator = entry.impersonator_id.map(|id| {
        let who = names
            .users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string());
        format!("{}\u{a0}{who}", page.t("admin_audit.via_superuser"))
    });
    let (target, target_href) = match (&entry.target_type, &entry.target_id) {
        (Some(kind), Some(id)) => (
            names
                .targets
                .get(&(kind.clone(), id.clone()))
                .cloned()
                .unwrap_or_else(|| {
                    let key = format!("audit_target.{kind}");
                    let word = page.t(&key);
                    let word = if word == key { kind.as_str() } else { word };
                    format!("{word}\u{a0}{id}")
                }),
            Some(format!(
                "/admin/audit?{}",
                query_string(&[("target_type", kind.clone()), ("target_id", id.clone())])
            )),
        ),
        (Some(kind), None) => (kind.clone(), None),
        (None, Some(id)) => (id.clone(), None),
        (None, None) => (String::new(), None),
    };
    let sentence = sentence(page, &entry, &actor, &target);
    let full = compact(&entry.details);
    let (details, details_full) = if full.chars().count() > DETAILS_SHORT {
        let short: String = full.chars().take(DETAILS_SHORT).collect();
        (format!("{short}…"), Some(full))
    } else {
        (full, None)
    };
    RowView {
        date,
        time,
        datetime,
        tenant: entry.tenant_id.map_or_else(
            || page.t("admin_audit.platform").to_owned(),
            |t| {
                names
                    .tenants
                    .get(&t)
                    .cloned()
                    .unwrap_or_else(|| t.to_string())
            },
        ),
        sentence,
        action: entry.action,
        actor_href,
        impersonator,
        target,
        target_href,
        details,
        details_full,
    }
}

async fn show(
    State(state): State<AppState>,
    console: Console<AuditReaders>,
    Query(form): Query<AuditForm>,
) -> Response {
    let caller = &console.caller;
    let page = &console.page;
    let platform = caller.role == Role::Superuser && caller.tenant_id.is_none();
    let zone = zone_of(&state, caller).await;

    let mut errors = FormErrors::default();
    let from = parse_date(page, "from", &form.from, &mut errors);
    let to = parse_date(page, "to", &form.to, &mut errors);
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        errors.fields.insert(
            "to".to_owned(),
            page.t("admin_audit.error_to_before_from").to_owned(),
        );
    }
    let from_at = from.map(|date| start_of(date, zone));
    let to_at = to
        .and_then(|date| date.succ_opt())
        .map(|date| start_of(date, zone));
    let number = present(&form.page)
        .and_then(|text| text.parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let query = AuditQuery {
        tenant_id: if platform {
            present(&form.tenant_id)
        } else {
            None
        },
        action: present(&form.action),
        actor_user_id: present(&form.actor_user_id),
        target_type: present(&form.target_type),
        target_id: present(&form.target_id),
        // The operation's own check of the order would name `from`; the dates were checked.
        from: from_at
            .clone()
            .filter(|_| !errors.fields.contains_key("to")),
        to: to_at.clone().filter(|_| !errors.fields.contains_key("to")),
        // Left out by the query, so that paging and the total count changes only.
        reads: (!form.shows_reads()).then(|| "false".to_owned()),
    };
    let paging = PageQuery {
        page: Some(number),
        per_page: None,
    };
    let found = match Outcome::from(audit_page(&state, caller, query, paging).await) {
        Outcome::Done(found) => Some(found),
        Outcome::Invalid(more) => {
            let more = in_words(page, more);
            errors.fields.extend(more.fields);
            errors.general = errors.general.or(more.general);
            None
        }
        Outcome::Failed(error) => return error.into_response(),
    };

    // The filters as the API takes them, for the export; as typed, for the page links.
    let api_filters = [
        (
            "tenant_id",
            if platform {
                form.tenant_id.trim().to_owned()
            } else {
                String::new()
            },
        ),
        ("action", form.action.trim().to_owned()),
        ("actor_user_id", form.actor_user_id.trim().to_owned()),
        ("target_type", form.target_type.trim().to_owned()),
        ("target_id", form.target_id.trim().to_owned()),
        ("from", from_at.unwrap_or_default()),
        ("to", to_at.unwrap_or_default()),
    ];
    let page_link = |n: u32| {
        let pairs = [
            ("tenant_id", form.tenant_id.trim().to_owned()),
            ("action", form.action.trim().to_owned()),
            ("actor_user_id", form.actor_user_id.trim().to_owned()),
            ("target_type", form.target_type.trim().to_owned()),
            ("target_id", form.target_id.trim().to_owned()),
            ("from", form.from.trim().to_owned()),
            ("to", form.to.trim().to_owned()),
            ("page", n.to_string()),
            ("all", form.all.trim().to_owned()),
        ];
        format!("/admin/audit?{}", query_string(&pairs))
    };

    let (rows, summary, csv, previous, next) = match found {
        Some(found) if errors.is_empty() => {
            let per_page = i64::from(found.per_page);
            let first = i64::from(found.page - 1) * per_page;
            let shown = i64::try_from(found.items.len()).unwrap_or(0);
            let summary = if shown == 0 {
                String::new()
            } else {
                format!(
                    "{} {}–{} {} {}",
                    page.t("admin_audit.rows"),
                    first + 1,
                    first + shown,
                    page.t("admin_audit.of"),
                    found.total
                )
            };
            let previous = (found.page > 1).then(|| page_link(found.page - 1));
            let next = (first + shown < found.total).then(|| page_link(found.page + 1));
            let entries: Vec<AuditEntry> = found.items;
            let names = names_of(&state, caller, &entries).await;
            let rows = entries
                .into_iter()
                .map(|entry| row_view(page, entry, zone, &names))
                .collect();
            let csv = format!("/api/v1/audit/export.csv?{}", query_string(&api_filters));
            (rows, summary, Some(csv), previous, next)
        }
        _ => (Vec::new(), String::new(), None, None, None),
    };
    let status = errors.status();
    let csv_semicolon_href = csv.as_ref().map(|href| {
        if href.ends_with('?') {
            format!("{href}delimiter=semicolon")
        } else {
            format!("{href}&delimiter=semicolon")
        }
    });
    let zone_note = if zone == Tz::UTC {
        page.t("audit_view.times_in_utc").to_owned()
    } else {
        page.t("audit_view.times_in_site")
            .replace("{zone}", zone.name())
    };
    let zone = zone.name().to_owned();
    let shows_reads = form.shows_reads();
    let toggle_href = {
        let pairs = [
            ("tenant_id", form.tenant_id.trim().to_owned()),
            ("action", form.action.trim().to_owned()),
            ("actor_user_id", form.actor_user_id.trim().to_owned()),
            ("target_type", form.target_type.trim().to_owned()),
            ("target_id", form.target_id.trim().to_owned()),
            ("from", form.from.trim().to_owned()),
            ("to", form.to.trim().to_owned()),
            (
                "all",
                if shows_reads {
                    String::new()
                } else {
                    "1".to_owned()
                },
            ),
        ];
        format!("/admin/audit?{}", query_string(&pairs))
    };
    render(
        status,
        &AuditTemplate {
            page: console.page,
            form,
            errors,
            rows,
            platform,
            zone,
            zone_note,
            summary,
            csv_href: csv,
            csv_semicolon_href,
            previous_href: previous,
            next_href: next,
            toggle_href,
            shows_reads,
        },
    )
}
