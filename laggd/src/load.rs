//! Reading the configuration file: the whole file is parsed and checked
//! before anything uses it, so a bad file changes nothing.

use mpath_core::laggd::config::{self, LaggdConfig};

/// The configuration in `path` and its warnings, or every problem as
/// `file:line: ...`.
pub fn load(path: &str) -> Result<(LaggdConfig, Vec<String>), Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("{path}: {e}")])?;
    match config::parse(path, &text) {
        Ok(p) => Ok((
            p.config,
            p.warnings.iter().map(ToString::to_string).collect(),
        )),
        Err(diags) => Err(diags.iter().map(ToString::to_string).collect()),
    }
}
