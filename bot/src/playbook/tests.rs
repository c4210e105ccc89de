//! Playbook parsing edge cases; the bad-file fixtures live in `tests/data/bad-playbooks`.

use expect_test::{Expect, expect};

use super::{ProcedureKind, parse, parse_duration};

fn check(src: &str, expect: Expect) {
    let out = match parse("pb.yaml", src) {
        Ok(pb) => format!(
            "ok {} v{}: {} roles, {} procedures, {} clocks",
            pb.id,
            pb.version,
            pb.roles.len(),
            pb.procedures.len(),
            pb.clocks.len()
        ),
        Err(diags) => diags.iter().map(|d| format!("{d}\n")).collect(),
    };
    expect.assert_eq(&out);
}

#[test]
fn minimal_playbook_with_defaults() {
    let src = "id: mini\nversion: \"1\"\ntitle: Mini\nroles:\n  - {id: chef, title: Chef}\nprocedures:\n  - id: p\n    title: P\n    owner: chef\n    steps: [un, {text: {fr: deux, en: two}, due: 1h30}]\n";
    check(
        src,
        expect![[r#"ok mini v1: 1 roles, 1 procedures, 0 clocks"#]],
    );
    let pb = parse("pb.yaml", src).unwrap();
    assert_eq!(pb.procedures[0].kind, ProcedureKind::Degraded);
    assert_eq!(pb.procedures[0].steps[1].text.en, "two");
    assert_eq!(
        pb.procedures[0].steps[1].due,
        Some(chrono::TimeDelta::minutes(90))
    );
    assert_eq!(pb.title.en, "Mini");
}

#[test]
fn every_problem_is_reported_at_once() {
    check(
        r#"id: Bad Id
version: "1"
title: {fr: Titre}
colour: red
roles:
  - {id: chef, title: Chef, dutys: x}
  - {id: chef, title: Encore}
procedures:
  - id: p
    title: P
    owner: chief
    steps: []
  - id: p
    title: Q
    owner: chef
    steps:
      - {text: a, due: soon}
clocks:
  - id: cnil
    title: CNIL
    due: 72h
    warn: [24h, 80h]
"#,
        expect![[r#"
            pb.yaml:1:5: id: invalid id `Bad Id`: use lowercase letters a-z, digits and `-` (at most 40 characters)
            pb.yaml:4:1: colour: unknown field `colour`; expected one of: id, version, title, summary, tags, situation_points, roles, procedures, clocks
            pb.yaml:6:29: roles[0].dutys: unknown field `dutys` (did you mean `duties`?); expected one of: id, title, duties
            pb.yaml:7:10: roles[1].id: duplicate role id `chef`
            pb.yaml:11:12: procedures[0].owner: unknown role `chief` (did you mean `chef`?); roles defined: chef
            pb.yaml:12:12: procedures[0].steps: a procedure needs at least one step
            pb.yaml:13:9: procedures[1].id: duplicate procedure id `p`
            pb.yaml:17:24: procedures[1].steps[0].due: bad duration `soon`: write a number and a unit d, h or m, e.g. 15m, 2h, 1h30m, 3d
            pb.yaml:22:17: clocks[0].warn[1]: warning 80h is not before the deadline 3d
        "#]],
    );
}

#[test]
fn structural_problems() {
    check(
        "",
        expect![[r#"
        pb.yaml:1:1: the file is empty: a playbook needs at least `id`, `version`, `title` and `roles`
    "#]],
    );
    check(
        "- a\n- b\n",
        expect![[r#"
        pb.yaml:1:1: expected a mapping, found a list
    "#]],
    );
    check(
        "id: x\nroles: [\n",
        expect![[r#"
        pb.yaml:2:8: invalid YAML: unclosed bracket '['
    "#]],
    );
    check(
        "id: x\nid: y\n",
        expect![[r#"
        pb.yaml:2:1: duplicate field `id`
    "#]],
    );
    check(
        "id: x\nversion: 1\ntitle: [a]\nroles: {a: b}\n",
        expect![[r#"
        pb.yaml:3:8: title: expected a string, found a list
        pb.yaml:4:8: roles: expected a list, found a mapping
    "#]],
    );
}

#[test]
fn durations() {
    let m = |s: &str| parse_duration(s).map(|d| d.num_minutes());
    assert_eq!(m("15m"), Some(15));
    assert_eq!(m("2h"), Some(120));
    assert_eq!(m("1h30"), Some(90));
    assert_eq!(m("1h30m"), Some(90));
    assert_eq!(m("3d"), Some(3 * 24 * 60));
    assert_eq!(m("2j"), Some(2 * 24 * 60));
    assert_eq!(m("45"), Some(45));
    assert_eq!(m(""), None);
    assert_eq!(m("h"), None);
    assert_eq!(m("1y"), None);
    assert_eq!(m("400d"), None);
    assert_eq!(m("99999999999999999999m"), None);
}
