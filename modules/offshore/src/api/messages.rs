//! Messages. `/api/v1/offshore/messages` is the caller's inbox across the tenant's sites (with
//! unread counts and read receipts); `/api/v1/offshore/sites/{site_id}/messages` is where galley
//! staff send to the site, a role, a crew position or one person, and see who has read what.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use galley_core::audit::Entry;
use galley_core::auth::{Allowed, Caller, Role};
use galley_core::db::DbConn;
use galley_core::http::problem::FieldError;
use galley_core::http::{ApiJson, ApiQuery, AppError};
use galley_core::kitchen::diet_api::OwnSite;
use galley_core::people::api::{fail_if_any, tenant_of, utc};
use galley_core::people::users;
use galley_core::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::OpenApi;

use super::{GalleyStaff, TenantMembers};
use crate::messages::audience::Audience;
use crate::messages::store::{self, MAX_BODY, MAX_PAGE, MessageRow, Window};
use crate::messages::{Directory, Recipient, reader_of};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages", get(inbox))
        .route("/messages/unread", get(unread))
        .route("/messages/{id}/read", post(read))
        .route("/sites/{site_id}/messages", get(of_site).post(send))
        .route("/sites/{site_id}/messages/{id}", delete(remove))
        .route("/sites/{site_id}/messages/{id}/receipts", get(receipts))
}

#[derive(OpenApi)]
#[openapi(
    paths(inbox, unread, read, send, of_site, receipts, remove),
    tags((name = "offshore messages", description = "Messages to a site, a role, a position or a person, with read receipts"))
)]
pub struct MessagesApi;

/// The default page size of a list.
const DEFAULT_PAGE: i64 = 50;

/// A message as its reader sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceivedOut {
    pub id: i64,
    pub site_id: i64,
    pub author_id: Option<i64>,
    /// The author's display name; none when the account is gone.
    pub author_name: Option<String>,
    pub audience: Audience,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// When you read it; none while unread.
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InboxOut {
    /// Newest first.
    pub items: Vec<ReceivedOut>,
    /// Unread messages in all of your sites.
    pub unread: i64,
    /// Pass as `before` for the next page; none on the last.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only messages you have not read.
    pub unread: Option<bool>,
    /// Only messages of this site.
    pub site_id: Option<i64>,
    /// Only messages older than this message id (the next page).
    pub before: Option<i64>,
    /// 1 to 200; 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteUnread {
    pub site_id: i64,
    pub unread: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnreadOut {
    pub total: i64,
    /// Sites with unread messages only.
    pub sites: Vec<SiteUnread>,
}

/// A new message.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    pub audience: Audience,
    /// 1 to 2000 characters; line breaks are kept.
    #[schema(min_length = 1, max_length = 2000)]
    pub body: String,
}

/// A message as its site's staff see it, with how many have read it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SentOut {
    pub id: i64,
    pub site_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub audience: Audience,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// People with an active account whom the message reaches.
    pub recipients: usize,
    /// How many of them have read it.
    pub read: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SentList {
    pub items: Vec<SentOut>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub before: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecipientOut {
    pub user_id: i64,
    pub name: String,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceiptsOut {
    pub message_id: i64,
    /// By name.
    pub recipients: Vec<RecipientOut>,
    pub read: usize,
    pub unread: usize,
}

fn limit_of(limit: Option<i64>, errors: &mut Vec<FieldError>) -> i64 {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.push(FieldError {
            field: "limit".into(),
            reason: format!("must be 1 to {MAX_PAGE}"),
        });
    }
    limit
}

/// The next page's `before`, when this page was full.
fn next_before(ids: impl Iterator<Item = i64>, limit: i64, len: usize) -> Option<i64> {
    if i64::try_from(len).ok()? < limit {
        return None;
    }
    ids.min()
}

/// The body as sent, with Windows line ends made plain; 1 to 2000 characters of text.
pub fn check_body(body: &str, errors: &mut Vec<FieldError>) -> String {
    let body = body.replace("\r\n", "\n").trim().to_owned();
    if body.is_empty() || body.chars().count() > MAX_BODY {
        errors.push(FieldError {
            field: "body".into(),
            reason: format!("must be 1 to {MAX_BODY} characters"),
        });
    }
    body
}

fn received_out(
    row: &MessageRow,
    read_at: Option<chrono::NaiveDateTime>,
    dir: &Directory,
) -> ReceivedOut {
    ReceivedOut {
        id: row.id,
        site_id: row.site_id,
        author_id: row.author_id,
        author_name: row
            .author_id
            .and_then(|id| dir.name_of(id))
            .map(str::to_owned),
        audience: row.audience(),
        body: row.body.clone(),
        sent_at: utc(row.created_at),
        read_at: read_at.map(utc),
    }
}

fn recipient_out(recipient: &Recipient) -> RecipientOut {
    RecipientOut {
        user_id: recipient.user_id,
        name: recipient.name.clone(),
        read_at: recipient.read_at.map(utc),
    }
}

/// The caller's inbox: a page of messages and the unread total.
pub async fn load_inbox(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    window: Window,
) -> Result<InboxOut, AppError> {
    let tenant = tenant_of(caller)?;
    let dir = Directory::load(conn, tenant).await?;
    let keys = dir
        .people
        .reader(caller.user_id, caller.role, caller.site_id)
        .keys();
    let rows = store::received(conn, tenant, &keys, caller.user_id, window).await?;
    let unread = match caller.user_id {
        Some(user) => store::unread_per_site(conn, tenant, &keys, user)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum(),
        None => 0,
    };
    Ok(InboxOut {
        next_before: next_before(rows.iter().map(|r| r.message.id), window.limit, rows.len()),
        items: rows
            .iter()
            .map(|r| received_out(&r.message, r.read_at, &dir))
            .collect(),
        unread,
    })
}

/// Your messages, newest first, across your sites.
#[utoipa::path(get, path = "/api/v1/offshore/messages", tag = "offshore messages",
    params(InboxQuery), responses((status = 200, body = InboxOut), (status = 422)))]
pub async fn inbox(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<TenantMembers>,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> Result<Response, AppError> {
    let mut errors = Vec::new();
    let limit = limit_of(query.limit, &mut errors);
    fail_if_any(errors)?;
    let window = Window {
        unread_only: query.unread.unwrap_or(false),
        site_id: query.site_id,
        before: query.before,
        limit,
    };
    let mut pooled = state.db.get().await?;
    let out = load_inbox(&mut pooled.conn(), &caller, window).await?;
    Ok(axum::Json(out).into_response())
}

/// How many messages the caller has not read, per site; empty for an API token.
pub async fn unread_counts(conn: &mut DbConn<'_>, caller: &Caller) -> Result<UnreadOut, AppError> {
    let tenant = tenant_of(caller)?;
    let Some(user) = caller.user_id else {
        return Ok(UnreadOut {
            total: 0,
            sites: Vec::new(),
        });
    };
    let keys = reader_of(conn, caller, tenant).await?.keys();
    let sites: Vec<SiteUnread> = store::unread_per_site(conn, tenant, &keys, user)
        .await?
        .into_iter()
        .map(|(site_id, unread)| SiteUnread { site_id, unread })
        .collect();
    Ok(UnreadOut {
        total: sites.iter().map(|s| s.unread).sum(),
        sites,
    })
}

/// How many messages you have not read, in all and per site.
#[utoipa::path(get, path = "/api/v1/offshore/messages/unread", tag = "offshore messages",
    responses((status = 200, body = UnreadOut)))]
pub async fn unread(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<TenantMembers>,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let out = unread_counts(&mut pooled.conn(), &caller).await?;
    Ok(axum::Json(out).into_response())
}

/// Marks a message of the caller's inbox as read (the first time counts) and returns it.
pub async fn mark_read(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    id: i64,
) -> Result<ReceivedOut, AppError> {
    let tenant = tenant_of(caller)?;
    let user = caller.user_id.ok_or_else(|| {
        AppError::Forbidden("an API token has no inbox: sign in as a person".into())
    })?;
    let dir = Directory::load(conn, tenant).await?;
    let reader = dir.people.reader(Some(user), caller.role, caller.site_id);
    let row = store::find(conn, tenant, id)
        .await?
        .filter(|row| reader.reads(&row.audience_key))
        .ok_or(AppError::NotFound)?;
    store::mark_read(conn, id, user).await?;
    let read_at = store::reads_of(conn, &[id])
        .await?
        .into_iter()
        .find(|(_, reader, _)| *reader == user)
        .map(|(_, _, at)| at);
    Ok(received_out(&row, read_at, &dir))
}

/// Mark one of your messages as read. Reading it again keeps the first time.
#[utoipa::path(post, path = "/api/v1/offshore/messages/{id}/read", tag = "offshore messages",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReceivedOut), (status = 403), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<TenantMembers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let out = mark_read(&mut pooled.conn(), &caller, id).await?;
    Ok(axum::Json(out).into_response())
}

/// Checks and stores a message; the author's own copy counts as read.
pub async fn send_message(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    site_id: i64,
    body: &MessageIn,
) -> Result<SentOut, AppError> {
    let tenant = tenant_of(caller)?;
    let mut errors = Vec::new();
    let text = check_body(&body.body, &mut errors);
    match body.audience {
        Audience::Role {
            role: Role::Superuser,
        } => errors.push(FieldError {
            field: "audience.role".into(),
            reason: "must be admin, cook, department or viewer".into(),
        }),
        Audience::Person { user_id } => {
            let live = users::find_in_tenant(conn, tenant, user_id)
                .await?
                .is_some_and(|user| user.disabled_at.is_none());
            if !live {
                errors.push(FieldError {
                    field: "audience.user_id".into(),
                    reason: "must be an active person of your organisation".into(),
                });
            }
        }
        _ => {}
    }
    fail_if_any(errors)?;
    let audience = body.audience;
    let id = galley_core::transaction!(conn, |tx| {
        let id = store::insert(tx, (tenant, site_id), caller.user_id, audience, &text).await?;
        galley_core::audit::record(
            tx,
            Entry::new("offshore_message.sent", caller.actor(), Some(tenant))
                .target("offshore_message", id)
                .details(json!({
                    "site_id": site_id,
                    "audience": audience.key(site_id),
                    "characters": text.chars().count(),
                })),
        )
        .await?;
        Ok::<_, AppError>(id)
    })?;
    let dir = Directory::load(conn, tenant).await?;
    if let Some(author) = caller.user_id
        && dir
            .people
            .reader(Some(author), caller.role, caller.site_id)
            .reads(&audience.key(site_id))
    {
        store::mark_read(conn, id, author).await?;
    }
    let row = store::find(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reads = store::reads_of(conn, &[id]).await?;
    Ok(sent_out(&row, &dir, &reads))
}

fn sent_out(
    row: &MessageRow,
    dir: &Directory,
    reads: &[(i64, i64, chrono::NaiveDateTime)],
) -> SentOut {
    let mine: Vec<_> = reads.iter().filter(|r| r.0 == row.id).copied().collect();
    let recipients = dir.recipients(&row.audience_key, &mine);
    SentOut {
        id: row.id,
        site_id: row.site_id,
        author_id: row.author_id,
        author_name: row
            .author_id
            .and_then(|id| dir.name_of(id))
            .map(str::to_owned),
        audience: row.audience(),
        body: row.body.clone(),
        sent_at: utc(row.created_at),
        read: recipients.iter().filter(|r| r.read_at.is_some()).count(),
        recipients: recipients.len(),
    }
}

/// Send a message to everyone on the site, a role, a crew position or one person.
#[utoipa::path(post, path = "/api/v1/offshore/sites/{site_id}/messages", tag = "offshore messages",
    request_body = MessageIn, params(("site_id" = i64, Path)),
    responses((status = 201, body = SentOut), (status = 404), (status = 422)))]
pub async fn send(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    ApiJson(body): ApiJson<MessageIn>,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    let out = send_message(&mut pooled.conn(), &caller, site_id, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

/// The site's messages with their read counts, newest first.
pub async fn site_messages(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<SentList, AppError> {
    let rows = store::of_site(conn, site_id, before, limit).await?;
    let dir = Directory::load(conn, tenant).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let reads = store::reads_of(conn, &ids).await?;
    Ok(SentList {
        next_before: next_before(ids.iter().copied(), limit, rows.len()),
        items: rows.iter().map(|row| sent_out(row, &dir, &reads)).collect(),
    })
}

/// The site's messages, newest first, each with how many of its recipients have read it.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/messages", tag = "offshore messages",
    params(("site_id" = i64, Path), PageQuery),
    responses((status = 200, body = SentList), (status = 404), (status = 422)))]
pub async fn of_site(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut errors = Vec::new();
    let limit = limit_of(query.limit, &mut errors);
    fail_if_any(errors)?;
    let mut pooled = state.db.get().await?;
    let out = site_messages(&mut pooled.conn(), tenant, site_id, query.before, limit).await?;
    Ok(axum::Json(out).into_response())
}

async fn site_message(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    id: i64,
) -> Result<MessageRow, AppError> {
    store::find(conn, tenant, id)
        .await?
        .filter(|row| row.site_id == site_id)
        .ok_or(AppError::NotFound)
}

/// Who a message reaches and when each of them read it.
pub async fn load_receipts(
    conn: &mut DbConn<'_>,
    tenant: i64,
    site_id: i64,
    id: i64,
) -> Result<ReceiptsOut, AppError> {
    let row = site_message(conn, tenant, site_id, id).await?;
    let dir = Directory::load(conn, tenant).await?;
    let reads = store::reads_of(conn, &[id]).await?;
    let recipients = dir.recipients(&row.audience_key, &reads);
    let read = recipients.iter().filter(|r| r.read_at.is_some()).count();
    Ok(ReceiptsOut {
        message_id: id,
        read,
        unread: recipients.len() - read,
        recipients: recipients.iter().map(recipient_out).collect(),
    })
}

/// The message's read receipts: everyone it reaches, by name, with when they read it.
#[utoipa::path(get, path = "/api/v1/offshore/sites/{site_id}/messages/{id}/receipts",
    tag = "offshore messages", params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ReceiptsOut), (status = 404)))]
pub async fn receipts(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let tenant = tenant_of(&caller)?;
    let mut pooled = state.db.get().await?;
    let out = load_receipts(&mut pooled.conn(), tenant, site_id, id).await?;
    Ok(axum::Json(out).into_response())
}

/// Withdraws a message: its author, or an admin.
pub async fn withdraw(
    conn: &mut DbConn<'_>,
    caller: &Caller,
    site_id: i64,
    id: i64,
) -> Result<(), AppError> {
    let tenant = tenant_of(caller)?;
    let row = site_message(conn, tenant, site_id, id).await?;
    if caller.role != Role::Admin && (row.author_id.is_none() || row.author_id != caller.user_id) {
        return Err(AppError::Forbidden(
            "only the author or an admin may withdraw a message".into(),
        ));
    }
    galley_core::transaction!(conn, |tx| {
        if store::mark_deleted(tx, id).await? {
            galley_core::audit::record(
                tx,
                Entry::new("offshore_message.withdrawn", caller.actor(), Some(tenant))
                    .target("offshore_message", id)
                    .details(json!({ "site_id": site_id, "audience": row.audience_key })),
            )
            .await?;
        }
        Ok::<_, AppError>(())
    })?;
    Ok(())
}

/// Withdraw a message; its receipts stay. Cooks may withdraw their own, admins any.
#[utoipa::path(delete, path = "/api/v1/offshore/sites/{site_id}/messages/{id}",
    tag = "offshore messages", params(("site_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn remove(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<GalleyStaff>,
    OwnSite(site_id): OwnSite,
    Path((_site, id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let mut pooled = state.db.get().await?;
    withdraw(&mut pooled.conn(), &caller, site_id, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
