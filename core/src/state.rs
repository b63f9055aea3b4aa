use std::sync::Arc;

use crate::config::Settings;
use crate::db::DbPool;
use crate::flags::FlagService;
use crate::module::Registry;
use crate::web::i18n::I18n;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: DbPool,
    pub flags: FlagService,
    pub registry: &'static Registry,
    pub i18n: Arc<I18n>,
    pub sign_in_throttle: Arc<dyn crate::auth::throttle::SignInThrottle>,
    pub limits: crate::http::rate_limit::RequestLimits,
    pub file_work: crate::file_work::FileWork,
    /// Ready answers of hot reads (decision 0022).
    pub answers: crate::answers::AnswerCache,
    /// Live API tokens by hash, forgotten with the ready answers' credential invalidations.
    pub token_grants: crate::answers::Memo<String, crate::people::api_tokens::TokenGrant>,
    /// The tenant of each site checked lately (`OwnSite`), forgotten with any write of it.
    pub site_owners: crate::answers::Memo<i64, i64>,
    /// Module crates' own memos under the same rules (a municipal site's week set-up).
    pub module_memos: crate::answers::ModuleMemos,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db)
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}
