//! The paper kit's view model: a playbook made printable, for when the IT is down.
//!
//! Durations read as people say them (« 5 min », « 72 h »). Each degraded
//! procedure is printed on pages of its own, headed with its service, so that
//! the pages can be handed to that service.

use std::collections::BTreeMap;

use serde::Serialize;

use super::view::{SourceRow, source_rows};
use tocsin_core::engine::{Settings, clock};
use tocsin_core::lang::Lang;
use tocsin_core::lang::speech::{Message, msg};
use tocsin_core::playbook::{Delay, Playbook, ProcedureKind};

use super::time::duration;

#[derive(Debug, Serialize)]
pub struct KitView {
    pub lang: String,
    pub t: BTreeMap<&'static str, String>,
    pub playbook: String,
    pub version: String,
    pub title: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub reflexes: Vec<KitProcedure>,
    pub procedures: Vec<KitProcedure>,
    pub roles: Vec<KitRole>,
    pub clocks: Vec<KitClock>,
    /// Row numbers for the blank main-courante sheets.
    pub log_rows: Vec<u32>,
    pub contact_rows: Vec<u32>,
    /// What the print stylesheet writes at the foot of every page (CSS values).
    pub footer: String,
    pub page_number: String,
}

#[derive(Debug, Serialize)]
pub struct KitProcedure {
    pub id: String,
    pub title: String,
    pub service: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub sources: Vec<SourceRow>,
    pub steps: Vec<KitStep>,
    /// The name of its pages in the print stylesheet (`proc-3`).
    pub page: String,
    /// Their header: the procedure and its service, as a CSS string.
    pub header: String,
}

#[derive(Debug, Serialize)]
pub struct KitStep {
    pub n: usize,
    pub text: String,
    pub due: String,
}

#[derive(Debug, Serialize)]
pub struct KitRole {
    pub id: String,
    pub title: String,
    pub duties: String,
    pub procedures: Vec<String>,
    pub sources: Vec<SourceRow>,
}

#[derive(Debug, Serialize)]
pub struct KitClock {
    pub id: String,
    pub title: String,
    /// When it applies, for a clock the cell activates.
    pub condition: String,
    /// `toutes les 12h` for a recurring clock.
    pub every: String,
    pub stages: Vec<KitStage>,
    pub owner: String,
    pub tags: Vec<String>,
    pub sources: Vec<SourceRow>,
}

/// One deadline of a clock, with the blank to fill in on paper.
#[derive(Debug, Serialize)]
pub struct KitStage {
    pub id: String,
    /// The stage's own title (empty for a clock with one deadline).
    pub title: String,
    pub due: String,
    /// « après l'ouverture… », or « après <stage> fait ».
    pub from: String,
    pub warn: String,
}

/// The templates' labels, `t.<key>`.
fn labels(settings: &Settings) -> BTreeMap<&'static str, String> {
    let labels: [(&str, Message); 32] = [
        ("kit", msg!("kit-kit")),
        ("intro", msg!("kit-intro")),
        ("reflexes", msg!("kit-reflexes")),
        ("procedures", msg!("kit-procedures")),
        ("service", msg!("kit-service")),
        ("owner", msg!("kit-owner")),
        ("done_by", msg!("kit-done-by")),
        ("within", msg!("kit-within")),
        ("log", msg!("kit-log")),
        ("sheet", msg!("kit-sheet")),
        ("time", msg!("kit-time")),
        ("author", msg!("kit-author")),
        ("type", msg!("kit-type")),
        ("text", msg!("kit-text")),
        ("initials", msg!("kit-initials")),
        ("roles", msg!("kit-roles")),
        ("holder", msg!("kit-holder")),
        ("clocks", msg!("kit-clocks")),
        ("from_opening", msg!("kit-from-opening")),
        ("warn", msg!("kit-warn")),
        ("opened_at", msg!("kit-opened-at")),
        ("contacts", msg!("kit-contacts")),
        ("name", msg!("kit-name")),
        ("function", msg!("kit-function")),
        ("mobile", msg!("kit-mobile")),
        ("other", msg!("kit-other")),
        ("recovery", msg!("kit-recovery")),
        ("recovery_text", msg!("kit-recovery-text")),
        ("recovery_where", msg!("kit-recovery-where")),
        ("version", msg!("kit-version")),
        ("source", msg!("kit-source")),
        ("condition", msg!("kit-condition")),
    ];
    super::labels(settings, labels)
}

pub fn build(playbook: &Playbook, settings: &Settings) -> KitView {
    let t = labels(settings);
    let lang = settings.lang;
    let procedure = |(idx, p): (usize, &tocsin_core::playbook::Procedure)| KitProcedure {
        id: p.id.clone(),
        title: p.title.get(lang).to_owned(),
        service: p.service.get(lang).to_owned(),
        owner: playbook
            .role(&p.owner)
            .map_or_else(|| p.owner.clone(), |r| r.title.get(lang).to_owned()),
        tags: p.tags.clone(),
        sources: source_rows(&p.source, lang),
        steps: p
            .steps
            .iter()
            .enumerate()
            .map(|(idx, s)| KitStep {
                n: idx + 1,
                text: s.text.get(lang).to_owned(),
                due: s.due.map(|d| duration(settings, d)).unwrap_or_default(),
            })
            .collect(),
        page: format!("proc-{idx}"),
        header: super::css_string(&format!(
            "{} — {} · {}",
            p.id,
            p.title.get(lang),
            p.service.get(lang)
        )),
    };
    KitView {
        lang: lang.code(),
        t,
        playbook: playbook.id.clone(),
        version: playbook.version.clone(),
        title: playbook.title.get(lang).to_owned(),
        summary: playbook
            .summary
            .as_ref()
            .map(|s| s.get(lang).to_owned())
            .unwrap_or_default(),
        tags: playbook.tags.clone(),
        reflexes: playbook
            .procedures
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == ProcedureKind::Reflex)
            .map(procedure)
            .collect(),
        procedures: playbook
            .procedures
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == ProcedureKind::Degraded)
            .map(procedure)
            .collect(),
        roles: role_cards(playbook, lang),
        clocks: clocks(playbook, settings),
        log_rows: (1..=22).collect(),
        contact_rows: (1..=24).collect(),
        footer: super::css_string(&format!(
            "{} — {} v{}",
            settings.say(msg!("kit-kit")),
            playbook.id,
            playbook.version
        )),
        page_number: super::css_page_number(settings),
    }
}

/// One card per role: duties and the procedures it owns.
fn role_cards(playbook: &Playbook, lang: Lang) -> Vec<KitRole> {
    playbook
        .roles
        .iter()
        .map(|r| KitRole {
            id: r.id.clone(),
            title: r.title.get(lang).to_owned(),
            duties: r.duties.get(lang).to_owned(),
            procedures: playbook
                .procedures
                .iter()
                .filter(|p| p.owner == r.id)
                .map(|p| format!("{} — {}", p.id, p.title.get(lang)))
                .collect(),
            sources: source_rows(&r.source, lang),
        })
        .collect()
}

/// The regulatory clocks, with their stages, warning thresholds and sources.
fn clocks(playbook: &Playbook, settings: &Settings) -> Vec<KitClock> {
    let lang = settings.lang;
    playbook
        .clocks
        .iter()
        .map(|c| KitClock {
            id: c.id.clone(),
            title: c.title.get(lang).to_owned(),
            condition: c
                .condition
                .as_ref()
                .map(|t| t.get(lang).to_owned())
                .unwrap_or_default(),
            every: c
                .every
                .map(|e| settings.say(msg!("kit-every", every = duration(settings, e))))
                .unwrap_or_default(),
            stages: c
                .stages
                .iter()
                .enumerate()
                .map(|(idx, s)| KitStage {
                    id: clock::stage_id(c, idx + 1),
                    title: if c.is_staged() {
                        s.title.get(lang).to_owned()
                    } else {
                        String::new()
                    },
                    due: delay_words(s.due, settings),
                    from: match s.after {
                        Some(after) => {
                            settings.say(msg!("kit-after-stage", stage = clock::stage_id(c, after)))
                        }
                        None if c.condition.is_some() => settings.say(msg!("kit-from-activation")),
                        None => settings.say(msg!("kit-from-opening")),
                    },
                    warn: s
                        .warn
                        .iter()
                        .map(|w| duration(settings, *w))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect(),
            owner: c
                .owner
                .as_ref()
                .and_then(|o| playbook.role(o))
                .map(|r| r.title.get(lang).to_owned())
                .unwrap_or_default(),
            tags: c.tags.clone(),
            sources: source_rows(&c.source, lang),
        })
        .collect()
}

/// « 72 h », « 1 mois », « 1 mois + 24 h »: a stage's delay as people say it.
fn delay_words(delay: Delay, settings: &Settings) -> String {
    if delay.months == 0 {
        return duration(settings, delay.span);
    }
    let months = settings.say(msg!("delay-months", months = delay.months));
    if delay.span.is_zero() {
        months
    } else {
        format!("{months} + {}", duration(settings, delay.span))
    }
}
