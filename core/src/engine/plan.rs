//! The improvement plan as one register per establishment, across crises and
//! exercises (what a HAS surveyor checks: that lessons become actions that
//! get done). Items are opened by `!amélioration` and numbered across the
//! register; `!plan P3 en cours|fait <preuve>|abandonné <raison>` moves them
//! on, recorded in the crisis or exercise where it is said; an opening records
//! the items it inherits still open ([`carried`]); an overdue item is recalled
//! in every open crisis room once a day ([`tick`], [`next_due`]).

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};

use super::command::PlanMove as Move;
use super::event::{CarriedItem, Event, PlanState};
use super::state::{Crisis, PlanItem, World};
use super::{Ctx, Decision, Effect, Settings, base_record, mark, system_record};
use crate::lang::speech::{Speech, msg};

/// The items still open, as an opening records them.
pub fn carried(world: &World) -> Vec<CarriedItem> {
    world
        .plan
        .iter()
        .filter(|p| p.state().is_open())
        .map(|p| CarriedItem {
            item: p.item.clone(),
            crisis: p.crisis.clone(),
            text: p.text.clone(),
            owner: p.owner.clone(),
            due: p.due,
            state: p.state(),
        })
        .collect()
}

/// The line an opening adds when it inherits open items.
pub fn carried_line(items: &[CarriedItem], settings: &Settings, today: NaiveDate) -> Speech {
    let late = items
        .iter()
        .filter(|i| i.due.is_some_and(|d| d < today))
        .count();
    msg!(
        "plan-carried",
        n = items.len(),
        late,
        p = settings.prefix.as_str()
    )
    .into()
}

/// One item as a line: `P3 (à faire, @bob, pour le 31/01/2027) texte`.
fn line(item: &PlanItem) -> Speech {
    let state = msg!("plan-state", state = item.state().key());
    let owner = item.owner.as_deref().unwrap_or("—");
    let due: Speech = item.due.map_or_else(
        || Speech::from("—"),
        |d| {
            msg!(
                "date",
                day = d.format("%d").to_string(),
                month = d.format("%m").to_string(),
                year = d.format("%Y").to_string()
            )
            .into()
        },
    );
    msg!(
        "plan-line",
        item = &item.item,
        state,
        owner,
        due,
        text = &item.text,
        crisis = &item.crisis
    )
    .into()
}

/// When an item falls due: its due day, at 08:00 local time.
fn due_at(item: &PlanItem, settings: &Settings) -> Option<DateTime<Utc>> {
    let day = item.due?;
    let local = day.and_time(NaiveTime::from_hms_opt(8, 0, 0)?);
    settings
        .tz
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The reminder's target key in a crisis: one per item.
fn target(item: &PlanItem) -> String {
    format!("plan:{}", item.item)
}

/// When an open crisis next recalls an item: once due, then once a day.
fn next_for(crisis: &Crisis, item: &PlanItem, settings: &Settings) -> Option<DateTime<Utc>> {
    if !item.state().is_open() {
        return None;
    }
    let due = due_at(item, settings)?;
    Some(match crisis.reminded.get(&target(item)) {
        Some(last) => (*last + TimeDelta::hours(24)).max(due),
        None => due,
    })
}

/// When the next reminder of the plan falls due in an open crisis.
pub fn next_due(world: &World, settings: &Settings) -> Option<DateTime<Utc>> {
    world
        .crises
        .values()
        .filter(|c| c.closed_at.is_none())
        .flat_map(|c| world.plan.iter().filter_map(|i| next_for(c, i, settings)))
        .min()
}

/// Recalls the overdue items in every open crisis room: one notice per room.
pub fn tick(world: &World, settings: &Settings, now: DateTime<Utc>) -> Vec<Decision> {
    let mut decisions = Vec::new();
    for crisis in world.crises.values().filter(|c| c.closed_at.is_none()) {
        let due: Vec<&PlanItem> = world
            .plan
            .iter()
            .filter(|i| next_for(crisis, i, settings).is_some_and(|at| at <= now))
            .collect();
        if due.is_empty() {
            continue;
        }
        let mut text: Speech = msg!("plan-reminder", n = due.len()).into();
        let records = due
            .iter()
            .zip(crisis.last_seq + 1..)
            .map(|(item, seq)| {
                text.line(line(item));
                let event = Event::Reminder {
                    target: target(item),
                    who: item.owner.clone(),
                };
                system_record(&crisis.id, seq, now, settings, event)
            })
            .collect();
        decisions.push(Decision {
            records,
            effects: vec![Effect::Post {
                room: crisis.room.clone(),
                crisis: crisis.id.clone(),
                text: mark(Some(crisis), settings, text),
                tag: None,
            }],
        });
    }
    decisions
}

impl Ctx<'_> {
    /// `!plan`: the open items; `!plan P3 <état> …`: one moved on.
    pub(super) fn plan(&self, crisis: &Crisis, change: Option<Move>) -> Decision {
        let Some(change) = change else {
            return Decision::reply(self.plan_list());
        };
        let Some(item) = self.world.plan_item(&change.item) else {
            return Decision::refuse(msg!("plan-unknown-item", item = &change.item));
        };
        let id = item.item.as_str();
        match (change.state, &change.note) {
            (PlanState::Done, None) => {
                return Decision::refuse(msg!("plan-done-needs-proof", item = id, p = self.p()));
            }
            (PlanState::Dropped, None) => {
                return Decision::refuse(msg!(
                    "plan-dropped-needs-reason",
                    item = id,
                    p = self.p()
                ));
            }
            _ => {}
        }
        if item.state() == change.state && change.note.is_none() {
            let state = msg!("plan-state", state = item.state().key());
            return Decision::reply(msg!("plan-already", item = &item.item, state));
        }
        let state = msg!("plan-state", state = change.state.key());
        let reply = msg!("plan-moved", item = &item.item, state);
        Decision {
            records: vec![base_record(
                crisis,
                self.input,
                Event::PlanMoved {
                    item: item.item.clone(),
                    state: change.state,
                    note: change.note,
                },
            )],
            effects: vec![Effect::Ack(reply.into())],
        }
    }

    /// The register's open items, oldest first.
    fn plan_list(&self) -> Speech {
        let open: Vec<&PlanItem> = self
            .world
            .plan
            .iter()
            .filter(|p| p.state().is_open())
            .collect();
        if open.is_empty() {
            return msg!("plan-none-open", n = self.world.plan.len()).into();
        }
        let mut text: Speech = msg!("plan-open", n = open.len(), p = self.p()).into();
        for item in open {
            text.line(line(item));
        }
        text
    }
}
