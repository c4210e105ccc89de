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

mod import {
    use std::collections::BTreeMap;

    use expect_test::expect;

    use crate::playbook::import::{Header, csv_to_scenario};
    use crate::playbook::scenario::{self, Level};
    use crate::playbook::{Playbook, parse};

    fn playbooks() -> BTreeMap<String, Playbook> {
        let pb = parse(
            "pb.yaml",
            "id: pb\nversion: \"1\"\ntitle: T\nroles:\n  - {id: dsi, title: DSI}\n  - {id: com, title: Com}\n",
        )
        .unwrap();
        [(pb.id.clone(), pb)].into_iter().collect()
    }

    fn header() -> Header {
        Header {
            id: "nuit-blanche".to_owned(),
            code_name: "NUIT BLANCHE".to_owned(),
            title: None,
            playbook: "pb".to_owned(),
            level: Level::Beginner,
        }
    }

    #[test]
    fn a_french_spreadsheet_becomes_a_valid_scenario() {
        let csv = "\u{feff}N°;T+;Après;Émetteur;Destinataire;Canal;Contenu;Attendu;Objectifs;Notes\n\
                   i1;0;;Animation;tous;interne;Début : le SI est tombé;Cellule constituée;o1;\n\
                   i2;15;i1;Biologiste;dsi;téléphone;\"Le labo; plus rien\";Mode dégradé;o1 o2;Insister\n\
                   r1;manuel;;Patient;Tous;visite;Où est mon dossier ?;;;\n";
        let out = csv_to_scenario("chrono.csv", csv, &header(), &playbooks()).unwrap();
        assert_eq!(out.n_injects, 3);
        assert_eq!(out.objectives_to_write, ["o1", "o2"]);
        let sc = scenario::parse("out.yaml", &out.yaml, &playbooks()).unwrap();
        assert_eq!(sc.code_name, "NUIT BLANCHE");
        assert_eq!(sc.injects[1].content.fr, "Le labo; plus rien");
        assert_eq!(sc.injects[1].at, Some(chrono::TimeDelta::minutes(15)));
        assert_eq!(sc.injects[1].after.as_deref(), Some("i1"));
        assert_eq!(sc.injects[2].at, None);
        assert_eq!(sc.injects[1].notes.as_ref().unwrap().fr, "Insister");
    }

    #[test]
    fn every_bad_line_is_reported() {
        let csv = "id,at,after,from,to,channel,content_fr,colour\n\
                   i1,0,,DIREX,all,internal,Début,\n\
                   I 2,soon,i9,,dsii,pigeon,,\n\
                   i1,5,,X,com,mail,Texte,\n";
        let diags = csv_to_scenario("chrono.csv", csv, &header(), &playbooks()).unwrap_err();
        let shown: String = diags.iter().map(|d| format!("{d}\n")).collect();
        expect![[r#"
            chrono.csv:1:0: colour: unknown column `colour`; columns: id, at, after, from, to, channel, content_fr, content_en, expected_fr, expected_en, objectives, notes
        "#]]
        .assert_eq(&shown);
        let csv = csv.replace(",colour", "");
        let diags = csv_to_scenario("chrono.csv", &csv, &header(), &playbooks()).unwrap_err();
        let shown: String = diags.iter().map(|d| format!("{d}\n")).collect();
        expect![[r#"
            chrono.csv:3:0: id: invalid inject id `i 2`: lowercase letters, digits and `-`
            chrono.csv:3:0: at: bad offset `soon`: minutes from DEBEX (`0`, `15`, `T+15`, `1h30`, `01:30`) or `manuel`
            chrono.csv:3:0: from: the sender (persona) is empty
            chrono.csv:3:0: to: unknown recipient `dsii`: a role of playbook `pb` (dsi, com) or `tous`
            chrono.csv:3:0: channel: unknown channel `pigeon`; expected one of: mail, phone, sms, press, social, visit, internal
            chrono.csv:3:0: content_fr: the stimulus text is empty
            chrono.csv:3:0: after: inject `i 2` depends on unknown inject `i9`
            chrono.csv:4:0: id: duplicate inject id `i1`
        "#]].assert_eq(&shown);
    }
}

#[test]
fn scenario_problems_are_all_reported_against_the_playbook() {
    let pb = parse(
        "pb.yaml",
        "id: pb\nversion: \"1\"\ntitle: T\nroles:\n  - {id: dsi, title: DSI}\nprocedures:\n  - {id: pd-lab, title: Labo, owner: dsi, steps: [a]}\n",
    )
    .unwrap();
    let playbooks = [(pb.id.clone(), pb)].into_iter().collect();
    let src = r#"id: ex
version: "1"
code_name: X
title: X
playbook: pb
level: expert-ès
objectives:
  - {id: o1, text: Un}
injects:
  - {id: i1, at: 0, from: A, to: dsi, channel: phone, content: C, objectives: [o9]}
  - {id: i2, at: demain, from: A, to: dsj, channel: pigeon, content: C, after: i3}
  - {id: i3, at: 5m, from: A, to: all, channel: mail, content: C, after: i2, match: {procedure: pd-labo}}
  - {id: i1, at: manuel, from: A, to: all, channel: sms, content: C, colour: red}
  - {id: x2, at: "01:30", from: A, to: all, channel: sms, content: C}
"#;
    let diags = super::scenario::parse("sc.yaml", src, &playbooks).unwrap_err();
    let shown: String = diags.iter().map(|d| format!("{d}\n")).collect();
    expect![[r#"
        sc.yaml:6:8: level: unknown level `expert-ès`; expected débutant, intermédiaire or confirmé (beginner, intermediate, advanced)
        sc.yaml:10:79: injects[0].objectives: unknown objective `o9`; objectives: o1
        sc.yaml:11:18: injects[1].at: bad offset `demain`: write minutes from DEBEX (`0`, `15m`, `1h30`, at most 72h) or `manual`
        sc.yaml:11:39: injects[1].to: unknown recipient `dsj` (did you mean `dsi`?): a role of playbook `pb` (dsi) or `all`
        sc.yaml:11:53: injects[1].channel: unknown channel `pigeon`; expected one of: mail, phone, sms, press, social, visit, internal
        sc.yaml:11:80: injects[1].after: dependencies loop back to this inject
        sc.yaml:12:97: injects[2].match.procedure: unknown procedure `pd-labo` (did you mean `pd-lab`?) in playbook `pb`
        sc.yaml:13:10: injects[3].id: duplicate inject id `i1`
        sc.yaml:13:70: injects[3].colour: unknown field `colour`; expected one of: id, at, after, from, to, channel, content, expected, objectives, notes, match
        sc.yaml:14:10: injects[4].id: `x2` is reserved for ad hoc injects (x1, x2…): pick another id
    "#]].assert_eq(&shown);
    let other = super::scenario::parse(
        "sc.yaml",
        &src.replace("playbook: pb", "playbook: pbb"),
        &playbooks,
    )
    .unwrap_err();
    assert!(
        other[0]
            .message
            .starts_with("unknown playbook `pbb` (did you mean `pb`?)"),
        "{other:?}"
    );
}
