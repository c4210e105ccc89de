//! Transcript tests of the engine: input lines in, replies and records out.
//!
//! A script line is `HH:MM name> text` (local time in Europe/Paris on
//! 2026-11-29, or `DD/MM HH:MM` on another day, up to October 2027; `name?>` marks an
//! unprivileged author), or `lang en` to switch language. The output echoes each input, then `✅`/`⛔`/`»` effects and `+`
//! records. Run with `UPDATE_EXPECT=1` to bless new output.

#![expect(
    clippy::too_many_lines,
    reason = "transcript tests: a script and its expected output are data, read top to bottom"
)]

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use expect_test::{Expect, expect};

use super::event::{Author, Record};
use super::state::World;
use super::{Body, Effect, Input, Quoted, QuotedContent, Settings, decide};
use crate::lang::Lang;
use crate::lang::speech::msg;
use crate::playbook::{self, Catalog};

const PLAYBOOK: &str = r#"
id: test
version: "2"
title: {fr: Crise de test, en: Test crisis}
roles:
  - {id: directeur-crise, title: {fr: Directeur de crise, en: Crisis director}}
  - {id: dsi, title: DSI}
  - {id: historien, title: {fr: Historien, en: Scribe}}
procedures:
  - id: pd-lab
    title: Labo
    owner: dsi
    steps: [Bons papier]
  - id: pd-urg
    title: Urgences
    owner: directeur-crise
    steps:
      - {text: Tableau papier, due: 15m}
      - {text: Appeler le SAMU, due: 30m}
      - Réévaluer
clocks:
  - {id: cnil-72h, title: Notification CNIL, due: 72h, warn: [24h, 1h], owner: dsi}
  - {id: point-ars, title: Point ARS, due: 2h, warn: [30m]}
"#;

const SCENARIO: &str = r#"
id: drill
version: "3"
code_name: ORAGE
title: {fr: Exercice de test, en: Test exercise}
playbook: test
level: débutant
objectives:
  - {id: o1, text: {fr: Constituer la cellule, en: Set up the cell}}
  - {id: o2, text: Mode dégradé}
injects:
  - id: i1
    at: 0
    from: {fr: Animation, en: Facilitators}
    to: all
    channel: internal
    content: {fr: Le système d'information est inaccessible., en: The IT is down.}
    expected: {fr: Constituer la cellule, en: Set up the cell}
    objectives: [o1]
    variants:
      nord: {content: {fr: Le SI du CHU Nord est inaccessible., en: CHU Nord's IT is down.}}
  - id: i2
    at: 10m
    from: {fr: Biologiste de garde, en: On-call biologist}
    to: dsi
    channel: phone
    content: {fr: Le logiciel du labo ne répond plus., en: The lab software is down.}
    expected: Lancer le mode dégradé labo
    notes: Insister si personne ne répond
    objectives: [o2]
    match: {procedure: pd-lab}
  - id: i3
    at: 20m
    after: i2
    from: Journaliste
    to: all
    channel: press
    content: Rumeur de piratage de l'hôpital.
    expected: Message d'attente
    match: {keywords: [communiqué]}
  - id: r1
    at: manual
    from: Patient
    to: all
    channel: visit
    content: Où est mon dossier ?
"#;

fn catalog() -> Catalog {
    let pb = playbook::parse("test.yaml", PLAYBOOK).expect("test playbook parses");
    let playbooks = [(pb.id.clone(), pb.clone())].into_iter().collect();
    let sc = playbook::scenario::parse("drill.yaml", SCENARIO, &playbooks)
        .expect("test scenario parses");
    Catalog::from_playbooks(vec![pb])
        .unwrap()
        .with_scenarios(vec![sc])
        .unwrap()
}

fn run(script: &str) -> String {
    run_with(Settings::default(), script)
}

fn run_with(settings: Settings, script: &str) -> String {
    run_on(&catalog(), settings, script)
}

/// `29/11 03:00 rest` or `03:00 rest`: the day, the time, and the rest.
fn when_and_rest(line: &str) -> (NaiveDate, NaiveTime, &str) {
    let (first, rest) = line.split_once(' ').expect("HH:MM name> text");
    let (day, (time, rest)) = match first.split_once('/') {
        // November and December 2026, then 2027.
        Some((d, m)) => (
            NaiveDate::from_ymd_opt(
                if m.parse::<u32>().unwrap() >= 11 {
                    2026
                } else {
                    2027
                },
                m.parse().unwrap(),
                d.parse().unwrap(),
            )
            .unwrap(),
            rest.split_once(' ').expect("DD/MM HH:MM name> text"),
        ),
        None => (
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            (first, rest),
        ),
    };
    (day, NaiveTime::parse_from_str(time, "%H:%M").unwrap(), rest)
}

fn run_on(catalog: &Catalog, mut settings: Settings, script: &str) -> String {
    let mut world = World::default();
    let mut out = String::new();
    let mut n_posted = 0;
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(lang) = line.strip_prefix("lang ") {
            settings.lang = Lang::parse(lang).unwrap();
            continue;
        }
        let (day, time, rest) = when_and_rest(line);
        let at = settings
            .tz
            .from_local_datetime(&day.and_time(time))
            .unwrap()
            .with_timezone(&Utc);
        out.push_str(&format!("{line}\n"));
        // `HH:MM tick`: time passes; what falls due is handled (follow-up, then injects).
        // `HH:MM downtime since HH:MM`: tocsin comes back after being down.
        if let Some(since) = rest.strip_prefix("downtime since ") {
            let since = NaiveTime::parse_from_str(since, "%H:%M").unwrap();
            let since = settings
                .tz
                .from_local_datetime(&day.and_time(since))
                .unwrap()
                .with_timezone(&Utc);
            for decision in super::schedule::downtime(&world, &settings, since, at) {
                show(&mut world, &mut out, &mut n_posted, &settings, at, decision);
            }
            continue;
        }
        if rest == "tick" {
            for decision in super::schedule::tick(&world, catalog, &settings, at) {
                show(&mut world, &mut out, &mut n_posted, &settings, at, decision);
            }
            for decision in super::exercise::tick(&world, catalog, &settings, at) {
                show(&mut world, &mut out, &mut n_posted, &settings, at, decision);
            }
            for decision in super::plan::tick(&world, &settings, at) {
                show(&mut world, &mut out, &mut n_posted, &settings, at, decision);
            }
            continue;
        }
        let decisions = {
            let (who, text) = rest
                .split_once("> ")
                .unwrap_or((rest.trim_end_matches('>'), ""));
            // `name@anim>`: in the room `!anim` rather than the players' `!room`.
            let (who, room) = match who.split_once('@') {
                Some((who, room)) => (who, format!("!{room}")),
                None => (who, "!room".to_owned()),
            };
            let (name, privileged) = match who.strip_suffix('?') {
                Some(name) => (name, false),
                None => (who, true),
            };
            // `HH:MM bob> reply <tag> <text>`: a reply to the message posted under that tag.
            let (text, in_reply_to) =
                match text.strip_prefix("reply ").and_then(|r| r.split_once(' ')) {
                    Some((tag, text)) => (
                        text,
                        world
                            .open_in("!room")
                            .and_then(|c| c.posted.get(&tag.parse().ok()?).cloned()),
                    ),
                    None => (text, None),
                };
            // `HH:MM bob> react <tag> ✅`: a reaction on the message posted under that tag.
            let body = match text.strip_prefix("react ").and_then(|r| r.split_once(' ')) {
                Some((tag, key)) => {
                    let target = world
                        .open_in("!room")
                        .and_then(|c| c.posted.get(&tag.parse().ok()?).cloned())
                        .unwrap_or_default();
                    Body::Reaction {
                        target,
                        key: key.to_owned(),
                    }
                }
                // `edit <text>`: the author edits an earlier message into <text>.
                None => match text.strip_prefix("edit ") {
                    Some(new) => Body::Edit {
                        original: "$earlier".to_owned(),
                        text: new.to_owned(),
                    },
                    None => Body::Text(text.to_owned()),
                },
            };
            let input = Input {
                at,
                sent_at: at,
                author: Author {
                    id: format!("@{name}"),
                    name: name.to_owned(),
                },
                room,
                body,
                source: Some(format!("$line{}", out.len())),
                privileged,
                quoted: None,
                in_reply_to,
            };
            vec![decide(&world, catalog, &settings, &input)]
        };
        for decision in decisions {
            show(&mut world, &mut out, &mut n_posted, &settings, at, decision);
        }
    }
    out
}

/// Prints a decision's effects and records, and applies the records.
fn show(
    world: &mut World,
    out: &mut String,
    n_posted: &mut usize,
    settings: &Settings,
    at: chrono::DateTime<Utc>,
    decision: super::Decision,
) {
    for effect in &decision.effects {
        let text = match effect {
            Effect::Ack(t) => format!("✅ {}", settings.say(t)),
            Effect::Refuse(t) => format!("⛔ {}", settings.say(t)),
            Effect::Reply(t) => format!("» {}", settings.say(t)),
            Effect::AnnounceDigest { crisis } => format!("🔏 digest of {crisis}"),
            Effect::Post {
                text, tag, room, ..
            } => format!(
                "📌{}{} {}",
                tag.as_ref().map(|t| format!("[{t}]")).unwrap_or_default(),
                if room == "!room" {
                    String::new()
                } else {
                    format!("→{room}")
                },
                settings.say(text)
            ),
            Effect::Edit { tag, text, .. } => format!("✏️[{tag}] {}", settings.say(text)),
            // A stimulus reads as a tagged post; a direct one names whom it is for.
            Effect::Stimulus(s) => {
                let mut shown = format!(
                    "📌[inject:{}]{}{} {}",
                    s.inject,
                    if s.room == "!room" {
                        String::new()
                    } else {
                        format!("→{}", s.room)
                    },
                    s.direct_to
                        .as_ref()
                        .map(|u| format!("✉️{u}"))
                        .unwrap_or_default(),
                    settings.say(s.text.clone())
                );
                if let Some(html) = &s.html {
                    shown.push_str(&format!("\n  html: {html}"));
                }
                for f in &s.files {
                    shown.push_str(&format!(
                        "\n  📎 {} {} {} {}",
                        f.name,
                        f.mime,
                        &f.sha256[..12],
                        f.caption.as_deref().unwrap_or_default()
                    ));
                }
                shown
            }
            Effect::Export { crisis, format, .. } => {
                format!("📎 export {} of {crisis}", format.extension())
            }
            Effect::Summary { sites, format, .. } => {
                format!("📎 summary {} of {sites:?}", format.extension())
            }
            Effect::ShareHistory { room, crisis } => {
                format!("🔓 history of {room} shared from here on ({crisis})")
            }
            Effect::Invite { room, crisis, user } => {
                format!("📨 invite {user} into {room} ({crisis})")
            }
        };
        for l in text.lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    // The journal indexes a chat event once: one entry per source.
    let sources: Vec<&String> = decision
        .records
        .iter()
        .filter_map(|r| r.source.as_ref())
        .collect();
    let unique: std::collections::BTreeSet<&&String> = sources.iter().collect();
    assert_eq!(unique.len(), sources.len(), "{:#?}", decision.records);
    // A regional command records in several crises: each entry says which.
    let several = decision
        .records
        .windows(2)
        .any(|w| w[0].crisis != w[1].crisis);
    for record in &decision.records {
        let crisis = if several {
            format!("{} ", record.crisis)
        } else {
            String::new()
        };
        out.push_str(&format!("  + {crisis}{}\n", summarize(record)));
        world.apply(record);
    }
    // What the runtime does once a tagged message is posted.
    for effect in &decision.effects {
        let posted = match effect {
            Effect::Post {
                crisis,
                tag: Some(tag),
                ..
            } => Some((crisis, tag.clone())),
            Effect::Stimulus(s) => {
                Some((&s.crisis, super::event::PostTag::Inject(s.inject.clone())))
            }
            _ => None,
        };
        // A direct stimulus goes to the room `!dm` (`bob@dm>` speaks there).
        let room = match effect {
            Effect::Stimulus(s) if s.direct_to.is_some() => Some("!dm".to_owned()),
            _ => None,
        };
        if let Some((crisis, tag)) = posted {
            *n_posted += 1;
            let c = world.crisis(crisis).unwrap();
            let record = super::system_record(
                crisis,
                c.last_seq + 1,
                at,
                settings,
                super::event::Event::Posted {
                    tag,
                    room,
                    event_id: format!("$posted{n_posted}"),
                },
            );
            world.apply(&record);
        }
    }
}

fn summarize(record: &Record) -> String {
    let event = serde_json::to_string(&record.event).unwrap();
    let mut s = format!("{} {event}", record.seq);
    if let Some(role) = &record.role {
        s.push_str(&format!(" role={role}"));
    }
    if !record.links.is_empty() {
        s.push_str(&format!(" answers={}", record.links.join(",")));
    }
    if record.transcribed {
        s.push_str(&format!(
            " transcribed occurred_at={}",
            record.occurred_at.to_rfc3339()
        ));
    }
    s
}

fn check(script: &str, expect: Expect) {
    check_on(&catalog(), script, expect);
}

/// A transcript against another catalog, in French then in English.
fn check_on(catalog: &Catalog, script: &str, expect: Expect) {
    expect.assert_eq(&run_on(catalog, Settings::default(), script));
    check_in_english(catalog, script);
}

/// The same transcript, started in English: pinned in `snapshots/en/<test>.txt`
/// (`UPDATE_EXPECT=1` writes them), so both catalogs are held to every test.
fn check_in_english(catalog: &Catalog, script: &str) {
    let name = std::thread::current()
        .name()
        .and_then(|n| n.rsplit("::").next())
        .expect("a test runs on a thread named after it")
        .to_owned();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/engine/snapshots/en")
        .join(format!("{name}.txt"));
    let actual = run_on(catalog, Settings::default(), &format!("lang en\n{script}"));
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with UPDATE_EXPECT=1)", path.display()));
    assert!(
        expected == actual,
        "{} differs (bless with UPDATE_EXPECT=1 if the change is meant):\n{}",
        path.display(),
        first_difference(&expected, &actual)
    );
}

fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let idx = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    format!(
        "line {}:\n- {}\n+ {}",
        idx + 1,
        e.get(idx).unwrap_or(&"<end>"),
        a.get(idx).unwrap_or(&"<end>")
    )
}

#[test]
fn conversation_is_ignored_and_commands_need_a_crisis() {
    check(
        r#"
        03:40 alice> bonjour à tous
        03:40 alice> !info le labo est en panne
        03:41 alice> !statut
        03:41 alice> ! pas une commande
        "#,
        expect![[r#"
            03:40 alice> bonjour à tous
            03:40 alice> !info le labo est en panne
              ⛔ Aucune crise ouverte dans ce salon. Pour commencer : !ouvrir <playbook> [exercice] (playbooks : test).
            03:41 alice> !statut
              » Aucune crise ouverte dans ce salon. Pour commencer : !ouvrir <playbook> [exercice] (playbooks : test).
            03:41 alice> ! pas une commande
        "#]],
    );
}

#[test]
fn a_crisis_from_opening_to_close() {
    check(
        r#"
        03:40 alice> !ouvrir test
        03:41 alice> !rôle historien @moi
        03:41 alice> !role dsi @bob
        03:42 bob> !info Le labo signale des fichiers renommés
        03:43 bob> !vérifier I1 en cours
        03:45 bob> !verifier i1 CONFIRMÉE
        03:46 alice> !DÉCISION Couper internet -- le chiffrement se propage
        03:47 alice> !décision Déclencher le plan blanc
        03:48 alice> !action Prévenir le SAMU @carol dans 30m
        03:48 alice> !action Isoler les sauvegardes dsi à 04:00
        03:49 alice> !action Rappeler les secrétaires @moi
        04:20 carol> !fait A1
        04:21 carol> !fait a1
        04:22 alice> !corriger D1 Couper internet et les liaisons inter-sites
        04:23 alice> !statut
        04:30 alice> !clore
        04:31 alice> !info après la clôture
        "#,
        expect![[r#"
            03:40 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:41 alice> !rôle historien @moi
              ✅ Rôle Historien (historien) → @alice.
              + 2 {"kind":"role_assigned","role":"historien","user":"@alice"}
            03:41 alice> !role dsi @bob
              ✅ Rôle DSI (dsi) → @bob.
              + 3 {"kind":"role_assigned","role":"dsi","user":"@bob"} role=historien
            03:42 bob> !info Le labo signale des fichiers renommés
              ✅ I1 — information enregistrée, à vérifier (03:42).
              + 4 {"kind":"info","reference":"I1","text":"Le labo signale des fichiers renommés"} role=dsi
            03:43 bob> !vérifier I1 en cours
              ✅ I1 — en cours de vérification (était : à vérifier).
              + 5 {"kind":"verification","target":"I1","status":"checking"} role=dsi
            03:45 bob> !verifier i1 CONFIRMÉE
              ✅ I1 — confirmée (était : en cours de vérification).
              + 6 {"kind":"verification","target":"I1","status":"confirmed"} role=dsi
            03:46 alice> !DÉCISION Couper internet -- le chiffrement se propage
              ✅ D1 — décision enregistrée (03:46), avec sa justification.
              + 7 {"kind":"decision","reference":"D1","text":"Couper internet","rationale":"le chiffrement se propage"} role=historien
            03:47 alice> !décision Déclencher le plan blanc
              ✅ D2 — décision enregistrée (03:47). Sans justification : ajoutez « -- pourquoi » la prochaine fois.
              + 8 {"kind":"decision","reference":"D2","text":"Déclencher le plan blanc"} role=historien
            03:48 alice> !action Prévenir le SAMU @carol dans 30m
              ✅ A1 — action enregistrée · pour @carol · échéance 04:18.
              + 9 {"kind":"action","reference":"A1","text":"Prévenir le SAMU","owner":{"type":"user","id":"@carol"},"due":"2026-11-29T03:18:00Z"} role=historien
            03:48 alice> !action Isoler les sauvegardes dsi à 04:00
              ✅ A2 — action enregistrée · pour dsi (@bob) · échéance 04:00.
              + 10 {"kind":"action","reference":"A2","text":"Isoler les sauvegardes","owner":{"type":"role","id":"dsi"},"due":"2026-11-29T03:00:00Z"} role=historien
            03:49 alice> !action Rappeler les secrétaires @moi
              ✅ A3 — action enregistrée · pour @alice.
              + 11 {"kind":"action","reference":"A3","text":"Rappeler les secrétaires","owner":{"type":"user","id":"@alice"}} role=historien
            04:20 carol> !fait A1
              ✅ A1 — faite (04:20), en retard sur l'échéance de 04:18.
              + 12 {"kind":"action_done","target":"A1"}
            04:21 carol> !fait a1
              ⛔ A1 est déjà faite (depuis 04:20).
            04:22 alice> !corriger D1 Couper internet et les liaisons inter-sites
              ✅ C1 — correction de D1 enregistrée ; l'entrée d'origine reste dans la main courante.
              + 13 {"kind":"correction","reference":"C1","target":"D1","text":"Couper internet et les liaisons inter-sites"} role=historien
            04:23 alice> !statut
              » 📋 Crise de test — crise 20261129-test
              Ouverte à 03:40 par alice (depuis 0h43).
              Rôles (2/3) : dsi @bob, historien @alice
              Informations : 1 — 0 à vérifier, 0 en cours, 1 confirmée(s), 0 infirmée(s)
              Décisions : 2 — dernière D2 à 03:47 : Déclencher le plan blanc
              Actions : 2 ouverte(s) dont 1 en retard, 1 faite(s)
                A2 Isoler les sauvegardes · dsi (@bob) · ⚠️ 04:00
                A3 Rappeler les secrétaires · @alice
            04:30 alice> !clore
              ✅ 🏁 Crise 20261129-test close. Main courante : 14 entrées, 2 décisions, 3 actions dont 2 restées ouvertes.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (04:30 ; échéance 02/12 03:40)
              ❌ point-ars — Point ARS : non faite à la clôture (04:30 ; échéance 05:40)
              🔏 digest of 20261129-test
              + 14 {"kind":"crisis_closed"} role=historien
            04:31 alice> !info après la clôture
              ⛔ Aucune crise ouverte dans ce salon. Pour commencer : !ouvrir <playbook> [exercice] (playbooks : test).
        "#]],
    );
}

#[test]
fn malformed_commands_get_a_precise_reason_and_the_help_line() {
    check(
        r#"
        03:40 alice> !ouvrir
        03:40 alice> !ouvrir inconnu
        03:40 alice> !ouvrir test pour de vrai
        03:40 alice> !ouvrir test exercise
        03:40 alice> !ouvrir test
        03:41 alice> !decison oups
        03:41 alice> !xyzzy
        03:41 alice> !info
        03:41 alice> !vérifier
        03:41 alice> !vérifier I9 confirmée
        03:41 alice> !info panne du DPI
        03:41 alice> !vérifier I1 peut-être
        03:41 alice> !vérifier I1 à vérifier
        03:41 alice> !décision   -- pourquoi
        03:42 alice> !action Prévenir @
        03:42 alice> !action Prévenir le SAMU à 25:00
        03:42 alice> !action Prévenir le SAMU dans bientôt
        03:42 alice> !action dans 30m
        03:42 alice> !fait
        03:42 alice> !fait I1
        03:42 alice> !fait A1 A2
        03:42 alice> !rôle dsi bob
        03:42 alice> !rôle pompier @bob
        03:42 alice> !corriger Z9 texte
        03:42 alice> !corriger I1
        03:42 alice> !papier
        03:42 alice> !papier 3h70 info x
        03:42 alice> !papier 03:30 rumeur x
        03:42 alice> !papier 03:30 info
        03:42 alice> !statut maintenant
        03:43 alice> !aide fait
        03:43 alice> !aide inconnue
        "#,
        expect![[r#"
            03:40 alice> !ouvrir
              ⛔ Quel playbook ouvrir ?
              !ouvrir <playbook> [exercice] — ouvre une crise (ex. ouvrir rancongiciel exercice)
            03:40 alice> !ouvrir inconnu
              ⛔ Playbook inconnu « inconnu ». Disponibles : test.
            03:40 alice> !ouvrir test pour de vrai
              ⛔ Trop de mots : un playbook, puis « exercice » s'il s'agit d'un exercice.
              !ouvrir <playbook> [exercice] — ouvre une crise (ex. ouvrir rancongiciel exercice)
            03:40 alice> !ouvrir test exercise
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:40 alice> !ouvrir test
              ⛔ [EXERCICE] Une crise est déjà ouverte dans ce salon (20261129-test). Un salon = une cellule : fermez-la avec !clore ou ouvrez un autre salon.
            03:41 alice> !decison oups
              ⛔ [EXERCICE] Commande inconnue « !decison ». Vouliez-vous dire !decision ?
              !décision <texte> [par @qui] [suite à I3|i05] [-- <justification>]
            03:41 alice> !xyzzy
              ⛔ [EXERCICE] Commande inconnue « !xyzzy ».
              Tapez !aide pour la liste.
            03:41 alice> !info
              ⛔ [EXERCICE] Il manque le texte de l'information.
              !info <texte> — une information reçue, « à vérifier »
            03:41 alice> !vérifier
              ⛔ [EXERCICE] Il manque la référence de l'information (ex. I3).
              !vérifier <I1> confirmée|infirmée|en cours
            03:41 alice> !vérifier I9 confirmée
              ⛔ [EXERCICE] Référence inconnue « I9 » dans cette crise (dernières : aucune entrée encore).
            03:41 alice> !info panne du DPI
              ✅ [EXERCICE] I1 — information enregistrée, à vérifier (03:41).
              + 2 {"kind":"info","reference":"I1","text":"panne du DPI"}
            03:41 alice> !vérifier I1 peut-être
              ⛔ [EXERCICE] Statut inconnu : confirmée, infirmée ou en cours.
              !vérifier <I1> confirmée|infirmée|en cours
            03:41 alice> !vérifier I1 à vérifier
              ⛔ [EXERCICE] Une information ne redevient pas « à vérifier » : utilisez « en cours ».
            03:41 alice> !décision   -- pourquoi
              ⛔ [EXERCICE] Il manque le texte de la décision.
              !décision <texte> [par @qui] [suite à I3|i05] [-- <justification>]
            03:42 alice> !action Prévenir @
              ⛔ [EXERCICE] Un @ seul ne désigne personne.
              !action <texte> [@personne|rôle] [à HH:MM | dans 30m]
            03:42 alice> !action Prévenir le SAMU à 25:00
              ⛔ [EXERCICE] Heure illisible après « à » : écrivez HH:MM (ex. à 14:30).
              !action <texte> [@personne|rôle] [à HH:MM | dans 30m]
            03:42 alice> !action Prévenir le SAMU dans bientôt
              ⛔ [EXERCICE] Délai illisible après « dans » : écrivez 30m, 2h ou 1h30.
              !action <texte> [@personne|rôle] [à HH:MM | dans 30m]
            03:42 alice> !action dans 30m
              ⛔ [EXERCICE] Il manque le texte de l'action.
              !action <texte> [@personne|rôle] [à HH:MM | dans 30m]
            03:42 alice> !fait
              ⛔ [EXERCICE] Il manque la référence de l'action (ex. A2).
              !fait <A1> | <proc>.<n> — action terminée, ou étape de procédure faite
            03:42 alice> !fait I1
              ⛔ [EXERCICE] I1 n'est pas une action (A…).
            03:42 alice> !fait A1 A2
              ⛔ [EXERCICE] Une seule référence d'action (ex. A2).
              !fait <A1> | <proc>.<n> — action terminée, ou étape de procédure faite
            03:42 alice> !rôle dsi bob
              ⛔ [EXERCICE] La personne s'écrit avec @ (ex. @alice:exemple.fr, ou @moi).
              !rôle <rôle> @personne — attribue un rôle de la cellule
            03:42 alice> !rôle pompier @bob
              ⛔ [EXERCICE] Rôle inconnu « pompier ». Rôles : directeur-crise, dsi, historien.
            03:42 alice> !corriger Z9 texte
              ⛔ [EXERCICE] Référence inconnue « Z9 » dans cette crise (dernières : I1).
            03:42 alice> !corriger I1
              ⛔ [EXERCICE] Il manque le texte corrigé.
              !corriger <réf> <texte> — corrige une entrée (l'originale reste)
            03:42 alice> !papier
              ⛔ [EXERCICE] Il manque l'heure de la note papier (HH:MM).
              !papier <HH:MM> info|décision|action <texte> — saisit une note papier
            03:42 alice> !papier 3h70 info x
              ⛔ [EXERCICE] Heure illisible : écrivez HH:MM (ex. 03:55).
              !papier <HH:MM> info|décision|action <texte> — saisit une note papier
            03:42 alice> !papier 03:30 rumeur x
              ⛔ [EXERCICE] Type inconnu : info, décision ou action.
              !papier <HH:MM> info|décision|action <texte> — saisit une note papier
            03:42 alice> !papier 03:30 info
              ⛔ [EXERCICE] Il manque le texte de la note.
              !papier <HH:MM> info|décision|action <texte> — saisit une note papier
            03:42 alice> !statut maintenant
              ⛔ [EXERCICE] Cette commande ne prend pas d'argument.
              !statut — où en est la crise
            03:43 alice> !aide fait
              » [EXERCICE] !fait <A1> | <proc>.<n> — action terminée, ou étape de procédure faite
            03:43 alice> !aide inconnue
              ⛔ [EXERCICE] Commande inconnue « !inconnue ».
              Tapez !aide pour la liste.
        "#]],
    );
}

#[test]
fn only_leads_open_close_and_assign_roles() {
    check(
        r#"
        03:40 zoe?> !ouvrir test
        03:40 alice> !ouvrir test exercice
        03:41 zoe?> !rôle dsi @zoe
        03:41 zoe?> !info le standard ne répond plus
        03:41 zoe?> !clore
        03:42 alice> !clore
        "#,
        expect![[r#"
            03:40 zoe?> !ouvrir test
              ⛔ !ouvrir est réservé aux responsables de la cellule (niveau de pouvoir 50 dans le salon, ou administrateur tocsin).
            03:40 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:41 zoe?> !rôle dsi @zoe
              ⛔ [EXERCICE] !rôle est réservé aux responsables de la cellule (niveau de pouvoir 50 dans le salon, ou administrateur tocsin).
            03:41 zoe?> !info le standard ne répond plus
              ✅ [EXERCICE] I1 — information enregistrée, à vérifier (03:41).
              + 2 {"kind":"info","reference":"I1","text":"le standard ne répond plus"}
            03:41 zoe?> !clore
              ⛔ [EXERCICE] !clore est réservé aux responsables de la cellule (niveau de pouvoir 50 dans le salon, ou administrateur tocsin).
            03:42 alice> !clore
              ✅ [EXERCICE] 🏁 Crise 20261129-test close. Main courante : 3 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (03:42 ; échéance 02/12 03:40)
              ❌ point-ars — Point ARS : non faite à la clôture (03:42 ; échéance 05:40)
              🔏 digest of 20261129-test
              + 3 {"kind":"crisis_closed"}
        "#]],
    );
}

#[test]
fn leads_have_tocsin_invite_people_into_the_room() {
    check(
        r#"
        03:40 alice> !ouvrir test
        03:41 alice> !inviter @dan:exemple.fr
        03:41 zoe?> !inviter @eve:exemple.fr
        03:42 alice> !inviter
        03:42 alice> !inviter bob
        03:42 alice> !inviter @bob
        03:42 alice> !inviter @bob:exemple.fr @carol:exemple.fr
        03:42 alice> !inviter @:exemple.fr
        03:42 alice> !inviter @bob:exe mple.fr
        03:42 alice> !inviter @bob:exemple.fr:80x
        03:43 alice> !inviter @alice
        03:43 alice> !inviter @carol:[::1]:8448
        "#,
        expect![[r#"
            03:40 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:41 alice> !inviter @dan:exemple.fr
              ✅ Invitation de @dan:exemple.fr enregistrée ; je l'envoie.
              📨 invite @dan:exemple.fr into !room (20261129-test)
              + 2 {"kind":"invited","user":"@dan:exemple.fr"}
            03:41 zoe?> !inviter @eve:exemple.fr
              ⛔ !inviter est réservé aux responsables de la cellule (niveau de pouvoir 50 dans le salon, ou administrateur tocsin).
            03:42 alice> !inviter
              ⛔ Qui inviter ? (ex. inviter @dan:exemple.fr)
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:42 alice> !inviter bob
              ⛔ « bob » n'est pas un identifiant Matrix (ex. @dan:exemple.fr).
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:42 alice> !inviter @bob
              ⛔ « @bob » : il faut l'identifiant complet avec le serveur (ex. @bob:exemple.fr).
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:42 alice> !inviter @bob:exemple.fr @carol:exemple.fr
              ⛔ Une personne à la fois (ex. inviter @dan:exemple.fr).
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:42 alice> !inviter @:exemple.fr
              ⛔ « @:exemple.fr » n'est pas un identifiant Matrix (ex. @dan:exemple.fr).
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:42 alice> !inviter @bob:exe mple.fr
              ⛔ Une personne à la fois (ex. inviter @dan:exemple.fr).
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:42 alice> !inviter @bob:exemple.fr:80x
              ⛔ « @bob:exemple.fr:80x » n'est pas un identifiant Matrix (ex. @dan:exemple.fr).
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:43 alice> !inviter @alice
              ⛔ « @alice » : il faut l'identifiant complet avec le serveur (ex. @alice:exemple.fr).
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
            03:43 alice> !inviter @carol:[::1]:8448
              ✅ Invitation de @carol:[::1]:8448 enregistrée ; je l'envoie.
              📨 invite @carol:[::1]:8448 into !room (20261129-test)
              + 3 {"kind":"invited","user":"@carol:[::1]:8448"}
        "#]],
    );
}

#[test]
fn hostile_and_oversized_input_is_refused() {
    let long = "x".repeat(super::command::MAX_TEXT_CHARS + 1);
    let script = format!(
        "03:40 alice> !ouvrir test\n03:41 alice> !info a\u{1b}[31mrouge\n03:41 alice> !info {long}\n03:41 alice> !info <script>alert(1)</script> {{{{x}}}}\n"
    );
    let out = run(&script);
    let shortened = out.replace(&long, "x…(3001)");
    expect![[r#"
        03:40 alice> !ouvrir test
          🔓 history of !room shared from here on (20261129-test)
          ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
          3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
          + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
        03:41 alice> !info a[31mrouge
          ⛔ Le message contient un caractère de contrôle (U+001B) : retapez-le sans le coller depuis un terminal.
        03:41 alice> !info x…(3001)
          ⛔ Texte trop long (3001 caractères, au plus 3000) : scindez-le en plusieurs entrées.
        03:41 alice> !info <script>alert(1)</script> {{x}}
          ✅ I1 — information enregistrée, à vérifier (03:41).
          + 2 {"kind":"info","reference":"I1","text":"<script>alert(1)</script> {{x}}"}
    "#]].assert_eq(&shortened);
}

#[test]
fn paper_notes_keep_their_stated_time() {
    check(
        r#"
        03:40 alice> !ouvrir test
        04:10 alice> !papier 03:55 info Appel du biologiste : automate bloqué
        04:11 alice> !papier 03:58 décision Passer aux bons papier -- automate HS
        04:12 alice> !papier 4h05 action Coursier vers le labo
        04:13 alice> !papier 23:50 info Veille : rien à signaler
        04:14 alice> !papier 23:55 décision Appeler l'astreinte -- alerte de la veille
        04:15 alice> !statut
        "#,
        expect![[r#"
            03:40 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            04:10 alice> !papier 03:55 info Appel du biologiste : automate bloqué
              ✅ I1 — note papier de 03:55 saisie (transcrite).
              + 2 {"kind":"info","reference":"I1","text":"Appel du biologiste : automate bloqué"} transcribed occurred_at=2026-11-29T02:55:00+00:00
            04:11 alice> !papier 03:58 décision Passer aux bons papier -- automate HS
              ✅ D1 — note papier de 03:58 saisie (transcrite).
              + 3 {"kind":"decision","reference":"D1","text":"Passer aux bons papier","rationale":"automate HS"} transcribed occurred_at=2026-11-29T02:58:00+00:00
            04:12 alice> !papier 4h05 action Coursier vers le labo
              ✅ A1 — note papier de 04:05 saisie (transcrite).
              + 4 {"kind":"action","reference":"A1","text":"Coursier vers le labo"} transcribed occurred_at=2026-11-29T03:05:00+00:00
            04:13 alice> !papier 23:50 info Veille : rien à signaler
              ✅ I2 — note papier de 28/11 23:50 saisie (transcrite). ⚠️ Elle précède l'ouverture de la crise (03:40) : signalée comme telle, elle ne compte ni comme dernière décision ni dans les délais.
              + 5 {"kind":"info","reference":"I2","text":"Veille : rien à signaler"} transcribed occurred_at=2026-11-28T22:50:00+00:00
            04:14 alice> !papier 23:55 décision Appeler l'astreinte -- alerte de la veille
              ✅ D2 — note papier de 28/11 23:55 saisie (transcrite). ⚠️ Elle précède l'ouverture de la crise (03:40) : signalée comme telle, elle ne compte ni comme dernière décision ni dans les délais.
              + 6 {"kind":"decision","reference":"D2","text":"Appeler l'astreinte","rationale":"alerte de la veille"} transcribed occurred_at=2026-11-28T22:55:00+00:00
            04:15 alice> !statut
              » 📋 Crise de test — crise 20261129-test
              Ouverte à 03:40 par alice (depuis 0h35).
              Rôles (0/3) : aucun
              Informations : 2 — 2 à vérifier, 0 en cours, 0 confirmée(s), 0 infirmée(s)
              Décisions : 2 — dernière D1 à 03:58 : Passer aux bons papier
              Actions : 1 ouverte(s) dont 0 en retard, 0 faite(s)
                A1 Coursier vers le labo
        "#]],
    );
}

#[test]
fn english_and_a_second_crisis_in_the_same_room() {
    check(
        r#"
        lang en
        09:00 alice> !open test exercise
        09:01 alice> !decision Divert ambulances -- ER saturated
        09:02 alice> !action Call the ARS by 9:30
        09:03 alice> !close
        09:10 alice> !open test
        09:11 alice> !status
        "#,
        expect![[r#"
            09:00 alice> !open test exercise
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCISE] 🚨 Exercise opened: Test crisis (v2) — crisis 20261129-test.
              3 roles to fill: !role <role> @person. Start by naming the scribe.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            09:01 alice> !decision Divert ambulances -- ER saturated
              ✅ [EXERCISE] D1 — decision recorded (09:01), with its rationale.
              + 2 {"kind":"decision","reference":"D1","text":"Divert ambulances","rationale":"ER saturated"}
            09:02 alice> !action Call the ARS by 9:30
              ✅ [EXERCISE] A1 — action recorded · due 09:30.
              + 3 {"kind":"action","reference":"A1","text":"Call the ARS","due":"2026-11-29T08:30:00Z"}
            09:03 alice> !close
              ✅ [EXERCISE] 🏁 Crisis 20261129-test closed. Log: 4 entries, 1 decision, 1 action of which 1 left open.
              Clocks not done at closure:
              ❌ cnil-72h — Notification CNIL: not done at closure (09:03; deadline 02/12 09:00)
              ❌ point-ars — Point ARS: not done at closure (09:03; deadline 11:00)
              🔏 digest of 20261129-test
              + 4 {"kind":"crisis_closed"}
            09:10 alice> !open test
              🔓 history of !room shared from here on (20261129-test-2)
              ✅ 🚨 Crisis opened: Test crisis (v2) — crisis 20261129-test-2.
              3 roles to fill: !role <role> @person. Start by naming the scribe.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            09:11 alice> !status
              » 📋 Test crisis — crisis 20261129-test-2
              Opened at 09:10 by alice (0h01 ago).
              Roles (0/3): none
              Information: 0 — 0 to check, 0 being checked, 0 confirmed, 0 refuted
              Decisions: none
              Actions: 0 open of which 0 overdue, 0 done
        "#]],
    );
}

#[test]
fn the_record_format_is_stable() {
    // Journals outlive releases: this pins the stored JSON of each kind.
    let out = run(r#"
        03:40 alice> !ouvrir test
        03:41 alice> !rôle dsi @bob
        03:42 bob> !info i
        03:43 bob> !vérifier I1 infirmée
        03:44 alice> !décision d -- r
        03:45 alice> !action a dsi dans 1h
        03:46 bob> !fait A1
        03:47 alice> !corriger I1 c
        03:48 alice> !papier 03:30 info p
        03:49 alice> !clore
    "#);
    let records: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with('+'))
        .collect();
    assert_eq!(records.len(), 10, "{out}");
    let full = Record {
        v: super::event::RECORD_VERSION,
        seq: 7,
        crisis: "20261129-test".to_owned(),
        occurred_at: Utc.with_ymd_and_hms(2026, 11, 29, 2, 46, 0).unwrap(),
        recorded_at: Utc.with_ymd_and_hms(2026, 11, 29, 2, 46, 1).unwrap(),
        author: Author {
            id: "@bob:example.org".to_owned(),
            name: "Bob".to_owned(),
        },
        role: Some("dsi".to_owned()),
        source: Some("$event:example.org".to_owned()),
        transcribed: true,
        recorded_by: None,
        quotes: None,
        links: Vec::new(),
        event: super::event::Event::ActionDone {
            target: "A1".to_owned(),
        },
    };
    expect![[r#"
        {
          "v": 1,
          "seq": 7,
          "crisis": "20261129-test",
          "occurred_at": "2026-11-29T02:46:00Z",
          "recorded_at": "2026-11-29T02:46:01Z",
          "author": {
            "id": "@bob:example.org",
            "name": "Bob"
          },
          "role": "dsi",
          "source": "$event:example.org",
          "transcribed": true,
          "event": {
            "kind": "action_done",
            "target": "A1"
          }
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&full).unwrap());
    // An older record without optional fields still reads.
    let old = r#"{"v":1,"seq":1,"crisis":"c","occurred_at":"2026-11-29T02:40:00Z","recorded_at":"2026-11-29T02:40:00Z","author":{"id":"@a","name":"a"},"event":{"kind":"crisis_closed"}}"#;
    let parsed: Record = serde_json::from_str(old).unwrap();
    assert_eq!(parsed.role, None);
    assert!(!parsed.transcribed);
    // Clock warnings written before clocks had stages.
    let clock: super::event::Event =
        serde_json::from_str(r#"{"kind":"clock_warning","clock":"cnil-72h","left_minutes":60}"#)
            .unwrap();
    assert_eq!(
        clock,
        super::event::Event::ClockWarning {
            clock: "cnil-72h".to_owned(),
            left_minutes: 60,
            stage: None
        }
    );
    // Inject entries written before the recipient was recorded.
    let inject: super::event::Event = serde_json::from_str(
        r#"{"kind":"inject_played","inject":"i1","channel":"phone","from":"SAMU","to":"dsi","text":"t"}"#,
    )
    .unwrap();
    assert!(
        matches!(&inject, super::event::Event::InjectPlayed { to: Some(to), recipient: None, .. } if to == "dsi"),
        "{inject:?}"
    );
}

#[test]
fn procedures_are_started_and_ticked() {
    check(
        r#"
        03:40 alice> !ouvrir test
        03:41 alice> !rôle dsi @bob
        03:42 alice> !proc
        03:43 alice> !proc pd-inconnue
        03:43 alice> !fait pd-lab.1
        03:44 alice> !proc PD-LAB
        03:45 alice> !proc pd-lab
        03:50 bob> !fait pd-lab.2
        03:51 bob> !fait pd-lab.1
        03:52 bob> !fait pd-lab.1
        03:52 bob> !fait pd-lab.x
        03:53 alice> !proc
        "#,
        expect![[r#"
            03:40 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:41 alice> !rôle dsi @bob
              ✅ Rôle DSI (dsi) → @bob.
              + 2 {"kind":"role_assigned","role":"dsi","user":"@bob"}
            03:42 alice> !proc
              » Procédures (lancer : !proc <id>) :
              • pd-lab — Labo · non lancée
              • pd-urg — Urgences · non lancée
            03:43 alice> !proc pd-inconnue
              ⛔ Procédure inconnue « pd-inconnue ». Procédures : pd-lab, pd-urg.
            03:43 alice> !fait pd-lab.1
              ⛔ pd-lab n'est pas lancée : !proc pd-lab d'abord.
            03:44 alice> !proc PD-LAB
              ✅ pd-lab lancée — @bob, vous êtes responsable (dsi).
              📌[proc:pd-lab] 📋 pd-lab — Labo (responsable : dsi → @bob)
              ☐ 1. Bons papier
              Progression : 0/1 · !fait pd-lab.<n> pour cocher
              + 3 {"kind":"procedure_started","procedure":"pd-lab"}
            03:45 alice> !proc pd-lab
              ⛔ pd-lab est déjà lancée (depuis 03:44). Où elle en est :
              📋 pd-lab — Labo (responsable : dsi → @bob)
              ☐ 1. Bons papier
              Progression : 0/1 · !fait pd-lab.<n> pour cocher
            03:50 bob> !fait pd-lab.2
              ⛔ pd-lab a 1 étapes : pas d'étape 2.
            03:51 bob> !fait pd-lab.1
              ✅ pd-lab.1 faite — pd-lab terminée (1/1).
              ✏️[proc:pd-lab] 📋 pd-lab — Labo (responsable : dsi → @bob)
              ☑ 1. Bons papier — fait 03:51 (bob)
              Progression : 1/1 · !fait pd-lab.<n> pour cocher
              + 5 {"kind":"step_done","procedure":"pd-lab","step":1} role=dsi
            03:52 bob> !fait pd-lab.1
              ⛔ pd-lab.1 est déjà faite (03:51 par bob).
            03:52 bob> !fait pd-lab.x
              ⛔ Étape illisible : écrivez <procédure>.<numéro> (ex. pd-lab.2).
              !fait <A1> | <proc>.<n> — action terminée, ou étape de procédure faite
            03:53 alice> !proc
              » Procédures (lancer : !proc <id>) :
              • pd-lab — Labo · 1/1
              • pd-urg — Urgences · non lancée
        "#]],
    );
}

/// Runs inputs of every kind (not only text) through `decide` at 03:40, in
/// room `!room`; each line shows the effects and the recorded events.
fn run_bodies(steps: Vec<(&str, Body, &str)>) -> String {
    let catalog = catalog();
    let settings = Settings::default();
    let mut world = World::default();
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 2, 40, 0).unwrap();
    let mut out = Vec::new();
    for (who, body, source) in steps {
        let input = Input {
            at,
            sent_at: at,
            author: Author {
                id: format!("@{}:x", who.to_lowercase()),
                name: who.into(),
            },
            room: "!room".into(),
            body,
            source: Some(source.into()),
            privileged: true,
            quoted: None,
            in_reply_to: None,
        };
        let decision = decide(&world, &catalog, &settings, &input);
        for record in &decision.records {
            world.apply(record);
        }
        let events: Vec<String> = decision
            .records
            .iter()
            .map(|r| serde_json::to_string(&r.event).unwrap())
            .collect();
        // Effects as their variant and the text they say.
        let effects: Vec<String> = decision
            .effects
            .iter()
            .map(|e| match e {
                Effect::Ack(t) => format!("Ack({:?})", settings.say(t)),
                Effect::Refuse(t) => format!("Refuse({:?})", settings.say(t)),
                Effect::Reply(t) => format!("Reply({:?})", settings.say(t)),
                other => format!("{other:?}"),
            })
            .collect();
        out.push(format!("[{}] {}", effects.join(", "), events.join(" ")));
    }
    out.join("\n")
}

#[test]
fn edits_redactions_and_undecryptable_messages() {
    let out = run_bodies(vec![
        ("Alice", Body::Undecryptable, "$u0"),
        ("Alice", Body::Text("!ouvrir test".into()), "$open"),
        (
            "Alice",
            Body::Text("!décision Couper X -- urgence".into()),
            "$d1",
        ),
        (
            "Alice",
            Body::Edit {
                original: "$d1".into(),
                text: "!décision Couper Y -- urgence".into(),
            },
            "$e1",
        ),
        (
            "Alice",
            Body::Edit {
                original: "$chat".into(),
                text: "!info devenu une commande".into(),
            },
            "$e2",
        ),
        (
            "Alice",
            Body::Redaction {
                original: "$d1".into(),
                reason: Some("erreur".into()),
            },
            "$r1",
        ),
        (
            "Alice",
            Body::Redaction {
                original: "$never-logged".into(),
                reason: None,
            },
            "$r2",
        ),
        ("Alice", Body::Undecryptable, "$u1"),
    ]);
    expect![[r#"
        [Reply("⚠\u{fe0f} Un message de Alice n'a pas pu être déchiffré par tocsin : il n'est pas dans la main courante. Renvoyez-le (vérifiez que votre session partage ses clés avec le bot).")] 
        [ShareHistory { room: "!room", crisis: "20261129-test" }, Ack("🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.\n3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.")] {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
        [Ack("D1 — décision enregistrée (03:40), avec sa justification.")] {"kind":"decision","reference":"D1","text":"Couper X","rationale":"urgence"}
        [Ack("C1 — modification du message de D1 enregistrée comme correction ; l'original reste dans la main courante.")] {"kind":"correction","reference":"C1","target":"D1","text":"Couper Y"}
        [Ack("I1 — information enregistrée, à vérifier (03:40).")] {"kind":"info","reference":"I1","text":"devenu une commande"}
        [Reply("Le message de D1 a été supprimé du salon ; la main courante le conserve et note la suppression.")] {"kind":"redaction","target":"D1","reason":"erreur"}
        [] 
        [Reply("⚠\u{fe0f} Un message de Alice n'a pas pu être déchiffré par tocsin : il n'est pas dans la main courante. Renvoyez-le (vérifiez que votre session partage ses clés avec le bot).")] {"kind":"gap","reason":"message de Alice (@alice:x) indéchiffrable"}"#]].assert_eq(&out);
}

#[test]
fn conversation_and_files_go_on_record_at_their_time_once() {
    let catalog = catalog();
    let settings = Settings::default();
    let mut world = World::default();
    let t = |m: u32| Utc.with_ymd_and_hms(2026, 11, 29, 2, m, 0).unwrap();
    let person = |who: &str| Author {
        id: format!("@{}:x", who.to_lowercase()),
        name: who.into(),
    };
    let said = |id: &str, who: &str, m: u32, content: QuotedContent| Quoted {
        event_id: id.into(),
        author: person(who),
        sent_at: t(m),
        content,
    };
    let text = |s: &str| QuotedContent::Text(s.into());
    let photo = QuotedContent::File {
        name: "feuille-urgences.jpg".into(),
        mime: "image/jpeg".into(),
        size: 48213,
        sha256: "9f2c".repeat(16),
    };
    let pin = |target: &str| Body::Reaction {
        target: target.into(),
        key: "📌".into(),
    };
    let steps: Vec<(u32, &str, Body, &str, Option<Quoted>)> = vec![
        (
            40,
            "Alice",
            Body::Text("!ouvrir test".into()),
            "$open",
            None,
        ),
        // Conversation is not recorded by itself…
        (
            41,
            "Bob",
            Body::Text("Le standard ne répond plus".into()),
            "$m1",
            None,
        ),
        // …until someone pins it: Bob's words, at Bob's time, consigned by Carol.
        (
            45,
            "Carol",
            pin("$m1"),
            "$p1",
            Some(said("$m1", "Bob", 41, text("Le standard ne répond plus"))),
        ),
        (
            46,
            "Carol",
            pin("$m1"),
            "$p2",
            Some(said("$m1", "Bob", 41, text("Le standard ne répond plus"))),
        ),
        (
            47,
            "Alice",
            Body::Text("!info".into()),
            "$c0",
            Some(said("$m1", "Bob", 41, text("Le standard ne répond plus"))),
        ),
        // A command replying to a message, with nothing of its own, takes its words.
        (
            48,
            "Dan",
            Body::Text("On coupe internet ?".into()),
            "$m2",
            None,
        ),
        (
            50,
            "Alice",
            Body::Text("!décision -- le chiffrement se propage".into()),
            "$c1",
            Some(said("$m2", "Dan", 48, text("On coupe internet ?"))),
        ),
        // A command with its own text is an ordinary command.
        (
            51,
            "Alice",
            Body::Text("!info Le SAMU est prévenu".into()),
            "$c2",
            Some(said("$m2", "Dan", 48, text("On coupe internet ?"))),
        ),
        // A photo of a paper sheet, pinned; a reply with !info is told how.
        (
            52,
            "Alice",
            pin("$f1"),
            "$p3",
            Some(said("$f1", "Eve", 49, photo.clone())),
        ),
        (
            53,
            "Alice",
            Body::Text("!info".into()),
            "$c3",
            Some(said("$f2", "Eve", 49, photo)),
        ),
        (
            54,
            "Alice",
            Body::Text("!consigner Appel du SAMU : trois patients en route".into()),
            "$c4",
            None,
        ),
        (
            55,
            "Alice",
            pin("$u1"),
            "$p4",
            Some(said(
                "$u1",
                "Eve",
                50,
                QuotedContent::Unavailable(msg!("consign-undecryptable").into()),
            )),
        ),
    ];
    let mut out = Vec::new();
    for (m, who, body, source, quoted) in steps {
        let input = Input {
            at: t(m),
            sent_at: t(m),
            author: person(who),
            room: "!room".into(),
            body,
            source: Some(source.into()),
            privileged: true,
            quoted,
            in_reply_to: None,
        };
        let decision = decide(&world, &catalog, &settings, &input);
        for record in &decision.records {
            world.apply(record);
            out.push(format!(
                "  + {} by {} at {}{}{}",
                serde_json::to_string(&record.event).unwrap(),
                record.author.id,
                record
                    .occurred_at
                    .with_timezone(&settings.tz)
                    .format("%H:%M"),
                record
                    .recorded_by
                    .as_ref()
                    .map(|a| format!(", recorded by {}", a.id))
                    .unwrap_or_default(),
                record
                    .quotes
                    .as_ref()
                    .map(|q| format!(", quotes {q}"))
                    .unwrap_or_default()
            ));
        }
        for effect in &decision.effects {
            out.push(match effect {
                Effect::Ack(t) => format!("{source} ✅ {}", settings.say(t)),
                Effect::Refuse(t) => format!("{source} ⛔ {}", settings.say(t)),
                Effect::Reply(t) => format!("{source} {}", settings.say(t)),
                other => format!("{source} {other:?}"),
            });
        }
    }
    expect![[r#"
          + {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false} by @alice:x at 03:40
        $open ShareHistory { room: "!room", crisis: "20261129-test" }
        $open ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
        3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
          + {"kind":"note","reference":"N1","text":"Le standard ne répond plus"} by @bob:x at 03:41, recorded by @carol:x, quotes $m1
        $p1 ✅ N1 — message de Bob (03:41) consigné par Carol.
        $p2 Ce message est déjà dans la main courante (N1).
        $c0 Ce message est déjà dans la main courante (N1).
          + {"kind":"decision","reference":"D1","text":"On coupe internet ?","rationale":"le chiffrement se propage"} by @dan:x at 03:48, recorded by @alice:x, quotes $m2
        $c1 ✅ D1 — décision enregistrée (03:48), avec sa justification. (message de Dan, consigné à sa place et à son heure)
          + {"kind":"info","reference":"I1","text":"Le SAMU est prévenu"} by @alice:x at 03:51
        $c2 ✅ I1 — information enregistrée, à vérifier (03:51).
          + {"kind":"file","reference":"F1","name":"feuille-urgences.jpg","mime":"image/jpeg","size":48213,"sha256":"9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c9f2c"} by @eve:x at 03:49, recorded by @alice:x, quotes $f1
        $p3 ✅ F1 — fichier de Eve (03:49) consigné par Alice ; tocsin en garde une copie.
        $c3 ⛔ Un fichier se consigne avec une réaction 📌, ou en lui répondant !consigner.
          + {"kind":"note","reference":"N2","text":"Appel du SAMU : trois patients en route"} by @alice:x at 03:54
        $c4 ✅ N2 — message consigné (03:54).
        $p4 ⛔ Ce message est illisible pour tocsin (chiffrement) : il ne peut pas être consigné. Renvoyez-le, ou saisissez-le avec la commande consigner."#]].assert_eq(&out.join("\n"));
}

#[test]
fn a_member_who_joins_during_a_crisis_is_briefed_and_on_record() {
    let out = run_bodies(vec![
        // Before any crisis, joining is not news.
        ("Bob", Body::Joined, "$j0"),
        ("Alice", Body::Text("!ouvrir test".into()), "$open"),
        ("Alice", Body::Text("!info Le labo est coupé".into()), "$i1"),
        (
            "Alice",
            Body::Text("!décision Passer au papier -- réseau coupé".into()),
            "$d1",
        ),
        ("Carol", Body::Joined, "$j1"),
    ]);
    expect![[r#"
        [] 
        [ShareHistory { room: "!room", crisis: "20261129-test" }, Ack("🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.\n3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.")] {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
        [Ack("I1 — information enregistrée, à vérifier (03:40).")] {"kind":"info","reference":"I1","text":"Le labo est coupé"}
        [Ack("D1 — décision enregistrée (03:40), avec sa justification.")] {"kind":"decision","reference":"D1","text":"Passer au papier","rationale":"réseau coupé"}
        [Reply("👋 Bienvenue @carol:x : la crise 20261129-test est ouverte depuis 03:40. Ce qui a été dit avant votre arrivée peut vous rester illisible (chiffrement de bout en bout) : voici où en est la cellule.\n🕐 État de situation — 03:40 (crise 20261129-test)\nInfos : 1 à vérifier (I1), 0 en cours, 0 confirmée(s), 0 infirmée(s)\nDécisions :\n  D1 Passer au papier\nActions : 0 ouverte(s), 0 en retard\nHorloges : cnil-72h 3 j 0h, point-ars 2h00\nCellule tenue par @alice:x depuis 03:40\nPour le détail : !statut, !actions, !horloges ; le rapport complet : !export.")] {"kind":"member_joined"}"#]].assert_eq(&out);
}

#[test]
fn reminders_follow_overdue_actions_and_steps_once_per_interval() {
    check(
        r#"
        03:00 alice> !ouvrir test
        03:00 alice> !rôle directeur-crise @moi
        03:01 alice> !action Prévenir le SAMU @bob dans 30m
        03:02 alice> !proc pd-urg
        03:20 tick
        03:31 tick
        03:40 tick
        03:45 bob> !fait A1
        03:50 alice> !fait pd-urg.1
        04:01 tick
        04:02 tick
        04:33 tick
        04:33 alice> !passer pd-urg.2 SAMU déjà prévenu par le standard
        05:10 tick
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:00 alice> !rôle directeur-crise @moi
              ✅ Rôle Directeur de crise (directeur-crise) → @alice.
              + 2 {"kind":"role_assigned","role":"directeur-crise","user":"@alice"}
            03:01 alice> !action Prévenir le SAMU @bob dans 30m
              ✅ A1 — action enregistrée · pour @bob · échéance 03:31.
              + 3 {"kind":"action","reference":"A1","text":"Prévenir le SAMU","owner":{"type":"user","id":"@bob"},"due":"2026-11-29T02:31:00Z"} role=directeur-crise
            03:02 alice> !proc pd-urg
              ✅ pd-urg lancée — @alice, vous êtes responsable (directeur-crise).
              📌[proc:pd-urg] 📋 pd-urg — Urgences (responsable : directeur-crise → @alice)
              ☐ 1. Tableau papier · avant 03:17
              ☐ 2. Appeler le SAMU · avant 03:32
              ☐ 3. Réévaluer
              Progression : 0/3 · !fait pd-urg.<n> pour cocher
              + 4 {"kind":"procedure_started","procedure":"pd-urg"} role=directeur-crise
            03:20 tick
              📌 ⏰ pd-urg.1 attendue pour 03:17 : Tableau papier · @alice
              + 6 {"kind":"reminder","target":"pd-urg.1","who":"@alice"}
            03:31 tick
              📌 ⏰ A1 en retard (échéance 03:31) : Prévenir le SAMU · @bob
              + 7 {"kind":"reminder","target":"A1","who":"@bob"}
            03:40 tick
              📌 ⏰ pd-urg.2 attendue pour 03:32 : Appeler le SAMU · @alice
              + 8 {"kind":"reminder","target":"pd-urg.2","who":"@alice"}
            03:45 bob> !fait A1
              ✅ A1 — faite (03:45), en retard sur l'échéance de 03:31.
              + 9 {"kind":"action_done","target":"A1"}
            03:50 alice> !fait pd-urg.1
              ✅ pd-urg.1 faite (1/3).
              ✏️[proc:pd-urg] 📋 pd-urg — Urgences (responsable : directeur-crise → @alice)
              ☑ 1. Tableau papier — fait 03:50 (alice)
              ☐ 2. Appeler le SAMU · avant 03:32
              ☐ 3. Réévaluer
              Progression : 1/3 · !fait pd-urg.<n> pour cocher
              + 10 {"kind":"step_done","procedure":"pd-urg","step":1} role=directeur-crise
            04:01 tick
            04:02 tick
            04:33 tick
              📌 ⏰ pd-urg.2 attendue pour 03:32 : Appeler le SAMU · @alice
              ⏳ point-ars — Point ARS : reste 27 min (échéance 05:00)
              + 11 {"kind":"reminder","target":"pd-urg.2","who":"@alice"}
              + 12 {"kind":"clock_warning","clock":"point-ars","left_minutes":30}
            04:33 alice> !passer pd-urg.2 SAMU déjà prévenu par le standard
              ✅ pd-urg.2 passée (2/3).
              ✏️[proc:pd-urg] 📋 pd-urg — Urgences (responsable : directeur-crise → @alice)
              ☑ 1. Tableau papier — fait 03:50 (alice)
              ⊘ 2. Appeler le SAMU — sans objet : SAMU déjà prévenu par le standard
              ☐ 3. Réévaluer
              Progression : 2/3 · !fait pd-urg.<n> pour cocher
              + 13 {"kind":"step_skipped","procedure":"pd-urg","step":2,"reason":"SAMU déjà prévenu par le standard"} role=directeur-crise
            05:10 tick
              📌 ⌛ point-ars — Point ARS : échéance DÉPASSÉE (05:00, il y a 10 min)
              + 14 {"kind":"clock_warning","clock":"point-ars","left_minutes":0}
        "#]],
    );
}

#[test]
fn clocks_warn_at_thresholds_and_are_marked_done() {
    check(
        r#"
        03:00 alice> !ouvrir test
        03:00 alice> !point arrêt
        03:10 alice> !horloges
        04:29 tick
        04:30 tick
        04:31 tick
        05:00 tick
        05:01 alice> !fait point-ars
        05:02 alice> !fait point-ars
        05:03 alice> !horloges
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:10 alice> !horloges
              » Horloges (comptées depuis l'ouverture à 03:00, sauf mention) :
              ⏳ point-ars — Point ARS : reste 1h50 (échéance 05:00)
              ⏳ cnil-72h — Notification CNIL : reste 2 j 23h (échéance 02/12 03:00) · dsi
              !fait <horloge> quand c'est fait.
            04:29 tick
            04:30 tick
              📌 ⏳ point-ars — Point ARS : reste 30 min (échéance 05:00)
              + 3 {"kind":"clock_warning","clock":"point-ars","left_minutes":30}
            04:31 tick
            05:00 tick
              📌 ⌛ point-ars — Point ARS : échéance DÉPASSÉE (05:00, il y a 0 min)
              + 4 {"kind":"clock_warning","clock":"point-ars","left_minutes":0}
            05:01 alice> !fait point-ars
              ✅ point-ars — Point ARS : fait, 1 min après l'échéance.
              + 5 {"kind":"clock_done","clock":"point-ars"}
            05:02 alice> !fait point-ars
              ⛔ point-ars est déjà faite (05:01).
            05:03 alice> !horloges
              » Horloges (comptées depuis l'ouverture à 03:00, sauf mention) :
              ⏳ cnil-72h — Notification CNIL : reste 2 j 21h (échéance 02/12 03:00) · dsi
              ☑️ point-ars — Point ARS : fait 05:01 (1 min après l'échéance 05:00)
              !fait <horloge> quand c'est fait.
        "#]],
    );
}

#[test]
fn situation_points_follow_their_cadence() {
    check(
        r#"
        03:00 alice> !ouvrir test
        03:05 alice> !point toutes 1h
        03:10 alice> !info Le standard est coupé
        03:20 alice> !décision Basculer sur les mobiles -- standard coupé
        04:00 tick
        04:30 alice> !point
        05:29 tick
        05:30 tick
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:05 alice> !point toutes 1h
              ✅ Point de situation toutes les 1h00 ; le prochain vers 04:00.
              + 2 {"kind":"point_cadence","every_minutes":60}
            03:10 alice> !info Le standard est coupé
              ✅ I1 — information enregistrée, à vérifier (03:10).
              + 3 {"kind":"info","reference":"I1","text":"Le standard est coupé"}
            03:20 alice> !décision Basculer sur les mobiles -- standard coupé
              ✅ D1 — décision enregistrée (03:20), avec sa justification.
              + 4 {"kind":"decision","reference":"D1","text":"Basculer sur les mobiles","rationale":"standard coupé"}
            04:00 tick
              📌 🕐 Point de situation n°1 — 04:00 (crise 20261129-test)
              Infos : 1 à vérifier (I1), 0 en cours, 0 confirmée(s), 0 infirmée(s)
              Décisions depuis le dernier point :
                D1 Basculer sur les mobiles
              Actions : 0 ouverte(s), 0 en retard
              Horloges : cnil-72h 2 j 23h, point-ars 1h00
              Cellule tenue par @alice depuis 03:00
              + 5 {"kind":"situation_point","number":1}
            04:30 alice> !point
              » 🕐 Point de situation n°2 — 04:30 (crise 20261129-test)
              Infos : 1 à vérifier (I1), 0 en cours, 0 confirmée(s), 0 infirmée(s)
              Décisions depuis le dernier point : aucune
              Actions : 0 ouverte(s), 0 en retard
              Horloges : cnil-72h 2 j 22h, point-ars 30 min
              Cellule tenue par @alice depuis 03:00
              + 6 {"kind":"situation_point","number":2}
            05:29 tick
              📌 ⌛ point-ars — Point ARS : échéance DÉPASSÉE (05:00, il y a 29 min)
              + 7 {"kind":"clock_warning","clock":"point-ars","left_minutes":0}
            05:30 tick
              📌 🕐 Point de situation n°3 — 05:30 (crise 20261129-test)
              Infos : 1 à vérifier (I1), 0 en cours, 0 confirmée(s), 0 infirmée(s)
              Décisions depuis le dernier point : aucune
              Actions : 0 ouverte(s), 0 en retard
              Horloges : cnil-72h 2 j 21h, point-ars DÉPASSÉE
              Cellule tenue par @alice depuis 03:00
              + 8 {"kind":"situation_point","number":3}
        "#]],
    );
}

#[test]
fn a_handover_waits_for_the_incoming_lead() {
    check(
        r#"
        03:00 alice> !ouvrir test
        03:00 alice> !point arrêt
        06:55 alice> !relève @alice
        07:00 alice> !relève @bob
        07:01 carol> !ack
        07:31 tick
        07:40 carol> react handover:3 ✅
        07:45 bob> react handover:3 ✅
        07:46 bob> !ack
        08:00 tick
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            06:55 alice> !relève @alice
              ⛔ @alice tient déjà la cellule.
            07:00 alice> !relève @bob
              ✅ Relève vers @bob enregistrée ; en attente de sa confirmation.
              📌[handover:3] 🔁 Relève : @alice → @bob. @bob, confirmez par !ack ou ✅ sur ce message.
              🕐 État de situation — 07:00 (crise 20261129-test)
              Infos : 0 à vérifier, 0 en cours, 0 confirmée(s), 0 infirmée(s)
              Décisions : aucune
              Actions : 0 ouverte(s), 0 en retard
              Horloges : cnil-72h 2 j 20h, point-ars DÉPASSÉE
              Cellule tenue par @alice depuis 03:00
              + 3 {"kind":"handover_started","from":"@alice","to":"@bob"}
            07:01 carol> !ack
              ⛔ La relève attend @bob, pas vous.
            07:31 tick
              📌 ⌛ point-ars — Point ARS : échéance DÉPASSÉE (05:00, il y a 2h31)
              ⏰ @bob : la relève attend votre confirmation (!ack ou ✅ sur le message de relève).
              + 5 {"kind":"clock_warning","clock":"point-ars","left_minutes":0}
              + 6 {"kind":"reminder","target":"handover","who":"@bob"}
            07:40 carol> react handover:3 ✅
            07:45 bob> react handover:3 ✅
              📌 🔁 Relève faite : @bob tient la cellule (à la suite de @alice).
              + 7 {"kind":"handover_acknowledged","by":"@bob"}
            07:46 bob> !ack
              ⛔ Aucune relève en attente.
            08:00 tick
        "#]],
    );
}

#[test]
fn a_comcheck_tracks_who_answered() {
    check(
        r#"
        03:00 alice> !ouvrir test
        03:00 alice> !point arrêt
        03:01 alice> !comcheck test
        03:01 alice> !rôle directeur-crise @alice
        03:01 alice> !rôle dsi @bob
        03:01 alice> !rôle historien @carol
        03:02 alice> !comcheck Bascule sur la messagerie de secours à 04:00
        03:03 bob> react comcheck:1 ✅
        03:03 bob> react comcheck:1 ✅
        03:04 carol> react comcheck:1 👎
        03:05 alice> !comcheck
        03:33 tick
        03:34 carol> react comcheck:1 ✅
        03:35 alice> react comcheck:1 ✅
        03:36 alice> !comcheck
        04:10 tick
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:01 alice> !comcheck test
              ⛔ Personne n'a de rôle : le comcheck attend les titulaires des rôles (!rôle …).
            03:01 alice> !rôle directeur-crise @alice
              ✅ Rôle Directeur de crise (directeur-crise) → @alice.
              + 3 {"kind":"role_assigned","role":"directeur-crise","user":"@alice"}
            03:01 alice> !rôle dsi @bob
              ✅ Rôle DSI (dsi) → @bob.
              + 4 {"kind":"role_assigned","role":"dsi","user":"@bob"} role=directeur-crise
            03:01 alice> !rôle historien @carol
              ✅ Rôle Historien (historien) → @carol.
              + 5 {"kind":"role_assigned","role":"historien","user":"@carol"} role=directeur-crise
            03:02 alice> !comcheck Bascule sur la messagerie de secours à 04:00
              ✅ Comcheck n°1 envoyé à 3 personne(s).
              📌[comcheck:1] 📣 Comcheck n°1 : Bascule sur la messagerie de secours à 04:00
              ✅ sur ce message pour confirmer réception — @alice, @bob, @carol
              + 6 {"kind":"comcheck_started","number":1,"text":"Bascule sur la messagerie de secours à 04:00"} role=directeur-crise
            03:03 bob> react comcheck:1 ✅
              + 8 {"kind":"comcheck_acknowledged","number":1,"by":"@bob"} role=dsi
            03:03 bob> react comcheck:1 ✅
            03:04 carol> react comcheck:1 👎
            03:05 alice> !comcheck
              » Comcheck n°1 : 1/3 réponses ; manquent @alice, @carol
            03:33 tick
              📌 ⏰ Comcheck n°1 : sans réponse de @alice, @carol — ✅ sur le message pour confirmer.
              + 9 {"kind":"reminder","target":"comcheck-1"}
            03:34 carol> react comcheck:1 ✅
              + 10 {"kind":"comcheck_acknowledged","number":1,"by":"@carol"} role=historien
            03:35 alice> react comcheck:1 ✅
              + 11 {"kind":"comcheck_acknowledged","number":1,"by":"@alice"} role=directeur-crise
            03:36 alice> !comcheck
              » Comcheck n°1 : tout le monde a répondu (3).
            04:10 tick
        "#]],
    );
}

#[test]
fn actions_are_listed_by_owner_overdue_first() {
    check(
        r#"
        03:00 alice> !ouvrir test
        03:00 alice> !rôle dsi @bob
        03:01 alice> !action Isoler les sauvegardes dsi dans 10m
        03:02 alice> !action Prévenir l'ARS @alice dans 2h
        03:03 alice> !action Rappeler les secrétaires
        03:04 alice> !action Couper les VPN dsi à 03:05
        03:30 alice> !actions
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:00 alice> !rôle dsi @bob
              ✅ Rôle DSI (dsi) → @bob.
              + 2 {"kind":"role_assigned","role":"dsi","user":"@bob"}
            03:01 alice> !action Isoler les sauvegardes dsi dans 10m
              ✅ A1 — action enregistrée · pour dsi (@bob) · échéance 03:11.
              + 3 {"kind":"action","reference":"A1","text":"Isoler les sauvegardes","owner":{"type":"role","id":"dsi"},"due":"2026-11-29T02:11:00Z"}
            03:02 alice> !action Prévenir l'ARS @alice dans 2h
              ✅ A2 — action enregistrée · pour @alice · échéance 05:02.
              + 4 {"kind":"action","reference":"A2","text":"Prévenir l'ARS","owner":{"type":"user","id":"@alice"},"due":"2026-11-29T04:02:00Z"}
            03:03 alice> !action Rappeler les secrétaires
              ✅ A3 — action enregistrée.
              + 5 {"kind":"action","reference":"A3","text":"Rappeler les secrétaires"}
            03:04 alice> !action Couper les VPN dsi à 03:05
              ✅ A4 — action enregistrée · pour dsi (@bob) · échéance 03:05.
              + 6 {"kind":"action","reference":"A4","text":"Couper les VPN","owner":{"type":"role","id":"dsi"},"due":"2026-11-29T02:05:00Z"}
            03:30 alice> !actions
              » Actions ouvertes : 4 dont 2 en retard
              dsi (@bob)
                A4 Couper les VPN · ⚠️ 03:05
                A1 Isoler les sauvegardes · ⚠️ 03:11
              @alice
                A2 Prévenir l'ARS · 05:02
              sans responsable
                A3 Rappeler les secrétaires
        "#]],
    );
}

#[test]
fn exports_are_asked_for_during_and_after_the_crisis() {
    check(
        r#"
        03:00 alice> !export
        03:00 alice> !ouvrir test
        03:10 alice> !export JSON
        03:11 alice> !export pdf
        03:20 alice> !clore
        03:30 alice> !export md
        "#,
        expect![[r#"
            03:00 alice> !export
              ⛔ Aucune crise ouverte dans ce salon. Pour commencer : !ouvrir <playbook> [exercice] (playbooks : test).
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:10 alice> !export JSON
              📎 export json of 20261129-test
            03:11 alice> !export pdf
              ⛔ Format inconnu : html, md, json ou csv.
              !export [html|md|json|csv] — le rapport de la crise en pièce jointe (json : vérifiable hors ligne)
            03:20 alice> !clore
              ✅ 🏁 Crise 20261129-test close. Main courante : 2 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (03:20 ; échéance 02/12 03:00)
              ❌ point-ars — Point ARS : non faite à la clôture (03:20 ; échéance 05:00)
              🔏 digest of 20261129-test
              + 2 {"kind":"crisis_closed"}
            03:30 alice> !export md
              📎 export md of 20261129-test
        "#]],
    );
}

#[test]
fn an_observer_from_the_agency_reads_but_does_not_command() {
    let playbook = PLAYBOOK.replace(
        "roles:\n",
        "roles:\n  - {id: observateur-ars, title: {fr: Observateur ARS, en: ARS observer}, observer: true}\n",
    );
    let pb = playbook::parse("test.yaml", &playbook).expect("test playbook parses");
    assert!(pb.role("observateur-ars").unwrap().observer);
    let catalog = Catalog::from_playbooks(vec![pb]).unwrap();
    check_on(
        &catalog,
        r#"
        03:00 alice> !ouvrir test
        03:01 alice> !rôle observateur-ars @ars
        03:02 ars?> Bonjour, l'ARS suit la cellule.
        03:03 ars?> !info Deux autres établissements touchés
        03:03 ars?> !clore
        03:04 ars> !rôle dsi @ars
        03:05 ars?> !statut
        03:05 ars?> !aide
        03:06 alice> !comcheck Liaison
        03:07 ars?> react comcheck:1 ✅
        03:08 alice> !comcheck
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:01 alice> !rôle observateur-ars @ars
              ✅ Rôle Observateur ARS (observateur-ars) → @ars.
              + 2 {"kind":"role_assigned","role":"observateur-ars","user":"@ars"}
            03:02 ars?> Bonjour, l'ARS suit la cellule.
            03:03 ars?> !info Deux autres établissements touchés
              ⛔ Vous suivez la cellule en observateur (Observateur ARS) : seules !statut et !aide vous sont ouvertes. La conversation reste libre.
            03:03 ars?> !clore
              ⛔ Vous suivez la cellule en observateur (Observateur ARS) : seules !statut et !aide vous sont ouvertes. La conversation reste libre.
            03:04 ars> !rôle dsi @ars
              ⛔ Vous suivez la cellule en observateur (Observateur ARS) : seules !statut et !aide vous sont ouvertes. La conversation reste libre.
            03:05 ars?> !statut
              » 📋 Crise de test — crise 20261129-test
              Ouverte à 03:00 par alice (depuis 0h05).
              Rôles (1/4) : observateur-ars @ars
              Informations : 0 — 0 à vérifier, 0 en cours, 0 confirmée(s), 0 infirmée(s)
              Décisions : aucune
              Actions : 0 ouverte(s) dont 0 en retard, 0 faite(s)
            03:05 ars?> !aide
              » Commandes tocsin :
              !aide [commande] — les commandes, ou le détail d'une
              !ouvrir <playbook> [exercice] — ouvre une crise (ex. ouvrir rancongiciel exercice)
              !clore — clôt la crise et scelle la main courante
              !statut — où en est la crise
              !info <texte> — une information reçue, « à vérifier »
              !consigner <texte> — un message dit (dans le salon, au téléphone) mis dans la main courante ; en réponse à un message ou un fichier, c'est lui qui est consigné
              !lier D2 I3 — D2 répond à I3 (une entrée, ou un stimulus en exercice)
              !plan [P3 à faire|en cours|fait <preuve>|abandonné <raison>] — le plan d'amélioration de l'établissement, d'un exercice à l'autre
              !vérifier <I1> confirmée|infirmée|en cours
              !décision <texte> [par @qui] [suite à I3|i05] [-- <justification>]
              !action <texte> [@personne|rôle] [à HH:MM | dans 30m]
              !fait <A1> | <proc>.<n> — action terminée, ou étape de procédure faite
              !rôle <rôle> @personne — attribue un rôle de la cellule
              !corriger <réf> <texte> — corrige une entrée (l'originale reste)
              !papier <HH:MM> info|décision|action <texte> — saisit une note papier
              !proc [<procédure>] — liste les procédures, ou en lance une (ex. proc pd-lab)
              !passer <proc>.<n> <raison> — étape sans objet ; en animation : passer <stimulus> [raison]
              !assigner <proc>.<n> @personne — confie une étape
              !actions — actions ouvertes par responsable, en retard d'abord
              !point [toutes 2h | arrêt] — point de situation maintenant, ou sa cadence
              !horloges [<horloge> depuis HH:MM|I7 | <horloge> activer [depuis …] | <horloge> arrêter [raison]] — échéances réglementaires ; fait <horloge> quand c'est fait
              !relève @personne — passe la main ; elle confirme par ack ou ✅
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
              !ack — je prends la relève
              !comcheck <message> — chacun confirme par ✅ ; comcheck seul : qui manque
              !export [html|md|json|csv] — le rapport de la crise en pièce jointe (json : vérifiable hors ligne)
              !animer[@site] <crise|salon> <scénario> [manuel] — lie ce salon d'animation à l'exercice des joueurs ; @site nomme un établissement d'un exercice régional
              !accepter — (responsable des joueurs) laisse le salon d'animation proposé animer l'exercice
              !refuser — (responsable des joueurs) refuse la proposition d'animation
              !retex [<contribution> | suivant | fin] — RETEX à chaud guidé, après FINEX
              !amélioration <texte> [@qui|rôle] [avant JJ/MM/AAAA] — plan d'amélioration
            03:06 alice> !comcheck Liaison
              ✅ Comcheck n°1 envoyé à 1 personne(s).
              📌[comcheck:1] 📣 Comcheck n°1 : Liaison
              ✅ sur ce message pour confirmer réception — @ars
              + 3 {"kind":"comcheck_started","number":1,"text":"Liaison"}
            03:07 ars?> react comcheck:1 ✅
              + 5 {"kind":"comcheck_acknowledged","number":1,"by":"@ars"} role=observateur-ars
            03:08 alice> !comcheck
              » Comcheck n°1 : tout le monde a répondu (1).
        "#]],
    );
}

#[test]
fn the_players_lead_consents_to_be_animated() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:01 anna@anim> !animer 20261129-test drill
        03:01 anna@anim> !debex
        03:02 bob?> !accepter
        03:02 alice> !refuser
        03:03 alice> !accepter
        03:03 alice> !refuser
        03:04 mallory@rogue> !animer 20261129-test drill
        03:05 anna@anim> !animer 20261129-test drill manuel
        03:06 alice> !accepter
        03:06 alice> !accepter
        03:07 mallory@rogue> !animer 20261129-test drill
        03:07 anna@anim> !accepter
        03:08 anna@anim> !debex
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:01 anna@anim> !animer 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:01 anna@anim> !debex
              ⛔ En attente de l'accord des joueurs : ce salon animera l'exercice 20261129-test quand un responsable de leur cellule aura tapé !accepter dans leur salon.
            03:02 bob?> !accepter
              ⛔ [EXERCICE] !accepter est réservé aux responsables de la cellule (niveau de pouvoir 50 dans le salon, ou administrateur tocsin).
            03:02 alice> !refuser
              ✅ [EXERCICE] Proposition d'animation du salon !anim refusée.
              📌→!anim [EXERCICE] ⛔ Le responsable des joueurs de l'exercice 20261129-test a refusé que ce salon l'anime.
              + 3 {"kind":"exercise_link_declined","animation_room":"!anim"}
            03:03 alice> !accepter
              ⛔ [EXERCICE] Aucune proposition d'animation en attente : les animateurs tapent !animer 20261129-test <scénario> dans leur salon d'animation.
            03:03 alice> !refuser
              ⛔ [EXERCICE] Aucune proposition d'animation en attente : les animateurs tapent !animer 20261129-test <scénario> dans leur salon d'animation.
            03:04 mallory@rogue> !animer 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !rogue propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 4 {"kind":"exercise_link_proposed","animation_room":"!rogue","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:05 anna@anim> !animer 20261129-test drill manuel
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 5 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":false}
            03:06 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode manuel (stimuli sur commande).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 6 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":false}
            03:06 alice> !accepter
              ⛔ [EXERCICE] Aucune proposition d'animation en attente : les animateurs tapent !animer 20261129-test <scénario> dans leur salon d'animation.
            03:07 mallory@rogue> !animer 20261129-test drill
              ⛔ L'exercice 20261129-test est déjà animé (scénario drill) depuis un autre salon.
            03:07 anna@anim> !accepter
              ⛔ [EXERCICE] Ce salon anime déjà l'exercice 20261129-test (scénario drill).
            03:08 anna@anim> !debex
              ✅ [EXERCICE] DEBEX à 03:08 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:08)
              📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:08.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 7 {"kind":"exercise_started"}
        "#]],
    );
}

#[test]
fn one_animation_room_drives_two_establishments() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:00 zoe@room2> !ouvrir test exercice
        03:01 anna@anim> !animer@nord 20261129-test drill
        03:01 anna@anim> !animer@Nord !room2 drill
        03:01 anna@anim> !animer@sud! !room2 drill
        03:01 anna@anim> !animer@sud !room2 drill
        03:01 anna@anim> !debex@nord
        03:02 alice> !accepter
        03:02 anna@anim> !debex@nord
        03:02 anna@anim> !inject@sud r1
        03:03 zoe@room2> !accepter
        03:03 anna@anim> !chrono
        03:04 anna@anim> !debex
        03:04 anna@anim> !obs La cellule se forme
        03:04 anna@anim> !obs@sud La cellule se forme
        03:05 anna@anim> !inject r1
        03:05 anna@anim> !inject@ouest r1
        03:05 alice> !info@nord le labo répond
        03:06 zoe@room2> STOP EXERCICE
        03:07 anna@anim> !reprise
        03:07 anna@anim> !reprise@sud
        03:07 eve?@anim> !pause
        03:07 yan@room3> !ouvrir test exercice
        03:07 anna@anim> !animer 20261129-test-3 drill
        03:08 anna@anim> !export
        03:08 anna@anim> !export csv
        03:08 anna@anim> !export@sud csv
        03:14 tick
        03:15 anna@anim> stop exercice
        03:15 anna@anim> stop exercice
        03:16 anna@anim> !reprise@nord
        03:17 alice> !clore
        03:18 zoe@room2> !clore
        03:19 anna@anim> !export md
        03:19 anna@anim> !export@nord
        03:19 anna@anim> !inject i2
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:00 zoe@room2> !ouvrir test exercice
              🔓 history of !room2 shared from here on (20261129-test-2)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test-2.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room2","playbook":"test","playbook_version":"2","exercise":true}
            03:01 anna@anim> !animer@nord 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              Établissement « nord » : chaque stimulus à variantes a la sienne.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true,"site":"nord"}
            03:01 anna@anim> !animer@Nord !room2 drill
              ⛔ L'établissement « nord » est déjà lié ou proposé depuis ce salon : choisissez un autre nom (!animer@autre-nom …).
            03:01 anna@anim> !animer@sud! !room2 drill
              ⛔ « sud! » ne peut pas nommer un établissement : 1 à 32 caractères, minuscules sans accents, chiffres, - ou _ (p. ex. chu-nord).
            03:01 anna@anim> !animer@sud !room2 drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test-2 — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              ⚠️ Établissement « sud » : stimuli sans variante pour lui, joués avec leur texte commun : i1 (variantes prévues pour : nord).
              📌→!room2 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true,"site":"sud"}
            03:01 anna@anim> !debex@nord
              ⛔ En attente de l'accord des joueurs : ce salon animera l'exercice 20261129-test quand un responsable de leur cellule aura tapé !accepter dans leur salon.
            03:02 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode auto (stimuli joués à l'heure).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 3 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true,"site":"nord"}
            03:02 anna@anim> !debex@nord
              ✅ [EXERCICE] DEBEX à 03:02 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:02)
              📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:02.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 4 {"kind":"exercise_started"}
            03:02 anna@anim> !inject@sud r1
              ⛔ [EXERCICE] L'établissement « sud » (exercice 20261129-test-2) attend encore l'accord de ses joueurs : un responsable tape !accepter dans leur salon.
            03:03 zoe@room2> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] [sud] 🎬 Salon d'animation lié à l'exercice 20261129-test-2 — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode auto (stimuli joués à l'heure).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 3 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true,"site":"sud"}
            03:03 anna@anim> !chrono
              » [EXERCICE] ⏱️ Exercice régional « ORAGE » (drill) — 2 établissements
              [nord] T+1 min · en cours · 0/3 stimuli prévus joués (0 %) · prochain : i1 à T+0 min
              [sud] T+0 min · pas commencé (debex) · 0/3 stimuli prévus joués (0 %) · prochain : i1 à T+0 min
              Détail d'un établissement : !chrono@nord
            03:04 anna@anim> !debex
              ✅ [EXERCICE] [nord] ⛔ L'exercice a déjà commencé.
              [sud] DEBEX à 03:04 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:04)
              📌→!room2 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:04.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 4 {"kind":"exercise_started"}
            03:04 anna@anim> !obs La cellule se forme
              ⛔ [EXERCICE] Ce salon anime 2 établissements (nord, sud) : précisez lequel après le mot-clé, p. ex. « !obs@nord … ».
            03:04 anna@anim> !obs@sud La cellule se forme
              ✅ [EXERCICE] [sud] O1 — observation notée à T+0 min.
              + 5 {"kind":"observation","reference":"O1","text":"La cellule se forme"}
            03:05 anna@anim> !inject r1
              ✅ [EXERCICE] [nord] ▶️ r1 joué à T+3 min — 🚪 Patient
              Suivant : i1 à T+0 min (03:02)
              [sud] ▶️ r1 joué à T+1 min — 🚪 Patient
              Suivant : i1 à T+0 min (03:04)
              📌[inject:r1] [EXERCICE] 🚪 Visite — Patient : Où est mon dossier ?
              📌[inject:r1]→!room2 [EXERCICE] 🚪 Visite — Patient : Où est mon dossier ?
              + 20261129-test 5 {"kind":"inject_played","inject":"r1","channel":"visit","from":"Patient","text":"Où est mon dossier ?","manual":true}
              + 20261129-test-2 6 {"kind":"inject_played","inject":"r1","channel":"visit","from":"Patient","text":"Où est mon dossier ?","manual":true}
            03:05 anna@anim> !inject@ouest r1
              ⛔ [EXERCICE] Aucun établissement « ouest » dans cet exercice régional. Établissements : nord, sud.
            03:05 alice> !info@nord le labo répond
              ⛔ [EXERCICE] « @nord » nomme un établissement d'un exercice régional : seulement dans le salon d'animation qui l'anime, ou pour lier (!animer@nord <salon> <scénario>).
            03:06 zoe@room2> STOP EXERCICE
              📌→!room2 [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par zoe à 03:06.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              📌→!anim [EXERCICE] [sud] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par zoe à 03:06.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              + 8 {"kind":"exercise_stopped","text":"STOP EXERCICE"}
            03:07 anna@anim> !reprise
              ⛔ [EXERCICE] Gelé par une urgence réelle : sud. Un établissement gelé reprend seul, quand son urgence est traitée : !reprise@sud. Les autres reprennent avec !reprise@<établissement>.
            03:07 anna@anim> !reprise@sud
              ✅ [EXERCICE] [sud] ▶️ Reprise après le STOP (gelé 1 min) : horloge d'exercice à T+2 min.
              📌→!room2 [EXERCICE] ▶️ L'exercice reprend.
              + 9 {"kind":"exercise_resumed"}
            03:07 eve?@anim> !pause
              ⛔ [EXERCICE] Commande réservée aux animateurs (niveau de pouvoir 50 dans le salon d'animation). Les observateurs notent avec !obs.
            03:07 yan@room3> !ouvrir test exercice
              🔓 history of !room3 shared from here on (20261129-test-3)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test-3.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room3","playbook":"test","playbook_version":"2","exercise":true}
            03:07 anna@anim> !animer 20261129-test-3 drill
              ⛔ [EXERCICE] Ce salon anime déjà (ou propose d'animer) l'exercice 20261129-test. Un exercice régional nomme chaque établissement dès le premier lien : !animer@chu-nord <salon> <scénario>, puis !animer@ch-sud …. Pour un autre exercice sans lien avec celui-ci, ouvrez un autre salon d'animation.
            03:08 anna@anim> !export
              📎 summary html of [("nord", "20261129-test"), ("sud", "20261129-test-2")]
            03:08 anna@anim> !export csv
              ⛔ [EXERCICE] La synthèse régionale existe en html, md et json ; le CSV d'un établissement : !export@nord csv.
            03:08 anna@anim> !export@sud csv
              📎 export csv of 20261129-test-2
            03:14 tick
              📌[inject:i1] [EXERCICE] 📋 Message interne — Animation : Le SI du CHU Nord est inaccessible.
              📌→!anim [EXERCICE] [nord] ▶️ i1 joué à T+12 min — 📋 Animation
              Attendu : Constituer la cellule
              Suivant : i2 à T+10 min (03:12)
              📌[inject:i2] [EXERCICE] 📞 Appel — Biologiste de garde → DSI : Le logiciel du labo ne répond plus.
              📌→!anim [EXERCICE] [nord] ▶️ i2 joué à T+12 min — 📞 Biologiste de garde
              Attendu : Lancer le mode dégradé labo
              Notes : Insister si personne ne répond
              Suivant : i3 à T+20 min (03:22), après i2
              + 7 {"kind":"inject_played","inject":"i1","channel":"internal","from":"Animation","text":"Le SI du CHU Nord est inaccessible.","expected":"Constituer la cellule"}
              + 8 {"kind":"inject_played","inject":"i2","channel":"phone","from":"Biologiste de garde","to":"dsi","text":"Le logiciel du labo ne répond plus.","expected":"Lancer le mode dégradé labo"}
              📌[inject:i1]→!room2 [EXERCICE] 📋 Message interne — Animation : Le système d'information est inaccessible.
              📌→!anim [EXERCICE] [sud] ▶️ i1 joué à T+9 min — 📋 Animation
              Attendu : Constituer la cellule
              Suivant : i2 à T+10 min (03:15)
              + 10 {"kind":"inject_played","inject":"i1","channel":"internal","from":"Animation","text":"Le système d'information est inaccessible.","expected":"Constituer la cellule"}
            03:15 anna@anim> stop exercice
              📌 [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par anna à 03:15.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              📌→!anim [EXERCICE] [nord] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par anna à 03:15.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              📌→!room2 [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par anna à 03:15.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              📌→!anim [EXERCICE] [sud] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par anna à 03:15.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              + 20261129-test 11 {"kind":"exercise_stopped","text":"stop exercice"}
              + 20261129-test-2 12 {"kind":"exercise_stopped","text":"stop exercice"}
            03:15 anna@anim> stop exercice
              » [EXERCICE] L'exercice est déjà gelé par un STOP. Seul un animateur peut le reprendre.
            03:16 anna@anim> !reprise@nord
              ✅ [EXERCICE] [nord] ▶️ Reprise après le STOP (gelé 1 min) : horloge d'exercice à T+13 min.
              📌 [EXERCICE] ▶️ L'exercice reprend.
              + 12 {"kind":"exercise_resumed"}
            03:17 alice> !clore
              ✅ [EXERCICE] 🏁 Crise 20261129-test close. Main courante : 13 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (03:17 ; échéance 02/12 03:01)
              ❌ point-ars — Point ARS : non faite à la clôture (03:17 ; échéance 05:01)
              🔏 digest of 20261129-test
              📌→!anim [EXERCICE] [nord] 🏁 La cellule a clos l'exercice 20261129-test (13 entrées). Rapport complet : !export, ou !export json pour la main courante scellée.
              + 13 {"kind":"crisis_closed"}
            03:18 zoe@room2> !clore
              ✅ [EXERCICE] 🏁 Crise 20261129-test-2 close. Main courante : 13 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (03:18 ; échéance 02/12 03:01)
              ❌ point-ars — Point ARS : non faite à la clôture (03:18 ; échéance 05:01)
              🔏 digest of 20261129-test-2
              📌→!anim [EXERCICE] [sud] 🏁 La cellule a clos l'exercice 20261129-test-2 (13 entrées). Rapport complet : !export, ou !export json pour la main courante scellée.
              + 13 {"kind":"crisis_closed"}
            03:19 anna@anim> !export md
              📎 summary md of [("nord", "20261129-test"), ("sud", "20261129-test-2")]
            03:19 anna@anim> !export@nord
              📎 export html of 20261129-test
            03:19 anna@anim> !inject i2
              ⛔ Aucune crise ouverte dans ce salon. Pour commencer : !ouvrir <playbook> [exercice] (playbooks : test).
        "#]],
    );
}

#[test]
fn an_exercise_from_the_animation_room() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:01 alice> !rôle dsi @bob
        03:02 alice> !debex
        03:02 anna@anim> !animer 20261129-test inconnu
        03:02 anna@anim> !animer 20261129-test drill
        03:02 alice> !accepter
        03:02 olga?@anim> !debex
        03:03 anna@anim> !chrono
        03:04 anna@anim> !info pas ici
        03:05 anna@anim> !debex
        03:05 tick
        03:06 alice> !info cellule constituée
        03:10 tick
        03:12 anna@anim> !pause
        03:15 tick
        03:20 anna@anim> !reprise
        03:22 tick
        03:23 tick
        03:25 bob> !proc pd-lab
        03:26 olga?@anim> !obs i2 Le DSI a réagi vite
        03:27 anna@anim> !retarder 5m
        03:30 bob> Stop exercice : vrai départ de feu au 3e
        03:31 anna@anim> STOP EXERCISE
        03:38 tick
        03:40 alice> !inject
        03:40 olga?@anim> !reprise
        03:45 anna@anim> !reprise
        03:52 tick
        03:53 tick
        03:54 alice> !décision Publier un communiqué d'attente
        03:55 anna@anim> !improviser visite dsi Directeur adjoint : Je veux un point maintenant
        03:56 anna@anim> !attendu i1 oui
        03:57 anna@anim> !chrono
        03:58 anna@anim> !finex
        03:58 anna@anim> !inject r1
        03:59 alice> !retex
        04:00 alice> !retex La cellule a été constituée en 10 minutes
        04:01 bob> !retex suivant
        04:02 bob> !retex Le labo est passé au papier sans attendre
        04:03 alice> !retex fin
        04:04 alice> !amélioration Imprimer l'annuaire de crise @bob avant 31/01/2027
        04:05 alice> !amélioration Former les cadres
        04:06 alice> !export json
        04:06 alice> !export
        04:07 anna@anim> !export json
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:01 alice> !rôle dsi @bob
              ✅ [EXERCICE] Rôle DSI (dsi) → @bob.
              + 2 {"kind":"role_assigned","role":"dsi","user":"@bob"}
            03:02 alice> !debex
              ⛔ [EXERCICE] Pour animer cet exercice, ouvrez un salon d'animation (animateurs et observateurs) et tapez-y : !animer 20261129-test <scénario>.
            03:02 anna@anim> !animer 20261129-test inconnu
              ⛔ Scénario inconnu « inconnu ». Disponibles : drill.
            03:02 anna@anim> !animer 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 3 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:02 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode auto (stimuli joués à l'heure).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 4 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:02 olga?@anim> !debex
              ⛔ [EXERCICE] Commande réservée aux animateurs (niveau de pouvoir 50 dans le salon d'animation). Les observateurs notent avec !obs.
            03:03 anna@anim> !chrono
              » [EXERCICE] ⏱️ Exercice « ORAGE » (drill v3) — T+0 min · pas commencé (debex) · mode auto
              Derniers joués : aucun
              À venir :
                i1 T+0 min 📋 Animation → tous
                i2 T+10 min 📞 Biologiste de garde → dsi
                i3 T+20 min 📰 Journaliste → tous · après i2
              Couverture : 0/3 stimuli prévus joués (0 %), 0 passé(s), 0 improvisé(s). Observations : 0.
            03:04 anna@anim> !info pas ici
              ⛔ [EXERCICE] Salon d'animation : les commandes de la cellule se tapent dans le salon des joueurs. Ici : !chrono, !inject, !passer, !retarder, !pause, !reprise, !improviser, !attendu, !obs, !finex, !export (!aide pour le détail).
            03:05 anna@anim> !debex
              ✅ [EXERCICE] DEBEX à 03:05 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:05)
              📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:05.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 5 {"kind":"exercise_started"}
            03:05 tick
              📌[inject:i1] [EXERCICE] 📋 Message interne — Animation : Le système d'information est inaccessible.
              📌→!anim [EXERCICE] ▶️ i1 joué à T+0 min — 📋 Animation
              Attendu : Constituer la cellule
              Suivant : i2 à T+10 min (03:15)
              + 6 {"kind":"inject_played","inject":"i1","channel":"internal","from":"Animation","text":"Le système d'information est inaccessible.","expected":"Constituer la cellule"}
            03:06 alice> !info cellule constituée
              ✅ [EXERCICE] I1 — information enregistrée, à vérifier (03:06).
              + 8 {"kind":"info","reference":"I1","text":"cellule constituée"}
            03:10 tick
            03:12 anna@anim> !pause
              ✅ [EXERCICE] ⏸️ Pause à T+7 min : l'horloge d'exercice est arrêtée, le chronogramme se décalera d'autant.
              📌 [EXERCICE] ⏸️ Exercice en pause. Il reprendra sur annonce.
              + 9 {"kind":"exercise_paused"}
            03:15 tick
            03:20 anna@anim> !reprise
              ✅ [EXERCICE] ▶️ Reprise après 8 min de pause : horloge d'exercice à T+7 min.
              📌 [EXERCICE] ▶️ L'exercice reprend.
              + 10 {"kind":"exercise_resumed"}
            03:22 tick
            03:23 tick
              📌[inject:i2] [EXERCICE] 📞 Appel — Biologiste de garde → DSI (@bob) : Le logiciel du labo ne répond plus.
              📌→!anim [EXERCICE] ▶️ i2 joué à T+10 min — 📞 Biologiste de garde
              Attendu : Lancer le mode dégradé labo
              Notes : Insister si personne ne répond
              Suivant : i3 à T+20 min (03:33), après i2
              + 11 {"kind":"inject_played","inject":"i2","channel":"phone","from":"Biologiste de garde","to":"dsi","text":"Le logiciel du labo ne répond plus.","expected":"Lancer le mode dégradé labo","recipient":"@bob"}
            03:25 bob> !proc pd-lab
              ✅ [EXERCICE] pd-lab lancée — @bob, vous êtes responsable (dsi).
              📌[proc:pd-lab] [EXERCICE] 📋 pd-lab — Labo (responsable : dsi → @bob)
              ☐ 1. Bons papier
              Progression : 0/1 · !fait pd-lab.<n> pour cocher
              + 13 {"kind":"procedure_started","procedure":"pd-lab"} role=dsi
            03:26 olga?@anim> !obs i2 Le DSI a réagi vite
              ✅ [EXERCICE] O1 (i2) — observation notée à T+13 min.
              + 15 {"kind":"observation","reference":"O1","text":"Le DSI a réagi vite","inject":"i2"}
            03:27 anna@anim> !retarder 5m
              ✅ [EXERCICE] Toute la suite du chronogramme est retardée de 5 min.
              + 16 {"kind":"inject_delayed","minutes":5}
            03:30 bob> Stop exercice : vrai départ de feu au 3e
              📌 [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par bob à 03:30.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              📌→!anim [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par bob à 03:30.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              + 17 {"kind":"exercise_stopped","text":"Stop exercice : vrai départ de feu au 3e"} role=dsi
            03:31 anna@anim> STOP EXERCISE
              » [EXERCICE] L'exercice est déjà gelé par un STOP. Seul un animateur peut le reprendre.
            03:38 tick
            03:40 alice> !inject
              ⛔ [EXERCICE] Commande du salon d'animation : tapez-la là-bas, pas dans le salon des joueurs.
            03:40 olga?@anim> !reprise
              ⛔ [EXERCICE] Commande réservée aux animateurs (niveau de pouvoir 50 dans le salon d'animation). Les observateurs notent avec !obs.
            03:45 anna@anim> !reprise
              ✅ [EXERCICE] ▶️ Reprise après le STOP (gelé 15 min) : horloge d'exercice à T+17 min.
              📌 [EXERCICE] ▶️ L'exercice reprend.
              + 18 {"kind":"exercise_resumed"}
            03:52 tick
            03:53 tick
              📌[inject:i3] [EXERCICE] 📰 Presse — Journaliste : Rumeur de piratage de l'hôpital.
              📌→!anim [EXERCICE] ▶️ i3 joué à T+25 min — 📰 Journaliste
              Attendu : Message d'attente
              Suivant : r1 (sur commande)
              + 19 {"kind":"inject_played","inject":"i3","channel":"press","from":"Journaliste","text":"Rumeur de piratage de l'hôpital.","expected":"Message d'attente"}
            03:54 alice> !décision Publier un communiqué d'attente
              ✅ [EXERCICE] D1 — décision enregistrée (03:54). Sans justification : ajoutez « -- pourquoi » la prochaine fois.
              + 21 {"kind":"decision","reference":"D1","text":"Publier un communiqué d'attente"}
            03:55 anna@anim> !improviser visite dsi Directeur adjoint : Je veux un point maintenant
              ✅ [EXERCICE] x1 (improvisé) joué à T+27 min.
              📌[inject:x1] [EXERCICE] 🚪 Visite — Directeur adjoint → DSI (@bob) : Je veux un point maintenant
              + 22 {"kind":"inject_played","inject":"x1","channel":"visit","from":"Directeur adjoint","to":"dsi","text":"Je veux un point maintenant","adhoc":true,"manual":true,"recipient":"@bob"}
            03:56 anna@anim> !attendu i1 oui
              ✅ [EXERCICE] i1 : réaction attendue atteinte.
              + 24 {"kind":"reaction_marked","inject":"i1","met":true}
            03:57 anna@anim> !chrono
              » [EXERCICE] ⏱️ Exercice « ORAGE » (drill v3) — T+29 min · en cours · mode auto
              Derniers joués :
                i1 T+0 min 📋 Animation · pas encore de réaction · ✅
                i2 T+10 min 📞 Biologiste de garde · réaction 2 min (pd-lab) · ✅
                i3 T+25 min 📰 Journaliste · réaction 1 min (D1) · ✅
                x1 T+27 min (improvisé) · pas encore de réaction
              À venir :
                r1 sur commande 🚪 Patient → tous
              Couverture : 3/3 stimuli prévus joués (100 %), 0 passé(s), 1 improvisé(s). Observations : 1.
            03:58 anna@anim> !finex
              ✅ [EXERCICE] FINEX à T+30 min. Couverture : 3/3 stimuli prévus joués (100 %), 1 improvisé(s), 0 passé(s).
              📌 [EXERCICE] 🏁 FINEX — fin de l'exercice « ORAGE ». Merci à tous.
              RETEX à chaud maintenant : tapez !retex pour le tour de table (joueurs d'abord, puis observateurs).
              + 25 {"kind":"exercise_ended"}
            03:58 anna@anim> !inject r1
              ⛔ [EXERCICE] L'exercice est terminé (FINEX).
            03:59 alice> !retex
              ✅ [EXERCICE] RETEX à chaud ouvert : tour de table, joueurs d'abord, observateurs ensuite. Les contributions sont consignées dans la main courante.
              📌 [EXERCICE] 🗣️ RETEX 1/6 (joueurs) — Alerte et mobilisation : comment l'incident a-t-il été détecté, remonté, la cellule constituée ?
              Chacun à son tour : !retex <votre contribution>. Puis !retex suivant.
              + 26 {"kind":"retex_started"}
            04:00 alice> !retex La cellule a été constituée en 10 minutes
              ✅ [EXERCICE] Contribution 1 notée (thème 1/6).
              + 27 {"kind":"retex_contribution","topic":1,"text":"La cellule a été constituée en 10 minutes"}
            04:01 bob> !retex suivant
              📌 [EXERCICE] 🗣️ RETEX 2/6 (joueurs) — Fonctionnement de la cellule : rôles, main courante, points de situation — qu'est-ce qui a marché, qu'est-ce qui a manqué ?
              Chacun à son tour : !retex <votre contribution>. Puis !retex suivant.
              + 28 {"kind":"retex_topic","number":2} role=dsi
            04:02 bob> !retex Le labo est passé au papier sans attendre
              ✅ [EXERCICE] Contribution 1 notée (thème 2/6).
              + 29 {"kind":"retex_contribution","topic":2,"text":"Le labo est passé au papier sans attendre"} role=dsi
            04:03 alice> !retex fin
              📌 [EXERCICE] ✅ RETEX clos : 2 contribution(s). Plan d'amélioration : !amélioration <texte> @pilote [avant JJ/MM/AAAA] (0 inscrite(s)). Le rapport : !export.
              + 30 {"kind":"retex_ended"}
            04:04 alice> !amélioration Imprimer l'annuaire de crise @bob avant 31/01/2027
              ✅ [EXERCICE] P1 — amélioration inscrite au plan · pilote @bob · échéance 31/01/2027.
              + 31 {"kind":"improvement","reference":"P1","text":"Imprimer l'annuaire de crise","owner":"@bob","due":"2027-01-31"}
            04:05 alice> !amélioration Former les cadres
              ✅ [EXERCICE] P2 — amélioration inscrite au plan · sans pilote : précisez @qui la prochaine fois.
              + 32 {"kind":"improvement","reference":"P2","text":"Former les cadres"}
            04:06 alice> !export json
              ⛔ [EXERCICE] Le JSON et le CSV portent tout le journal, matériel d'animation compris : demandez-les dans le salon d'animation. Ici : export html ou md (édition joueurs).
            04:06 alice> !export
              📎 export html of 20261129-test
            04:07 anna@anim> !export json
              📎 export json of 20261129-test
        "#]],
    );
}

#[test]
fn exercise_commands_are_refused_in_a_real_crisis() {
    check(
        r#"
        03:00 alice> !ouvrir test
        03:01 anna@anim> !animer !room drill
        03:01 alice> !accepter
        03:02 alice> !debex
        03:02 alice> !obs note
        03:03 alice> STOP EXERCICE
        03:04 alice> !retex
        03:05 alice> !retex Le plan blanc a tardé
        03:06 alice> !amélioration Revoir l'astreinte dsi avant 2027-03-01
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
            03:01 anna@anim> !animer !room drill
              ⛔ Crise réelle : les commandes d'exercice sont refusées.
            03:01 alice> !accepter
              ⛔ Crise réelle : les commandes d'exercice sont refusées.
            03:02 alice> !debex
              ⛔ Crise réelle : les commandes d'exercice sont refusées.
            03:02 alice> !obs note
              ⛔ Crise réelle : les commandes d'exercice sont refusées.
            03:03 alice> STOP EXERCICE
            03:04 alice> !retex
              ✅ RETEX à chaud ouvert : tour de table, joueurs d'abord, observateurs ensuite. Les contributions sont consignées dans la main courante.
              📌 🗣️ RETEX 1/6 (joueurs) — Alerte et mobilisation : comment l'incident a-t-il été détecté, remonté, la cellule constituée ?
              Chacun à son tour : !retex <votre contribution>. Puis !retex suivant.
              + 2 {"kind":"retex_started"}
            03:05 alice> !retex Le plan blanc a tardé
              ✅ Contribution 1 notée (thème 1/6).
              + 3 {"kind":"retex_contribution","topic":1,"text":"Le plan blanc a tardé"}
            03:06 alice> !amélioration Revoir l'astreinte dsi avant 2027-03-01
              ✅ P1 — amélioration inscrite au plan · pilote dsi · échéance 01/03/2027.
              + 4 {"kind":"improvement","reference":"P1","text":"Revoir l'astreinte","owner":"dsi","due":"2027-03-01"}
        "#]],
    );
}

#[test]
fn an_exercise_in_english_with_manual_play_and_a_custom_marking() {
    check(
        r#"
        lang en
        09:00 alice> !open test exercise
        09:01 anna@anim> !animate !room drill manual
        09:02 anna@anim> !debex
        09:03 tick
        09:04 anna@anim> !inject
        09:05 anna@anim> !skip i2 not relevant today
        09:06 anna@anim> !delay i3 5m
        09:07 anna@anim> !inject i3
        09:08 anna@anim> !adhoc fax Someone: hello
        09:09 anna@anim> !schedule
        09:10 carol> stop exercise, a real fire
        09:11 anna@anim> !resume
        09:12 anna@anim> !finex
        09:13 alice> !debrief next
        09:14 alice> !improve Train the night managers @carol by 2027-02-28
        "#,
        expect![[r#"
            09:00 alice> !open test exercise
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCISE] 🚨 Exercise opened: Test crisis (v2) — crisis 20261129-test.
              3 roles to fill: !role <role> @person. Start by naming the scribe.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            09:01 anna@anim> !animate !room drill manual
              ✅ [EXERCISE] 🎬 Proposal sent to the players' room of exercise 20261129-test — scenario "ORAGE" drill v3.
              This room will be linked once a players' lead types !accept in their room.
              📌 [EXERCISE] 🎬 Room !anim proposes to animate this exercise ("ORAGE"). Nothing from the facilitators will reach you without your consent; once linked, they read your crisis log.
              A lead of the cell types !accept to accept, or !decline.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":false}
            09:02 anna@anim> !debex
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:03 tick
            09:04 anna@anim> !inject
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:05 anna@anim> !skip i2 not relevant today
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:06 anna@anim> !delay i3 5m
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:07 anna@anim> !inject i3
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:08 anna@anim> !adhoc fax Someone: hello
              ⛔ Unknown channel: mail, phone, sms, press, social, visit or internal.
              !adhoc <channel> [role] <persona>: <text> — an unscripted inject, fired at once
            09:09 anna@anim> !schedule
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:10 carol> stop exercise, a real fire
            09:11 anna@anim> !resume
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:12 anna@anim> !finex
              ⛔ Waiting for the players' consent: this room will animate exercise 20261129-test once a lead of their cell types !accept in their room.
            09:13 alice> !debrief next
              ⛔ [EXERCISE] The debrief is not open: type !debrief to start it.
            09:14 alice> !improve Train the night managers @carol by 2027-02-28
              ✅ [EXERCISE] P1 — improvement added to the plan · owner @carol · due 2027-02-28.
              + 3 {"kind":"improvement","reference":"P1","text":"Train the night managers","owner":"@carol","due":"2027-02-28"}
        "#]],
    );
}

#[test]
fn downtime_is_a_gap_in_every_open_crisis_and_both_exercise_rooms() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:01 anna@anim> !animer 20261129-test drill manuel
        03:01 alice> !accepter
        03:02 zoe@other> !ouvrir test
        03:03 zoe@other> !clore
        03:40 downtime since 03:05
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:01 anna@anim> !animer 20261129-test drill manuel
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":false}
            03:01 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode manuel (stimuli sur commande).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 3 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":false}
            03:02 zoe@other> !ouvrir test
              🔓 history of !other shared from here on (20261129-test-2)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test-2.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!other","playbook":"test","playbook_version":"2","exercise":false}
            03:03 zoe@other> !clore
              ✅ 🏁 Crise 20261129-test-2 close. Main courante : 2 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (03:03 ; échéance 02/12 03:02)
              ❌ point-ars — Point ARS : non faite à la clôture (03:03 ; échéance 05:02)
              🔏 digest of 20261129-test-2
              + 2 {"kind":"crisis_closed"}
            03:40 downtime since 03:05
              📌 [EXERCICE] ⚠️ tocsin était arrêté de 03:05 à 03:40 (35 min). Les messages envoyés entre-temps sont rattrapés ; vérifiez que rien ne manque (!statut) et saisissez les notes papier (!papier).
              📌→!anim [EXERCICE] ⚠️ tocsin était arrêté de 03:05 à 03:40 (35 min).
              + 4 {"kind":"gap","reason":"tocsin ne tournait pas de 03:05 (au plus tôt) à 03:40 (35 min) : tous les messages de cette période ont été rattrapés depuis le serveur, dans l'ordre ; les rappels dus ont été envoyés ensuite"}
        "#]],
    );
}

#[test]
fn the_facilitators_judge_objectives_and_write_the_synthesis() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:01 anna@anim> !animer 20261129-test drill
        03:01 alice> !accepter
        03:01 anna@anim> !objectif o1 atteint
        03:02 anna@anim> !debex
        03:03 anna@anim> !objectif
        03:04 anna@anim> !objectif o1 atteint Cellule constituée en 4 min, historien nommé
        03:05 anna@anim> !objectif o2 partiellement atteint : le labo oui, les urgences non
        03:06 anna@anim> !objectif o1 non atteint — l'historien est parti
        03:07 anna@anim> !objectif o9 atteint
        03:07 anna@anim> !objectif o2 bof
        03:07 anna@anim> !objectif o2
        03:08 olga?@anim> !objectif o2 atteint
        03:08 olga?@anim> !objectif
        03:09 anna@anim> !synthèse
        03:09 anna@anim> !synthèse forces Main courante tenue sans interruption
        03:10 anna@anim> !synthese axes: annuaire de crise papier absent
        03:10 anna@anim> !synthèse forces
        03:10 anna@anim> !synthèse faiblesses tout
        03:11 olga?@anim> !synthèse forces Le DSI a bien réagi
        03:12 anna@anim> !finex
        03:13 anna@anim> !synthèse axes Rappeler le mot d'arrêt au DEBEX
        03:13 anna@anim> !synthèse
        03:14 alice> !objectif o1 atteint
        03:14 alice> !synthèse forces tout
        03:15 alice> !aide objectif
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:01 anna@anim> !animer 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:01 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode auto (stimuli joués à l'heure).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 3 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:01 anna@anim> !objectif o1 atteint
              ⛔ [EXERCICE] L'exercice n'a pas commencé : !debex d'abord.
            03:02 anna@anim> !debex
              ✅ [EXERCICE] DEBEX à 03:02 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:02)
              📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:02.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 4 {"kind":"exercise_started"}
            03:03 anna@anim> !objectif
              » [EXERCICE] Objectifs de l'exercice « ORAGE » :
                o1 — Constituer la cellule : pas encore apprécié
                o2 — Mode dégradé : pas encore apprécié
            03:04 anna@anim> !objectif o1 atteint Cellule constituée en 4 min, historien nommé
              ✅ [EXERCICE] Objectif o1 : atteint.
              + 5 {"kind":"objective_assessed","objective":"o1","result":"met","comment":"Cellule constituée en 4 min, historien nommé"}
            03:05 anna@anim> !objectif o2 partiellement atteint : le labo oui, les urgences non
              ✅ [EXERCICE] Objectif o2 : partiellement atteint.
              + 6 {"kind":"objective_assessed","objective":"o2","result":"partly","comment":"le labo oui, les urgences non"}
            03:06 anna@anim> !objectif o1 non atteint — l'historien est parti
              ✅ [EXERCICE] Objectif o1 : non atteint (remplace « atteint »).
              + 7 {"kind":"objective_assessed","objective":"o1","result":"not_met","comment":"l'historien est parti"}
            03:07 anna@anim> !objectif o9 atteint
              ⛔ [EXERCICE] Objectif inconnu : o9. Objectifs du scénario : o1, o2.
            03:07 anna@anim> !objectif o2 bof
              ⛔ [EXERCICE] Appréciation inconnue : écrivez atteint, partiellement ou non atteint.
              !objectif [<objectif> atteint|partiellement|non atteint [commentaire]] — l'appréciation d'un objectif par l'animation ; seul : où en sont les objectifs (salon d'animation)
            03:07 anna@anim> !objectif o2
              ⛔ [EXERCICE] Il manque l'appréciation : atteint, partiellement ou non atteint.
              !objectif [<objectif> atteint|partiellement|non atteint [commentaire]] — l'appréciation d'un objectif par l'animation ; seul : où en sont les objectifs (salon d'animation)
            03:08 olga?@anim> !objectif o2 atteint
              ⛔ [EXERCICE] Commande réservée aux animateurs (niveau de pouvoir 50 dans le salon d'animation). Les observateurs notent avec !obs.
            03:08 olga?@anim> !objectif
              » [EXERCICE] Objectifs de l'exercice « ORAGE » :
                o1 — Constituer la cellule : non atteint — l'historien est parti
                o2 — Mode dégradé : partiellement atteint — le labo oui, les urgences non
            03:09 anna@anim> !synthèse
              » [EXERCICE] La synthèse est vide : !synthèse forces <texte>, !synthèse axes <texte>.
            03:09 anna@anim> !synthèse forces Main courante tenue sans interruption
              ✅ [EXERCICE] Force n°1 notée.
              + 8 {"kind":"synthesis_note","part":"strength","text":"Main courante tenue sans interruption"}
            03:10 anna@anim> !synthese axes: annuaire de crise papier absent
              ✅ [EXERCICE] Axe d'amélioration n°1 noté.
              + 9 {"kind":"synthesis_note","part":"to_improve","text":"annuaire de crise papier absent"}
            03:10 anna@anim> !synthèse forces
              ⛔ [EXERCICE] Il manque le texte après « forces » ou « axes ».
              !synthèse [forces|axes <texte>] — la synthèse de l'animation, forces et axes d'amélioration ; seule : la synthèse à ce jour (salon d'animation)
            03:10 anna@anim> !synthèse faiblesses tout
              ⛔ [EXERCICE] Précisez « forces » ou « axes » (d'amélioration), puis le texte.
              !synthèse [forces|axes <texte>] — la synthèse de l'animation, forces et axes d'amélioration ; seule : la synthèse à ce jour (salon d'animation)
            03:11 olga?@anim> !synthèse forces Le DSI a bien réagi
              ⛔ [EXERCICE] Commande réservée aux animateurs (niveau de pouvoir 50 dans le salon d'animation). Les observateurs notent avec !obs.
            03:12 anna@anim> !finex
              ✅ [EXERCICE] FINEX à T+10 min. Couverture : 0/3 stimuli prévus joués (0 %), 0 improvisé(s), 0 passé(s).
              📌 [EXERCICE] 🏁 FINEX — fin de l'exercice « ORAGE ». Merci à tous.
              RETEX à chaud maintenant : tapez !retex pour le tour de table (joueurs d'abord, puis observateurs).
              + 10 {"kind":"exercise_ended"}
            03:13 anna@anim> !synthèse axes Rappeler le mot d'arrêt au DEBEX
              ✅ [EXERCICE] Axe d'amélioration n°2 noté.
              + 11 {"kind":"synthesis_note","part":"to_improve","text":"Rappeler le mot d'arrêt au DEBEX"}
            03:13 anna@anim> !synthèse
              » [EXERCICE] Forces (1) :
                1. Main courante tenue sans interruption
              Axes d'amélioration (2) :
                1. annuaire de crise papier absent
                2. Rappeler le mot d'arrêt au DEBEX
            03:14 alice> !objectif o1 atteint
              ⛔ [EXERCICE] Commande du salon d'animation : tapez-la là-bas, pas dans le salon des joueurs.
            03:14 alice> !synthèse forces tout
              ⛔ [EXERCICE] Commande du salon d'animation : tapez-la là-bas, pas dans le salon des joueurs.
            03:15 alice> !aide objectif
              » [EXERCICE] !objectif [<objectif> atteint|partiellement|non atteint [commentaire]] — l'appréciation d'un objectif par l'animation ; seul : où en sont les objectifs (salon d'animation)
        "#]],
    );
}

#[test]
fn exercise_edge_cases_from_review() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:01 anna@anim> !animer 20261129-test drill
        03:01 alice> !accepter
        03:02 anna@anim> !debex
        03:02 tick
        03:03 olga?@anim> !obs i1 le joueur a hésité à taper STOP EXERCICE
        03:04 bob> > <@tocsin> tapez « STOP EXERCICE » ici
        03:04 bob> !info pas de STOP EXERCICE ici, c'est une commande
        03:05 anna@anim> !mode manuel
        03:20 anna@anim> !mode auto
        03:21 anna@anim> !passer i2 trop tôt
        03:22 anna@anim> !mode auto
        03:23 anna@anim> !amélioration Mettre à jour le PCA
        03:24 anna@anim> !amélioration Revoir l'annuaire avant 31/01/27
        03:25 alice> !passer pd-lab 2 sans objet
        03:26 anna@anim> !pause
        03:27 anna@anim> !inject
        03:28 anna@anim> !reprise
        03:29 anna@anim> !retex
        03:29 anna@anim> edit !improviser téléphone Cadre : encore
        03:29 anna@anim> edit bonjour, je corrige une faute
        03:29 bob> edit STOP EXERCICE
        03:40 downtime since 03:30
        03:41 anna@anim> !chrono
        03:50 anna@anim> !reprise
        03:51 alice> !clore
        03:52 anna@anim> !export
        03:52 anna@anim> !pause
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:01 anna@anim> !animer 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:01 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode auto (stimuli joués à l'heure).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 3 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:02 anna@anim> !debex
              ✅ [EXERCICE] DEBEX à 03:02 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:02)
              📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:02.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 4 {"kind":"exercise_started"}
            03:02 tick
              📌[inject:i1] [EXERCICE] 📋 Message interne — Animation : Le système d'information est inaccessible.
              📌→!anim [EXERCICE] ▶️ i1 joué à T+0 min — 📋 Animation
              Attendu : Constituer la cellule
              Suivant : i2 à T+10 min (03:12)
              + 5 {"kind":"inject_played","inject":"i1","channel":"internal","from":"Animation","text":"Le système d'information est inaccessible.","expected":"Constituer la cellule"}
            03:03 olga?@anim> !obs i1 le joueur a hésité à taper STOP EXERCICE
              ✅ [EXERCICE] O1 (i1) — observation notée à T+1 min.
              + 7 {"kind":"observation","reference":"O1","text":"le joueur a hésité à taper STOP EXERCICE","inject":"i1"}
            03:04 bob> > <@tocsin> tapez « STOP EXERCICE » ici
            03:04 bob> !info pas de STOP EXERCICE ici, c'est une commande
              ✅ [EXERCICE] I1 — information enregistrée, à vérifier (03:04).
              + 8 {"kind":"info","reference":"I1","text":"pas de STOP EXERCICE ici, c'est une commande"}
            03:05 anna@anim> !mode manuel
              ✅ [EXERCICE] Mode manuel : les stimuli ne sont joués que sur commande (!inject).
              + 9 {"kind":"exercise_mode","auto":false}
            03:20 anna@anim> !mode auto
              ⛔ [EXERCICE] Déjà dus : i2. En auto, ils partiraient tous d'un coup : jouez-les (!inject), passez-les (!passer) ou retardez la suite (!retarder 15m), puis repassez en auto.
            03:21 anna@anim> !passer i2 trop tôt
              ✅ [EXERCICE] i2 passé : il ne sera pas joué.
              + 10 {"kind":"inject_skipped","inject":"i2","reason":"trop tôt"}
            03:22 anna@anim> !mode auto
              ⛔ [EXERCICE] Déjà dus : i3. En auto, ils partiraient tous d'un coup : jouez-les (!inject), passez-les (!passer) ou retardez la suite (!retarder 15m), puis repassez en auto.
            03:23 anna@anim> !amélioration Mettre à jour le PCA
              ✅ [EXERCICE] P1 — amélioration inscrite au plan · sans pilote : précisez @qui la prochaine fois.
              + 11 {"kind":"improvement","reference":"P1","text":"Mettre à jour le PCA"}
            03:24 anna@anim> !amélioration Revoir l'annuaire avant 31/01/27
              ✅ [EXERCICE] P2 — amélioration inscrite au plan · sans pilote : précisez @qui la prochaine fois · échéance 31/01/2027.
              + 12 {"kind":"improvement","reference":"P2","text":"Revoir l'annuaire","due":"2027-01-31"}
            03:25 alice> !passer pd-lab 2 sans objet
              ⛔ [EXERCICE] Étape illisible : écrivez <procédure>.<numéro> (ex. pd-lab.2).
              !passer <proc>.<n> <raison> — étape sans objet ; en animation : passer <stimulus> [raison]
            03:26 anna@anim> !pause
              ✅ [EXERCICE] ⏸️ Pause à T+24 min : l'horloge d'exercice est arrêtée, le chronogramme se décalera d'autant.
              📌 [EXERCICE] ⏸️ Exercice en pause. Il reprendra sur annonce.
              + 13 {"kind":"exercise_paused"}
            03:27 anna@anim> !inject
              ⛔ [EXERCICE] L'exercice est en pause : !reprise d'abord.
            03:28 anna@anim> !reprise
              ✅ [EXERCICE] ▶️ Reprise après 2 min de pause : horloge d'exercice à T+24 min.
              📌 [EXERCICE] ▶️ L'exercice reprend.
              + 14 {"kind":"exercise_resumed"}
            03:29 anna@anim> !retex
              ⛔ [EXERCICE] Salon d'animation : les commandes de la cellule se tapent dans le salon des joueurs. Ici : !chrono, !inject, !passer, !retarder, !pause, !reprise, !improviser, !attendu, !obs, !finex, !export (!aide pour le détail).
            03:29 anna@anim> edit !improviser téléphone Cadre : encore
              ⛔ [EXERCICE] Modification ignorée : une commande d'animation ne se modifie pas. Tapez une nouvelle commande si besoin.
            03:29 anna@anim> edit bonjour, je corrige une faute
            03:29 bob> edit STOP EXERCICE
            03:40 downtime since 03:30
              📌 [EXERCICE] ⚠️ tocsin était arrêté de 03:30 à 03:40 (10 min). Les messages envoyés entre-temps sont rattrapés ; vérifiez que rien ne manque (!statut) et saisissez les notes papier (!papier).
              📌→!anim [EXERCICE] ⚠️ tocsin était arrêté de 03:30 à 03:40 (10 min) : l'exercice est en pause depuis 03:30, aucun stimulus n'a été joué. !chrono pour voir où il en est, !reprise pour le relancer.
              + 15 {"kind":"gap","reason":"tocsin ne tournait pas de 03:30 (au plus tôt) à 03:40 (10 min) : tous les messages de cette période ont été rattrapés depuis le serveur, dans l'ordre ; les rappels dus ont été envoyés ensuite ; l'exercice a été mis en pause"}
              + 16 {"kind":"exercise_paused"}
            03:41 anna@anim> !chrono
              » [EXERCICE] ⏱️ Exercice « ORAGE » (drill v3) — T+26 min · ⏸️ en pause · mode manuel
              Derniers joués :
                i1 T+0 min 📋 Animation · pas encore de réaction
              À venir :
                i3 T+20 min 📰 Journaliste → tous · après i2
                r1 sur commande 🚪 Patient → tous
              Couverture : 1/3 stimuli prévus joués (33 %), 1 passé(s), 0 improvisé(s). Observations : 1.
            03:50 anna@anim> !reprise
              ✅ [EXERCICE] ▶️ Reprise après 20 min de pause : horloge d'exercice à T+26 min.
              📌 [EXERCICE] ▶️ L'exercice reprend.
              + 17 {"kind":"exercise_resumed"}
            03:51 alice> !clore
              ✅ [EXERCICE] 🏁 Crise 20261129-test close. Main courante : 18 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (03:51 ; échéance 02/12 03:22)
              ❌ point-ars — Point ARS : non faite à la clôture (03:51 ; échéance 05:22)
              🔏 digest of 20261129-test
              📌→!anim [EXERCICE] 🏁 La cellule a clos l'exercice 20261129-test (18 entrées). Rapport complet : !export, ou !export json pour la main courante scellée.
              + 18 {"kind":"crisis_closed"}
            03:52 anna@anim> !export
              📎 export html of 20261129-test
            03:52 anna@anim> !pause
              ⛔ Aucune crise ouverte dans ce salon. Pour commencer : !ouvrir <playbook> [exercice] (playbooks : test).
        "#]],
    );
}

/// The journal replays one crisis after the other: a closed exercise replayed
/// after an open one must not take its animation room.
#[test]
fn the_animation_room_survives_replay_in_crisis_order() {
    let catalog = catalog();
    let settings = Settings::default();
    let mut world = World::default();
    let mut records = Vec::new();
    let at = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
    let mut say = |world: &mut World, room: &str, text: &str| {
        records.extend(anna_says(world, &catalog, &settings, at, room, text));
    };
    say(&mut world, "!a", "!ouvrir test exercice"); // 20261129-test
    say(&mut world, "!b", "!ouvrir test exercice"); // 20261129-test-2
    say(&mut world, "!anim", "!animer 20261129-test-2 drill");
    say(&mut world, "!b", "!accepter");
    say(&mut world, "!b", "!clore");
    say(&mut world, "!anim", "!animer 20261129-test drill");
    say(&mut world, "!a", "!accepter");
    let ids = |w: &World| -> Vec<String> {
        w.animated_from("!anim")
            .iter()
            .map(|c| c.id.clone())
            .collect()
    };
    assert_eq!(ids(&world), ["20261129-test"]);
    records.sort_by(|x, y| (&x.crisis, x.seq).cmp(&(&y.crisis, y.seq)));
    let mut replayed = World::default();
    for r in &records {
        replayed.apply(r);
    }
    assert_eq!(ids(&replayed), ["20261129-test"]);
}

/// The facilitator anna types `text` in `room` at `at` (its source: room,
/// time and text); it must not be refused. The records, applied.
fn anna_says(
    world: &mut World,
    catalog: &Catalog,
    settings: &Settings,
    at: chrono::DateTime<Utc>,
    room: &str,
    text: &str,
) -> Vec<Record> {
    let input = Input {
        at,
        sent_at: at,
        author: Author {
            id: "@anna".into(),
            name: "anna".into(),
        },
        room: room.into(),
        body: Body::Text(text.into()),
        source: Some(format!("${room}/{}/{text}", at.timestamp())),
        privileged: true,
        quoted: None,
        in_reply_to: None,
    };
    let decision = decide(world, catalog, settings, &input);
    assert!(
        !decision
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Refuse(_))),
        "{text}: {:?}",
        decision.effects
    );
    for r in &decision.records {
        world.apply(r);
    }
    decision.records
}

/// A regional exercise replayed one chain after the other (as at start-up)
/// drives the same establishments, under the same labels, in the same session.
#[test]
fn a_regional_exercise_survives_replay_in_crisis_order() {
    let catalog = catalog();
    let settings = Settings::default();
    let mut world = World::default();
    let mut records = Vec::new();
    let mut minute = 0;
    let mut say = |world: &mut World, room: &str, text: &str| {
        minute += 1;
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 8, minute, 0).unwrap();
        records.extend(anna_says(world, &catalog, &settings, at, room, text));
    };
    // A first regional exercise, played and closed.
    say(&mut world, "!a", "!ouvrir test exercice"); // 20261129-test
    say(&mut world, "!b", "!ouvrir test exercice"); // 20261129-test-2
    say(&mut world, "!anim", "!animer@nord 20261129-test drill");
    say(&mut world, "!anim", "!animer@sud 20261129-test-2 drill");
    say(&mut world, "!a", "!accepter");
    say(&mut world, "!b", "!accepter");
    say(&mut world, "!anim", "!debex");
    say(&mut world, "!anim", "!inject r1");
    say(&mut world, "!anim", "STOP EXERCICE");
    say(&mut world, "!a", "!clore");
    say(&mut world, "!b", "!clore");
    // The same room then drives a second one, with two new establishments:
    // a session of its own, since the first had ended.
    say(&mut world, "!c", "!ouvrir test exercice"); // 20261129-test-3
    say(&mut world, "!d", "!ouvrir test exercice"); // 20261129-test-4
    say(&mut world, "!anim", "!animer@est 20261129-test-3 drill");
    say(&mut world, "!anim", "!animer@ouest 20261129-test-4 drill");
    say(&mut world, "!c", "!accepter");
    say(&mut world, "!d", "!accepter");
    let seen = |w: &World| -> (Vec<String>, Vec<String>) {
        let driven = w
            .animated_from("!anim")
            .iter()
            .map(|c| format!("{}={}", c.id, c.run.as_ref().unwrap().label(&c.id)))
            .collect();
        let session = w
            .regional_session("!anim")
            .iter()
            .map(|c| c.id.clone())
            .collect();
        (driven, session)
    };
    let live = seen(&world);
    assert_eq!(
        live.0,
        ["20261129-test-3=est", "20261129-test-4=ouest"],
        "{live:?}"
    );
    assert_eq!(live.1, ["20261129-test-3", "20261129-test-4"]);
    // The first session's chains: each establishment stopped once, by the one command.
    let stopped: Vec<&str> = records
        .iter()
        .filter(|r| r.event.kind() == "exercise_stopped")
        .map(|r| r.crisis.as_str())
        .collect();
    assert_eq!(stopped, ["20261129-test", "20261129-test-2"]);
    records.sort_by(|x, y| (&x.crisis, x.seq).cmp(&(&y.crisis, y.seq)));
    let mut replayed = World::default();
    for r in &records {
        replayed.apply(r);
    }
    assert_eq!(seen(&replayed), live);
}

/// Posted-message tags are typed in memory and the strings they always were on disk.
#[test]
fn posted_tags_keep_their_journal_form() {
    use super::event::{Event, PostTag};
    for (tag, json) in [
        (
            PostTag::Checklist("pd-lab".to_owned()),
            r#"{"kind":"posted","tag":"proc:pd-lab","event_id":"$e"}"#,
        ),
        (
            PostTag::Handover(3),
            r#"{"kind":"posted","tag":"handover:3","event_id":"$e"}"#,
        ),
        (
            PostTag::Comcheck(1),
            r#"{"kind":"posted","tag":"comcheck:1","event_id":"$e"}"#,
        ),
    ] {
        let event = Event::Posted {
            tag,
            event_id: "$e".to_owned(),
            room: None,
        };
        assert_eq!(serde_json::to_string(&event).unwrap(), json);
        assert_eq!(serde_json::from_str::<Event>(json).unwrap(), event);
    }
    assert!(
        serde_json::from_str::<Event>(r#"{"kind":"posted","tag":"proc:","event_id":"$e"}"#)
            .is_err()
    );
}

/// Adding a language is adding a catalog: a third one, written from the French
/// reference's ids and variables, is what the engine speaks, with no code of its own.
#[test]
fn a_third_catalog_is_spoken_without_code() {
    use crate::lang::catalog::{CatalogFile, Messages};
    let mut ftl = String::new();
    for (id, vars) in Messages::builtin().schema("fr") {
        ftl.push_str(&format!("{id} = DE:{id}"));
        for var in vars {
            ftl.push_str(&format!(" {{${var}}}"));
        }
        ftl.push('\n');
    }
    let messages = Messages::from_files(vec![CatalogFile {
        origin: "de.ftl".to_owned(),
        code: "de".to_owned(),
        text: ftl,
    }])
    .unwrap();
    let settings = Settings {
        lang: Lang::parse("de").unwrap(),
        messages,
        ..Settings::default()
    };
    expect![[r#"
        03:40 alice> !ouvrir test exercice
          🔓 history of !room shared from here on (20261129-test)
          ✅ [DE:exercise-marking] DE:exercise-opened 20261129-test 3 ! Crise de test 2
          + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
        03:41 alice> !info Le labo est en panne
          ✅ [DE:exercise-marking] DE:info-recorded 03:41 I1
          + 2 {"kind":"info","reference":"I1","text":"Le labo est en panne"}
        03:42 alice> !inconnu
          ⛔ [DE:exercise-marking] DE:cmd-unknown !inconnu
          DE:cmd-type-help !
        03:43 alice> !clore
          ✅ [DE:exercise-marking] DE:crisis-closed 20261129-test 0 0 0 3
          DE:crisis-closed-clocks 2
          DE:clock-line-not-done-at-close 03:43 02/12 03:40 cnil-72h Notification CNIL
          DE:clock-line-not-done-at-close 03:43 05:40 point-ars Point ARS
          🔏 digest of 20261129-test
          + 3 {"kind":"crisis_closed"}
    "#]].assert_eq(&run_with(
        settings,
        r#"
        03:40 alice> !ouvrir test exercice
        03:41 alice> !info Le labo est en panne
        03:42 alice> !inconnu
        03:43 alice> !clore
        "#,
    ));
}

const LAW_PLAYBOOK: &str = r#"
id: loi
version: "1"
title: {fr: Crise réglementaire, en: Regulatory crisis}
roles:
  - {id: dpo, title: DPO}
  - {id: rssi, title: RSSI}
  - {id: medecin, title: {fr: Médecin, en: Physician}}
clocks:
  - id: cnil-72h
    title: {fr: Notification CNIL, en: CNIL notification}
    due: 72h
    warn: [24h, 1h]
    owner: dpo
    source: {text: "RGPD art. 33", url: "https://eur-lex.europa.eu/eli/reg/2016/679/oj"}
  - id: nis2
    title: NIS 2
    condition: {fr: si l'établissement est une entité essentielle ou importante, en: if the hospital is an essential or important entity}
    owner: rssi
    source: "Directive (UE) 2022/2555, art. 23"
    stages:
      - {title: {fr: Alerte précoce, en: Early warning}, due: 24h, warn: [1h]}
      - {title: Notification, due: 72h, warn: [6h]}
      - {title: {fr: Rapport final, en: Final report}, due: 1mo, after: 2, warn: [7d]}
  - id: reeval
    title: {fr: Réévaluation des urgences, en: ED re-evaluation}
    every: 12h
    warn: [1h]
    owner: medecin
    source: {text: {fr: Choix de l'établissement, en: "Hospital's choice"}}
"#;

fn law_catalog() -> Catalog {
    let pb = playbook::parse("loi.yaml", LAW_PLAYBOOK).expect("law playbook parses");
    assert!(pb.warnings.is_empty(), "{:?}", pb.warnings);
    Catalog::from_playbooks(vec![pb]).unwrap()
}

#[test]
fn clocks_count_from_the_awareness_a_time_or_an_entry() {
    check_on(
        &law_catalog(),
        r#"
        03:00 alice> !ouvrir loi
        03:00 alice> !point arrêt
        03:00 alice> !horloge reeval arrêter pas de fermeture des urgences
        10:00 bob> !info Revendication : les attaquants disent avoir exfiltré des dossiers
        10:05 alice> !horloge cnil-72h depuis I1
        10:06 alice> !horloge cnil-72h depuis I9
        10:06 alice> !horloge cnil-72h depuis demain
        10:06 alice> !horloge cnil-72h
        10:07 alice> !horloges
        01/12 09:00 tick
        01/12 10:00 tick
        01/12 10:01 alice> !horloge cnil-72h depuis 28/11 02:00
        01/12 10:02 tick
        01/12 10:03 alice> !fait cnil-72h
        01/12 10:04 alice> !horloge cnil-72h depuis 03:00
        "#,
        expect![[r#"
            03:00 alice> !ouvrir loi
              🔓 history of !room shared from here on (20261129-loi)
              ✅ 🚨 Crise ouverte : Crise réglementaire (v1) — crise 20261129-loi.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"loi","playbook_version":"1","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:00 alice> !horloge reeval arrêter pas de fermeture des urgences
              ✅ reeval arrêtée (pas de fermeture des urgences) : plus d'alerte pour elle.
              + 3 {"kind":"clock_stopped","clock":"reeval","reason":"pas de fermeture des urgences"}
            10:00 bob> !info Revendication : les attaquants disent avoir exfiltré des dossiers
              ✅ I1 — information enregistrée, à vérifier (10:00).
              + 4 {"kind":"info","reference":"I1","text":"Revendication : les attaquants disent avoir exfiltré des dossiers"}
            10:05 alice> !horloge cnil-72h depuis I1
              ✅ cnil-72h compte désormais depuis 10:00 (I1).
              ⏳ cnil-72h — Notification CNIL : reste 2 j 23h (échéance 02/12 10:00) · dpo · comptée depuis 10:00 (I1)
              + 5 {"kind":"clock_anchored","clock":"cnil-72h","at":"2026-11-29T09:00:00Z","entry":"I1"}
            10:06 alice> !horloge cnil-72h depuis I9
              ⛔ Référence inconnue « I9 » dans cette crise (dernières : I1).
            10:06 alice> !horloge cnil-72h depuis demain
              ⛔ Heure illisible après « depuis » : écrivez 14:30, 28/11 14:30, ou la référence d'une entrée (I7).
              !horloges [<horloge> depuis HH:MM|I7 | <horloge> activer [depuis …] | <horloge> arrêter [raison]] — échéances réglementaires ; fait <horloge> quand c'est fait
            10:06 alice> !horloge cnil-72h
              » ⏳ cnil-72h — Notification CNIL : reste 2 j 23h (échéance 02/12 10:00) · dpo · comptée depuis 10:00 (I1)
              Source : RGPD art. 33 — https://eur-lex.europa.eu/eli/reg/2016/679/oj
            10:07 alice> !horloges
              » Horloges (comptées depuis l'ouverture à 03:00, sauf mention) :
              ⏳ cnil-72h — Notification CNIL : reste 2 j 23h (échéance 02/12 10:00) · dpo · comptée depuis 10:00 (I1)
              💤 nis2 — NIS 2 : non activée — si l'établissement est une entité essentielle ou importante (!horloge nis2 activer [depuis HH:MM|I7])
              ⏹️ reeval — Réévaluation des urgences : arrêtée 03:00 : pas de fermeture des urgences
              !fait <horloge> quand c'est fait.
            01/12 09:00 tick
            01/12 10:00 tick
              📌 ⏳ cnil-72h — Notification CNIL : reste 1 j 0h (échéance 02/12 10:00) · dpo · comptée depuis 29/11 10:00 (I1)
              + 6 {"kind":"clock_warning","clock":"cnil-72h","left_minutes":1440}
            01/12 10:01 alice> !horloge cnil-72h depuis 28/11 02:00
              ✅ cnil-72h compte désormais depuis 28/11 02:00.
              ⌛ cnil-72h — Notification CNIL : échéance DÉPASSÉE (02:00, il y a 8h01) · dpo · comptée depuis 28/11 02:00
              + 7 {"kind":"clock_anchored","clock":"cnil-72h","at":"2026-11-28T01:00:00Z"}
            01/12 10:02 tick
              📌 ⌛ cnil-72h — Notification CNIL : échéance DÉPASSÉE (02:00, il y a 8h02) · dpo · comptée depuis 28/11 02:00
              + 8 {"kind":"clock_warning","clock":"cnil-72h","left_minutes":0}
            01/12 10:03 alice> !fait cnil-72h
              ✅ cnil-72h — Notification CNIL : fait, 8h03 après l'échéance.
              + 9 {"kind":"clock_done","clock":"cnil-72h"}
            01/12 10:04 alice> !horloge cnil-72h depuis 03:00
              ⛔ cnil-72h est déjà faite (10:03).
        "#]],
    );
}

#[test]
fn conditional_clocks_wait_for_the_cell_and_stages_follow_each_other() {
    check_on(
        &law_catalog(),
        r#"
        03:00 alice> !ouvrir loi
        03:00 alice> !point arrêt
        03:00 alice> !horloge reeval arrêter
        03:05 alice> !horloges
        03:06 alice> !fait nis2.1
        03:06 alice> !horloge nis2 depuis 03:00
        03:06 alice> !horloge cnil-72h activer
        03:06 alice> !horloge nis2 allumer
        04:00 tick
        09:00 bob> !décision Nous sommes entité essentielle : déclaration NIS 2 -- arrêté de désignation
        09:01 bob> !horloge nis2 activer depuis D1
        09:02 bob> !horloge nis2 activer
        09:03 bob> !fait nis2
        30/11 08:00 tick
        30/11 08:30 bob> !fait nis2.1
        30/11 08:31 bob> !horloges
        02/12 10:00 bob> !fait nis2.2
        02/12 10:01 bob> !fait nis2.2
        02/12 10:02 bob> !fait nis2.4
        02/12 10:02 bob> !fait cnil-72h.2
        02/12 10:03 bob> !horloge nis2
        26/12 10:00 tick
        02/01 10:00 tick
        "#,
        expect![[r#"
            03:00 alice> !ouvrir loi
              🔓 history of !room shared from here on (20261129-loi)
              ✅ 🚨 Crise ouverte : Crise réglementaire (v1) — crise 20261129-loi.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"loi","playbook_version":"1","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:00 alice> !horloge reeval arrêter
              ✅ reeval arrêtée : plus d'alerte pour elle.
              + 3 {"kind":"clock_stopped","clock":"reeval"}
            03:05 alice> !horloges
              » Horloges (comptées depuis l'ouverture à 03:00, sauf mention) :
              ⏳ cnil-72h — Notification CNIL : reste 2 j 23h (échéance 02/12 03:00) · dpo
              💤 nis2 — NIS 2 : non activée — si l'établissement est une entité essentielle ou importante (!horloge nis2 activer [depuis HH:MM|I7])
              ⏹️ reeval — Réévaluation des urgences : arrêtée 03:00
              !fait <horloge> quand c'est fait.
            03:06 alice> !fait nis2.1
              ⛔ nis2 n'est pas activée (si l'établissement est une entité essentielle ou importante) : !horloge nis2 activer [depuis HH:MM|I7].
            03:06 alice> !horloge nis2 depuis 03:00
              ⛔ nis2 n'est pas activée (si l'établissement est une entité essentielle ou importante) : !horloge nis2 activer [depuis HH:MM|I7].
            03:06 alice> !horloge cnil-72h activer
              ⛔ cnil-72h s'applique toujours : pour la compter depuis la prise de connaissance, !horloge cnil-72h depuis HH:MM|I7.
            03:06 alice> !horloge nis2 allumer
              ⛔ Après l'horloge : depuis HH:MM|I7, activer [depuis …] ou arrêter [raison].
              !horloges [<horloge> depuis HH:MM|I7 | <horloge> activer [depuis …] | <horloge> arrêter [raison]] — échéances réglementaires ; fait <horloge> quand c'est fait
            04:00 tick
            09:00 bob> !décision Nous sommes entité essentielle : déclaration NIS 2 -- arrêté de désignation
              ✅ D1 — décision enregistrée (09:00), avec sa justification.
              + 4 {"kind":"decision","reference":"D1","text":"Nous sommes entité essentielle : déclaration NIS 2","rationale":"arrêté de désignation"}
            09:01 bob> !horloge nis2 activer depuis D1
              ✅ nis2 activée.
              ⏳ nis2.1 — NIS 2 — Alerte précoce : reste 23h59 (échéance 30/11 09:00) · rssi · comptée depuis 09:00 (D1)
              ⏳ nis2.2 — NIS 2 — Notification : reste 2 j 23h (échéance 02/12 09:00) · rssi · comptée depuis 09:00 (D1)
              ⏸️ nis2.3 — NIS 2 — Rapport final : 1 mois après nis2.2 (pas encore fait)
              + 5 {"kind":"clock_activated","clock":"nis2","from":"2026-11-29T08:00:00Z","entry":"D1"}
            09:02 bob> !horloge nis2 activer
              ⛔ nis2 est déjà activée (depuis 09:01).
            09:03 bob> !fait nis2
              ⛔ nis2 a plusieurs étapes ; laquelle est faite ? !fait nis2.1 (Alerte précoce), !fait nis2.2 (Notification), !fait nis2.3 (Rapport final)
            30/11 08:00 tick
              📌 ⏳ nis2.1 — NIS 2 — Alerte précoce : reste 1h00 (échéance 09:00) · rssi · comptée depuis 29/11 09:00 (D1)
              + 6 {"kind":"clock_warning","clock":"nis2","left_minutes":60,"stage":1}
            30/11 08:30 bob> !fait nis2.1
              ✅ nis2.1 — NIS 2 — Alerte précoce : fait, 30 min avant l'échéance.
              + 7 {"kind":"clock_done","clock":"nis2","stage":1}
            30/11 08:31 bob> !horloges
              » Horloges (comptées depuis l'ouverture à 29/11 03:00, sauf mention) :
              ⏳ cnil-72h — Notification CNIL : reste 1 j 18h (échéance 02/12 03:00) · dpo
              ✅ nis2.1 — NIS 2 — Alerte précoce : fait 08:30
              ⏳ nis2.2 — NIS 2 — Notification : reste 2 j 0h (échéance 02/12 09:00) · rssi · comptée depuis 29/11 09:00 (D1)
              ⏸️ nis2.3 — NIS 2 — Rapport final : 1 mois après nis2.2 (pas encore fait)
              ⏹️ reeval — Réévaluation des urgences : arrêtée 29/11 03:00
              !fait <horloge> quand c'est fait.
            02/12 10:00 bob> !fait nis2.2
              ✅ nis2.2 — NIS 2 — Notification : fait, 1h00 après l'échéance.
              + 8 {"kind":"clock_done","clock":"nis2","stage":2}
            02/12 10:01 bob> !fait nis2.2
              ⛔ nis2.2 est déjà faite (10:00).
            02/12 10:02 bob> !fait nis2.4
              ⛔ nis2 a 3 étapes : pas d'étape de ce numéro.
            02/12 10:02 bob> !fait cnil-72h.2
              ⛔ cnil-72h n'a qu'une échéance, sans étapes : !fait cnil-72h.
            02/12 10:03 bob> !horloge nis2
              » ✅ nis2.1 — NIS 2 — Alerte précoce : fait 30/11 08:30
              ☑️ nis2.2 — NIS 2 — Notification : fait 10:00 (1h00 après l'échéance 09:00)
              ⏳ nis2.3 — NIS 2 — Rapport final : reste 30 j 23h (échéance 02/01 10:00) · rssi
              Source : Directive (UE) 2022/2555, art. 23
            26/12 10:00 tick
              📌 ⌛ cnil-72h — Notification CNIL : échéance DÉPASSÉE (02/12 03:00, il y a 24 j 7h) · dpo
              ⏳ nis2.3 — NIS 2 — Rapport final : reste 7 j 0h (échéance 02/01 10:00) · rssi
              + 9 {"kind":"clock_warning","clock":"cnil-72h","left_minutes":0}
              + 10 {"kind":"clock_warning","clock":"nis2","left_minutes":10080,"stage":3}
            02/01 10:00 tick
              📌 ⌛ nis2.3 — NIS 2 — Rapport final : échéance DÉPASSÉE (10:00, il y a 0 min) · rssi
              + 11 {"kind":"clock_warning","clock":"nis2","left_minutes":0,"stage":3}
        "#]],
    );
}

#[test]
fn stages_are_met_in_order_and_closure_says_what_was_not_done() {
    check_on(
        &law_catalog(),
        r#"
        03:00 alice> !ouvrir loi
        03:00 alice> !point arrêt
        03:00 alice> !horloge reeval arrêter
        03:01 alice> !horloge nis2 activer
        03:02 alice> !fait nis2.3
        03:02 alice> !fait nis2.2
        03:03 alice> !fait nis2.1
        03:04 alice> !fait nis2.3
        30/11 10:00 alice> !fait nis2.2
        30/11 10:01 alice> !horloges
        30/11 11:00 alice> !clore
        "#,
        expect![[r#"
            03:00 alice> !ouvrir loi
              🔓 history of !room shared from here on (20261129-loi)
              ✅ 🚨 Crise ouverte : Crise réglementaire (v1) — crise 20261129-loi.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"loi","playbook_version":"1","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:00 alice> !horloge reeval arrêter
              ✅ reeval arrêtée : plus d'alerte pour elle.
              + 3 {"kind":"clock_stopped","clock":"reeval"}
            03:01 alice> !horloge nis2 activer
              ✅ nis2 activée.
              ⏳ nis2.1 — NIS 2 — Alerte précoce : reste 1 j 0h (échéance 30/11 03:01) · rssi · activée 03:01
              ⏳ nis2.2 — NIS 2 — Notification : reste 3 j 0h (échéance 02/12 03:01) · rssi · activée 03:01
              ⏸️ nis2.3 — NIS 2 — Rapport final : 1 mois après nis2.2 (pas encore fait)
              + 4 {"kind":"clock_activated","clock":"nis2"}
            03:02 alice> !fait nis2.3
              ⛔ nis2.3 ne peut pas être faite avant l'étape nis2.1 (NIS 2 — Alerte précoce), encore ouverte : !fait nis2.1 d'abord.
            03:02 alice> !fait nis2.2
              ⛔ nis2.2 ne peut pas être faite avant l'étape nis2.1 (NIS 2 — Alerte précoce), encore ouverte : !fait nis2.1 d'abord.
            03:03 alice> !fait nis2.1
              ✅ nis2.1 — NIS 2 — Alerte précoce : fait, 23h58 avant l'échéance.
              + 5 {"kind":"clock_done","clock":"nis2","stage":1}
            03:04 alice> !fait nis2.3
              ⛔ nis2.3 ne peut pas être faite avant l'étape nis2.2 (NIS 2 — Notification), encore ouverte : !fait nis2.2 d'abord.
            30/11 10:00 alice> !fait nis2.2
              ✅ nis2.2 — NIS 2 — Notification : fait, 1 j 17h avant l'échéance.
              + 6 {"kind":"clock_done","clock":"nis2","stage":2}
            30/11 10:01 alice> !horloges
              » Horloges (comptées depuis l'ouverture à 29/11 03:00, sauf mention) :
              ⏳ cnil-72h — Notification CNIL : reste 1 j 16h (échéance 02/12 03:00) · dpo
              ✅ nis2.1 — NIS 2 — Alerte précoce : fait 29/11 03:03
              ✅ nis2.2 — NIS 2 — Notification : fait 10:00
              ⏳ nis2.3 — NIS 2 — Rapport final : reste 29 j 23h (échéance 30/12 10:00) · rssi
              ⏹️ reeval — Réévaluation des urgences : arrêtée 29/11 03:00
              !fait <horloge> quand c'est fait.
            30/11 11:00 alice> !clore
              ✅ 🏁 Crise 20261129-loi close. Main courante : 7 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (11:00 ; échéance 02/12 03:00)
              ❌ nis2.3 — NIS 2 — Rapport final : non faite à la clôture (11:00 ; échéance 30/12 10:00)
              🔏 digest of 20261129-loi
              + 7 {"kind":"crisis_closed"}
        "#]],
    );
}

#[test]
fn recurring_clocks_come_back_until_stopped() {
    check_on(
        &law_catalog(),
        r#"
        03:00 alice> !ouvrir loi
        03:00 alice> !point arrêt
        03:00 alice> !rôle medecin @carol
        14:00 tick
        15:00 tick
        15:30 carol> !fait reeval
        15:31 carol> !horloges
        30/11 02:30 tick
        30/11 03:00 carol> !fait reeval
        30/11 14:00 tick
        30/11 14:05 carol> !horloge reeval arrêter urgences rouvertes
        30/11 14:06 carol> !fait reeval
        30/11 15:00 tick
        30/11 15:01 carol> !horloges
        30/11 15:02 carol> !horloge reeval arrêter
        "#,
        expect![[r#"
            03:00 alice> !ouvrir loi
              🔓 history of !room shared from here on (20261129-loi)
              ✅ 🚨 Crise ouverte : Crise réglementaire (v1) — crise 20261129-loi.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"loi","playbook_version":"1","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:00 alice> !rôle medecin @carol
              ✅ Rôle Médecin (medecin) → @carol.
              + 3 {"kind":"role_assigned","role":"medecin","user":"@carol"}
            14:00 tick
              📌 ⏳ reeval — Réévaluation des urgences : reste 1h00 (échéance 15:00) · medecin (@carol) · 🔁 toutes les 12h00
              + 4 {"kind":"clock_warning","clock":"reeval","left_minutes":60}
            15:00 tick
              📌 ⌛ reeval — Réévaluation des urgences : échéance DÉPASSÉE (15:00, il y a 0 min) · medecin (@carol) · 🔁 toutes les 12h00
              + 5 {"kind":"clock_warning","clock":"reeval","left_minutes":0}
            15:30 carol> !fait reeval
              ✅ reeval — Réévaluation des urgences : fait ; prochaine échéance 30/11 03:30 (toutes les 12h00).
              + 6 {"kind":"clock_done","clock":"reeval"} role=medecin
            15:31 carol> !horloges
              » Horloges (comptées depuis l'ouverture à 03:00, sauf mention) :
              ⏳ reeval — Réévaluation des urgences : reste 11h59 (échéance 30/11 03:30) · medecin (@carol) · 🔁 toutes les 12h00, faite 1 fois
              ⏳ cnil-72h — Notification CNIL : reste 2 j 11h (échéance 02/12 03:00) · dpo
              💤 nis2 — NIS 2 : non activée — si l'établissement est une entité essentielle ou importante (!horloge nis2 activer [depuis HH:MM|I7])
              !fait <horloge> quand c'est fait.
            30/11 02:30 tick
              📌 ⏳ reeval — Réévaluation des urgences : reste 1h00 (échéance 03:30) · medecin (@carol) · 🔁 toutes les 12h00, faite 1 fois
              + 7 {"kind":"clock_warning","clock":"reeval","left_minutes":60}
            30/11 03:00 carol> !fait reeval
              ✅ reeval — Réévaluation des urgences : fait ; prochaine échéance 15:00 (toutes les 12h00).
              + 8 {"kind":"clock_done","clock":"reeval"} role=medecin
            30/11 14:00 tick
              📌 ⏳ reeval — Réévaluation des urgences : reste 1h00 (échéance 15:00) · medecin (@carol) · 🔁 toutes les 12h00, faite 2 fois
              + 9 {"kind":"clock_warning","clock":"reeval","left_minutes":60}
            30/11 14:05 carol> !horloge reeval arrêter urgences rouvertes
              ✅ reeval arrêtée (urgences rouvertes) : plus d'alerte pour elle.
              + 10 {"kind":"clock_stopped","clock":"reeval","reason":"urgences rouvertes"} role=medecin
            30/11 14:06 carol> !fait reeval
              ⛔ reeval est arrêtée (depuis 14:05).
            30/11 15:00 tick
            30/11 15:01 carol> !horloges
              » Horloges (comptées depuis l'ouverture à 29/11 03:00, sauf mention) :
              ⏳ cnil-72h — Notification CNIL : reste 1 j 11h (échéance 02/12 03:00) · dpo
              💤 nis2 — NIS 2 : non activée — si l'établissement est une entité essentielle ou importante (!horloge nis2 activer [depuis HH:MM|I7])
              ⏹️ reeval — Réévaluation des urgences : arrêtée 14:05 : urgences rouvertes
              !fait <horloge> quand c'est fait.
            30/11 15:02 carol> !horloge reeval arrêter
              ⛔ reeval est arrêtée (depuis 14:05).
        "#]],
    );
}

#[test]
fn reminders_and_clock_warnings_pause_with_the_exercise() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:00 alice> !point arrêt
        03:01 anna@anim> !animer 20261129-test drill manuel
        03:01 alice> !accepter
        03:02 anna@anim> !debex
        03:03 alice> !action Prévenir le SAMU @bob dans 30m
        03:10 anna@anim> !pause
        03:33 tick
        03:40 tick
        04:00 anna@anim> !reprise
        04:20 tick
        04:23 tick
        04:30 tick
        04:31 bob> STOP EXERCICE malaise en salle
        04:50 tick
        05:00 anna@anim> !reprise
        05:30 tick
        05:49 tick
        05:50 tick
        05:51 alice> !horloges
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:00 alice> !point arrêt
              ✅ [EXERCICE] Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:01 anna@anim> !animer 20261129-test drill manuel
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 3 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":false}
            03:01 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode manuel (stimuli sur commande).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 4 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":false}
            03:02 anna@anim> !debex
              ✅ [EXERCICE] DEBEX à 03:02 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:02)
              📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:02.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 5 {"kind":"exercise_started"}
            03:03 alice> !action Prévenir le SAMU @bob dans 30m
              ✅ [EXERCICE] A1 — action enregistrée · pour @bob · échéance 03:33.
              + 6 {"kind":"action","reference":"A1","text":"Prévenir le SAMU","owner":{"type":"user","id":"@bob"},"due":"2026-11-29T02:33:00Z"}
            03:10 anna@anim> !pause
              ✅ [EXERCICE] ⏸️ Pause à T+8 min : l'horloge d'exercice est arrêtée, le chronogramme se décalera d'autant.
              📌 [EXERCICE] ⏸️ Exercice en pause. Il reprendra sur annonce.
              + 7 {"kind":"exercise_paused"}
            03:33 tick
            03:40 tick
            04:00 anna@anim> !reprise
              ✅ [EXERCICE] ▶️ Reprise après 50 min de pause : horloge d'exercice à T+8 min.
              📌 [EXERCICE] ▶️ L'exercice reprend.
              + 8 {"kind":"exercise_resumed"}
            04:20 tick
            04:23 tick
              📌 [EXERCICE] ⏰ A1 en retard (échéance 03:33) : Prévenir le SAMU · @bob
              + 9 {"kind":"reminder","target":"A1","who":"@bob"}
            04:30 tick
            04:31 bob> STOP EXERCICE malaise en salle
              📌 [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par bob à 04:31.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              📌→!anim [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par bob à 04:31.
              L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
              Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
              + 10 {"kind":"exercise_stopped","text":"STOP EXERCICE malaise en salle"}
            04:50 tick
            05:00 anna@anim> !reprise
              ✅ [EXERCICE] ▶️ Reprise après le STOP (gelé 29 min) : horloge d'exercice à T+39 min.
              📌 [EXERCICE] ▶️ L'exercice reprend.
              + 11 {"kind":"exercise_resumed"}
            05:30 tick
              📌 [EXERCICE] ⏰ A1 en retard (échéance 03:33) : Prévenir le SAMU · @bob
              + 12 {"kind":"reminder","target":"A1","who":"@bob"}
            05:49 tick
              📌 [EXERCICE] ⏳ point-ars — Point ARS : reste 30 min (échéance 06:19)
              + 13 {"kind":"clock_warning","clock":"point-ars","left_minutes":30}
            05:50 tick
            05:51 alice> !horloges
              » [EXERCICE] Horloges (comptées depuis l'ouverture à 03:00, sauf mention) :
              ⏳ point-ars — Point ARS : reste 28 min (échéance 06:19)
              ⏳ cnil-72h — Notification CNIL : reste 2 j 22h (échéance 02/12 04:19) · dsi
              !fait <horloge> quand c'est fait.
        "#]],
    );
}

#[test]
fn help_in_a_room_about_to_animate_an_exercise() {
    check(
        r#"
        03:00 alice> !ouvrir test exercice
        03:01 anna@anim> !aide
        03:02 anna@anim> !animer 20261129-test drill
        03:02 alice> !accepter
        03:03 alice> !clore
        03:04 anna@anim> !aide
        "#,
        expect![[r#"
            03:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:01 anna@anim> !aide
              » Commandes tocsin :
              !aide [commande] — les commandes, ou le détail d'une
              !ouvrir <playbook> [exercice] — ouvre une crise (ex. ouvrir rancongiciel exercice)
              !clore — clôt la crise et scelle la main courante
              !statut — où en est la crise
              !info <texte> — une information reçue, « à vérifier »
              !consigner <texte> — un message dit (dans le salon, au téléphone) mis dans la main courante ; en réponse à un message ou un fichier, c'est lui qui est consigné
              !lier D2 I3 — D2 répond à I3 (une entrée, ou un stimulus en exercice)
              !plan [P3 à faire|en cours|fait <preuve>|abandonné <raison>] — le plan d'amélioration de l'établissement, d'un exercice à l'autre
              !vérifier <I1> confirmée|infirmée|en cours
              !décision <texte> [par @qui] [suite à I3|i05] [-- <justification>]
              !action <texte> [@personne|rôle] [à HH:MM | dans 30m]
              !fait <A1> | <proc>.<n> — action terminée, ou étape de procédure faite
              !rôle <rôle> @personne — attribue un rôle de la cellule
              !corriger <réf> <texte> — corrige une entrée (l'originale reste)
              !papier <HH:MM> info|décision|action <texte> — saisit une note papier
              !proc [<procédure>] — liste les procédures, ou en lance une (ex. proc pd-lab)
              !passer <proc>.<n> <raison> — étape sans objet ; en animation : passer <stimulus> [raison]
              !assigner <proc>.<n> @personne — confie une étape
              !actions — actions ouvertes par responsable, en retard d'abord
              !point [toutes 2h | arrêt] — point de situation maintenant, ou sa cadence
              !horloges [<horloge> depuis HH:MM|I7 | <horloge> activer [depuis …] | <horloge> arrêter [raison]] — échéances réglementaires ; fait <horloge> quand c'est fait
              !relève @personne — passe la main ; elle confirme par ack ou ✅
              !inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
              !ack — je prends la relève
              !comcheck <message> — chacun confirme par ✅ ; comcheck seul : qui manque
              !export [html|md|json|csv] — le rapport de la crise en pièce jointe (json : vérifiable hors ligne)
              !animer[@site] <crise|salon> <scénario> [manuel] — lie ce salon d'animation à l'exercice des joueurs ; @site nomme un établissement d'un exercice régional
              !accepter — (responsable des joueurs) laisse le salon d'animation proposé animer l'exercice
              !refuser — (responsable des joueurs) refuse la proposition d'animation
              !retex [<contribution> | suivant | fin] — RETEX à chaud guidé, après FINEX
              !amélioration <texte> [@qui|rôle] [avant JJ/MM/AAAA] — plan d'amélioration
              Dans un salon d'animation, une fois lié à l'exercice (!animer) :
              !mode auto|manuel — stimuli joués à l'heure, ou seulement sur commande
              !debex — début de l'exercice : l'horloge d'exercice démarre
              !finex — fin de l'exercice ; les joueurs passent au RETEX
              !pause — arrête l'horloge d'exercice (le chronogramme se décale)
              !reprise — relance l'horloge après une pause ou un STOP EXERCICE
              !inject [<id>] — joue un stimulus maintenant (le suivant sans id)
              !retarder [<id>] 10m — retarde un stimulus, ou toute la suite
              !improviser <canal> [rôle] <persona> : <texte> — un stimulus hors scénario, joué aussitôt
              !chrono — horloge d'exercice, 5 derniers stimuli joués, 3 prochains
              !attendu <id> oui|non — la réaction attendue est-elle atteinte ?
              !obs [<stimulus>|<objectif>] <texte> — note d'observation (salon d'animation)
              !objectif [<objectif> atteint|partiellement|non atteint [commentaire]] — l'appréciation d'un objectif par l'animation ; seul : où en sont les objectifs (salon d'animation)
              !synthèse [forces|axes <texte>] — la synthèse de l'animation, forces et axes d'amélioration ; seule : la synthèse à ce jour (salon d'animation)
            03:02 anna@anim> !animer 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:02 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode auto (stimuli joués à l'heure).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 3 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:03 alice> !clore
              ✅ [EXERCICE] 🏁 Crise 20261129-test close. Main courante : 4 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (03:03 ; échéance 02/12 03:00)
              ❌ point-ars — Point ARS : non faite à la clôture (03:03 ; échéance 05:00)
              🔏 digest of 20261129-test
              📌→!anim [EXERCICE] 🏁 La cellule a clos l'exercice 20261129-test (4 entrées). Rapport complet : !export, ou !export json pour la main courante scellée.
              + 4 {"kind":"crisis_closed"}
            03:04 anna@anim> !aide
              » Commandes du salon d'animation :
              !aide [commande] — les commandes, ou le détail d'une
              !statut — où en est la crise
              !passer <proc>.<n> <raison> — étape sans objet ; en animation : passer <stimulus> [raison]
              !export [html|md|json|csv] — le rapport de la crise en pièce jointe (json : vérifiable hors ligne)
              !animer[@site] <crise|salon> <scénario> [manuel] — lie ce salon d'animation à l'exercice des joueurs ; @site nomme un établissement d'un exercice régional
              !mode auto|manuel — stimuli joués à l'heure, ou seulement sur commande
              !debex — début de l'exercice : l'horloge d'exercice démarre
              !finex — fin de l'exercice ; les joueurs passent au RETEX
              !pause — arrête l'horloge d'exercice (le chronogramme se décale)
              !reprise — relance l'horloge après une pause ou un STOP EXERCICE
              !inject [<id>] — joue un stimulus maintenant (le suivant sans id)
              !retarder [<id>] 10m — retarde un stimulus, ou toute la suite
              !improviser <canal> [rôle] <persona> : <texte> — un stimulus hors scénario, joué aussitôt
              !chrono — horloge d'exercice, 5 derniers stimuli joués, 3 prochains
              !attendu <id> oui|non — la réaction attendue est-elle atteinte ?
              !obs [<stimulus>|<objectif>] <texte> — note d'observation (salon d'animation)
              !amélioration <texte> [@qui|rôle] [avant JJ/MM/AAAA] — plan d'amélioration
              !objectif [<objectif> atteint|partiellement|non atteint [commentaire]] — l'appréciation d'un objectif par l'animation ; seul : où en sont les objectifs (salon d'animation)
              !synthèse [forces|axes <texte>] — la synthèse de l'animation, forces et axes d'amélioration ; seule : la synthèse à ce jour (salon d'animation)
              Exercice régional (plusieurs établissements) : mot-clé@établissement pour un seul, p. ex. !inject@chu-nord i03 ; sans, les commandes de jeu vont à tous, !chrono les montre côte à côte et !export donne la synthèse régionale.
        "#]],
    );
}

/// A decision says who decided and what it answers; an inject's reaction is
/// what answers it (a reply to its message, its id, `suite à`, `!lier`, the
/// expected procedure), not whatever was typed next.
#[test]
fn decisions_are_attributed_and_reactions_answer_their_inject() {
    check(
        r"
        02:59 alice> !ouvrir test exercice
        03:00 anna@anim> !animer 20261129-test drill
        03:00 alice> !accepter
        03:01 anna@anim> !debex
        03:01 tick
        03:02 carol> !info le parking est plein
        03:04 bob> reply inject:i1 !info cellule réunie en salle 12
        03:05 alice> !décision passage en mode dégradé par @dg suite à i1 -- SI coupé
        03:05 alice> !décision rien suite à Z9
        03:06 alice> !décision confinement du réseau par @alice after I2
        03:07 alice> !lier D2 i1
        03:07 alice> !lier D2 i1
        03:07 alice> !lier D2 D2
        03:08 alice> !lier D9 i1
        03:09 carol> !info le parking est vidé, voir I1
        03:11 tick
        03:12 carol> !info les urgences débordent
        03:14 bob> !proc pd-lab
        03:15 alice> !action rappeler le biologiste (i2) @bob
        03:16 anna@anim> !chrono
        ",
        expect![[r#"
            02:59 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            03:00 anna@anim> !animer 20261129-test drill
              ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « ORAGE » drill v3.
              Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
              📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« ORAGE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
              Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
              + 2 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:00 alice> !accepter
              ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « ORAGE ». Le début de l'exercice (DEBEX) sera annoncé ici.
              📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « ORAGE » drill v3 (débutant, 4 stimuli, 3 à l'heure, dernier à T+20 min). Mode auto (stimuli joués à l'heure).
              Objectifs :
                o1 Constituer la cellule
                o2 Mode dégradé
              Quand les joueurs sont prêts : !debex.
              + 3 {"kind":"exercise_linked","animation_room":"!anim","scenario":"drill","scenario_version":"3","code_name":"ORAGE","auto":true}
            03:01 anna@anim> !debex
              ✅ [EXERCICE] DEBEX à 03:01 : horloge d'exercice à T+0.
              Suivant : i1 à T+0 min (03:01)
              📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « ORAGE » à 03:01.
              Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
              + 4 {"kind":"exercise_started"}
            03:01 tick
              📌[inject:i1] [EXERCICE] 📋 Message interne — Animation : Le système d'information est inaccessible.
              📌→!anim [EXERCICE] ▶️ i1 joué à T+0 min — 📋 Animation
              Attendu : Constituer la cellule
              Suivant : i2 à T+10 min (03:11)
              + 5 {"kind":"inject_played","inject":"i1","channel":"internal","from":"Animation","text":"Le système d'information est inaccessible.","expected":"Constituer la cellule"}
            03:02 carol> !info le parking est plein
              ✅ [EXERCICE] I1 — information enregistrée, à vérifier (03:02).
              + 7 {"kind":"info","reference":"I1","text":"le parking est plein"}
            03:04 bob> reply inject:i1 !info cellule réunie en salle 12
              ✅ [EXERCICE] I2 — information enregistrée, à vérifier (03:04).
              + 8 {"kind":"info","reference":"I2","text":"cellule réunie en salle 12"} answers=i1
            03:05 alice> !décision passage en mode dégradé par @dg suite à i1 -- SI coupé
              ✅ [EXERCICE] D1 — décision enregistrée (03:05), avec sa justification.
              Décidée par @dg.
              En réponse à i1.
              + 9 {"kind":"decision","reference":"D1","text":"passage en mode dégradé","rationale":"SI coupé","decided_by":"@dg","trigger":"i1"}
            03:05 alice> !décision rien suite à Z9
              ⛔ [EXERCICE] « Z9 » n'est ni une entrée de cette crise ni un stimulus joué : rien n'est enregistré.
            03:06 alice> !décision confinement du réseau par @alice after I2
              ✅ [EXERCICE] D2 — décision enregistrée (03:06). Sans justification : ajoutez « -- pourquoi » la prochaine fois.
              En réponse à I2.
              + 10 {"kind":"decision","reference":"D2","text":"confinement du réseau","trigger":"I2"}
            03:07 alice> !lier D2 i1
              ✅ [EXERCICE] Noté : D2 répond à i1.
              + 11 {"kind":"link","from":"D2","to":"i1"}
            03:07 alice> !lier D2 i1
              » [EXERCICE] D2 est déjà lié à i1.
            03:07 alice> !lier D2 D2
              ⛔ [EXERCICE] Une entrée ne peut pas répondre à elle-même (D2).
            03:08 alice> !lier D9 i1
              ⛔ [EXERCICE] Référence inconnue « D9 » dans cette crise (dernières : I2, D2).
            03:09 carol> !info le parking est vidé, voir I1
              ✅ [EXERCICE] I3 — information enregistrée, à vérifier (03:09).
              + 12 {"kind":"info","reference":"I3","text":"le parking est vidé, voir I1"}
            03:11 tick
              📌[inject:i2] [EXERCICE] 📞 Appel — Biologiste de garde → DSI : Le logiciel du labo ne répond plus.
              📌→!anim [EXERCICE] ▶️ i2 joué à T+10 min — 📞 Biologiste de garde
              Attendu : Lancer le mode dégradé labo
              Notes : Insister si personne ne répond
              Suivant : i3 à T+20 min (03:21), après i2
              + 13 {"kind":"inject_played","inject":"i2","channel":"phone","from":"Biologiste de garde","to":"dsi","text":"Le logiciel du labo ne répond plus.","expected":"Lancer le mode dégradé labo"}
            03:12 carol> !info les urgences débordent
              ✅ [EXERCICE] I4 — information enregistrée, à vérifier (03:12).
              + 15 {"kind":"info","reference":"I4","text":"les urgences débordent"}
            03:14 bob> !proc pd-lab
              ✅ [EXERCICE] pd-lab lancée — rôle dsi non pourvu : !rôle dsi @personne.
              📌[proc:pd-lab] [EXERCICE] 📋 pd-lab — Labo (responsable : dsi)
              ☐ 1. Bons papier
              Progression : 0/1 · !fait pd-lab.<n> pour cocher
              + 16 {"kind":"procedure_started","procedure":"pd-lab"}
            03:15 alice> !action rappeler le biologiste (i2) @bob
              ✅ [EXERCICE] A1 — action enregistrée · pour @bob.
              + 18 {"kind":"action","reference":"A1","text":"rappeler le biologiste (i2)","owner":{"type":"user","id":"@bob"}} answers=i2
            03:16 anna@anim> !chrono
              » [EXERCICE] ⏱️ Exercice « ORAGE » (drill v3) — T+15 min · en cours · mode auto
              Derniers joués :
                i1 T+0 min 📋 Animation · réaction 3 min (I2)
                i2 T+10 min 📞 Biologiste de garde · réaction 3 min (pd-lab) · ✅
              À venir :
                i3 T+20 min (03:21) 📰 Journaliste → tous · après i2
                r1 sur commande 🚪 Patient → tous
              Couverture : 2/3 stimuli prévus joués (66 %), 0 passé(s), 0 improvisé(s). Observations : 0.
        "#]],
    );
}

/// A clock can count from a message put on record (`!consigner`), not only from an entry.
#[test]
fn a_clock_counts_from_a_message_put_on_record() {
    check_on(
        &law_catalog(),
        r#"
        03:00 alice> !ouvrir loi
        03:00 alice> !point arrêt
        03:00 alice> !horloge reeval arrêter
        09:30 alice> !consigner Appel du DPO : des dossiers patients circulent sur un forum
        09:31 alice> !horloge cnil-72h depuis n1
        09:32 alice> !horloge nis2 activer depuis N2
        "#,
        expect![[r#"
            03:00 alice> !ouvrir loi
              🔓 history of !room shared from here on (20261129-loi)
              ✅ 🚨 Crise ouverte : Crise réglementaire (v1) — crise 20261129-loi.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"loi","playbook_version":"1","exercise":false}
            03:00 alice> !point arrêt
              ✅ Plus de points de situation automatiques.
              + 2 {"kind":"point_cadence","every_minutes":0}
            03:00 alice> !horloge reeval arrêter
              ✅ reeval arrêtée : plus d'alerte pour elle.
              + 3 {"kind":"clock_stopped","clock":"reeval"}
            09:30 alice> !consigner Appel du DPO : des dossiers patients circulent sur un forum
              ✅ N1 — message consigné (09:30).
              + 4 {"kind":"note","reference":"N1","text":"Appel du DPO : des dossiers patients circulent sur un forum"}
            09:31 alice> !horloge cnil-72h depuis n1
              ✅ cnil-72h compte désormais depuis 09:30 (N1).
              ⏳ cnil-72h — Notification CNIL : reste 2 j 23h (échéance 02/12 09:30) · dpo · comptée depuis 09:30 (N1)
              + 5 {"kind":"clock_anchored","clock":"cnil-72h","at":"2026-11-29T08:30:00Z","entry":"N1"}
            09:32 alice> !horloge nis2 activer depuis N2
              ⛔ Référence inconnue « N2 » dans cette crise (dernières : N1).
        "#]],
    );
}

/// The improvement plan outlives the exercise: items are numbered across the
/// register, the next opening inherits those still open (on record), `!plan`
/// moves them on with a proof or a reason, and an overdue item is recalled.
#[test]
fn the_improvement_plan_outlives_the_exercise() {
    check(
        r"
        09:00 alice> !ouvrir test exercice
        09:05 alice> !amélioration tester la sauvegarde hors ligne @bob avant 29/11/2026
        09:06 alice> !amélioration annuaire papier à jour
        09:10 alice> !clore
        09:20 alice> !ouvrir test
        09:21 alice> !plan
        09:22 alice> !plan P1 fait
        09:22 alice> !plan P1 abandonné
        09:22 alice> !plan P9 en cours
        09:22 alice> !plan P1 sans doute
        09:23 alice> !décision restaurer depuis la bande de mardi
        09:24 alice> !plan P2 fait D1
        09:24 alice> !plan P1 en cours
        09:24 alice> !plan P1 en cours
        09:25 alice> !amélioration exercer la bascule papier aux urgences
        09:26 alice> !plan
        09:30 tick
        10:00 tick
        ",
        expect![[r#"
            09:00 alice> !ouvrir test exercice
              🔓 history of !room shared from here on (20261129-test)
              ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
            09:05 alice> !amélioration tester la sauvegarde hors ligne @bob avant 29/11/2026
              ✅ [EXERCICE] P1 — amélioration inscrite au plan · pilote @bob · échéance 29/11/2026.
              + 2 {"kind":"improvement","reference":"P1","text":"tester la sauvegarde hors ligne","owner":"@bob","due":"2026-11-29"}
            09:06 alice> !amélioration annuaire papier à jour
              ✅ [EXERCICE] P2 — amélioration inscrite au plan · sans pilote : précisez @qui la prochaine fois.
              + 3 {"kind":"improvement","reference":"P2","text":"annuaire papier à jour"}
            09:10 alice> !clore
              ✅ [EXERCICE] 🏁 Crise 20261129-test close. Main courante : 4 entrées, 0 décision, 0 action dont 0 restée ouverte.
              Horloges non faites à la clôture :
              ❌ cnil-72h — Notification CNIL : non faite à la clôture (09:10 ; échéance 02/12 09:00)
              ❌ point-ars — Point ARS : non faite à la clôture (09:10 ; échéance 11:00)
              🔏 digest of 20261129-test
              + 4 {"kind":"crisis_closed"}
            09:20 alice> !ouvrir test
              🔓 history of !room shared from here on (20261129-test-2)
              ✅ 🚨 Crise ouverte : Crise de test (v2) — crise 20261129-test-2.
              3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
              📋 Le plan d'amélioration a 2 point(s) encore ouvert(s) des crises et exercices précédents, dont 0 en retard : !plan pour la liste.
              + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":false}
              + 2 {"kind":"plan_carried","items":[{"item":"P1","crisis":"20261129-test","text":"tester la sauvegarde hors ligne","owner":"@bob","due":"2026-11-29","state":"todo"},{"item":"P2","crisis":"20261129-test","text":"annuaire papier à jour","state":"todo"}]}
            09:21 alice> !plan
              » 📋 Plan d'amélioration : 2 point(s) ouvert(s). Pour avancer : !plan P3 en cours | fait <preuve> | abandonné <raison>.
              P1 (à faire, @bob, échéance 29/11/2026) tester la sauvegarde hors ligne — ouvert par 20261129-test
              P2 (à faire, —, échéance —) annuaire papier à jour — ouvert par 20261129-test
            09:22 alice> !plan P1 fait
              ⛔ P1 fait : avec quelle preuve ? Par exemple !plan P1 fait D4 (une décision, un fichier F2) ou un texte.
            09:22 alice> !plan P1 abandonné
              ⛔ P1 abandonné : pour quelle raison ? Par exemple !plan P1 abandonné remplacé par le projet X.
            09:22 alice> !plan P9 en cours
              ⛔ « P9 » n'est pas au plan d'amélioration : rien n'est enregistré. La liste : plan.
            09:22 alice> !plan P1 sans doute
              ⛔ Écrivez « plan » pour la liste, ou « plan P3 en cours », « plan P3 fait <preuve : D4, F2, ou un texte> », « plan P3 abandonné <raison> ».
              !plan [P3 à faire|en cours|fait <preuve>|abandonné <raison>] — le plan d'amélioration de l'établissement, d'un exercice à l'autre
            09:23 alice> !décision restaurer depuis la bande de mardi
              ✅ D1 — décision enregistrée (09:23). Sans justification : ajoutez « -- pourquoi » la prochaine fois.
              + 3 {"kind":"decision","reference":"D1","text":"restaurer depuis la bande de mardi"}
            09:24 alice> !plan P2 fait D1
              ✅ P2 → fait, enregistré.
              + 4 {"kind":"plan_moved","item":"P2","state":"done","note":"D1"}
            09:24 alice> !plan P1 en cours
              ✅ P1 → en cours, enregistré.
              + 5 {"kind":"plan_moved","item":"P1","state":"in_progress"}
            09:24 alice> !plan P1 en cours
              » P1 est déjà « en cours ».
            09:25 alice> !amélioration exercer la bascule papier aux urgences
              ✅ P3 — amélioration inscrite au plan · sans pilote : précisez @qui la prochaine fois.
              + 6 {"kind":"improvement","reference":"P3","text":"exercer la bascule papier aux urgences"}
            09:26 alice> !plan
              » 📋 Plan d'amélioration : 2 point(s) ouvert(s). Pour avancer : !plan P3 en cours | fait <preuve> | abandonné <raison>.
              P1 (en cours, @bob, échéance 29/11/2026) tester la sauvegarde hors ligne — ouvert par 20261129-test
              P3 (à faire, —, échéance —) exercer la bascule papier aux urgences — ouvert par 20261129-test-2
            09:30 tick
              📌 ⏰ Plan d'amélioration : 1 point(s) arrivé(s) à échéance et toujours ouvert(s).
              P1 (en cours, @bob, échéance 29/11/2026) tester la sauvegarde hors ligne — ouvert par 20261129-test
              + 7 {"kind":"reminder","target":"plan:P1","who":"@bob"}
            10:00 tick
        "#]],
    );
}

/// A scenario whose injects go to one person, carry files, or read as the press and a social network.
const TARGETED: &str = r#"
id: cible
version: "1"
code_name: CIBLE
title: Stimuli ciblés
playbook: test
level: intermédiaire
objectives:
  - {id: o1, text: Alerter}
injects:
  - id: i1
    at: manual
    from: {fr: Attaquant, en: Attacker}
    to: dsi
    delivery: direct
    channel: mail
    content: {fr: Vos fichiers sont chiffrés. Lisez la note jointe., en: Your files are encrypted. Read the attached note.}
    attachments: [cible/note.txt]
  - id: i2
    at: manual
    from: Le Courrier <de l'Ouest>
    to: directeur-crise
    channel: presse
    headline: {fr: "Cyberattaque : les urgences à l'arrêt ?", en: "Cyberattack: is the ED down?"}
    content: "Selon nos informations, l'hôpital fonctionne sur papier.\nLa direction ne répond pas."
  - id: i3
    at: manual
    from: Info Santé 44
    to: all
    channel: social
    handle: InfoSante44
    content: "L'hôpital est piraté, les données des patients sont en vente ! #cyberattaque"
  - id: i4
    at: manual
    from: Administrateur de garde
    to: historien
    delivery: privé
    channel: phone
    content: Je suis en route, tenez-moi informé.
"#;

fn targeted_catalog() -> Catalog {
    let pb = playbook::parse("test.yaml", PLAYBOOK).expect("test playbook parses");
    let playbooks = [(pb.id.clone(), pb.clone())].into_iter().collect();
    let mut sc = playbook::scenario::parse("cible.yaml", TARGETED, &playbooks)
        .expect("targeted scenario parses");
    // What the loader finds on disk.
    sc.injects[0].attachments[0].resolved = Some(playbook::scenario::ResolvedFile {
        path: "/scenarios/cible/note.txt".into(),
        sha256: "ab".repeat(32),
        size: 12,
        mime: "text/plain",
    });
    Catalog::from_playbooks(vec![pb])
        .unwrap()
        .with_scenarios(vec![sc])
        .unwrap()
}

#[test]
fn injects_reach_one_person_carry_files_and_read_as_their_medium() {
    let script = r#"
        03:00 alice> !ouvrir test exercice
        03:01 alice> !rôle dsi @bob
        03:01 alice> !rôle directeur-crise @alice
        03:02 anna@anim> !animer 20261129-test cible
        03:02 alice> !accepter
        03:03 anna@anim> !debex
        03:04 anna@anim> !inject i1
        03:05 anna@anim> !inject i2
        03:06 anna@anim> !inject i3
        03:07 anna@anim> !inject i4
        03:08 bob@dm> !info reçu un courriel
        03:08 bob@dm> je préviens la cellule
        03:09 bob@dm> STOP EXERCICE : malaise réel au standard
        "#;
    let out = run_on(&targeted_catalog(), Settings::default(), script);
    expect![[r#"
        03:00 alice> !ouvrir test exercice
          🔓 history of !room shared from here on (20261129-test)
          ✅ [EXERCICE] 🚨 Exercice ouvert : Crise de test (v2) — crise 20261129-test.
          3 rôles à pourvoir : !rôle <rôle> @personne. Commencez par nommer l'historien.
          + 1 {"kind":"crisis_opened","room":"!room","playbook":"test","playbook_version":"2","exercise":true}
        03:01 alice> !rôle dsi @bob
          ✅ [EXERCICE] Rôle DSI (dsi) → @bob.
          + 2 {"kind":"role_assigned","role":"dsi","user":"@bob"}
        03:01 alice> !rôle directeur-crise @alice
          ✅ [EXERCICE] Rôle Directeur de crise (directeur-crise) → @alice.
          + 3 {"kind":"role_assigned","role":"directeur-crise","user":"@alice"}
        03:02 anna@anim> !animer 20261129-test cible
          ✅ [EXERCICE] 🎬 Proposition envoyée au salon des joueurs de l'exercice 20261129-test — scénario « CIBLE » cible v1.
          Ce salon sera lié quand un responsable des joueurs aura tapé !accepter dans leur salon.
          📌 [EXERCICE] 🎬 Le salon !anim propose d'animer cet exercice (« CIBLE »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
          Un responsable de la cellule tape !accepter pour l'accepter, ou !refuser.
          + 4 {"kind":"exercise_link_proposed","animation_room":"!anim","scenario":"cible","scenario_version":"1","code_name":"CIBLE","auto":true}
        03:02 alice> !accepter
          ✅ [EXERCICE] 🎬 Animation acceptée : le salon !anim anime l'exercice « CIBLE ». Le début de l'exercice (DEBEX) sera annoncé ici.
          📌→!anim [EXERCICE] 🎬 Salon d'animation lié à l'exercice 20261129-test — scénario « CIBLE » cible v1 (intermédiaire, 4 stimuli, 0 à l'heure, dernier à T+0 min). Mode auto (stimuli joués à l'heure).
          Objectifs :
            o1 Alerter
          Quand les joueurs sont prêts : !debex.
          + 5 {"kind":"exercise_linked","animation_room":"!anim","scenario":"cible","scenario_version":"1","code_name":"CIBLE","auto":true} role=directeur-crise
        03:03 anna@anim> !debex
          ✅ [EXERCICE] DEBEX à 03:03 : horloge d'exercice à T+0.
          Suivant : i1 (sur commande)
          📌 [EXERCICE] 🎬 DEBEX — début de l'exercice « CIBLE » à 03:03.
          Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « STOP EXERCICE » ou « STOP EXERCISE » ici ; l'exercice s'arrête aussitôt.
          + 6 {"kind":"exercise_started"}
        03:04 anna@anim> !inject i1
          📌[inject:i1]✉️@bob [EXERCICE] 📧 Courriel — Attaquant → DSI (@bob) : Vos fichiers sont chiffrés. Lisez la note jointe.
            📎 note.txt text/plain abababababab [EXERCICE] note.txt
          ✅ [EXERCICE] ▶️ i1 joué à T+1 min — 📧 Attaquant
          ✉️ En message direct à @bob.
          📎 Pièces jointes : note.txt
          Suivant : i2 (sur commande)
          + 7 {"kind":"inject_played","inject":"i1","channel":"mail","from":"Attaquant","to":"dsi","text":"Vos fichiers sont chiffrés. Lisez la note jointe.","manual":true,"recipient":"@bob","direct":true,"attachments":[{"name":"note.txt","sha256":"abababababababababababababababababababababababababababababababab","size":12}]}
        03:05 anna@anim> !inject i2
          📌[inject:i2] [EXERCICE] 📰 Presse — Le Courrier <de l'Ouest> → Directeur de crise (@alice) : « Cyberattaque : les urgences à l'arrêt ? » Selon nos informations, l'hôpital fonctionne sur papier.
          La direction ne répond pas.
            html: [EXERCICE] 📰 Presse — <strong>Le Courrier &lt;de l&#39;Ouest&gt;</strong> → Directeur de crise (<a href="https://matrix.to/#/@alice">@alice</a>)<h3>Cyberattaque : les urgences à l&#39;arrêt ?</h3><blockquote>Selon nos informations, l&#39;hôpital fonctionne sur papier.<br>La direction ne répond pas.</blockquote>
          ✅ [EXERCICE] ▶️ i2 joué à T+2 min — 📰 Le Courrier <de l'Ouest>
          Suivant : i3 (sur commande)
          + 9 {"kind":"inject_played","inject":"i2","channel":"press","from":"Le Courrier <de l'Ouest>","to":"directeur-crise","text":"Selon nos informations, l'hôpital fonctionne sur papier.\nLa direction ne répond pas.","manual":true,"recipient":"@alice","headline":"Cyberattaque : les urgences à l'arrêt ?"}
        03:06 anna@anim> !inject i3
          📌[inject:i3] [EXERCICE] 📱 Réseaux sociaux — Info Santé 44 @InfoSante44 : L'hôpital est piraté, les données des patients sont en vente ! #cyberattaque
            html: [EXERCICE] 📱 Réseaux sociaux — <strong>Info Santé 44</strong> <code>@InfoSante44</code><blockquote>L&#39;hôpital est piraté, les données des patients sont en vente ! #cyberattaque</blockquote>
          ✅ [EXERCICE] ▶️ i3 joué à T+3 min — 📱 Info Santé 44
          Suivant : i4 (sur commande)
          + 11 {"kind":"inject_played","inject":"i3","channel":"social","from":"Info Santé 44","text":"L'hôpital est piraté, les données des patients sont en vente ! #cyberattaque","manual":true,"handle":"@InfoSante44"}
        03:07 anna@anim> !inject i4
          📌[inject:i4] [EXERCICE] 📞 Appel — Administrateur de garde → Historien : Je suis en route, tenez-moi informé.
          ✅ [EXERCICE] ▶️ i4 joué à T+4 min — 📞 Administrateur de garde
          ⚠️ Personne ne tient le rôle historien : envoyé dans la salle des joueurs.
          + 13 {"kind":"inject_played","inject":"i4","channel":"phone","from":"Administrateur de garde","to":"historien","text":"Je suis en route, tenez-moi informé.","manual":true}
        03:08 bob@dm> !info reçu un courriel
          ⛔ [EXERCICE] Ce salon direct reçoit les stimuli de l'exercice « CIBLE » qui vous sont adressés : les commandes n'y sont pas lues. Écrivez à la cellule dans son salon. En cas d'urgence réelle, « STOP EXERCICE » arrête l'exercice, ici aussi.
        03:08 bob@dm> je préviens la cellule
        03:09 bob@dm> STOP EXERCICE : malaise réel au standard
          📌 [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par bob à 03:09.
          L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
          Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
          📌→!anim [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par bob à 03:09.
          L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
          Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
          » [EXERCICE] 🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par bob à 03:09.
          L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
          Seul un animateur peut reprendre l'exercice (!reprise, dans le salon d'animation).
          + 15 {"kind":"exercise_stopped","text":"STOP EXERCICE : malaise réel au standard"} role=dsi
    "#]]
    .assert_eq(&out);
}
