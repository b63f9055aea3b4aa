//! Running wrk and reading its summary.

use std::net::SocketAddr;
use std::process::Command;

use super::scenarios::{Scenario, THREADS};
use crate::util;

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunResult {
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// Answers that were not 2xx or 3xx (wrk counts them; a healthy run has none).
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors.
    pub socket_errors: u64,
    /// Share of the run's ready-answer lookups that were served from memory, for the reads
    /// that have ready answers.
    pub cache_hit_ratio: Option<f64>,
}

pub fn run(
    addr: SocketAddr,
    scenario: &Scenario,
    connections: usize,
    duration_secs: u32,
    run_number: usize,
) -> Result<RunResult, String> {
    let threads = THREADS.min(connections);
    let mut cmd = Command::new("wrk");
    cmd.arg(format!("-t{threads}"))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{duration_secs}s"))
        .arg("--timeout")
        .arg("10s")
        .arg("--latency")
        .arg("-s")
        .arg(&scenario.script)
        .arg(format!("http://{addr}"))
        .arg("--")
        .arg(run_number.to_string());
    let output = util::run_captured(&mut cmd, "wrk")?;
    parse(&output).ok_or_else(|| format!("could not read wrk's summary:\n{output}"))
}

/// Reads wrk's `--latency` summary.
pub fn parse(output: &str) -> Option<RunResult> {
    let mut result = RunResult {
        requests_per_sec: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
        requests: 0,
        non_2xx: 0,
        socket_errors: 0,
        cache_hit_ratio: None,
    };
    let mut saw_rate = false;
    for line in output.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => result.p50_ms = duration_ms(value)?,
            ["99%", value] => result.p99_ms = duration_ms(value)?,
            ["Requests/sec:", value] => {
                result.requests_per_sec = value.parse().ok()?;
                saw_rate = true;
            }
            [count, "requests", "in", ..] => result.requests = count.parse().ok()?,
            ["Non-2xx", "or", "3xx", "responses:", count] => result.non_2xx = count.parse().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                result.socket_errors = rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum();
            }
            _ => {}
        }
    }
    saw_rate.then_some(result)
}

/// `812.00us`, `1.23ms`, `2.01s` as milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    match unit {
        "us" => Some(value / 1000.0),
        "ms" => Some(value),
        "s" => Some(value * 1000.0),
        "m" => Some(value * 60_000.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 10s test @ http://127.0.0.1:41234
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.12ms    1.03ms  21.77ms   80.11%
    Req/Sec     7.80k   412.33     8.60k    72.00%
  Latency Distribution
     50%    3.98ms
     75%    4.51ms
     90%    5.20ms
     99%  812.00us
  155342 requests in 10.01s, 40.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 17
Requests/sec:  15519.18
Transfer/sec:      4.01MB
";

    #[test]
    fn reads_the_summary() {
        let result = parse(SAMPLE).unwrap();
        assert_eq!(result.requests, 155_342);
        assert!((result.requests_per_sec - 15_519.18).abs() < 1e-9);
        assert!((result.p50_ms - 3.98).abs() < 1e-9);
        assert!((result.p99_ms - 0.812).abs() < 1e-9);
        assert_eq!(result.non_2xx, 17);
        assert_eq!(result.socket_errors, 3);
        assert_eq!(duration_ms("2.50s"), Some(2500.0));
        assert!(parse("wrk: connection refused").is_none());
    }
}
