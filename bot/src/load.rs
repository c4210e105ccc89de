//! Playbooks, scenarios and message catalogs read from disk: the file
//! system side of what `tocsin-core` parses from text.

use std::path::{Path, PathBuf};

use tocsin_core::lang::catalog::{CatalogFile, Messages};
use tocsin_core::playbook::scenario::{self, Scenario};
use tocsin_core::playbook::yaml::Diagnostic;
use tocsin_core::playbook::{self, Catalog, Playbook};

/// The result of loading several files: the playbooks that parsed, and every diagnostic.
#[derive(Debug, Default)]
pub struct Loaded {
    pub playbooks: Vec<Playbook>,
    pub scenarios: Vec<Scenario>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files that were read.
    pub files: Vec<PathBuf>,
}

/// Loads the playbooks and scenarios in `paths`: files, or directories whose
/// `*.yaml`/`*.yml` files are read, with those of their `scenarios/` folder.
/// A file with a top-level `injects:` is a scenario; scenarios are checked
/// against the playbooks loaded with them, and their attachments read.
pub fn paths(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    for path in paths {
        if path.is_dir() {
            match yaml_files(path) {
                Ok(files) => loaded.files.extend(files),
                Err(err) => loaded.diagnostics.push(io_diag(path, &err)),
            }
            let scenarios = path.join("scenarios");
            if scenarios.is_dir() {
                match yaml_files(&scenarios) {
                    Ok(files) => loaded.files.extend(files),
                    Err(err) => loaded.diagnostics.push(io_diag(&scenarios, &err)),
                }
            }
        } else {
            loaded.files.push(path.clone());
        }
    }
    let mut sources = Vec::new();
    for file in &loaded.files {
        let origin = file.display().to_string();
        match std::fs::read(file) {
            Err(err) => loaded.diagnostics.push(io_diag(file, &err)),
            Ok(bytes) => match playbook::decode_utf8(&origin, bytes) {
                Ok(src) => sources.push((origin, src)),
                Err(diag) => loaded.diagnostics.push(diag),
            },
        }
    }
    let parsed = playbook::parse_sources(sources);
    loaded.playbooks = parsed.playbooks;
    loaded.diagnostics.extend(parsed.diagnostics);
    for (origin, mut sc) in parsed.scenarios {
        let problems = attachments(&mut sc, Path::new(&origin));
        if problems.is_empty() {
            loaded.scenarios.push(sc);
        } else {
            loaded.diagnostics.extend(problems);
        }
    }
    loaded
}

/// Loads every playbook of a directory into a catalog, or returns all diagnostics.
pub fn dir(dir: &Path) -> Result<Catalog, Vec<Diagnostic>> {
    let loaded = paths(&[dir.to_path_buf()]);
    if !loaded.diagnostics.is_empty() {
        return Err(loaded.diagnostics);
    }
    Catalog::from_playbooks(loaded.playbooks)?.with_scenarios(loaded.scenarios)
}

/// Reads every inject's attachments, from the folder of the scenario's file:
/// each must be a readable file of at most [`scenario::MAX_ATTACHMENT_BYTES`].
/// Records where each is, its size, type and SHA-256.
pub fn attachments(sc: &mut Scenario, file: &Path) -> Vec<Diagnostic> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let origin = file.display().to_string();
    let mut problems = Vec::new();
    for (i, inject) in sc.injects.iter_mut().enumerate() {
        for (a, attachment) in inject.attachments.iter_mut().enumerate() {
            let path = dir.join(&attachment.file);
            let problem = |message: String| Diagnostic {
                origin: origin.clone(),
                line: attachment.at.line,
                column: attachment.at.column,
                path: format!("injects[{i}].attachments[{a}]"),
                message,
            };
            let size = match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => meta.len(),
                Ok(_) => {
                    problems.push(problem(format!(
                        "attachment `{}` is not a file ({})",
                        attachment.file,
                        path.display()
                    )));
                    continue;
                }
                Err(err) => {
                    problems.push(problem(format!(
                        "attachment `{}` cannot be read ({}): {err}",
                        attachment.file,
                        path.display()
                    )));
                    continue;
                }
            };
            if size > scenario::MAX_ATTACHMENT_BYTES {
                problems.push(problem(format!(
                    "attachment `{}` is {} MiB; at most {} MiB",
                    attachment.file,
                    size.div_ceil(1024 * 1024),
                    scenario::MAX_ATTACHMENT_BYTES / 1024 / 1024
                )));
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => {
                    attachment.resolved = Some(scenario::ResolvedFile {
                        sha256: tocsin_core::digest::sha256_hex(&bytes),
                        size: bytes.len() as u64,
                        mime: scenario::attachment_mime(&attachment.file),
                        path: std::path::absolute(&path).unwrap_or(path),
                    });
                }
                Err(err) => problems.push(problem(format!(
                    "attachment `{}` cannot be read ({}): {err}",
                    attachment.file,
                    path.display()
                ))),
            }
        }
    }
    problems
}

/// The built-in message catalogs, each message replaced by `<dir>/<lang>.ftl`
/// when a directory is given, and the languages it adds. Reports every
/// problem at once.
pub fn messages(dir: Option<&Path>) -> Result<Messages, Vec<String>> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if let Some(dir) = dir {
        match std::fs::read_dir(dir) {
            Err(e) => problems.push(format!("{}: cannot read: {e}", dir.display())),
            Ok(entries) => {
                let mut paths: Vec<_> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
                    .collect();
                paths.sort();
                for path in paths {
                    let code = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    match std::fs::read_to_string(&path) {
                        Ok(text) => files.push(CatalogFile {
                            origin: path.display().to_string(),
                            code,
                            text,
                        }),
                        Err(e) => problems.push(format!("{}: cannot read: {e}", path.display())),
                    }
                }
            }
        }
    }
    match Messages::from_files(files) {
        Ok(messages) if problems.is_empty() => Ok(messages),
        Ok(_) => Err(problems),
        Err(mut found) => {
            problems.append(&mut found);
            Err(problems)
        }
    }
}

fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml");
        if path.is_file() && is_yaml {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn io_diag(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic {
        origin: path.display().to_string(),
        line: 0,
        column: 0,
        path: String::new(),
        message: format!("cannot read: {err}"),
    }
}

#[cfg(test)]
mod tests;
