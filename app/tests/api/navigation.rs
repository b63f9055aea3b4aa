//! Issue 11 item 9: every municipal page a role may use is reachable by following links from
//! that role's start page. Each test starts at `/start` with a session, follows same-origin
//! `<a href>` links breadth-first (GET only; the linked address is recorded before any
//! redirect is followed), and asserts that every listed page route was reached and that no
//! followed link answered 4xx or 5xx.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::client::Client;
use crate::harness::TestApp;
use crate::municipal_fixture::{kitchen, open_week};

/// At most this many addresses of one shape (the same route with other numbers: week after
/// week of "next week" links) are followed.
const PER_SHAPE: usize = 2;
const MAX_PAGES: usize = 400;

/// A path with its numbers and dates as `*`: `/municipal/menus/2026/12` is
/// `/municipal/menus/*/*`.
fn route_of(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if !segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit() || c == '-') {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// An address with every run of digits as `#`: `/municipal/portal?week=2026-W12` and
/// `?week=2026-W13` have one shape.
fn shape_of(address: &str) -> String {
    let mut shape = String::new();
    for c in address.chars() {
        if c.is_ascii_digit() {
            if !shape.ends_with('#') {
                shape.push('#');
            }
        } else {
            shape.push(c);
        }
    }
    shape
}

/// The addresses of the page's `<a href>` links, as the browser would resolve them.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        rest = &rest[at + 3..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        if let Some(start) = tag.find("href=\"") {
            let value = &tag[start + 6..];
            if let Some(close) = value.find('"') {
                found.push(
                    value[..close]
                        .replace("&amp;", "&")
                        .replace("&#x2f;", "/")
                        .replace("&#47;", "/")
                        .replace("&#x3D;", "=")
                        .replace("&#61;", "="),
                );
            }
        }
    }
    found
}

/// Whether the crawl follows a link: same origin, a page (not the API, the assets or another
/// module's pages, which their own tests crawl).
fn followed(href: &str) -> bool {
    href.starts_with('/')
        && !href.starts_with("//")
        && !href.starts_with("/api/")
        && !href.starts_with("/static/")
        && !href.starts_with("/municipal/static/")
        && !href.starts_with("/offshore")
}

struct Crawl {
    /// Route shapes reached (by a link or a redirect).
    reached: BTreeSet<String>,
    /// Followed links that answered 4xx or 5xx, with the page that linked them.
    broken: Vec<String>,
}

async fn crawl(client: &Client<'_>) -> Crawl {
    let mut queue = VecDeque::from([("/start".to_owned(), "(start)".to_owned())]);
    let mut seen = BTreeSet::from(["/start".to_owned()]);
    let mut per_shape: BTreeMap<String, usize> = BTreeMap::new();
    let mut reached = BTreeSet::new();
    let mut broken = Vec::new();
    let mut fetched = 0;
    while let Some((address, from)) = queue.pop_front() {
        fetched += 1;
        assert!(
            fetched < MAX_PAGES,
            "the crawl does not end: {:#?}",
            queue.iter().take(20).collect::<Vec<_>>()
        );
        let path = address.split('#').next().unwrap_or_default().to_owned();
        reached.insert(route_of(path.split('?').next().unwrap_or_default()));
        let response = client.get(&path).await;
        let status = response.status;
        if status.is_client_error() || status.is_server_error() {
            broken.push(format!("{address} ({status}) linked from {from}"));
            continue;
        }
        let next: Vec<String> = if status.is_redirection() {
            vec![response.header("location").to_owned()]
        } else if response.content_type().starts_with("text/html") {
            links(&response.text())
        } else {
            Vec::new()
        };
        for href in next {
            if !followed(&href) {
                continue;
            }
            let key = href.split('#').next().unwrap_or_default().to_owned();
            if key.is_empty() || !seen.insert(key.clone()) {
                continue;
            }
            let shape = shape_of(&key);
            let count = per_shape.entry(shape).or_default();
            if *count >= PER_SHAPE {
                continue;
            }
            *count += 1;
            queue.push_back((key, path.clone()));
        }
    }
    Crawl { reached, broken }
}

fn assert_reached(role: &str, crawl: &Crawl, routes: &[&str]) {
    let missing: Vec<&&str> = routes
        .iter()
        .filter(|route| !crawl.reached.contains(**route))
        .collect();
    assert!(
        missing.is_empty(),
        "{role}: not reachable by links from the start page: {missing:?}\nreached: {:#?}",
        crawl.reached
    );
    assert!(
        crawl.broken.is_empty(),
        "{role}: links that answer an error:\n{}",
        crawl.broken.join("\n")
    );
}

/// The kitchen's pages every kitchen role (admin, cook, viewer) may use.
const KITCHEN_PAGES: &[&str] = &[
    "/municipal/kitchen/plan",
    "/municipal/kitchen/plan/*",
    "/municipal/kitchen/weeks/*/*",
    "/municipal/kitchen/reports/*/*",
    "/municipal/menus/*/*",
    "/municipal/orders/*/*",
    "/municipal/dishes",
    "/municipal/dishes/*",
    "/municipal/admin",
    "/municipal/admin/sites/*/departments",
    "/municipal/admin/departments/*",
    "/municipal/admin/departments/*/weeks",
    "/municipal/admin/departments/*/weeks/*/*",
    "/municipal/admin/sites/*/diet-types",
    "/municipal/admin/sites/*/settings",
    "/municipal/portal",
    "/municipal/portal/departments/*",
];

#[tokio::test(flavor = "multi_thread")]
async fn every_admin_page_is_reachable_from_the_start_page() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Navkök admin", open_week()).await;
    let crawl = crawl(&k.admin).await;
    let mut routes = KITCHEN_PAGES.to_vec();
    // The admin's own: what needs attention, the import, a diet type's form.
    routes.extend([
        "/municipal/admin/attention",
        "/municipal/menus/import",
        "/municipal/admin/sites/*/diet-types/*",
    ]);
    assert_reached("admin", &crawl, &routes);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_cook_page_is_reachable_from_the_start_page() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Navkök kock", open_week()).await;
    let crawl = crawl(&k.cook).await;
    let mut routes = KITCHEN_PAGES.to_vec();
    routes.push("/municipal/menus/import");
    assert_reached("cook", &crawl, &routes);
    assert!(!crawl.reached.contains("/municipal/admin/attention"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_viewer_page_is_reachable_from_the_start_page() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Navkök läsare", open_week()).await;
    let crawl = crawl(&k.viewer).await;
    assert_reached("viewer", &crawl, KITCHEN_PAGES);
    assert!(!crawl.reached.contains("/municipal/menus/import"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_department_page_is_reachable_from_the_start_page() {
    let app = TestApp::new().await;
    let k = kitchen(&app, "Navkök avdelning", open_week()).await;
    let crawl = crawl(&k.department_staff[0]).await;
    assert_reached("department", &crawl, &["/municipal/portal"]);
    // Nothing of the kitchen's is offered to department staff.
    for route in KITCHEN_PAGES
        .iter()
        .filter(|r| !r.starts_with("/municipal/portal"))
    {
        assert!(
            !crawl.reached.contains(*route),
            "department reached {route}"
        );
    }
}

#[test]
fn links_and_shapes() {
    assert_eq!(route_of("/municipal/menus/2026/12"), "/municipal/menus/*/*");
    assert_eq!(
        route_of("/municipal/kitchen/plan/2026-03-17"),
        "/municipal/kitchen/plan/*"
    );
    assert_eq!(
        links(r#"<a class="x" href="/a?b=1&amp;c=2">x</a> <a href="/d">"#),
        vec!["/a?b=1&c=2", "/d"]
    );
}

/// The labels of the phone bar's items, and whether any is cut or broken inside a word.
async fn bar_labels(browser: &crate::browser::Browser) -> Vec<String> {
    let checked = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.bottombar > ul > li .bar-label')].map(e => {\
               const s = getComputedStyle(e);\
               const box = e.closest('a, summary');\
               const breaks = s.overflowWrap !== 'normal' || s.wordBreak !== 'normal';\
               const spills = e.scrollWidth > box.clientWidth + 0.5;\
               return e.textContent.trim() + (breaks ? ' [breaks words]' : '') + (spills ? ' [too wide]' : '');\
             });",
            vec![],
        )
        .await
        .unwrap();
    checked
        .as_array()
        .unwrap()
        .iter()
        .map(|label| label.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_phone_bar_has_five_task_named_items_and_more() {
    const TEST: &str = "navigation_bar";
    let app = TestApp::new().await;
    let name = "Navigering";
    let _k = kitchen(&app, name, open_week()).await;
    let admin = format!("admin-0-{}@example.se", name.to_lowercase());
    crate::browser::within_time_limit(TEST, async {
        let phone = crate::browser::Browser::phone(&app, TEST).await;
        phone
            .sign_in_to_start(&admin, "/municipal/admin/attention")
            .await;
        assert!(!phone.find(".sidenav").await.is_displayed().await.unwrap());
        assert!(phone.find(".bottombar").await.is_displayed().await.unwrap());
        assert_eq!(phone.find_all(".bottombar > ul > li").await.len(), 5);
        assert_eq!(
            bar_labels(&phone).await,
            ["Att göra", "Dagens plan", "Menyer", "Veckans val", "Mer"]
        );
        assert_eq!(
            phone.text(".bottombar a[aria-current=page]").await,
            "Att göra"
        );
        let more = phone.find(".more-list").await;
        assert!(!more.is_displayed().await.unwrap(), "More starts closed");
        phone.screenshot("attention-phone").await;

        phone.click(".bar-more summary").await;
        assert!(more.is_displayed().await.unwrap());
        let rest = more.text().await.unwrap();
        for label in [
            "Att beställa",
            "Importera",
            "Rapporter",
            "Maträtter",
            "Avdelningar",
            "Välj mat",
        ] {
            assert!(rest.contains(label), "{label} under More: {rest}");
        }
        phone.screenshot("more-open-phone").await;

        // A page from under More: it takes the fourth place, marked as the current one.
        phone.click(".more-list a[href='/municipal/dishes']").await;
        phone.wait_for_path("/municipal/dishes").await;
        assert_eq!(
            bar_labels(&phone).await,
            ["Att göra", "Dagens plan", "Menyer", "Maträtter", "Mer"]
        );
        assert_eq!(
            phone.text(".bottombar a[aria-current=page]").await,
            "Maträtter"
        );
        phone.assert_fits_width().await;
        phone.screenshot("dishes-phone").await;

        // Department staff: one item, no More.
        phone.client.delete_all_cookies().await.unwrap();
        let department = format!("department-3-{}@example.se", name.to_lowercase());
        phone
            .sign_in_to_start(&department, "/municipal/portal")
            .await;
        assert!(phone.find_all(".bar-more").await.is_empty());
        let labels = bar_labels(&phone).await;
        assert_eq!(labels.first().map(String::as_str), Some("Välj mat"));

        // A desktop keeps the side bar and has no bottom bar.
        let desktop = crate::browser::Browser::desktop(&app, TEST).await;
        desktop
            .sign_in_to_start(&admin, "/municipal/admin/attention")
            .await;
        assert!(desktop.find(".sidenav").await.is_displayed().await.unwrap());
        assert!(
            !desktop
                .find(".bottombar")
                .await
                .is_displayed()
                .await
                .unwrap()
        );
        assert_eq!(
            desktop.text(".sidenav a[aria-current=page]").await,
            "Att göra"
        );
        desktop.screenshot("attention-desktop").await;
    })
    .await;
}
