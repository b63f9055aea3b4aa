//! A real browser for end-to-end tests: a `TestApp` served on a 127.0.0.1 port, Debian's
//! headless Chromium driven over WebDriver by a `chromedriver` of the test's own, and small
//! helpers to read and act on the pages as a person would.
//!
//! Missing `chromium` or `chromedriver` fails the test (`cargo xtask test` installs both);
//! nothing is downloaded at run time. Each browser test runs its flow inside
//! [`within_time_limit`], and everything started here is stopped when the [`Browser`] drops,
//! whether the test passed or panicked.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::harness::TestApp;

/// How long one browser test's whole flow may take, browser start included.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// How long a helper waits for an element to appear.
const ELEMENT_WAIT: Duration = Duration::from_secs(10);

/// Runs a browser test's flow, failing it when the flow takes longer than [`TIME_LIMIT`].
pub async fn within_time_limit(test: &str, flow: impl Future<Output = ()>) {
    if tokio::time::timeout(TIME_LIMIT, flow).await.is_err() {
        panic!("browser test `{test}` did not finish within {TIME_LIMIT:?}");
    }
}

/// The size of the browser window, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

pub const PHONE: Viewport = Viewport {
    width: 390,
    height: 844,
};

pub const DESKTOP: Viewport = Viewport {
    width: 1280,
    height: 900,
};

/// One headless Chromium, looking at one `TestApp` served on a port of its own.
pub struct Browser {
    // Fields drop in this order: the WebDriver client, then chromedriver (which ends the
    // session and so Chromium), then the server, then Chromium's profile folder.
    pub client: Client,
    _driver: Driver,
    server: Server,
    _profile: tempfile::TempDir,
    test: &'static str,
}

impl Browser {
    /// A browser as wide as a phone (390 x 844).
    pub async fn phone(app: &TestApp, test: &'static str) -> Browser {
        Self::open(app, test, PHONE).await
    }

    /// A browser as wide as a laptop screen (1280 x 900).
    pub async fn desktop(app: &TestApp, test: &'static str) -> Browser {
        Self::open(app, test, DESKTOP).await
    }

    pub async fn open(app: &TestApp, test: &'static str, viewport: Viewport) -> Browser {
        let chromium = required("chromium", "chromium");
        let chromedriver = required("chromedriver", "chromium-driver");
        let server = Server::start(app).await;
        let profile = tempfile::tempdir().unwrap();
        let mut driver = Driver::start(&chromedriver, profile.path()).await;

        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--lang=sv-SE".to_owned(),
            format!(
                "--user-data-dir={}",
                profile.path().join("chromium").display()
            ),
            format!("--window-size={},{}", viewport.width, viewport.height),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "timeouts": { "implicit": 0, "pageLoad": 30_000, "script": 10_000 },
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": args,
                // A Swedish reader, as the app's first audience.
                "prefs": { "intl.accept_languages": "sv-SE,sv" },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start Chromium: {e}\n{}",
                    driver.log_tail()
                )
            });
        driver.session = client.session_id().await.ok().flatten();
        let browser = Browser {
            client,
            _driver: driver,
            server,
            _profile: profile,
            test,
        };
        browser.fit_page_to(viewport).await;
        browser
    }

    /// Sizes the window so that the page itself gets the viewport: headless Chromium still
    /// counts room for a tab strip and toolbar in the window's height.
    async fn fit_page_to(&self, viewport: Viewport) {
        let wanted = (viewport.width, viewport.height);
        let inner = self.inner_size().await;
        if inner == wanted {
            return;
        }
        let (outer_width, outer_height) = self.client.get_window_size().await.unwrap();
        let width = viewport.width + (outer_width as u32).saturating_sub(inner.0);
        let height = viewport.height + (outer_height as u32).saturating_sub(inner.1);
        self.client.set_window_size(width, height).await.unwrap();
        assert_eq!(
            self.inner_size().await,
            wanted,
            "cannot give the page {viewport:?}"
        );
    }

    /// The absolute address of a path on the served app.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr)
    }

    pub async fn goto(&self, path: &str) {
        let url = self.url(path);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(ELEMENT_WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no element `{css}` on {} ({e})", self.current_url().await),
        }
    }

    /// Every element matching a CSS selector, now (no waiting).
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap()
    }

    /// Signs in through the form with the test suite's password and waits for the start page.
    pub async fn sign_in(&self, email: &str) {
        self.sign_in_with(email, crate::auth::PASSWORD).await;
    }

    /// Signs in and waits on the home page (`next=/`; without it, sign-in goes on to the
    /// person's start page: see [`Browser::sign_in_to_start`]).
    pub async fn sign_in_with(&self, email: &str, password: &str) {
        self.goto("/login?next=%2F").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("form[action^='/login'] button[type=submit]")
            .await;
        self.wait_for_path("/").await;
    }

    /// Signs in without `next`, as a person does, and waits until the browser has landed
    /// on `path` (the role's start page).
    pub async fn sign_in_to_start(&self, email: &str, path: &str) {
        self.goto("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", crate::auth::PASSWORD).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.wait_for_path(path).await;
    }

    /// Scrolls an element into view (`block`: `start`, `center` or `end`), for a screenshot of
    /// it or a click that a phone's fixed bottom bar would otherwise cover.
    pub async fn scroll_to(&self, css: &str, block: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({ block: arguments[1] });",
                vec![serde_json::json!(css), serde_json::json!(block)],
            )
            .await
            .unwrap();
    }

    /// Clicks an element after scrolling it to the middle of the window.
    pub async fn click_centered(&self, css: &str) {
        self.scroll_to(css, "center").await;
        self.click(css).await;
    }

    /// Types into a field, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        for _ in 0..STALE_RETRIES {
            let field = self.find(css).await;
            match field.clear().await {
                Err(e) if is_stale(&e) => continue,
                other => other.unwrap_or_else(|e| panic!("cannot clear `{css}`: {e}")),
            }
            match field.send_keys(text).await {
                Err(e) if is_stale(&e) => continue,
                other => return other.unwrap_or_else(|e| panic!("cannot type into `{css}`: {e}")),
            }
        }
        panic!("`{css}` kept being replaced while typed into")
    }

    /// Clicks an element; a click that submits a form or follows a link returns once the next
    /// page has loaded.
    pub async fn click(&self, css: &str) {
        for _ in 0..STALE_RETRIES {
            match self.find(css).await.click().await {
                Err(e) if is_stale(&e) => continue,
                other => return other.unwrap_or_else(|e| panic!("cannot click `{css}`: {e}")),
            }
        }
        panic!("`{css}` kept being replaced before it could be clicked")
    }

    /// Clicks a button that posts a form and waits until the answer's page has replaced this
    /// one. A post that redirects back to the same address cannot be told apart by its path,
    /// so the old document is marked and the wait ends when the mark is gone.
    pub async fn submit(&self, css: &str) {
        self.client
            .execute("window.galleyOldPage = true;", vec![])
            .await
            .unwrap();
        self.click(css).await;
        let started = Instant::now();
        loop {
            // While the next page loads, a script may fail; that is simply "not yet".
            let replaced = self
                .client
                .execute(
                    "return window.galleyOldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .ok();
            if replaced == Some(serde_json::Value::Bool(true)) {
                return;
            }
            if started.elapsed() > ELEMENT_WAIT {
                panic!(
                    "`{css}` did not load a new page; still on {}",
                    self.current_url().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text of an element as rendered (hidden text is left out), trimmed.
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..STALE_RETRIES {
            match self.find(css).await.text().await {
                Err(e) if is_stale(&e) => continue,
                other => return other.unwrap().trim().to_owned(),
            }
        }
        panic!("`{css}` kept being replaced while read")
    }

    /// A DOM property of an element, such as `value` or `textContent`.
    pub async fn prop(&self, css: &str, name: &str) -> Option<String> {
        for _ in 0..STALE_RETRIES {
            match self.find(css).await.prop(name).await {
                Err(e) if is_stale(&e) => continue,
                other => return other.unwrap(),
            }
        }
        panic!("`{css}` kept being replaced while read")
    }

    /// An attribute of an element as written in the page.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        for _ in 0..STALE_RETRIES {
            match self.find(css).await.attr(name).await {
                Err(e) if is_stale(&e) => continue,
                other => return other.unwrap(),
            }
        }
        panic!("`{css}` kept being replaced while read")
    }

    pub async fn current_url(&self) -> String {
        self.client
            .current_url()
            .await
            .map_or_else(|e| format!("(unknown: {e})"), |url| url.to_string())
    }

    /// Waits until the browser is on `path` (after a click that navigates, say), failing the
    /// test with where it is instead when that does not happen within a few seconds.
    pub async fn wait_for_path(&self, path: &str) {
        let started = Instant::now();
        loop {
            let url = self.client.current_url().await.unwrap();
            let ready = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .unwrap();
            if url.path() == path && ready == "complete" {
                return;
            }
            if started.elapsed() > ELEMENT_WAIT {
                panic!("expected to be on {path}, but the browser is on {url} ({ready})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the address contains `part` and the page has loaded (a form post answers
    /// with a redirect that the click does not wait for).
    pub async fn wait_for_url(&self, part: &str) {
        let started = Instant::now();
        loop {
            let url = self.current_url().await;
            let ready = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .unwrap();
            if url.contains(part) && ready == "complete" {
                return;
            }
            if started.elapsed() > ELEMENT_WAIT {
                panic!("expected an address with {part}, but the browser is on {url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The page is no wider than the window (wide tables scroll inside their own box); a
    /// failure names the elements that stick out.
    pub async fn assert_fits_width(&self) {
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (page, window) = (sizes[0].as_u64().unwrap(), sizes[1].as_u64().unwrap());
        if page > window {
            let wide = self
                .client
                .execute(
                    "return Array.from(document.querySelectorAll('body *'))\
                       .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)\
                       .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + \
                         Math.round(e.getBoundingClientRect().right));",
                    vec![],
                )
                .await
                .unwrap();
            panic!(
                "{} is {page} px wide in a {window} px window: {wide}",
                self.current_url().await
            );
        }
    }

    /// The element that has the keyboard focus.
    pub async fn active_element(&self) -> Element {
        self.client.active_element().await.unwrap()
    }

    /// Presses and releases one key, sent to whatever has the focus.
    pub async fn press(&self, key: Key) {
        let keyboard = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(keyboard).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// The page's inner width and height in CSS pixels.
    pub async fn inner_size(&self) -> (u32, u32) {
        let size = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .unwrap();
        let dimension = |i: usize| size[i].as_u64().unwrap() as u32;
        (dimension(0), dimension(1))
    }

    /// Waits (up to [`ELEMENT_WAIT`]) until the first element matching `css` has a text that
    /// contains `expected`.
    pub async fn wait_for_text_containing(&self, css: &str, expected: &str) {
        let started = Instant::now();
        loop {
            let mut seen = String::new();
            if let Some(element) = self.find_all(css).await.first() {
                seen = element.text().await.unwrap_or_default().trim().to_owned();
                if seen.contains(expected) {
                    return;
                }
            }
            if started.elapsed() > ELEMENT_WAIT {
                panic!("`{css}` says `{seen}`, not `{expected}`");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves what the browser shows as `target/screenshots/{test}-{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}-{name}.png", self.test));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// The Content-Security-Policy reports this browser has sent to the app so far.
    pub fn csp_reports(&self) -> Vec<String> {
        self.server.csp_reports.lock().unwrap().clone()
    }
}

fn screenshot_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    target.join("screenshots")
}

/// The path of a command the browser tests need; a missing one fails the test, since
/// skipping would pass a suite that tested nothing in a browser.
fn required(command: &str, package: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(command))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "`{command}` is not installed (Debian package `{package}`), and the browser \
                 tests need it: run `cargo xtask test`, which installs chromium and \
                 chromium-driver when missing (or `apt-get install chromium chromium-driver`)"
            )
        })
}

/// The app on a real 127.0.0.1 port, as the browser must reach it over a socket. It also
/// keeps every body POSTed to `/csp-report` through it, so a test can tell its own
/// browser's reports from other tests' (the `galley_csp_violations_total` counter is
/// process-wide).
struct Server {
    addr: SocketAddr,
    csp_reports: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(app: &TestApp) -> Server {
        let csp_reports = Arc::new(Mutex::new(Vec::new()));
        let kept = csp_reports.clone();
        let router =
            app.router()
                .layer(middleware::from_fn(move |request: Request, next: Next| {
                    let kept = kept.clone();
                    async move { keep_csp_report(kept, request, next).await }
                }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Server {
            addr,
            csp_reports,
            task,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn keep_csp_report(kept: Arc<Mutex<Vec<String>>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || request.uri().path() != "/csp-report" {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    kept.lock()
        .unwrap()
        .push(String::from_utf8_lossy(&bytes).into_owned());
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A `chromedriver` of this test's own on a free port; killed on drop, after it has been
/// asked to end the session so that it closes Chromium first.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
    session: Option<String>,
}

impl Driver {
    async fn start(chromedriver: &Path, dir: &Path) -> Driver {
        let port = free_port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let mut driver = Driver {
            child,
            port,
            log,
            session: None,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!(
                    "chromedriver exited at once ({status})\n{}",
                    driver.log_tail()
                );
            }
            if started.elapsed() > Duration::from_secs(15) {
                panic!(
                    "chromedriver did not listen on port {port} within 15 s\n{}",
                    driver.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The end of chromedriver's log, for a failure message.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!("chromedriver log ({}):\n{tail}", self.log.display())
    }

    /// `DELETE /session/{id}` over a plain socket: Drop cannot await the WebDriver client.
    fn end_session(&self, id: &str) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return;
        }
        // chromedriver answers once Chromium has quit, and may keep the connection open:
        // read one whole answer, not to the end of the stream.
        let mut answer = Vec::new();
        let mut chunk = [0_u8; 4096];
        while let Ok(read) = stream.read(&mut chunk) {
            if read == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..read]);
            if is_complete_answer(&answer) {
                break;
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            self.end_session(&id);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `answer` holds an HTTP response's head and all of the body its Content-Length
/// announces.
fn is_complete_answer(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    body.len() >= length
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How often a read retries an element that a page load replaced between finding and reading
/// it (a loaded machine makes that window real).
const STALE_RETRIES: usize = 5;

fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    matches!(
        error,
        fantoccini::error::CmdError::Standard(e)
            if e.error == fantoccini::error::ErrorStatus::StaleElementReference
    )
}
