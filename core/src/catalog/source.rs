//! Where catalog files come from: a directory on disk, or the files embedded at build time.
//! Both end up as the same list of `SourceFile`s in load order, so they go through one loader.

use std::fs;
use std::path::Path;

use super::kind::RecordKind;
use crate::error::{Error, ErrorCode, Problem, ProblemKind};

/// One record file, read but not parsed.
#[derive(Clone, Debug)]
pub(crate) struct SourceFile {
    pub kind: RecordKind,
    /// `duo_chat.yml`
    pub file_name: String,
    /// The path shown in problems (`config/unit_primitives/duo_chat.yml`).
    pub display: String,
    pub text: String,
}

impl SourceFile {
    /// The file name without `.yml`: the record name the file must hold.
    pub(crate) fn stem(&self) -> &str {
        self.file_name
            .strip_suffix(".yml")
            .unwrap_or(&self.file_name)
    }
}

/// Reads `<root>/<kind>/*.yml` for every kind, each kind's files in file-name (byte) order, as
/// the gem's sorted glob does. A missing kind directory is an empty kind, as in the gem; a
/// missing root is `catalog_not_found`. Unreadable files and `.yaml` files (which the gem would
/// silently skip) are problems, reported with the rest by the loader.
pub(crate) fn read_dir(root: &Path) -> Result<(Vec<SourceFile>, Vec<Problem>), Error> {
    if !root.is_dir() {
        let what = if root.exists() {
            "is not a directory"
        } else {
            "does not exist"
        };
        return Err(Error::new(
            ErrorCode::CatalogNotFound,
            format!("catalog directory {} {what}", root.display()),
        ));
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for kind in RecordKind::ALL {
        let dir = root.join(kind.dir());
        if !dir.exists() {
            continue;
        }
        let display_dir = dir.display().to_string();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push(
                    Problem::new(ProblemKind::Io, format!("cannot read directory: {e}"))
                        .in_file(display_dir),
                );
                continue;
            }
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push(
                        Problem::new(ProblemKind::Io, format!("cannot list directory: {e}"))
                            .in_file(&display_dir),
                    );
                    continue;
                }
            };
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                problems.push(
                    Problem::new(ProblemKind::Io, "file name is not valid UTF-8")
                        .in_file(path.display().to_string()),
                );
                continue;
            };
            if path.is_dir() || name.starts_with('.') {
                continue;
            }
            if name.ends_with(".yaml") {
                problems.push(wrong_extension(path.display().to_string()));
                continue;
            }
            if name.ends_with(".yml") {
                names.push(name);
            }
        }
        names.sort();
        for name in names {
            let path = dir.join(&name);
            let display = path.display().to_string();
            match fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => files.push(SourceFile {
                        kind,
                        file_name: name,
                        display,
                        text,
                    }),
                    Err(_) => problems.push(
                        Problem::new(ProblemKind::Io, "file is not valid UTF-8").in_file(display),
                    ),
                },
                Err(e) => problems.push(
                    Problem::new(ProblemKind::Io, format!("cannot read file: {e}"))
                        .in_file(display),
                ),
            }
        }
    }
    Ok((files, problems))
}

/// The embedded files, `(kind dir, file name, contents)` as the build script lists them.
pub(crate) fn from_embedded(list: &[(&str, &str, &str)]) -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = list
        .iter()
        .filter_map(|(dir, name, text)| {
            Some(SourceFile {
                kind: RecordKind::from_dir(dir)?,
                file_name: (*name).to_owned(),
                display: format!("config/{dir}/{name}"),
                text: (*text).to_owned(),
            })
        })
        .collect();
    sort_in_load_order(&mut files);
    files
}

/// Sorts files as a directory is read: kinds in load order, each kind's files in file-name
/// (byte) order.
pub(crate) fn sort_in_load_order(files: &mut [SourceFile]) {
    let rank = |k: RecordKind| RecordKind::ALL.iter().position(|x| *x == k);
    files.sort_by(|a, b| (rank(a.kind), &a.file_name).cmp(&(rank(b.kind), &b.file_name)));
}

/// A `.yaml` file: the gem's `*.yml` glob would skip it silently, so it is a problem here.
pub(crate) fn wrong_extension(file: String) -> Problem {
    Problem::new(
        ProblemKind::WrongExtension,
        "catalog files must end in .yml; this file would be ignored",
    )
    .in_file(file)
}
