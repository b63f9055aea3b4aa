//! The release server under test: started on a free loopback port, timed to its first
//! `/health` answer, measured for peak memory, and stopped with SIGTERM.

use std::fs::{self, File};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{http, util};

/// Requests a minute per address and writes a minute per user, far above what wrk sends, so
/// the benchmark measures the work and not the limiter.
const UNLIMITED: &str = "100000000";

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// From spawning the process to its first `200` on `/health`.
    pub cold_start: Duration,
}

impl Server {
    pub fn start(
        binary: &Path,
        database_url: &str,
        secret: &str,
        log: &Path,
        extra_env: &[(&str, &str)],
    ) -> Result<Server, String> {
        let port = util::free_port()?;
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let log_file =
            File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err_file = log_file
            .try_clone()
            .map_err(|e| format!("cannot share {}: {e}", log.display()))?;
        let started = Instant::now();
        let child = Command::new(binary)
            .arg("serve")
            .env("GALLEY_ENV", "production")
            .env("SECRET_KEY", secret)
            .env("DATABASE_URL", database_url)
            .env("GALLEY_BIND", addr.to_string())
            .env("GALLEY_REQUESTS_PER_MINUTE", UNLIMITED)
            .env("GALLEY_WRITES_PER_MINUTE", UNLIMITED)
            .envs(extra_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let mut server = Server {
            child,
            addr,
            cold_start: Duration::ZERO,
        };
        let deadline = started + Duration::from_secs(30);
        loop {
            if http::get(addr, "/health", Duration::from_secs(1))
                .is_ok_and(|response| response.status == 200)
            {
                server.cold_start = started.elapsed();
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "the server exited ({}) before answering /health:\n{}",
                    util::describe_status(status),
                    util::tail_of_file(log, 20)
                ));
            }
            if Instant::now() > deadline {
                server.stop();
                return Err(format!(
                    "no /health answer within 30 s:\n{}",
                    util::tail_of_file(log, 20)
                ));
            }
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// The most resident memory the process has had (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Ready answers served and built so far (`galley_answer_cache_requests_total`), from
    /// `/metrics`: (hits, misses).
    pub fn answer_cache_counts(&self) -> Option<(u64, u64)> {
        let response = http::get(self.addr, "/metrics", Duration::from_secs(5)).ok()?;
        Some(cache_counts(&response.body_text()))
    }

    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Hits and misses of the ready answers in a Prometheus exposition (0 when not yet counted).
fn cache_counts(exposition: &str) -> (u64, u64) {
    let count = |outcome: &str| {
        let series = format!("galley_answer_cache_requests_total{{outcome=\"{outcome}\"}}");
        exposition
            .lines()
            .find_map(|line| line.strip_prefix(&series))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .map_or(0, |value| value as u64)
    };
    (count("hit"), count("miss"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_answer_cache_counters() {
        let text = "# HELP galley_answer_cache_requests_total Ready answers asked for.\n\
                    # TYPE galley_answer_cache_requests_total counter\n\
                    galley_answer_cache_requests_total{outcome=\"hit\"} 1520\n\
                    galley_answer_cache_requests_total{outcome=\"miss\"} 80\n";
        assert_eq!(super::cache_counts(text), (1520, 80));
        assert_eq!(super::cache_counts("galley_up 1\n"), (0, 0));
    }
}
