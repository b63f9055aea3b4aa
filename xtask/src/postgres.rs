//! PostgreSQL for the test suite's second run: check the server at `TEST_DATABASE_URL`, or
//! start a throwaway cluster from the installed server binaries.

use std::env;
use std::fs;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util;

/// The server the PostgreSQL run uses when `TEST_DATABASE_URL` is unset.
pub const DEFAULT_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

/// How to get server binaries where none are found.
pub const INSTALL_HINT: &str = "install PostgreSQL's server binaries (Debian/Ubuntu: `apt-get install postgresql`), or point TEST_DATABASE_URL at a running server";

/// `TEST_DATABASE_URL` if set (and not empty), else [`DEFAULT_URL`].
pub fn test_database_url() -> String {
    env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

/// The URL with any password replaced by `***`, for printing.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The TCP host and port of a `postgres://` or `postgresql://` URL (first host; port 5432 and
/// host `localhost` by default).
pub fn host_port(url: &str) -> Result<(String, u16), String> {
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .ok_or_else(|| {
            format!(
                "`{}` is not a PostgreSQL URL (postgresql://...)",
                redact(url)
            )
        })?;
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_port = hosts.split(',').next().unwrap_or_default();
    let (host, port) = if let Some(after) = host_port.strip_prefix('[') {
        let (host, rest) = after
            .split_once(']')
            .ok_or_else(|| format!("bad IPv6 host in `{}`", redact(url)))?;
        (host, rest.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        Some(p) if !p.is_empty() => p
            .parse::<u16>()
            .map_err(|_| format!("bad port `{p}` in `{}`", redact(url)))?,
        _ => 5432,
    };
    let host = if host.is_empty() { "localhost" } else { host };
    Ok((host.to_string(), port))
}

/// Whether a PostgreSQL server answers at `url`: a TCP connect, then `psql URL -c 'select 1'`
/// when `psql` is installed. The error says what failed.
pub fn check_reachable(url: &str) -> Result<(), String> {
    let (host, port) = host_port(url)?;
    let addrs: Vec<_> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    let connected = addrs
        .iter()
        .any(|addr| TcpStream::connect_timeout(addr, Duration::from_secs(3)).is_ok());
    if !connected {
        return Err(format!("nothing accepts TCP connections at {host}:{port}"));
    }
    if let Some(psql) = util::find_on_path("psql") {
        let output = Command::new(psql)
            .args(["-X", "-q", "-t", "-c", "select 1"])
            .arg(url)
            .env("PGCONNECT_TIMEOUT", "5")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("could not run psql: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "{host}:{port} accepts connections but `psql {} -c 'select 1'` fails: {}",
                redact(url),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    Ok(())
}

/// Paths of `initdb` and `pg_ctl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerBinaries {
    pub initdb: PathBuf,
    pub pg_ctl: PathBuf,
}

/// `initdb` and `pg_ctl` from `PATH`, else from the highest `/usr/lib/postgresql/*/bin`.
pub fn find_server_binaries() -> Option<ServerBinaries> {
    if let (Some(initdb), Some(pg_ctl)) =
        (util::find_on_path("initdb"), util::find_on_path("pg_ctl"))
    {
        return Some(ServerBinaries { initdb, pg_ctl });
    }
    let entries = fs::read_dir("/usr/lib/postgresql").ok()?;
    let mut versions: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = parse_version(&name)?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions.into_iter().rev().find_map(|(_, bin)| {
        let initdb = bin.join("initdb");
        let pg_ctl = bin.join("pg_ctl");
        (util::is_executable(&initdb) && util::is_executable(&pg_ctl))
            .then_some(ServerBinaries { initdb, pg_ctl })
    })
}

/// `"15"` -> `[15]`, `"9.6"` -> `[9, 6]`; anything else is not a version folder.
pub fn parse_version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

/// Whether this process runs as root (initdb and pg_ctl refuse to).
pub fn running_as_root() -> bool {
    if let Ok(status) = fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("Uid:"))
    {
        // Uid: real effective saved fs
        return line.split_whitespace().nth(2) == Some("0");
    }
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn user_exists(user: &str) -> bool {
    Command::new("id")
        .arg("-u")
        .arg(user)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `program` run as `user` through `runuser`, else through `su` (both need root).
fn as_user(user: &str, program: &Path, runuser: Option<&Path>) -> Command {
    match runuser {
        Some(runuser) => {
            let mut cmd = Command::new(runuser);
            cmd.args(["-u", user, "--"]).arg(program);
            cmd
        }
        None => {
            // `su -s /bin/sh -c 'exec program "$@"' USER -- sh ARGS...`: after `--`, su hands
            // ARGS to the shell untouched (they would be su's own options otherwise).
            let mut cmd = Command::new("su");
            cmd.args(["-s", "/bin/sh", "-c"])
                .arg(format!(
                    "exec {} \"$@\"",
                    util::shell_quote(&program.to_string_lossy())
                ))
                .args([user, "--", "sh"]);
            cmd
        }
    }
}

/// A PostgreSQL cluster in a fresh folder, on a free loopback port, with trust auth and
/// `fsync=off`; stopped on drop.
#[derive(Debug)]
pub struct Throwaway {
    binaries: ServerBinaries,
    base: PathBuf,
    data: PathBuf,
    log: PathBuf,
    /// The user initdb and pg_ctl run as when we are root.
    run_as: Option<String>,
    url: String,
    running: bool,
}

impl Throwaway {
    /// Starts a cluster with its data under `<root>/target/pg-throwaway/` (fresh each time).
    pub fn start(root: &Path) -> Result<Self, String> {
        Self::start_in(&root.join("target").join("pg-throwaway"))
    }

    /// Starts a cluster in `base` (emptied first), or in a temp folder if the cluster's user
    /// cannot use `base`.
    pub fn start_in(base: &Path) -> Result<Self, String> {
        let binaries = find_server_binaries().ok_or_else(|| {
            format!(
                "no PostgreSQL answers and no server binaries (initdb, pg_ctl) were found on PATH or in /usr/lib/postgresql/*/bin: {INSTALL_HINT}"
            )
        })?;
        let run_as = if running_as_root() {
            Some(if user_exists("postgres") {
                "postgres".to_string()
            } else {
                "nobody".to_string()
            })
        } else {
            None
        };
        println!(
            "    starting a throwaway cluster with {}{}",
            binaries.initdb.display(),
            run_as
                .as_deref()
                .map(|u| format!(" (as user `{u}`: initdb refuses root)"))
                .unwrap_or_default()
        );

        let mut cluster = Self {
            base: PathBuf::new(),
            data: PathBuf::new(),
            log: PathBuf::new(),
            binaries,
            run_as,
            url: String::new(),
            running: false,
        };
        let preferred = base.to_path_buf();
        let fallback = env::temp_dir().join(format!("galley-pg-throwaway-{}", std::process::id()));
        cluster.prepare_base(&preferred).or_else(|first| {
            println!("    ({first}; using {} instead)", fallback.display());
            cluster.prepare_base(&fallback)
        })?;

        let mut initdb = cluster.command(&cluster.binaries.initdb);
        initdb.arg("-D").arg(&cluster.data).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]);
        util::run_captured(&mut initdb, "initdb")?;

        let port = util::free_port()?;
        let settings = format!(
            "\n# Added by cargo xtask test: a throwaway cluster for the test suite.\n\
             listen_addresses = '127.0.0.1'\n\
             port = {port}\n\
             unix_socket_directories = '{}'\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             max_connections = 200\n",
            cluster.base.display()
        );
        let conf = cluster.data.join("postgresql.conf");
        fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut file| file.write_all(settings.as_bytes()))
            .map_err(|e| format!("could not write {}: {e}", conf.display()))?;

        let mut start = cluster.command(&cluster.binaries.pg_ctl);
        start
            .arg("-D")
            .arg(&cluster.data)
            .arg("-l")
            .arg(&cluster.log)
            .args(["-w", "-t", "60", "start"]);
        // From here on, drop stops the server even if start reports a failure.
        cluster.running = true;
        util::run_captured(&mut start, "pg_ctl start").map_err(|e| {
            format!(
                "{e}\n    server log ({}):\n{}",
                cluster.log.display(),
                util::indent(&util::tail_of_file(&cluster.log, 20), "    | ")
            )
        })?;
        cluster.url = format!("postgresql://postgres@127.0.0.1:{port}/postgres");
        check_reachable(&cluster.url)
            .map_err(|e| format!("the throwaway cluster started but does not answer: {e}"))?;
        println!(
            "    throwaway cluster up at {} (data in {})",
            cluster.url,
            cluster.data.display()
        );
        Ok(cluster)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A fresh, empty `base` the cluster's user can write to.
    fn prepare_base(&mut self, base: &Path) -> Result<(), String> {
        self.base = base.to_path_buf();
        self.data = base.join("data");
        self.log = base.join("server.log");
        // A previous run that was interrupted may have left its server running.
        if self.data.join("postmaster.pid").exists() {
            let mut stop = self.command(&self.binaries.pg_ctl);
            stop.arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "-w", "stop"]);
            let _ = util::run_captured(&mut stop, "pg_ctl stop (left over)");
        }
        if base.exists() {
            fs::remove_dir_all(base)
                .map_err(|e| format!("could not remove {}: {e}", base.display()))?;
        }
        fs::create_dir_all(base)
            .map_err(|e| format!("could not create {}: {e}", base.display()))?;
        // The server's unix socket path must fit in sockaddr_un (107 bytes).
        if base.join(".s.PGSQL.65535.lock").as_os_str().len() > 100 {
            return Err(format!(
                "{} is too long a path for a unix socket",
                base.display()
            ));
        }
        if let Some(user) = self.run_as.clone() {
            util::run_captured(
                Command::new("chown").arg("-R").arg(&user).arg(base),
                "chown",
            )?;
            let mut probe = self.command(Path::new("test"));
            probe.arg("-w").arg(base);
            util::run_captured(&mut probe, "the write check")
                .map_err(|_| format!("user `{user}` cannot write to {}", base.display()))?;
        }
        Ok(())
    }

    /// `program`, run as the cluster's user when we are root.
    fn command(&self, program: &Path) -> Command {
        match &self.run_as {
            None => Command::new(program),
            Some(user) => as_user(user, program, util::find_on_path("runuser").as_deref()),
        }
    }

    /// Stops the server (fast shutdown); idempotent.
    pub fn stop(&mut self) -> Result<(), String> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        let mut stop = self.command(&self.binaries.pg_ctl);
        stop.arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "-t", "60", "stop"]);
        util::run_captured(&mut stop, "pg_ctl stop")?;
        println!("    throwaway cluster stopped");
        Ok(())
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            eprintln!("warning: could not stop the throwaway PostgreSQL cluster: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_come_from_the_url() -> Result<(), String> {
        assert_eq!(host_port(DEFAULT_URL)?, ("127.0.0.1".to_string(), 5432));
        assert_eq!(
            host_port("postgres://u:p@db.example:6543/x?sslmode=disable")?,
            ("db.example".to_string(), 6543)
        );
        assert_eq!(
            host_port("postgresql://[::1]:5433/x")?,
            ("::1".to_string(), 5433)
        );
        assert_eq!(
            host_port("postgresql:///x")?,
            ("localhost".to_string(), 5432)
        );
        assert_eq!(
            host_port("postgresql://h1:1,h2:2/x")?,
            ("h1".to_string(), 1)
        );
        assert!(host_port("sqlite://x.db").is_err());
        assert!(host_port("postgresql://h:notaport/x").is_err());
        Ok(())
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgresql://app:s3cret@db:5432/galley"),
            "postgresql://app:***@db:5432/galley"
        );
        assert_eq!(redact(DEFAULT_URL), DEFAULT_URL);
        assert_eq!(redact("not a url"), "not a url");
    }

    #[test]
    fn versions_sort_numerically() {
        assert_eq!(parse_version("15"), Some(vec![15]));
        assert_eq!(parse_version("9.6"), Some(vec![9, 6]));
        assert_eq!(parse_version("main"), None);
        assert!(parse_version("10") > parse_version("9.6"));
    }

    #[test]
    fn a_throwaway_cluster_starts_answers_and_stops() -> Result<(), String> {
        if find_server_binaries().is_none() {
            eprintln!("no initdb/pg_ctl installed; nothing to test here");
            return Ok(());
        }
        let temp = util::TempDir::new("xtask-pg-throwaway-test")?;
        let base = temp.path().join("pg");
        let mut cluster = Throwaway::start_in(&base)?;
        let url = cluster.url().to_string();
        check_reachable(&url)?;
        cluster.stop()?;
        let err = check_reachable(&url).err().unwrap_or_default();
        assert!(err.contains("nothing accepts TCP connections"), "{err}");
        Ok(())
    }

    #[test]
    fn commands_run_as_another_user_keep_their_arguments() -> Result<(), String> {
        if !running_as_root() || !user_exists("nobody") {
            eprintln!("not root, or no user `nobody`: nothing to test here");
            return Ok(());
        }
        let id = util::find_on_path("id").ok_or("no `id` on PATH")?;
        let mut ways = vec![None];
        if let Some(runuser) = util::find_on_path("runuser") {
            ways.push(Some(runuser));
        }
        for runuser in ways {
            let mut cmd = as_user("nobody", &id, runuser.as_deref());
            cmd.args(["-u", "-n"]);
            let out = util::run_captured(&mut cmd, "id -u -n")?;
            assert_eq!(out.trim(), "nobody", "{}", util::display_command(&cmd));
        }
        Ok(())
    }

    #[test]
    fn a_closed_port_is_unreachable() -> Result<(), String> {
        let port = util::free_port()?;
        let err = check_reachable(&format!("postgresql://postgres@127.0.0.1:{port}/postgres"))
            .err()
            .unwrap_or_default();
        assert!(err.contains("nothing accepts TCP connections"), "{err}");
        Ok(())
    }
}
