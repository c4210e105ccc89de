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
  - {id: chef, title: Encore, observer: oui}
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
            pb.yaml:6:29: roles[0].dutys: unknown field `dutys` (did you mean `duties`?); expected one of: id, title, duties, source, observer
            pb.yaml:7:10: roles[1].id: duplicate role id `chef`
            pb.yaml:7:41: roles[1].observer: expected true or false, found `oui`
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

#[test]
fn delays_count_calendar_months() {
    use super::{Delay, parse_delay};
    use chrono::{TimeDelta, TimeZone};
    assert_eq!(
        parse_delay("1mo"),
        Some(Delay {
            months: 1,
            span: TimeDelta::zero()
        })
    );
    assert_eq!(
        parse_delay("2mois"),
        Some(Delay {
            months: 2,
            span: TimeDelta::zero()
        })
    );
    assert_eq!(
        parse_delay("1mo2d"),
        Some(Delay {
            months: 1,
            span: TimeDelta::days(2)
        })
    );
    assert_eq!(parse_delay("72h"), Some(Delay::span(TimeDelta::hours(72))));
    for bad in ["mo", "0mo", "13mo", "1month", "1mo x", "0"] {
        assert_eq!(parse_delay(bad), None, "{bad}");
    }
    assert_eq!(parse_delay("1mo").unwrap().to_string(), "1mo");
    assert_eq!(parse_delay("72h").unwrap().to_string(), "3d");
    // The 31st plus one month is the last day of the next month, in the crisis's zone.
    let tz = chrono_tz::Europe::Paris;
    let at = |d, h| {
        tz.with_ymd_and_hms(2027, 1, d, h, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let month = parse_delay("1mo").unwrap();
    assert_eq!(
        month.after(at(31, 10), tz),
        tz.with_ymd_and_hms(2027, 2, 28, 10, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    );
    // Across the change to summer time, 10:00 stays 10:00 local.
    assert_eq!(
        month.after(
            tz.with_ymd_and_hms(2027, 3, 15, 10, 0, 0)
                .unwrap()
                .with_timezone(&chrono::Utc),
            tz
        ),
        tz.with_ymd_and_hms(2027, 4, 15, 10, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    );
    assert_eq!(month.shortest(), TimeDelta::days(28));
}

#[test]
fn clocks_with_stages_recurrence_conditions_and_sources() {
    let src = r#"id: loi
version: "1"
title: Loi
roles: [{id: rssi, title: RSSI}]
procedures:
  - id: fr-02
    title: Déclarations
    owner: rssi
    source: [{text: "CSP art. L.1111-8-2", url: "https://www.legifrance.gouv.fr/x"}, "Choix de l'établissement"]
    steps: [Déclarer]
clocks:
  - id: nis2
    title: NIS 2
    condition: {fr: si entité essentielle, en: if an essential entity}
    source: {text: {fr: Directive NIS 2, en: NIS 2 Directive}}
    stages:
      - {title: Alerte, due: 24h, warn: [1h]}
      - {title: Notification, due: 72h}
      - {title: Rapport final, due: 1mo, after: 2, warn: [7d]}
  - id: reeval
    title: Réévaluation
    every: 12h
    warn: [1h]
    source: "Choix de l'établissement"
  - id: muette
    title: Sans source
    due: 2h
"#;
    let pb = parse("pb.yaml", src).unwrap();
    let nis2 = pb.clock("nis2").unwrap();
    assert!(nis2.is_staged());
    assert_eq!(nis2.stages.len(), 3);
    assert_eq!(nis2.stages[2].after, Some(2));
    assert_eq!(nis2.stages[2].due.months, 1);
    assert_eq!(
        nis2.condition.as_ref().unwrap().en,
        "if an essential entity"
    );
    assert_eq!(nis2.source[0].text.en, "NIS 2 Directive");
    let reeval = pb.clock("reeval").unwrap();
    assert_eq!(reeval.every, Some(chrono::TimeDelta::hours(12)));
    assert_eq!(
        reeval.stages[0].due,
        super::Delay::span(chrono::TimeDelta::hours(12))
    );
    let fr02 = pb.procedure("fr-02").unwrap();
    assert_eq!(fr02.source.len(), 2);
    assert_eq!(
        fr02.source[0].url.as_deref(),
        Some("https://www.legifrance.gouv.fr/x")
    );
    assert_eq!(fr02.source[1].url, None);
    // A clock with no source is usable, but `tocsin check` says so.
    let warnings: Vec<String> = pb.warnings.iter().map(ToString::to_string).collect();
    expect![[r#"
        [
            "pb.yaml:25:5: clocks[2]: warning: clock `muette` has no `source`: cite the text the delay comes from, or write that it is the establishment's choice",
        ]
    "#]]
    .assert_debug_eq(&warnings);
}

#[test]
fn clock_problems_are_located() {
    check(
        r#"id: loi
version: "1"
title: Loi
roles: [{id: rssi, title: RSSI}]
clocks:
  - id: a
    title: A
    due: 2h
    stages:
      - {title: Une, due: 1h}
  - id: b
    title: B
    every: 12h
    stages: [{title: X, due: 1h}, {title: Y, due: 2h}]
  - id: c
    title: C
    stages:
      - {title: Une, due: 1h, after: 1}
      - {title: Deux, due: 13mo}
      - {title: Trois, due: 1mo, after: 4, warn: [30d]}
  - id: d
    title: D
    every: 12h
    warn: [12h]
    due: 1mo
  - id: e
    title: E
    due: 72h
    source: {text: RGPD, url: "eur-lex.europa.eu"}
  - id: f
    title: F
    source: {url: "https://x.fr"}
"#,
        expect![[r#"
            pb.yaml:8:10: clocks[0].due: a clock with `stages` gives `due` in each stage
            pb.yaml:10:7: clocks[0].stages: a clock with stages needs at least two; with one, write `due` and `warn` on the clock
            pb.yaml:14:13: clocks[1].stages: a recurring clock (`every`) has a single deadline, not `stages`
            pb.yaml:18:38: clocks[2].stages[0].after: the first stage counts from the clock's start: it cannot have `after`
            pb.yaml:19:28: clocks[2].stages[1].due: bad duration `13mo`: write a number and a unit d, h or m, e.g. 15m, 2h, 1h30m, 3d, or calendar months: 1mo
            pb.yaml:20:41: clocks[2].stages[2].after: `after: 4` must be the number of an earlier stage (1 to 2); stages count from 1
            pb.yaml:20:51: clocks[2].stages[2].warn[0]: warning 30d is not before the deadline 1mo
            pb.yaml:25:10: clocks[3].due: a recurring clock counts in days, hours and minutes: `due: 1mo` with `every: 12h`
            pb.yaml:29:31: clocks[4].source.url: bad url `eur-lex.europa.eu`: write the full address, starting with https://
            pb.yaml:30:5: clocks[5]: missing field `due`
            pb.yaml:32:13: clocks[5].source: missing field `text`
        "#]],
    );
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
            chrono.csv:1:0: colour: unknown column `colour`; columns: id, at, after, from, to, channel, content_fr, content_en, expected_fr, expected_en, objectives, notes, delivery, attachments, headline, handle
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

    #[test]
    fn targeted_and_rich_injects_come_from_their_columns() {
        let csv = "N°;T+;Émetteur;Destinataire;Canal;Contenu;Remise;Pièces jointes;Titre;Compte\n\
                   i1;0;Attaquant;dsi;courriel;Payez;direct;fichiers/note.txt | fichiers/liste.pdf;;\n\
                   i2;5;Le Quotidien;com;presse;Article;;;Panne à l'hôpital;\n\
                   i3;9;Info Ville;tous;réseaux sociaux;Post;salle;;;InfoVille\n";
        let out = csv_to_scenario("chrono.csv", csv, &header(), &playbooks()).unwrap();
        let sc = scenario::parse("out.yaml", &out.yaml, &playbooks()).unwrap();
        assert_eq!(sc.injects[0].delivery, scenario::Delivery::Direct);
        let files: Vec<&str> = sc.injects[0]
            .attachments
            .iter()
            .map(|a| a.file.as_str())
            .collect();
        assert_eq!(files, ["fichiers/note.txt", "fichiers/liste.pdf"]);
        assert_eq!(
            sc.injects[1].headline.as_ref().unwrap().fr,
            "Panne à l'hôpital"
        );
        assert_eq!(sc.injects[1].delivery, scenario::Delivery::Room);
        assert_eq!(sc.injects[2].handle.as_deref(), Some("@InfoVille"));

        let bad = "id;at;from;to;channel;content;delivery;headline;handle\n\
                   i1;0;A;tous;mail;C;direct;;\n\
                   i2;0;A;dsi;mail;C;pigeon;Titre;\n\
                   i3;0;A;dsi;presse;C;;;@compte\n";
        let diags = csv_to_scenario("chrono.csv", bad, &header(), &playbooks()).unwrap_err();
        let shown: String = diags.iter().map(|d| format!("{d}\n")).collect();
        expect![[r#"
            chrono.csv:2:0: delivery: `direct` needs one recipient role, not `tous`
            chrono.csv:3:0: delivery: unknown delivery `pigeon`: `salle` (players' room) or `direct` (a direct chat with the role's holder)
            chrono.csv:3:0: headline: `headline` is for the `press` channel, not `mail`
            chrono.csv:4:0: handle: `handle` is for the `social` channel, not `press`
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
        sc.yaml:13:70: injects[3].colour: unknown field `colour`; expected one of: id, at, after, from, to, channel, content, expected, objectives, notes, match, delivery, attachments, headline, handle, variants
        sc.yaml:14:10: injects[4].id: `x2` is reserved for ad hoc injects (x1, x2…): pick another id
    "#]].assert_eq(&shown);
    let targeted = r#"id: ex
version: "1"
code_name: X
title: X
playbook: pb
level: débutant
objectives:
  - {id: o1, text: Un}
injects:
  - {id: i1, at: 0, from: A, to: all, channel: mail, content: C, delivery: direct}
  - {id: i2, at: 0, from: A, to: dsi, channel: mail, content: C, delivery: pigeon, headline: Titre}
  - {id: i3, at: 0, from: A, to: dsi, channel: press, content: C, handle: "mon compte", attachments: [../secret.txt, /etc/passwd, ok/note.txt]}
"#;
    let diags = super::scenario::parse("sc.yaml", targeted, &playbooks).unwrap_err();
    let shown: String = diags.iter().map(|d| format!("{d}\n")).collect();
    expect![[r#"
        sc.yaml:10:76: injects[0].delivery: `delivery: direct` needs one recipient: set `to` to a role, not `all`
        sc.yaml:11:76: injects[1].delivery: unknown delivery `pigeon`; expected `room` (in the players' room) or `direct` (a direct chat with the role's holder)
        sc.yaml:11:94: injects[1].headline: `headline` is for `channel: press`, not `mail`
        sc.yaml:12:75: injects[2].handle: `handle` is for `channel: social`, not `press`
        sc.yaml:12:75: injects[2].handle: handle `mon compte` must be one account name without spaces, at most 60 characters, such as `@InfoSante44`
        sc.yaml:12:103: injects[2].attachments[0]: attachment `../secret.txt` must be a path inside the scenario's folder, such as `fichiers/note.pdf` (no `..`, no absolute path, `/` between folders)
        sc.yaml:12:118: injects[2].attachments[1]: attachment `/etc/passwd` must be a path inside the scenario's folder, such as `fichiers/note.pdf` (no `..`, no absolute path, `/` between folders)
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

fn variants_playbooks() -> std::collections::BTreeMap<String, super::Playbook> {
    let pb = parse(
        "pb.yaml",
        "id: pb\nversion: \"1\"\ntitle: T\nroles:\n  - {id: com, title: Com}\nprocedures:\n  - {id: p, title: P, owner: com, steps: [a]}\n",
    )
    .unwrap();
    [(pb.id.clone(), pb)].into_iter().collect()
}

const VARIANTS_HEAD: &str = "id: ex\nversion: \"1\"\ncode_name: X\ntitle: X\nplaybook: pb\nlevel: débutant\nobjectives:\n  - {id: o1, text: Un}\ninjects:\n";

/// A regional exercise: each site's players get their variant's fields, and
/// the inject's own for whatever the variant leaves out or a site without one.
#[test]
fn variants_replace_fields_per_site() {
    let src = format!(
        "{VARIANTS_HEAD}{}",
        r#"  - id: i1
    at: 0
    from: Radio
    to: com
    channel: press
    headline: L'hôpital piraté ?
    content: {fr: "L'hôpital a été piraté ?", en: "Was the hospital hacked?"}
    variants:
      chu-nord:
        content: {fr: "Le CHU Nord a été piraté ?", en: "Was CHU Nord hacked?"}
        headline: Le CHU Nord piraté ?
      ch_sud-2:
        from: {fr: Radio Sud}
  - {id: i2, at: 5m, from: A, to: all, channel: mail, content: C}
  - {id: i3, at: 6m, from: A, to: all, channel: mail, content: C, variants: {ch_sud-2: {content: D}}}
"#
    );
    let sc = super::scenario::parse("sc.yaml", &src, &variants_playbooks()).unwrap();
    let i1 = &sc.injects[0];
    let nord = Some("chu-nord");
    assert_eq!(i1.content_for(nord).fr, "Le CHU Nord a été piraté ?");
    assert_eq!(i1.content_for(nord).en, "Was CHU Nord hacked?");
    assert_eq!(i1.headline_for(nord).unwrap().en, "Le CHU Nord piraté ?");
    assert_eq!(i1.from_for(nord).fr, "Radio");
    let sud = Some("ch_sud-2");
    assert_eq!(i1.from_for(sud).en, "Radio Sud");
    assert_eq!(i1.content_for(sud).en, "Was the hospital hacked?");
    assert_eq!(i1.headline_for(sud).unwrap().fr, "L'hôpital piraté ?");
    for site in [None, Some("ailleurs")] {
        assert_eq!(i1.content_for(site).fr, "L'hôpital a été piraté ?");
        assert_eq!(i1.from_for(site).fr, "Radio");
        assert_eq!(i1.headline_for(site).unwrap().fr, "L'hôpital piraté ?");
    }
    assert_eq!(sc.injects[1].content_for(nord).fr, "C");
    assert!(sc.injects[1].variants.is_empty());
    assert_eq!(
        sc.sites().into_iter().collect::<Vec<_>>(),
        ["ch_sud-2", "chu-nord"]
    );
    assert_eq!(sc.injects_without_variant("chu-nord"), ["i3"]);
    assert!(sc.injects_without_variant("ch_sud-2").is_empty());
    assert_eq!(sc.injects_without_variant("ailleurs"), ["i1", "i3"]);
}

#[test]
fn site_labels() {
    use super::scenario::is_site_label;
    for good in ["chu-nord", "ch_sud", "a", "42", &"x".repeat(32)] {
        assert!(is_site_label(good), "{good}");
    }
    for bad in [
        "",
        "CHU-Nord",
        "chu nord",
        "chu.nord",
        "hôpital",
        &"x".repeat(33),
    ] {
        assert!(!is_site_label(bad), "{bad}");
    }
}

#[test]
fn variant_problems_are_located() {
    let src = format!(
        "{VARIANTS_HEAD}{}",
        r#"  - id: i1
    at: 0
    from: A
    to: all
    channel: mail
    content: C
    variants:
      CHU Nord: {content: X}
      chu-nord:
      ch-sud: {}
      ch-est: {contenu: X}
      ch-ouest: {headline: Titre, content: {fr: ""}}
  - {id: i2, at: 0, from: A, to: all, channel: mail, content: C, variants: {}}
  - {id: i3, at: 0, from: A, to: all, channel: mail, content: C, variants: [chu-nord]}
  - {id: i4, at: 0, from: A, to: all, channel: mail, content: C, variants: {chu-nord: texte}}
"#
    );
    let diags = super::scenario::parse("sc.yaml", &src, &variants_playbooks()).unwrap_err();
    let shown: String = diags.iter().map(|d| format!("{d}\n")).collect();
    expect![[r#"
        sc.yaml:17:7: injects[0].variants.CHU Nord: invalid site label `CHU Nord`: use 1 to 32 lowercase letters a-z, digits, `-` and `_`, such as `chu-nord`
        sc.yaml:18:7: injects[0].variants.chu-nord: empty variant: set at least one of from, content, headline
        sc.yaml:19:7: injects[0].variants.ch-sud: empty variant: set at least one of from, content, headline
        sc.yaml:20:16: injects[0].variants.ch-est.contenu: unknown field `contenu` (did you mean `content`?); expected one of: from, content, headline
        sc.yaml:21:28: injects[0].variants.ch-ouest.headline: `headline` is for `channel: press`, not `mail`
        sc.yaml:21:49: injects[0].variants.ch-ouest.content.fr: must not be empty
        sc.yaml:22:76: injects[1].variants: no variant: give at least one site label, such as `chu-nord:`, or remove `variants`
        sc.yaml:23:76: injects[2].variants: expected a mapping from site labels (such as `chu-nord`) to what changes for that site
        sc.yaml:24:87: injects[3].variants.chu-nord: expected a mapping, found a scalar
    "#]].assert_eq(&shown);
    let twice = format!(
        "{VARIANTS_HEAD}  - {{id: i1, at: 0, from: A, to: all, channel: mail, content: C, variants: {{ch-sud: {{from: B}}, ch-sud: {{from: D}}}}}}\n"
    );
    let diags = super::scenario::parse("sc.yaml", &twice, &variants_playbooks()).unwrap_err();
    let shown: String = diags.iter().map(|d| format!("{d}\n")).collect();
    expect![[r#"
        sc.yaml:10:96: duplicate field `ch-sud`
    "#]]
    .assert_eq(&shown);
}
