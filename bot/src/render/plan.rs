//! The establishment's improvement plan, across crises and exercises, as
//! `tocsin plan` lists it (HTML to print, CSV to load in a spreadsheet).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use tocsin_core::engine::Settings;
use tocsin_core::engine::state::World;
use tocsin_core::lang::speech::msg;

/// What the plan template shows.
#[derive(Debug, Serialize)]
pub struct PlanView {
    pub lang: String,
    pub establishment: String,
    pub generated: String,
    pub n_open: usize,
    pub n_late: usize,
    pub items: Vec<PlanRow>,
    pub t: std::collections::BTreeMap<&'static str, String>,
}

/// One item and how it moved on.
#[derive(Debug, Serialize)]
pub struct PlanRow {
    pub item: String,
    pub crisis: String,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub opened_at: String,
    pub state: String,
    pub open: bool,
    pub late: bool,
    /// The proof of closure or the reason for dropping it.
    pub note: String,
    /// Every move: `2027-01-12 10:02 @bob (20270112-rancongiciel) fait — D4`.
    pub moves: Vec<String>,
}

/// How the plan's times are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Times {
    /// As people read them on paper (« mar. 1 déc. 2026 21:25 »).
    Printed,
    /// ISO 8601 in the configured zone, for a spreadsheet.
    Machine,
}

/// The register as the journal says it stands at `now`.
pub fn build(world: &World, settings: &Settings, now: DateTime<Utc>, times: Times) -> PlanView {
    let local = |t: DateTime<Utc>| match times {
        Times::Printed => super::time::date_time(settings, t),
        Times::Machine => t
            .with_timezone(&settings.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    };
    let today = now.with_timezone(&settings.tz).date_naive();
    let date = |d: Option<NaiveDate>| match (d, times) {
        (None, _) => String::new(),
        (Some(d), Times::Printed) => super::time::date(settings, d),
        (Some(d), Times::Machine) => d.to_string(),
    };
    let state = |s: tocsin_core::engine::event::PlanState| {
        settings.say(msg!("plan-state", state = s.key()))
    };
    let items: Vec<PlanRow> = world
        .plan
        .iter()
        .map(|p| {
            let open = p.state().is_open();
            PlanRow {
                item: p.item.clone(),
                crisis: p.crisis.clone(),
                text: p.text.clone(),
                owner: p.owner.clone().unwrap_or_default(),
                due: date(p.due),
                opened_at: local(p.opened_at),
                state: state(p.state()),
                open,
                late: open && p.due.is_some_and(|d| d < today),
                note: p.closing_note().unwrap_or_default().to_owned(),
                moves: p
                    .moves
                    .iter()
                    .map(|m| {
                        let note = m
                            .note
                            .as_deref()
                            .map(|n| format!(" — {n}"))
                            .unwrap_or_default();
                        format!(
                            "{} {} ({}) {}{note}",
                            local(m.at),
                            m.by,
                            m.crisis,
                            state(m.state)
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let labels = [
        ("title", msg!("plan-title")),
        ("item", msg!("report-ref")),
        ("text", msg!("report-text")),
        ("owner", msg!("report-owner")),
        ("due", msg!("report-due")),
        ("opened_in", msg!("report-plan-opened-in")),
        ("state", msg!("report-plan-state")),
        ("proof", msg!("report-plan-proof")),
        ("moves", msg!("plan-moves")),
        ("generated", msg!("report-generated")),
        ("open", msg!("plan-count-open")),
        ("late", msg!("plan-count-late")),
        ("none", msg!("plan-empty")),
    ];
    PlanView {
        lang: settings.lang.code(),
        establishment: settings.establishment.clone().unwrap_or_default(),
        generated: local(now),
        n_open: items.iter().filter(|i| i.open).count(),
        n_late: items.iter().filter(|i| i.late).count(),
        items,
        t: super::labels(settings, labels),
    }
}
