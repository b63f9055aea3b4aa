//! The scaffold check (step 5 of `cargo xtask test`): proves that `cargo xtask new-module`
//! makes a module the registry finds and the server serves.
//!
//! In a temp copy of the workspace it scaffolds module `scaffoldcheck`, builds the app (in
//! `target/scaffold`, so compiled dependencies are reused from one run to the next), runs the
//! new crate's tests, starts the built server on a free port with a fresh SQLite file, and
//! checks `/health`, `/api/v1/scaffoldcheck`, `/scaffoldcheck` and `galley modules list`.

use std::env;
use std::fs::{self, File};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{http, new_module, util};

/// The id of the module the check scaffolds.
pub const MODULE: &str = "scaffoldcheck";

const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(root: &Path) -> Result<(), String> {
    // A fixed folder per workspace: the copy's crates keep their package ids from one run to
    // the next, so cargo reuses (or overwrites) their artifacts in target/scaffold instead of
    // piling up new ones.
    let temp = util::TempDir::at(env::temp_dir().join(format!(
        "galley-scaffold-check-{:08x}",
        util::fnv1a(&root.to_string_lossy()) as u32
    )))?;
    let copy = temp.path().join("workspace");
    let files = util::copy_workspace(root, &copy)?;
    println!(
        "    copied the workspace ({files} files, without target/, .git and *.db) to {}",
        copy.display()
    );

    let touched = new_module::scaffold_module(&copy, MODULE)?;
    println!(
        "    ok: scaffolded `{MODULE}` ({} files created or edited)",
        touched.len()
    );

    let target_dir = root.join("target").join("scaffold");
    let build_started = Instant::now();
    let mut build = nested_cargo(&copy, &target_dir);
    build.args(["build", "-p", "galley"]);
    util::run_checked(&mut build, "cargo build -p galley (in the scaffolded copy)")?;
    println!(
        "    ok: cargo build -p galley in the copy took {} (CARGO_TARGET_DIR={})",
        util::secs(build_started.elapsed()),
        target_dir.display()
    );

    let test_started = Instant::now();
    let mut test = nested_cargo(&copy, &target_dir);
    test.args(["test", "-p", &format!("galley-{MODULE}")]);
    util::run_checked(&mut test, "cargo test -p galley-scaffoldcheck")?;
    println!(
        "    ok: cargo test -p galley-{MODULE} ({})",
        util::secs(test_started.elapsed())
    );

    let binary = target_dir
        .join("debug")
        .join(format!("galley{}", env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        return Err(format!(
            "the build succeeded but {} is not there",
            binary.display()
        ));
    }
    let run_dir = temp.path().join("run");
    fs::create_dir(&run_dir).map_err(|e| format!("could not create {}: {e}", run_dir.display()))?;
    let database = temp.path().join("check.db");
    let port = util::free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let log_path = temp.path().join("server.log");

    let mut server = Server::start(&binary, &run_dir, &database, addr, &log_path)?;
    let result = check_server(&mut server, &binary, &run_dir, &database, addr);
    drop(server);
    if result.is_err() {
        eprintln!(
            "    server log (last 40 lines of {}):\n{}",
            log_path.display(),
            util::indent(&util::tail_of_file(&log_path, 40), "    | ")
        );
    }
    result?;
    println!("    ok: server stopped; removing {}", temp.path().display());
    Ok(())
}

/// `cargo` for the copy, building into the shared `target/scaffold`.
fn nested_cargo(copy: &Path, target_dir: &Path) -> Command {
    let mut cmd = util::cargo();
    cmd.current_dir(copy)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("TEST_DATABASE_URL");
    cmd
}

/// The environment of every `galley` process of the check: local, the check's own SQLite
/// file, and nothing from the caller's Galley settings.
fn galley_command(binary: &Path, run_dir: &Path, database: &Path, addr: SocketAddr) -> Command {
    let mut cmd = Command::new(binary);
    cmd.current_dir(run_dir);
    for (key, _) in env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("GALLEY_")
            || key_text == "DEFAULT_ENABLED_MODULES"
            || key_text == "FEATURE_FLAGS_SOURCE"
        {
            cmd.env_remove(&key);
        }
    }
    cmd.env("GALLEY_ENV", "local")
        .env("DATABASE_URL", database)
        .env("GALLEY_BIND", addr.to_string());
    cmd
}

/// The running server, killed on drop.
struct Server {
    child: Child,
}

impl Server {
    fn start(
        binary: &Path,
        run_dir: &Path,
        database: &Path,
        addr: SocketAddr,
        log_path: &Path,
    ) -> Result<Self, String> {
        let log = File::create(log_path)
            .map_err(|e| format!("could not create {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("could not open {}: {e}", log_path.display()))?;
        let mut cmd = galley_command(binary, run_dir, database, addr);
        cmd.arg("serve")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        println!(
            "    $ GALLEY_ENV=local DATABASE_URL={} GALLEY_BIND={addr} {}",
            database.display(),
            util::display_command(&cmd)
        );
        let child = cmd
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        Ok(Self { child })
    }

    /// `Err` with the exit status if the server has already stopped.
    fn still_running(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Err(format!(
                "the server exited ({})",
                util::describe_status(status)
            )),
            Ok(None) => Ok(()),
            Err(e) => Err(format!("could not check on the server: {e}")),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn check_server(
    server: &mut Server,
    binary: &Path,
    run_dir: &Path,
    database: &Path,
    addr: SocketAddr,
) -> Result<(), String> {
    let waited = wait_for_health(server, addr)?;
    println!("    ok: GET /health -> 200 after {}", util::secs(waited));

    let api = http::get(addr, &format!("/api/v1/{MODULE}"), REQUEST_TIMEOUT)?;
    let body = api.body_text();
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if api.status != 200 || !compact.contains(&format!("\"id\":\"{MODULE}\"")) {
        return Err(format!(
            "GET /api/v1/{MODULE}: expected 200 with \"id\":\"{MODULE}\", got {}: {}",
            api.status,
            shorten(&body)
        ));
    }
    println!("    ok: GET /api/v1/{MODULE} -> 200, body has \"id\":\"{MODULE}\"");

    let page = http::get(addr, &format!("/{MODULE}"), REQUEST_TIMEOUT)?;
    let content_type = page.header("content-type").unwrap_or_default().to_string();
    if page.status != 200 || !content_type.starts_with("text/html") {
        return Err(format!(
            "GET /{MODULE}: expected 200 text/html, got {} {content_type:?}: {}",
            page.status,
            shorten(&page.body_text())
        ));
    }
    println!("    ok: GET /{MODULE} -> 200 {content_type}");

    let mut list = galley_command(binary, run_dir, database, addr);
    list.args(["modules", "list"]);
    let output = util::run_captured(&mut list, "galley modules list")?;
    if !output.contains(MODULE) {
        return Err(format!(
            "`galley modules list` does not list {MODULE}:\n{}",
            util::indent(output.trim_end(), "    | ")
        ));
    }
    println!("    ok: `galley modules list` lists {MODULE}");
    Ok(())
}

fn wait_for_health(server: &mut Server, addr: SocketAddr) -> Result<Duration, String> {
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < HEALTH_TIMEOUT {
        server
            .still_running()
            .map_err(|exited| format!("{exited} before /health answered ({last})"))?;
        match http::get(addr, "/health", Duration::from_secs(5)) {
            Ok(response) if response.status == 200 => return Ok(started.elapsed()),
            Ok(response) => last = format!("last answer: {}", response.status),
            Err(e) => last = e,
        }
        thread::sleep(Duration::from_millis(250));
    }
    Err(format!(
        "GET /health did not answer 200 within {} s ({last})",
        HEALTH_TIMEOUT.as_secs()
    ))
}

fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(400).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same flow as step 5 of `cargo xtask test`; needs a workspace where
    /// `cargo build -p galley` succeeds.
    #[test]
    #[ignore = "slow: run by cargo xtask test (scaffold check)"]
    fn scaffold_check_end_to_end() -> Result<(), String> {
        run(&util::workspace_root())
    }
}
