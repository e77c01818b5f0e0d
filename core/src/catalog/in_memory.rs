//! Loading a catalog from file texts held in memory, as if they were the files of a directory:
//! the same reading rules as `read_dir` (kind directories, `.yml` only, file-name order), then
//! the one loader. For fuzzing, tests and callers whose catalog does not live on disk.

use std::collections::BTreeSet;
use std::path::Path;

use super::kind::RecordKind;
use super::load::load_files;
use super::overrides::Overrides;
use super::source::{sort_in_load_order, wrong_extension, SourceFile};
use super::store::{Catalog, CatalogSource};
use crate::error::{Error, Problem, ProblemKind};

impl Catalog {
    /// Loads `files` (`("<kind dir>/<name>.yml", text)`, paths relative to `root`) exactly as
    /// [`Catalog::load_dir`] would load a directory `root` holding those files, without touching
    /// the disk: problems name `<root>/<kind dir>/<name>.yml`, the source is
    /// `CatalogSource::Directory(root)`. A path that is not `<kind dir>/<file>` is a problem,
    /// a `.yaml` file is a problem (as on disk), other file names and hidden files are ignored
    /// (as on disk), and a path given twice is a problem.
    pub fn load_texts<P: AsRef<str>, T: AsRef<str>>(
        root: impl AsRef<Path>,
        files: impl IntoIterator<Item = (P, T)>,
    ) -> Result<Catalog, Error> {
        let root = root.as_ref();
        let mut seen = BTreeSet::new();
        let mut sources = Vec::new();
        let mut problems = Vec::new();
        for (path, text) in files {
            let path = path.as_ref();
            // Never `root.join(path)` before the path is checked: an absolute path would
            // replace the root in what problems report.
            let display = format!("{}/{path}", root.display());
            let Some((dir, name)) = path.split_once('/') else {
                problems.push(bad_path(display, "is not <kind directory>/<file name>"));
                continue;
            };
            let Some(kind) = RecordKind::from_dir(dir) else {
                problems.push(bad_path(display, "is not under a catalog kind directory"));
                continue;
            };
            if name.is_empty() || name.contains('/') {
                problems.push(bad_path(
                    display,
                    "is not a file directly in its kind directory",
                ));
                continue;
            }
            if !seen.insert((dir.to_owned(), name.to_owned())) {
                problems.push(
                    Problem::new(ProblemKind::DuplicateName, "the same file is given twice")
                        .in_file(display),
                );
                continue;
            }
            if name.starts_with('.') {
                continue;
            }
            if name.ends_with(".yaml") {
                problems.push(wrong_extension(display));
                continue;
            }
            if !name.ends_with(".yml") {
                continue;
            }
            sources.push(SourceFile {
                kind,
                file_name: name.to_owned(),
                display: root.join(dir).join(name).display().to_string(),
                text: text.as_ref().to_owned(),
            });
        }
        sort_in_load_order(&mut sources);
        load_files(
            &sources,
            problems,
            &Overrides::new(),
            CatalogSource::Directory(root.to_path_buf()),
        )
    }
}

fn bad_path(display: String, what: &str) -> Problem {
    Problem::new(
        ProblemKind::InvalidValue,
        format!("catalog file path {what}"),
    )
    .in_file(display)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const BASE: &[(&str, &str)] = &[
        ("add_ons/duo_pro.yml", "name: duo_pro\ndescription: Duo Pro.\n"),
        (
            "backend_services/ai_gateway.yml",
            "name: ai_gateway\ndescription: AI gateway.\njwt_aud: gitlab-ai-gateway\n",
        ),
        (
            "unit_primitives/duo_chat.yml",
            "name: duo_chat\ndescription: Chat.\ngroup: group::duo chat\nfeature_category: duo_chat\n\
             backend_services: [ai_gateway]\nadd_ons: [duo_pro]\nlicense_types: []\n",
        ),
    ];

    #[test]
    fn loads_like_a_directory() {
        let c = Catalog::load_texts("mem", BASE.iter().rev().copied()).unwrap();
        assert_eq!(c.unit_primitives()[0].name, "duo_chat");
        assert_eq!(c.add_ons_of(&c.unit_primitives()[0])[0].name, "duo_pro");
        assert_eq!(c.source(), &CatalogSource::Directory("mem".into()));

        let dir = std::env::temp_dir().join(format!("cc-in-memory-{}", std::process::id()));
        for (rel, text) in BASE {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let on_disk = Catalog::load_dir(&dir).unwrap();
        let in_memory = Catalog::load_texts(&dir, BASE.iter().copied()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(on_disk.load_all(), in_memory.load_all());
    }

    #[test]
    fn bad_paths_and_texts_are_problems_with_their_file() {
        let mut files: Vec<(&str, &str)> = BASE.to_vec();
        files.push(("nowhere/x.yml", "name: x\n"));
        files.push(("x.yml", "name: x\n"));
        files.push(("/etc/x.yml", "name: x\n"));
        files.push(("add_ons/a/b.yml", "name: b\n"));
        files.push((
            "add_ons/duo_pro.yml",
            "name: duo_pro\ndescription: again.\n",
        ));
        files.push(("add_ons/extra.yaml", "name: extra\n"));
        files.push(("add_ons/README.md", "ignored"));
        files.push(("add_ons/.hidden.yml", "ignored"));
        files.push(("license_types/premium.yml", "name: [unclosed\n"));
        let e = Catalog::load_texts("mem", files).unwrap_err();
        assert_eq!(e.code(), ErrorCode::CatalogInvalid);
        let at: Vec<(ProblemKind, &str)> = e
            .problems()
            .iter()
            .map(|p| (p.kind, p.file.as_deref().unwrap()))
            .collect();
        assert_eq!(
            at,
            [
                (ProblemKind::InvalidValue, "mem/nowhere/x.yml"),
                (ProblemKind::InvalidValue, "mem/x.yml"),
                (ProblemKind::InvalidValue, "mem//etc/x.yml"),
                (ProblemKind::InvalidValue, "mem/add_ons/a/b.yml"),
                (ProblemKind::DuplicateName, "mem/add_ons/duo_pro.yml"),
                (ProblemKind::WrongExtension, "mem/add_ons/extra.yaml"),
                (ProblemKind::YamlSyntax, "mem/license_types/premium.yml"),
            ],
            "{e}"
        );
    }
}
