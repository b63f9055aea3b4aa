//! The Kubernetes manifests in deploy/k8s against the Kubernetes JSON schemas.
//!
//! kubeconform is not packaged in Debian 12, so the validator is kubernetes-validate from
//! PyPI, which ships the schemas inside the package (nothing is fetched when it runs). It is
//! pinned and installed into a venv under the target dir, as schemathesis is.
//!
//! Proves: every document is a known kind of the pinned Kubernetes version, with only known
//! fields (`--strict`) of the right types and the required ones present. Does not prove: that
//! a cluster admits it (admission policies, quotas, the image existing), that the probes
//! pass, or that the Secret's placeholders were replaced.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{dist, tools, util};

pub const MANIFESTS: &str = "deploy/k8s";

/// A newer validator may carry stricter schemas: a change to make on purpose.
const VERSION: &str = "1.37.0";

/// The Kubernetes version whose schemas the manifests must satisfy.
const KUBERNETES: &str = "1.37.0";

pub fn check(root: &Path) -> Result<(), String> {
    let files = manifests(&root.join(MANIFESTS))?;
    let read = |name: &str| {
        let path = root.join(MANIFESTS).join(name);
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    consistent(&read("deployment.yaml")?, &read("configmap.yaml")?)?;
    let validator = tools::pip_tool(
        &dist::target_dir(root).join("deploy-check"),
        "kubernetes-validate",
        VERSION,
    )?;
    let mut validate = Command::new(&validator);
    validate.args(["--strict", "--kubernetes-version", KUBERNETES]);
    validate.args(&files);
    let out = util::run_captured(&mut validate, "kubernetes-validate")?;
    // It reports a field it cannot check as a warning and still exits 0; none is expected.
    if out.to_ascii_lowercase().contains("warn") {
        return Err(format!(
            "kubernetes-validate warned:\n{}",
            util::indent(out.trim_end(), "    | ")
        ));
    }
    println!("{}", util::indent(out.trim_end(), "    | "));
    Ok(())
}

/// What the schema cannot see: the probes on Galley's endpoints, and a grace period that
/// outlasts the preStop pause plus Galley's own shutdown timeout (else in-flight requests
/// are cut by SIGKILL).
pub fn consistent(deployment: &str, configmap: &str) -> Result<(), String> {
    let number = |text: &str, key: &str| -> Result<u64, String> {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(key))
            .map(|v| v.trim().trim_matches('"'))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("`{key}` with a number not found in {MANIFESTS}"))
    };
    let grace = number(deployment, "terminationGracePeriodSeconds:")?;
    let pause = number(deployment, "seconds:")?;
    let shutdown = number(configmap, "GALLEY_SHUTDOWN_TIMEOUT_SECS:")?;
    if grace <= pause + shutdown {
        return Err(format!(
            "deployment.yaml: terminationGracePeriodSeconds {grace} must exceed the preStop \
             pause {pause} plus GALLEY_SHUTDOWN_TIMEOUT_SECS {shutdown}"
        ));
    }
    for (probe, path) in [("readinessProbe:", "/ready"), ("livenessProbe:", "/health")] {
        let after = deployment
            .split_once(probe)
            .map(|(_, rest)| rest)
            .ok_or_else(|| format!("deployment.yaml: no {probe}"))?;
        let first_path = after.lines().find_map(|l| l.trim().strip_prefix("path:"));
        if first_path.map(str::trim) != Some(path) {
            return Err(format!("deployment.yaml: {probe} must get {path}"));
        }
    }
    Ok(())
}

fn manifests(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let files = util::sorted_entries(dir, |path| {
        path.extension().is_some_and(|e| e == "yaml" || e == "yml")
    })?;
    if files.is_empty() {
        return Err(format!("no manifests in {}", dir.display()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "terminationGracePeriodSeconds: 40\nreadinessProbe:\n  httpGet:\n    \
        path: /ready\nlivenessProbe:\n  httpGet:\n    path: /health\npreStop:\n  sleep:\n    seconds: 5\n";

    #[test]
    fn grace_period_and_probes_are_checked() {
        assert_eq!(
            consistent(DEPLOYMENT, "GALLEY_SHUTDOWN_TIMEOUT_SECS: \"30\""),
            Ok(())
        );
        assert!(consistent(DEPLOYMENT, "GALLEY_SHUTDOWN_TIMEOUT_SECS: \"35\"").is_err());
        let swapped = DEPLOYMENT.replace("/ready", "/health2");
        assert!(consistent(&swapped, "GALLEY_SHUTDOWN_TIMEOUT_SECS: \"30\"").is_err());
    }

    #[test]
    fn the_shipped_manifests_are_consistent() -> Result<(), String> {
        let dir = crate::workspace_root().join(MANIFESTS);
        let read = |n: &str| fs::read_to_string(dir.join(n)).map_err(|e| e.to_string());
        consistent(&read("deployment.yaml")?, &read("configmap.yaml")?)
    }
}
