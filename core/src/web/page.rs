//! What every page needs: the reader's language, the translations and the navigation built
//! from the enabled modules.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use super::i18n::I18n;
use super::lang::Lang;
use crate::state::AppState;

/// The most items the phone's bottom bar shows side by side, "More" included.
pub const BAR_ITEMS: usize = 5;

/// One link of the navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub label: String,
    pub path: &'static str,
    pub current: bool,
    /// A count to show beside the label (unread messages, say); none when there is nothing.
    pub badge: Option<i64>,
}

/// One entry of the language switch.
#[derive(Debug, Clone)]
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// The per-request context every template receives as `page`.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: Lang,
    pub path: String,
    pub nav: Vec<NavLink>,
    pub version: &'static str,
    /// The signed-in person's e-mail (or "API token"), for the top bar.
    pub signed_in_as: Option<String>,
    /// The session's CSRF token, for forms.
    pub csrf_token: Option<String>,
    /// Set while a superuser acts inside a tenant: the banner shows it.
    pub impersonating: bool,
    /// Whose module switches the page shows.
    pub scope: crate::flags::Scope,
    /// The kind of the reader's tenant (`municipal`, `offshore`), when signed in to one.
    pub tenant_kind: Option<String>,
    i18n: Arc<I18n>,
}

impl Page {
    pub fn new(
        state: &AppState,
        uri: &Uri,
        headers: &HeaderMap,
        caller: Option<&crate::auth::Caller>,
    ) -> Self {
        Self::build(state, uri, headers, caller, None)
    }

    /// The page for a caller whose tenant is of `tenant_kind` (see [`in_use`]).
    fn build(
        state: &AppState,
        uri: &Uri,
        headers: &HeaderMap,
        caller: Option<&crate::auth::Caller>,
        tenant_kind: Option<String>,
    ) -> Self {
        let lang = Lang::negotiate_for(uri.query(), headers, caller.and_then(|c| c.language));
        let path = uri.path().to_owned();
        let snapshot = state.flags.snapshot();
        let scope = caller
            .map(crate::auth::Caller::flag_scope)
            .unwrap_or_default();
        let i18n = state.i18n.clone();
        let mut nav = vec![NavLink {
            label: i18n.text(lang, "home.title").to_owned(),
            path: "/",
            current: path == "/",
            badge: None,
        }];
        for module in state.registry.modules() {
            if !in_use(&snapshot, module.id(), scope, tenant_kind.as_deref()) {
                continue;
            }
            // A module's landing (`/{id}`) is for people outside a tenant; inside one, the
            // module's own pages are listed instead.
            let landing = format!("/{}", module.id());
            let in_tenant = caller.is_some_and(|c| c.tenant_id.is_some());
            let shown = |entry: &&crate::module::NavEntry| {
                let for_caller =
                    entry.roles.is_empty() || caller.is_some_and(|c| entry.roles.contains(&c.role));
                for_caller && !(in_tenant && entry.path == landing)
            };
            nav.extend(
                module
                    .navigation()
                    .iter()
                    .filter(shown)
                    .map(|entry| NavLink {
                        label: i18n.text(lang, entry.label_key).to_owned(),
                        path: entry.path,
                        current: path == entry.path
                            || path.starts_with(&format!("{}/", entry.path)),
                        badge: None,
                    }),
            );
        }
        let administers = caller.is_some_and(|c| {
            matches!(
                c.role,
                crate::auth::Role::Admin | crate::auth::Role::Superuser
            )
        });
        if administers {
            nav.push(NavLink {
                label: i18n.text(lang, "admin.nav").to_owned(),
                path: "/admin",
                current: path == "/admin" || path.starts_with("/admin/"),
                badge: None,
            });
        }
        // A module's home and one of its pages can both contain the path: only the most
        // specific entry is the current one.
        let most_specific = nav
            .iter()
            .filter(|link| link.current)
            .map(|link| link.path.len())
            .max();
        for link in &mut nav {
            link.current = link.current && Some(link.path.len()) == most_specific;
        }
        let page = Self {
            lang,
            path,
            nav,
            version: env!("CARGO_PKG_VERSION"),
            signed_in_as: None,
            csrf_token: None,
            impersonating: false,
            scope,
            tenant_kind,
            i18n,
        };
        page.with_caller(caller)
    }

    fn with_caller(mut self, caller: Option<&crate::auth::Caller>) -> Self {
        if let Some(caller) = caller {
            self.signed_in_as = Some(
                caller
                    .email
                    .clone()
                    .unwrap_or_else(|| self.t("auth.api_token").to_owned()),
            );
            self.csrf_token = caller.csrf_token().map(str::to_owned);
            self.impersonating = caller.impersonator_id.is_some();
        }
        self
    }

    /// Asks the enabled modules for their navigation counts and puts them on the links.
    async fn add_badges(&mut self, state: &AppState, caller: &crate::auth::Caller) {
        let snapshot = state.flags.snapshot();
        for module in state.registry.modules() {
            let used = in_use(
                &snapshot,
                module.id(),
                self.scope,
                self.tenant_kind.as_deref(),
            );
            if !used || module.navigation().is_empty() {
                continue;
            }
            for (path, count) in module.nav_badges(state, caller).await {
                if let Some(link) = self.nav.iter_mut().find(|link| link.path == path) {
                    link.badge = (count > 0).then_some(count);
                }
            }
        }
    }

    /// The phone's bottom bar: every link when there are at most [`BAR_ITEMS`]; otherwise the
    /// first `BAR_ITEMS - 1` (the current page always among them) and the rest under "More".
    /// The home page comes last: each person's own pages come first.
    pub fn bar(&self) -> (Vec<NavLink>, Vec<NavLink>) {
        let (home, own): (Vec<&NavLink>, Vec<&NavLink>) =
            self.nav.iter().partition(|link| link.path == "/");
        let mut shown: Vec<NavLink> = own.into_iter().chain(home).cloned().collect();
        if shown.len() <= BAR_ITEMS {
            return (shown, Vec::new());
        }
        let mut more = shown.split_off(BAR_ITEMS - 1);
        if let Some(at) = more.iter().position(|link| link.current) {
            let current = more.remove(at);
            if let Some(bumped) = shown.pop() {
                more.insert(0, bumped);
            }
            shown.push(current);
        }
        (shown, more)
    }

    /// The translation of `key` in the reader's language.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.i18n.text(self.lang, key)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn languages(&self) -> Vec<LangLink> {
        Lang::ALL
            .iter()
            .map(|lang| LangLink {
                code: lang.code(),
                name: lang.native_name(),
                href: format!("{}?lang={}", self.path, lang.code()),
                current: *lang == self.lang,
            })
            .collect()
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Inside a nested router the URI is stripped of the module prefix; the navigation
        // needs the path the reader actually asked for.
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let caller = parts.extensions.get::<crate::auth::Caller>();
        let kind = match caller {
            Some(caller) => tenant_kind(state, caller).await,
            None => None,
        };
        let mut page = Page::build(state, uri, &parts.headers, caller, kind);
        if let Some(caller) = caller {
            page.add_badges(state, caller).await;
        }
        Ok(page)
    }
}

/// Whether a tenant's people use a module, so that the navigation and the home page show it:
/// it is on for them, and it serves the tenant's kind or was switched on for the tenant or
/// site on purpose. (A module on for everyone by default is not shown to a tenant of another
/// kind: a care home's kitchen has no use for a rig's rota. Its addresses still answer.)
/// Without a tenant kind (strangers, a superuser outside any tenant), being on is enough.
pub fn in_use(
    snapshot: &crate::flags::FlagSnapshot,
    module_id: &str,
    scope: crate::flags::Scope,
    tenant_kind: Option<&str>,
) -> bool {
    let state = snapshot.state_in(module_id, scope);
    let chosen = matches!(
        state.source,
        crate::flags::FlagSource::Site | crate::flags::FlagSource::Tenant
    );
    state.enabled && (chosen || tenant_kind.is_none_or(|kind| kind == module_id))
}

/// The kind of the caller's tenant (`municipal`, `offshore`), if it can be read.
pub async fn tenant_kind(state: &AppState, caller: &crate::auth::Caller) -> Option<String> {
    let tenant = caller.tenant_id?;
    let mut pooled = match state.db.get().await {
        Ok(pooled) => pooled,
        Err(error) => {
            tracing::warn!(%error, "no connection to read the tenant's kind");
            return None;
        }
    };
    match crate::people::tenants::find(&mut pooled.conn(), tenant).await {
        Ok(found) => found.map(|t| t.kind),
        Err(error) => {
            tracing::warn!(%error, "the tenant's kind could not be read");
            None
        }
    }
}

/// Renders a template as an HTML response; a template error is a logged 500.
pub fn render(status: StatusCode, template: &impl askama::Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => crate::http::error::internal(&format!("template: {error}")),
    }
}
