//! Bad catalog input: every case gives `catalog_invalid` (or `catalog_not_found`) naming the file,
//! the record and the field, and never a partial catalog.

mod support;

use cloud_connector::{Catalog, ErrorCode, ProblemKind};
use support::*;

const UP: &str = "unit_primitives/duo_chat.yml";

fn up_with(body: &str) -> tempfile::TempDir {
    base_with(&[(UP, body)])
}

fn up_text(replace: &str, with: &str) -> String {
    let base = BASE.iter().find(|(p, _)| *p == UP).expect("base up").1;
    assert!(base.contains(replace), "{replace} not in base");
    base.replace(replace, with)
}

#[test]
fn the_base_catalog_used_by_these_tests_is_valid() {
    let dir = write_catalog(BASE);
    let catalog = Catalog::load_dir(dir.path()).expect("base catalog loads");
    assert_eq!(catalog.unit_primitives().len(), 1);
}

#[test]
fn malformed_yaml_names_the_file() {
    let dir = up_with("name: duo_chat\ndescription: [unclosed\n");
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(&problems, ProblemKind::YamlSyntax, UP, None, None);
    assert!(p.message.contains("invalid YAML"), "{p}");
    // The broken record's references are not reported as a cascade of unrelated problems.
    assert_eq!(problems.len(), 2, "{problems:#?}"); // + the service's dangling reference to it
    expect_problem(
        &problems,
        ProblemKind::DanglingReference,
        "services/chat.yml",
        Some("chat"),
        Some("unit_primitives"),
    );
}

#[test]
fn an_empty_file_is_its_own_problem() {
    for body in ["", "---\n", "# only a comment\n"] {
        let dir = up_with(body);
        let problems = problems_of(Catalog::load_dir(dir.path()));
        expect_problem(&problems, ProblemKind::EmptyFile, UP, None, None);
    }
}

#[test]
fn a_file_that_is_not_a_mapping() {
    let dir = up_with("- name: duo_chat\n");
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(&problems, ProblemKind::NotAMapping, UP, None, None);
    assert!(p.message.contains("a list"), "{p}");
}

#[test]
fn an_unquoted_version_is_a_float_and_an_error_not_a_version() {
    let dir = up_with(&up_text(
        "min_gitlab_version: '16.9'",
        "min_gitlab_version: 16.10",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(
        &problems,
        ProblemKind::WrongType,
        UP,
        Some("duo_chat"),
        Some("min_gitlab_version"),
    );
    assert!(
        p.message.contains("16.1") && p.message.contains("quoted"),
        "{p}"
    );
}

#[test]
fn a_version_that_is_not_major_minor() {
    let dir = up_with(&up_text(
        "min_gitlab_version: '16.9'",
        "min_gitlab_version: '16.9.1'",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::InvalidValue,
        UP,
        Some("duo_chat"),
        Some("min_gitlab_version"),
    );
}

#[test]
fn cut_off_dates_must_be_rfc3339_timestamps() {
    for bad in [
        "2024-10-17",
        "2024-10-17 00:00:00 UTC",
        "2024-13-01T00:00:00+00:00",
        "2024-10-17T00:00:00",
        "yesterday",
    ] {
        let dir = up_with(&up_text("2024-10-17T00:00:00+00:00", bad));
        let problems = problems_of(Catalog::load_dir(dir.path()));
        let p = expect_problem(
            &problems,
            ProblemKind::InvalidValue,
            UP,
            Some("duo_chat"),
            Some("cut_off_date"),
        );
        assert!(p.message.contains("RFC 3339"), "{bad}: {p}");
    }
    let dir = up_with(&up_text("2024-10-17T00:00:00+00:00", "20241017"));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::WrongType,
        UP,
        Some("duo_chat"),
        Some("cut_off_date"),
    );
}

#[test]
fn quoted_and_zulu_timestamps_are_accepted() {
    for good in [
        "'2024-10-17T00:00:00+00:00'",
        "2024-10-17T00:00:00Z",
        "2024-10-17T02:00:00.5+02:00",
    ] {
        let dir = up_with(&up_text("2024-10-17T00:00:00+00:00", good));
        let catalog = Catalog::load_dir(dir.path()).unwrap_or_else(|e| panic!("{good}: {e}"));
        let cut_off = catalog
            .unit_primitive("duo_chat")
            .and_then(|u| u.cut_off_date)
            .expect("cut-off");
        assert_eq!(cut_off.timestamp(), 1_729_123_200, "{good}");
    }
}

#[test]
fn wrong_types_name_the_field() {
    let cases = [
        ("add_ons: [duo_pro]", "add_ons: duo_pro", "add_ons"),
        ("description: Chat.", "description: 42", "description"),
        ("description: Chat.", "description: true", "description"),
        ("description: Chat.", "description: null", "description"),
        (
            "description: Chat.",
            "description:\n  text: Chat",
            "description",
        ),
        ("add_ons: [duo_pro]", "add_ons: [42]", "add_ons"),
    ];
    for (from, to, field) in cases {
        let dir = up_with(&up_text(from, to));
        let problems = problems_of(Catalog::load_dir(dir.path()));
        expect_problem(
            &problems,
            ProblemKind::WrongType,
            UP,
            Some("duo_chat"),
            Some(field),
        );
    }
}

#[test]
fn names_must_be_snake_case() {
    let dir = base_with(&[("add_ons/duo_pro.yml", "name: Duo-Pro\ndescription: x\n")]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(
        &problems,
        ProblemKind::InvalidValue,
        "add_ons/duo_pro.yml",
        Some("Duo-Pro"),
        Some("name"),
    );
    assert!(p.message.contains("snake_case"), "{p}");
}

#[test]
fn missing_required_fields_each_reported() {
    let dir = up_with("name: duo_chat\ndescription: Chat.\n");
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let missing: Vec<&str> = problems
        .iter()
        .filter(|p| p.kind == ProblemKind::MissingField)
        .map(|p| p.field.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        missing,
        [
            "group",
            "feature_category",
            "backend_services",
            "add_ons",
            "license_types"
        ]
    );
}

#[test]
fn unknown_fields_are_rejected() {
    let dir = up_with(&up_text(
        "add_ons: [duo_pro]",
        "add_ons: [duo_pro]\naddons: [duo_pro]",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(
        &problems,
        ProblemKind::UnknownField,
        UP,
        Some("duo_chat"),
        Some("addons"),
    );
    assert!(p.message.contains("add_ons"), "lists known fields: {p}");
}

#[test]
fn a_dangling_reference_names_the_target() {
    let dir = up_with(&up_text(
        "add_ons: [duo_pro]",
        "add_ons: [duo_pro, duo_ultra]",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(
        &problems,
        ProblemKind::DanglingReference,
        UP,
        Some("duo_chat"),
        Some("add_ons"),
    );
    assert!(
        p.message.contains("duo_ultra") && p.message.contains("add_ons/"),
        "{p}"
    );
}

#[test]
fn a_missing_kind_directory_is_empty_and_references_into_it_dangle() {
    let dir = base_without(&["license_types/premium.yml"]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::DanglingReference,
        UP,
        Some("duo_chat"),
        Some("license_types"),
    );
}

#[test]
fn a_service_may_not_reference_an_alias() {
    let dir = base_with(&[
        (
            UP,
            &up_text(
                "add_ons: [duo_pro]",
                "alias_names: [chat_with_duo]\nadd_ons: [duo_pro]",
            ),
        ),
        (
            "services/chat.yml",
            "name: chat\ndescription: x\nunit_primitives: [chat_with_duo]\n",
        ),
    ]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(
        &problems,
        ProblemKind::DanglingReference,
        "services/chat.yml",
        Some("chat"),
        Some("unit_primitives"),
    );
    assert!(p.message.contains("alias of 'duo_chat'"), "{p}");
}

#[test]
fn basic_unit_primitive_must_be_one_of_the_services_own() {
    let other = up_text("name: duo_chat", "name: explain_code");
    let dir = base_with(&[
        ("unit_primitives/explain_code.yml", &other),
        ("services/chat.yml", "name: chat\ndescription: x\nunit_primitives: [duo_chat]\nbasic_unit_primitive: explain_code\n"),
    ]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::InvalidValue,
        "services/chat.yml",
        Some("chat"),
        Some("basic_unit_primitive"),
    );
}

#[test]
fn duplicate_names_and_aliases() {
    // Two files claiming one name: one is in the wrong file, and the name is taken twice.
    let dir = base_with(&[(
        "add_ons/duo_pro_copy.yml",
        "name: duo_pro\ndescription: again\n",
    )]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::FileNameMismatch,
        "add_ons/duo_pro_copy.yml",
        Some("duo_pro"),
        Some("name"),
    );
    expect_problem(
        &problems,
        ProblemKind::DuplicateName,
        "add_ons/duo_pro_copy.yml",
        Some("duo_pro"),
        Some("name"),
    );

    let other = up_text("name: duo_chat", "name: explain_code")
        .replace("add_ons:", "alias_names: [duo_chat]\nadd_ons:");
    let dir = base_with(&[("unit_primitives/explain_code.yml", &other)]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(
        &problems,
        ProblemKind::DuplicateName,
        "unit_primitives/explain_code.yml",
        Some("explain_code"),
        Some("alias_names"),
    );
    assert!(p.message.contains("duo_chat"), "{p}");
}

#[test]
fn duplicate_entries_in_a_list() {
    let dir = up_with(&up_text(
        "add_ons: [duo_pro]",
        "add_ons: [duo_pro, duo_pro]",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::DuplicateEntry,
        UP,
        Some("duo_chat"),
        Some("add_ons"),
    );
}

#[test]
fn one_audience_names_one_backend() {
    let dir = base_with(&[(
        "backend_services/ai_gateway_copy.yml",
        "name: ai_gateway_copy\ndescription: x\njwt_aud: gitlab-ai-gateway\n",
    )]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::DuplicateName,
        "ai_gateway_copy.yml",
        Some("ai_gateway_copy"),
        Some("jwt_aud"),
    );
}

#[test]
fn empty_backend_list_and_empty_realm_list_are_refused() {
    let dir = up_with(&up_text(
        "backend_services: [ai_gateway]",
        "backend_services: []",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::InvalidValue,
        UP,
        Some("duo_chat"),
        Some("backend_services"),
    );

    let dir = base_with(&[(
        "services/chat.yml",
        "name: chat\ndescription: x\nunit_primitives: [duo_chat]\ngitlab_realm: []\n",
    )]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::InvalidValue,
        "services/chat.yml",
        Some("chat"),
        Some("gitlab_realm"),
    );

    let dir = base_with(&[(
        "services/chat.yml",
        "name: chat\ndescription: x\nunit_primitives: [duo_chat]\ngitlab_realm: [saas]\n",
    )]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    let p = expect_problem(
        &problems,
        ProblemKind::InvalidValue,
        "services/chat.yml",
        Some("chat"),
        Some("gitlab_realm"),
    );
    assert!(p.message.contains("'saas'"), "{p}");
}

#[test]
fn yaml_extension_files_are_flagged_not_silently_skipped() {
    let dir = base_with(&[(
        "add_ons/duo_enterprise.yaml",
        "name: duo_enterprise\ndescription: x\n",
    )]);
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::WrongExtension,
        "add_ons/duo_enterprise.yaml",
        None,
        None,
    );
}

#[test]
fn tagged_values_duplicate_keys_and_multiple_documents_are_refused() {
    let dir = up_with(&up_text(
        "description: Chat.",
        "description: !ruby/object:Foo {}",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(
        &problems,
        ProblemKind::WrongType,
        UP,
        Some("duo_chat"),
        Some("description"),
    );

    let dir = up_with(&up_text(
        "description: Chat.",
        "description: Chat.\ndescription: Again.",
    ));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(&problems, ProblemKind::YamlSyntax, UP, None, None);

    let dir = up_with(&format!("{}---\nname: other\n", up_text("", "")));
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(&problems, ProblemKind::YamlSyntax, UP, None, None);
}

#[test]
fn invalid_utf8_is_an_io_problem() {
    let dir = write_catalog(BASE);
    std::fs::write(
        dir.path().join(UP),
        b"name: duo_chat\ndescription: \xff\xfe\n",
    )
    .expect("write");
    let problems = problems_of(Catalog::load_dir(dir.path()));
    expect_problem(&problems, ProblemKind::Io, UP, None, None);
}

#[test]
fn a_missing_directory_is_catalog_not_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope");
    let err = Catalog::load_dir(&missing).expect_err("missing dir");
    assert_eq!(err.code(), ErrorCode::CatalogNotFound);
    assert!(
        err.message().contains("nope") && err.message().contains("does not exist"),
        "{err}"
    );

    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    let err = Catalog::load_dir(&file).expect_err("file, not dir");
    assert_eq!(err.code(), ErrorCode::CatalogNotFound);
    assert!(err.message().contains("is not a directory"), "{err}");
}

#[test]
fn every_problem_is_reported_at_once_and_the_message_lists_them() {
    let dir = base_with(&[
        (
            UP,
            &up_text("min_gitlab_version: '16.9'", "min_gitlab_version: 16.9"),
        ),
        ("add_ons/duo_pro.yml", "name: duo_pro\n"),
        (
            "services/chat.yml",
            "name: chat\ndescription: x\nunit_primitives: [ghost]\n",
        ),
    ]);
    let err = Catalog::load_dir(dir.path()).expect_err("invalid");
    let kinds: Vec<ProblemKind> = err.problems().iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProblemKind::WrongType), "{kinds:?}");
    assert!(kinds.contains(&ProblemKind::MissingField), "{kinds:?}");
    assert!(kinds.contains(&ProblemKind::DanglingReference), "{kinds:?}");
    assert!(err.message().starts_with(&format!(
        "catalog is invalid: {} problems",
        err.problems().len()
    )));
    for p in err.problems() {
        assert!(err.message().contains(&p.to_string()), "message lists {p}");
    }
    let report = Catalog::validate_dir(dir.path()).expect("validate");
    assert_eq!(report, err.problems());
}

#[test]
fn validate_dir_of_a_good_catalog_is_empty() {
    let dir = write_catalog(BASE);
    assert!(Catalog::validate_dir(dir.path())
        .expect("validate")
        .is_empty());
    assert!(Catalog::validate_dir(support::repo_root().join("config"))
        .expect("validate")
        .is_empty());
}
