//! A regional exercise's fan-out: one animation room drives N establishments
//! (default 70, about one ARS region), and each ad-hoc inject fired to all of
//! them is decided, written durably to N chains in one journal transaction
//! (fsync), and folded into the state. Prints the setup time, then
//! p50/p90/p99/max of 200 fan-outs, and the outputs each one produces.
//!
//! Run: `cargo bench -p tocsin --bench regional [-- N]`. The journal lives in a
//! fresh temporary directory (`TMPDIR`), which must be on a real disk.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use tocsin::runtime::{Output, Runtime};
use tocsin_core::engine::event::Author;
use tocsin_core::engine::{Body, Input, Settings};

const FANOUTS: usize = 200;

fn say(runtime: &mut Runtime, n: &mut u64, at: DateTime<Utc>, room: &str, text: &str) -> usize {
    *n += 1;
    let input = Input {
        at,
        sent_at: at,
        author: Author {
            id: "@anna:ars.example.fr".into(),
            name: "anna".into(),
        },
        room: room.into(),
        body: Body::Text(text.into()),
        source: Some(format!("$bench{n:020}")),
        privileged: true,
        quoted: None,
        in_reply_to: None,
    };
    let outputs = runtime.handle(&input, None).expect("handled");
    assert!(
        !outputs
            .iter()
            .any(|o| matches!(o.output, Output::Refuse(_))),
        "{room}: {text}: {outputs:?}"
    );
    outputs.len()
}

fn main() {
    let sites: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(70);
    let catalog = tocsin::load::dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../playbooks"))
        .expect("the shipped playbooks load");
    let dir = tempfile::tempdir().unwrap();
    let (mut runtime, _) = Runtime::open(dir.path(), catalog, Settings::default(), None).unwrap();
    let mut at = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
    let mut n = 0;
    let anim = "!animation:ars.example.fr";

    let setup = Instant::now();
    for site in 0..sites {
        let room = format!("!site{site}:ars.example.fr");
        say(
            &mut runtime,
            &mut n,
            at,
            &room,
            "!ouvrir rancongiciel exercice",
        );
        let crisis = runtime.world().open_in(&room).expect("opened").id.clone();
        say(
            &mut runtime,
            &mut n,
            at,
            anim,
            &format!("!animer@site-{site} {crisis} demo-20min manuel"),
        );
        say(&mut runtime, &mut n, at, &room, "!accepter");
    }
    at += TimeDelta::minutes(1);
    say(&mut runtime, &mut n, at, anim, "!debex");
    let setup = setup.elapsed();
    assert_eq!(runtime.world().animated_from(anim).len(), sites);

    let mut times = Vec::with_capacity(FANOUTS);
    let mut outputs = 0;
    for i in 0..FANOUTS {
        at += TimeDelta::seconds(10);
        let text = format!("!improviser téléphone Cadre de nuit : appel {i}, le réseau tombe");
        let start = Instant::now();
        outputs = say(&mut runtime, &mut n, at, anim, &text);
        times.push(start.elapsed());
    }
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "regional/fanout_{sites}: setup ({sites} exercises opened, linked, accepted; DEBEX to all) {:.1} s",
        setup.as_secs_f64()
    );
    println!(
        "regional/fanout_{sites}: one ad-hoc inject to all, {FANOUTS} times: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {outputs} outputs each",
        ms(pct(50)),
        ms(pct(90)),
        ms(pct(99)),
        ms(times[times.len() - 1])
    );
    runtime.close().unwrap();
}
