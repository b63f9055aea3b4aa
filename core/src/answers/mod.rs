//! Ready answers: the serialized bodies of hot reads (a department's week, a site's day plan,
//! the weekly report) with their ETags, kept in memory and bounded in bytes (decision 0022).
//!
//! Correctness does not rest on finding and deleting entries. Every answer records the
//! [`Scope`]s it was built from and a ticket: the invalidation counter read before its data
//! was loaded. A write bumps the generation of the scopes it changed after it commits (and,
//! on PostgreSQL, every other instance does on its `NOTIFY`); an answer is served only while
//! none of its scopes was bumped after its ticket. A reader that loaded its data before a
//! write committed therefore can never store or serve that data once the write was
//! acknowledged, whatever the interleaving.

mod body;
pub mod broadcast;
pub mod listen;
pub mod memo;
mod module_memos;
pub mod pending;

pub use memo::Memo;
pub use module_memos::ModuleMemos;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_cache::sync::Cache;

/// What an answer is built from, beyond the platform itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Anything of the tenant: sites, settings, menus, dishes, diet types, departments.
    Tenant(i64),
    /// A site's week: every department's choices and marks of the week feed the site's plans
    /// and reports of that week.
    SiteWeek { site: i64, year: i32, week: u32 },
    /// One department's choices and marks of one week.
    DepartmentWeek {
        department: i64,
        year: i32,
        week: u32,
    },
    /// Who may act for the tenant: its API tokens and the people who made them.
    Credentials(i64),
}

/// What a write changed, announced locally after it commits and to the other instances by
/// `NOTIFY` (see `broadcast`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidation {
    /// The default for every audited write of a tenant; it reaches its credentials too.
    Tenant(i64),
    /// An API token of the tenant made or revoked: no answer changes, only who may ask.
    Credentials(i64),
    /// Choices or marks of one department's week: its own answers and its site's of that week.
    DepartmentWeek {
        tenant: i64,
        site: i64,
        department: i64,
        year: i32,
        week: u32,
    },
    /// Platform writes outside any tenant, and a listener that lost its connection.
    Everything,
}

impl Invalidation {
    fn scopes(self) -> Vec<Scope> {
        match self {
            Invalidation::Tenant(tenant) => vec![Scope::Tenant(tenant), Scope::Credentials(tenant)],
            Invalidation::Credentials(tenant) => vec![Scope::Credentials(tenant)],
            Invalidation::DepartmentWeek {
                site,
                department,
                year,
                week,
                ..
            } => vec![
                Scope::DepartmentWeek {
                    department,
                    year,
                    week,
                },
                Scope::SiteWeek { site, year, week },
            ],
            Invalidation::Everything => Vec::new(),
        }
    }

    /// The `NOTIFY` payload: `t:{tenant}`, `c:{tenant}`,
    /// `d:{tenant}:{site}:{department}:{year}:{week}` or `*`.
    pub fn payload(self) -> String {
        match self {
            Invalidation::Tenant(tenant) => format!("t:{tenant}"),
            Invalidation::Credentials(tenant) => format!("c:{tenant}"),
            Invalidation::DepartmentWeek {
                tenant,
                site,
                department,
                year,
                week,
            } => format!("d:{tenant}:{site}:{department}:{year}:{week}"),
            Invalidation::Everything => "*".to_owned(),
        }
    }

    /// Reads a payload back; anything unreadable is [`Invalidation::Everything`], so that a
    /// newer instance's message can only ever empty an older one's cache.
    pub fn parse(payload: &str) -> Self {
        let mut parts = payload.split(':');
        let kind = parts.next();
        let numbers: Vec<i64> = parts.map_while(|part| part.parse().ok()).collect();
        match (kind, numbers.as_slice()) {
            (Some("t"), [tenant]) => Invalidation::Tenant(*tenant),
            (Some("c"), [tenant]) => Invalidation::Credentials(*tenant),
            (Some("d"), [tenant, site, department, year, week]) => {
                match (i32::try_from(*year), u32::try_from(*week)) {
                    (Ok(year), Ok(week)) => Invalidation::DepartmentWeek {
                        tenant: *tenant,
                        site: *site,
                        department: *department,
                        year,
                        week,
                    },
                    _ => Invalidation::Everything,
                }
            }
            _ => Invalidation::Everything,
        }
    }
}

/// Which answer: its kind (`municipal.week`) and up to four numbers (ids, year, week, format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnswerKey {
    pub kind: &'static str,
    pub parts: [i64; 4],
}

/// A ready answer.
#[derive(Debug, Clone)]
pub struct Answer {
    body: body::Body,
    pub etag: String,
    pub content_type: &'static str,
    /// Anything the handler needs beside the body, such as the menu a department user saw.
    pub meta: [i64; 2],
    scopes: Arc<[Scope]>,
    ticket: u64,
    expires: Instant,
}

/// A freshly built answer, before it is stored.
#[derive(Debug)]
pub struct Built {
    pub body: Bytes,
    pub etag: String,
    pub content_type: &'static str,
    pub meta: [i64; 2],
}

impl Built {
    /// A JSON body.
    pub fn json<T: serde::Serialize>(
        value: &T,
        etag: String,
        meta: [i64; 2],
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            body: Bytes::from(serde_json::to_vec(value)?),
            etag,
            content_type: "application/json",
            meta,
        })
    }
}

impl Built {
    /// A JSON body whose ETag is a digest of the body itself, for answers that have no version
    /// of their own (plans and reports sum many rows).
    pub fn json_digested<T: serde::Serialize>(
        value: &T,
        kind: &str,
    ) -> Result<Self, serde_json::Error> {
        use blake2::Digest;
        let body = serde_json::to_vec(value)?;
        let digest = blake2::Blake2b::<blake2::digest::consts::U16>::digest(&body);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        Ok(Self {
            body: Bytes::from(body),
            etag: format!("\"{kind}-{hex}\""),
            content_type: "application/json",
            meta: [0, 0],
        })
    }
}

impl Answer {
    /// An answer for one response only (it says something meant for one person).
    pub fn unstored(built: Built) -> Self {
        Self {
            body: body::Body::Plain(built.body),
            etag: built.etag,
            content_type: built.content_type,
            meta: built.meta,
            scopes: Arc::from([]),
            ticket: 0,
            expires: Instant::now(),
        }
    }

    /// Whether the answer was built from the data of `tenant` (it is never handed to another).
    pub fn belongs_to(&self, tenant: i64) -> bool {
        self.scopes.contains(&Scope::Tenant(tenant))
    }

    /// The answer, or 304 when the client already has it (`If-None-Match`).
    pub fn response(&self, headers: &HeaderMap) -> Response {
        let unchanged = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|sent| {
                sent.split(',')
                    .any(|tag| tag.trim() == self.etag || tag.trim() == "*")
            });
        let mut response = if unchanged {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            match self.body.for_client(headers) {
                Ok((bytes, gzipped)) => {
                    let mut response = (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static(self.content_type),
                        )],
                        bytes,
                    )
                        .into_response();
                    if gzipped {
                        response
                            .headers_mut()
                            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                    }
                    response
                }
                Err(error) => {
                    return crate::http::AppError::Internal(format!(
                        "a ready answer could not be inflated: {error}"
                    ))
                    .into_response();
                }
            }
        };
        // One ETag for both encodings: it names the answer's content (the version an
        // `If-Match` refers to), not its transfer form (decision 0022).
        if let Ok(value) = HeaderValue::from_str(&self.etag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        // Said of every ready answer, small ones kept plain included, so that what a cache may
        // reuse does not depend on an answer's size.
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

/// A read in progress: take it before loading, hand it back with the answer.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

/// The longest an answer is kept without a write: a bound on anything that changes the data
/// without going through the audit log (a hand edit in `psql`, say).
pub const LONGEST_FRESH: Duration = Duration::from_secs(600);

/// More distinct scopes than this since the last reset empty the cache and start over, so the
/// generation table stays small on an instance that runs for months.
const MAX_SCOPES: usize = 100_000;

#[derive(Clone, Default)]
struct Weigh;

impl quick_cache::Weighter<AnswerKey, Arc<Answer>> for Weigh {
    fn weight(&self, _key: &AnswerKey, answer: &Arc<Answer>) -> u64 {
        // The body dominates; the rest is a few hundred bytes.
        answer.body.weight() as u64 + 256
    }
}

#[derive(Clone, Default)]
struct CountEvictions;

impl quick_cache::Lifecycle<AnswerKey, Arc<Answer>> for CountEvictions {
    type RequestState = ();

    fn on_evict(&self, _state: &mut (), _key: AnswerKey, _answer: Arc<Answer>) {
        metrics::counter!("galley_answer_cache_evictions_total").increment(1);
    }
}

struct Generations {
    by_scope: HashMap<Scope, u64>,
    /// Answers with a ticket below this were loaded before the last reset.
    floor: u64,
}

struct Inner {
    entries: Option<
        Cache<AnswerKey, Arc<Answer>, Weigh, quick_cache::DefaultHashBuilder, CountEvictions>,
    >,
    counter: AtomicU64,
    generations: Mutex<Generations>,
    /// False while instances could miss each other's writes (PostgreSQL before the listener
    /// has its connection, or after it lost it): nothing is stored or served then.
    live: AtomicBool,
    /// Where the other instances are told of this instance's writes (PostgreSQL).
    others: std::sync::OnceLock<broadcast::Broadcast>,
}

/// The cache of ready answers. Cheap to clone.
#[derive(Clone)]
pub struct AnswerCache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AnswerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnswerCache")
            .field("live", &self.is_live())
            .finish_non_exhaustive()
    }
}

impl AnswerCache {
    /// A cache of at most `max_bytes` (0: off). `live` is false where another instance may
    /// write: the listener turns it on once it listens.
    pub fn new(max_bytes: u64, live: bool) -> Self {
        let entries = (max_bytes > 0).then(|| {
            Cache::with(
                // About 3 KB per week answer once compressed.
                usize::try_from(max_bytes / 3_000).unwrap_or(1024).max(16),
                max_bytes,
                Weigh,
                quick_cache::DefaultHashBuilder::default(),
                CountEvictions,
            )
        });
        Self {
            inner: Arc::new(Inner {
                entries,
                counter: AtomicU64::new(1),
                generations: Mutex::new(Generations {
                    by_scope: HashMap::new(),
                    floor: 0,
                }),
                live: AtomicBool::new(live),
                others: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Tells the other instances of this instance's writes through `others` from now on.
    pub fn tell_others_through(&self, others: broadcast::Broadcast) {
        let _set_once_at_start = self.inner.others.set(others);
    }

    pub fn others(&self) -> Option<&broadcast::Broadcast> {
        self.inner.others.get()
    }

    pub fn is_live(&self) -> bool {
        self.inner.live.load(Ordering::Acquire)
    }

    /// False when configured off (`GALLEY_ANSWER_CACHE_MIB=0`).
    pub fn is_on(&self) -> bool {
        self.inner.entries.is_some()
    }

    /// Taken before the data of an answer is loaded.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner.counter.load(Ordering::Acquire))
    }

    /// The ready answer for `key`, when there is one that no later write made stale.
    pub fn get(&self, key: &AnswerKey) -> Option<Arc<Answer>> {
        let entries = self.inner.entries.as_ref()?;
        if !self.is_live() {
            return None;
        }
        let found = entries
            .get(key)
            .filter(|answer| answer.expires > Instant::now() && self.still_valid(answer));
        let outcome = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!("galley_answer_cache_requests_total", "outcome" => outcome).increment(1);
        found
    }

    /// Stores an answer loaded under `ticket`, unless a write it depends on came since, and
    /// hands it back for the response either way.
    pub fn put(
        &self,
        key: AnswerKey,
        ticket: Ticket,
        scopes: &[Scope],
        fresh_for: Duration,
        built: Built,
    ) -> Arc<Answer> {
        let answer = Arc::new(Answer {
            body: body::Body::stored(built.body),
            etag: built.etag,
            content_type: built.content_type,
            meta: built.meta,
            scopes: scopes.into(),
            ticket: ticket.0,
            expires: Instant::now() + fresh_for,
        });
        if let Some(entries) = self.inner.entries.as_ref()
            && self.is_live()
            && self.still_valid(&answer)
        {
            entries.insert(key, answer.clone());
            metrics::gauge!("galley_answer_cache_bytes").set(entries.weight() as f64);
        }
        answer
    }

    fn generations(&self) -> MutexGuard<'_, Generations> {
        // The table holds only counters; a panic elsewhere cannot leave it half-written.
        self.inner
            .generations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn still_valid(&self, answer: &Answer) -> bool {
        self.still_current(Ticket(answer.ticket), &answer.scopes)
    }

    /// Whether data read from `scopes` under `ticket` is still what they hold: no write to
    /// any of them (and no reset) came after the ticket was taken.
    pub fn still_current(&self, ticket: Ticket, scopes: &[Scope]) -> bool {
        let generations = self.generations();
        ticket.0 >= generations.floor
            && scopes.iter().all(|scope| {
                generations
                    .by_scope
                    .get(scope)
                    .is_none_or(|bumped| *bumped <= ticket.0)
            })
    }

    /// Marks what a committed write changed: every answer built from it before is stale.
    pub fn invalidate(&self, invalidation: Invalidation) {
        metrics::counter!("galley_answer_cache_invalidations_total").increment(1);
        let scopes = invalidation.scopes();
        let mut generations = self.generations();
        // The new generation is the counter's next value: a ticket taken before this point is
        // below it (stale), one taken after is equal to it (loads data that has the write).
        let generation = self.inner.counter.fetch_add(1, Ordering::AcqRel) + 1;
        if scopes.is_empty() || generations.by_scope.len() + scopes.len() > MAX_SCOPES {
            generations.by_scope.clear();
            generations.floor = generation;
            drop(generations);
            if let Some(entries) = &self.inner.entries {
                entries.clear();
            }
            return;
        }
        for scope in scopes {
            generations.by_scope.insert(scope, generation);
        }
    }

    /// Stops serving and storing answers and empties the cache (a lost listener).
    pub fn suspend(&self) {
        self.inner.live.store(false, Ordering::Release);
        self.invalidate(Invalidation::Everything);
    }

    /// Serves answers again (the listener listens), starting empty.
    pub fn resume(&self) {
        self.invalidate(Invalidation::Everything);
        self.inner.live.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: AnswerKey = AnswerKey {
        kind: "test",
        parts: [1, 2026, 49, 0],
    };
    const WEEK: Scope = Scope::DepartmentWeek {
        department: 1,
        year: 2026,
        week: 49,
    };

    fn put(cache: &AnswerCache, ticket: Ticket, scopes: &[Scope]) {
        let built = Built {
            body: Bytes::from_static(b"{}"),
            etag: "\"v1\"".to_owned(),
            content_type: "application/json",
            meta: [0, 0],
        };
        cache.put(KEY, ticket, scopes, Duration::from_secs(60), built);
    }

    #[test]
    fn an_answer_loaded_before_a_write_is_never_served_after_it() {
        let cache = AnswerCache::new(1 << 20, true);
        let before = cache.ticket();
        cache.invalidate(Invalidation::DepartmentWeek {
            tenant: 7,
            site: 3,
            department: 1,
            year: 2026,
            week: 49,
        });
        // The reader stores what it loaded before the write: refused.
        put(&cache, before, &[Scope::Tenant(7), WEEK]);
        assert!(cache.get(&KEY).is_none());
        // Loaded after the write: kept and served.
        put(&cache, cache.ticket(), &[Scope::Tenant(7), WEEK]);
        assert!(cache.get(&KEY).is_some());
        // A later write of the site's week makes it stale too; another tenant's does not.
        cache.invalidate(Invalidation::Tenant(8));
        assert!(cache.get(&KEY).is_some());
        cache.invalidate(Invalidation::Tenant(7));
        assert!(cache.get(&KEY).is_none());
    }

    #[test]
    fn a_stored_answer_goes_stale_when_its_site_week_changes() {
        let cache = AnswerCache::new(1 << 20, true);
        let site_week = Scope::SiteWeek {
            site: 3,
            year: 2026,
            week: 49,
        };
        put(&cache, cache.ticket(), &[Scope::Tenant(7), site_week]);
        assert!(cache.get(&KEY).is_some());
        cache.invalidate(Invalidation::DepartmentWeek {
            tenant: 7,
            site: 3,
            department: 99,
            year: 2026,
            week: 48,
        });
        assert!(cache.get(&KEY).is_some(), "another week of the site");
        cache.invalidate(Invalidation::DepartmentWeek {
            tenant: 7,
            site: 3,
            department: 99,
            year: 2026,
            week: 49,
        });
        assert!(
            cache.get(&KEY).is_none(),
            "another department of the same week"
        );
    }

    #[test]
    fn a_suspended_cache_serves_nothing_and_resumes_empty() {
        let cache = AnswerCache::new(1 << 20, true);
        let ticket = cache.ticket();
        put(&cache, ticket, &[Scope::Tenant(7)]);
        cache.suspend();
        assert!(cache.get(&KEY).is_none());
        put(&cache, cache.ticket(), &[Scope::Tenant(7)]);
        cache.resume();
        assert!(cache.get(&KEY).is_none(), "nothing survives a suspension");
        // A reader that started before the suspension cannot store afterwards either.
        put(&cache, ticket, &[Scope::Tenant(7)]);
        assert!(cache.get(&KEY).is_none());
    }

    #[test]
    fn payloads_read_back_and_unknown_ones_empty_everything() {
        for invalidation in [
            Invalidation::Tenant(5),
            Invalidation::Credentials(5),
            Invalidation::DepartmentWeek {
                tenant: 5,
                site: 2,
                department: 17,
                year: 2026,
                week: 9,
            },
            Invalidation::Everything,
        ] {
            assert_eq!(Invalidation::parse(&invalidation.payload()), invalidation);
        }
        assert_eq!(Invalidation::parse("x:1"), Invalidation::Everything);
        assert_eq!(Invalidation::parse("d:1:2"), Invalidation::Everything);
    }

    #[test]
    fn a_cache_of_zero_bytes_is_off() {
        let cache = AnswerCache::new(0, true);
        put(&cache, cache.ticket(), &[]);
        assert!(cache.get(&KEY).is_none());
    }
}
