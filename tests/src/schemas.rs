//! The JSON Schemas editors use (`tocsin schema playbook|scenario`): they
//! accept every shipped file, reject the broken fixtures, and list exactly
//! the fields the checker accepts, object by object, so they cannot drift.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{root, text, tocsin};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Playbook,
    Scenario,
}

fn schema(kind: Kind) -> Value {
    let src = match kind {
        Kind::Playbook => tocsin_core::playbook::schema::PLAYBOOK,
        Kind::Scenario => tocsin_core::playbook::schema::SCENARIO,
    };
    serde_json::from_str(src).unwrap()
}

fn validator(kind: Kind) -> jsonschema::Validator {
    jsonschema::validator_for(&schema(kind)).expect("the schema compiles")
}

/// A YAML file as the JSON value an editor's YAML language server validates.
fn yaml_value(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(path).unwrap();
    let src = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    serde_saphyr::from_str::<Value>(&src).map_err(|e| e.to_string())
}

fn shipped() -> Vec<(PathBuf, Kind)> {
    let mut files = Vec::new();
    for (dir, kind) in [
        ("playbooks", Kind::Playbook),
        ("playbooks/scenarios", Kind::Scenario),
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push((path, kind));
            }
        }
    }
    files.sort();
    files
}

/// Every error, as `instance path: message`.
fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_owned() } else { at };
            format!("{at}: {}", e.kind().keyword())
        })
        .collect()
}

#[test]
fn every_shipped_playbook_and_scenario_is_valid() {
    let files = shipped();
    assert!(files.iter().any(|(_, k)| *k == Kind::Scenario));
    for (path, kind) in files {
        let value = yaml_value(&path).unwrap();
        let found = errors(&validator(kind), &value);
        assert!(
            found.is_empty(),
            "{}:\n{}",
            path.display(),
            found.join("\n")
        );
    }
}

#[test]
fn the_schemas_reject_the_broken_fixtures() {
    let dir = root().join("tests/data/bad-playbooks");
    let check = |name: &str| -> String {
        match yaml_value(&dir.join(name)) {
            Err(_) => "not readable as YAML".to_owned(),
            Ok(value) => errors(&validator(Kind::Playbook), &value).join("\n"),
        }
    };
    assert_eq!(check("latin1.yaml"), "not readable as YAML");
    assert_eq!(check("not-yaml.yaml"), "not readable as YAML");
    expect_test::expect![[r#"
        /: required
        /: required
        /: required
        /procedures/0: required
        /procedures/0: required"#]]
    .assert_eq(&check("missing.yaml"));
    // Each problem the checker finds in typos.yaml (typos.expected), found again.
    expect_test::expect![[r#"
        /: additionalProperties
        /: required
        /clocks/0/due: anyOf
        /procedures/0/id: pattern
        /procedures/0/kind: enum
        /procedures/0/steps/0: oneOf
        /procedures/0/steps/1: oneOf
        /roles/0: additionalProperties
        /situation_points: anyOf"#]]
    .assert_eq(&sorted(&check("typos.yaml")));
    // Unknown roles and duplicate ids are references between parts of a
    // file: no JSON Schema can see them; `tocsin check` does.
    assert_eq!(check("unknown-role.yaml"), "");
}

fn sorted(lines: &str) -> String {
    let mut lines: Vec<&str> = lines.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

#[test]
fn tocsin_schema_prints_the_files_editors_point_at() {
    for (kind, file) in [
        ("playbook", "schemas/playbook.schema.json"),
        ("scenario", "schemas/scenario.schema.json"),
    ] {
        let out = tocsin(&["schema", kind], b"");
        assert!(out.status.success());
        assert_eq!(
            text(&out.stdout),
            std::fs::read_to_string(root().join(file)).unwrap()
        );
    }
}

/// Every object location of a document, once per shape (`/roles/*`,
/// `/procedures/*/steps/*`…), as a JSON pointer to its first occurrence.
fn object_locations(value: &Value, pointer: &str, shape: &str, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            out.entry(shape.to_owned())
                .or_insert_with(|| pointer.to_owned());
            for (key, child) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                // A scenario's variants are keyed by site labels: one shape.
                let shape_key = if shape.ends_with("/variants") {
                    "*"
                } else {
                    &key
                };
                object_locations(
                    child,
                    &format!("{pointer}/{key}"),
                    &format!("{shape}/{shape_key}"),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (idx, child) in items.iter().enumerate() {
                object_locations(
                    child,
                    &format!("{pointer}/{idx}"),
                    &format!("{shape}/*"),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// The fields the checker lists when it meets an unknown one at `pointer`.
fn checker_fields(
    kind: Kind,
    doc: &Value,
    playbooks: &BTreeMap<String, tocsin_core::playbook::Playbook>,
) -> Option<BTreeSet<String>> {
    // JSON is YAML: the checker reads the mutated document as it is.
    let src = serde_json::to_string_pretty(doc).unwrap();
    let diagnostics = match kind {
        Kind::Playbook => tocsin_core::playbook::parse("drift.yaml", &src).err()?,
        Kind::Scenario => {
            tocsin_core::playbook::scenario::parse("drift.yaml", &src, playbooks).err()?
        }
    };
    let message = diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .find(|m| m.contains("unknown field `zz_drift`"))?;
    let list = message.split("expected one of: ").nth(1)?;
    Some(list.split(", ").map(str::to_owned).collect())
}

/// The fields the schema allows where it refuses `zz_drift`.
fn schema_fields(
    schema: &Value,
    validator: &jsonschema::Validator,
    doc: &Value,
) -> Option<BTreeSet<String>> {
    let error = validator.iter_errors(doc).find(|e| {
        matches!(
            e.kind(),
            jsonschema::error::ValidationErrorKind::AdditionalProperties { .. }
        )
    })?;
    let path = error.schema_path().to_string();
    let object = schema.pointer(path.strip_suffix("/additionalProperties")?)?;
    Some(object["properties"].as_object()?.keys().cloned().collect())
}

#[test]
fn the_schemas_list_exactly_the_fields_the_checker_accepts() {
    let catalog = tocsin::load::paths(&[root().join("playbooks")]);
    let playbooks: BTreeMap<String, tocsin_core::playbook::Playbook> = catalog
        .playbooks
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut compared = BTreeSet::new();
    for (path, kind) in shipped() {
        let (schema, validator) = (schema(kind), validator(kind));
        let doc = yaml_value(&path).unwrap();
        let mut locations = BTreeMap::new();
        object_locations(&doc, "", "", &mut locations);
        for (shape, pointer) in locations {
            let mut mutated = doc.clone();
            let Some(Value::Object(map)) = mutated.pointer_mut(&pointer) else {
                continue;
            };
            map.insert("zz_drift".to_owned(), Value::from("x"));
            let checker = checker_fields(kind, &mutated, &playbooks);
            let schema_side = schema_fields(&schema, &validator, &mutated);
            if let (Some(checker), Some(schema_side)) = (&checker, &schema_side) {
                assert_eq!(
                    schema_side,
                    checker,
                    "{}: {shape}: the schema and the checker disagree on the fields",
                    path.display()
                );
                compared.insert(format!("{kind:?} /{}", shape.trim_start_matches('/')));
            }
        }
    }
    expect_test::expect![[r#"
        Playbook /
        Playbook /clocks/*
        Playbook /clocks/*/stages/*
        Playbook /procedures/*
        Playbook /roles/*
        Scenario /
        Scenario /injects/*
        Scenario /injects/*/match
        Scenario /injects/*/variants/*
        Scenario /objectives/*"#]]
    .assert_eq(&compared.into_iter().collect::<Vec<_>>().join("\n"));
}
