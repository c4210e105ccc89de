//! Time-driven follow-up: reminders, clock warnings, situation points.
//!
//! Pure like the rest of the engine: [`due_items`] lists what falls due and
//! when, [`next_due`] tells the runtime when to wake up, and [`tick`] turns
//! what is due at `now` into records (each reminder is journaled, so a restart
//! never repeats one) and one message per crisis. Tests drive time by calling
//! `tick` with the instants they choose.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::clock;
use super::event::{Event, Owner, PostTag, Verification};
use super::state::{Crisis, World};
use super::{Decision, Effect, Settings, owner_label};
use crate::lang::speech::{Speech, msg};
use crate::playbook::{Catalog, Clock, Playbook};

/// Something that falls due at a given time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// An action past its due time (`A1`).
    Action(String),
    /// A procedure step past its due time (`pd-lab`, 3).
    Step(String, usize),
    /// A clock's stage (from 1) reaching a warning threshold (minutes left; 0 = deadline).
    Clock(String, usize, i64),
    /// The next situation point.
    Point,
    /// The incoming lead has not acknowledged the handover.
    Handover,
    /// People have not acknowledged comcheck n.
    Comcheck(u32),
}

/// Every item of a crisis with the time it falls due (or fell due). While an
/// exercise is paused or stopped nothing falls due, and once it resumes every
/// follow-up comes as much later as the pause lasted.
pub fn due_items(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    settings: &Settings,
) -> Vec<(DateTime<Utc>, Item)> {
    if crisis.frozen() {
        return Vec::new();
    }
    let interval = settings.reminder_interval;
    let mut items = Vec::new();
    // Counted from `from`, due at `first`; then every interval after the last reminder.
    let repeat = |key: &str, from: DateTime<Utc>, first: DateTime<Utc>| {
        let first = crisis.shifted(from, first);
        match crisis.reminded.get(key) {
            Some(last) => crisis.shifted(*last, *last + interval).max(first),
            None => first,
        }
    };
    for action in crisis.actions.iter().filter(|a| a.done_at.is_none()) {
        if let Some(due) = action.due {
            items.push((
                repeat(&action.reference, action.at, due),
                Item::Action(action.reference.clone()),
            ));
        }
    }
    if let Some(pb) = playbook {
        for (id, run) in &crisis.procedures {
            let Some(proc) = pb.procedure(id) else {
                continue;
            };
            for (idx, step) in proc.steps.iter().enumerate() {
                let n = idx + 1;
                if let (Some(due), false) = (step.due, run.is_closed(n)) {
                    items.push((
                        repeat(&format!("{id}.{n}"), run.started_at, run.started_at + due),
                        Item::Step(id.clone(), n),
                    ));
                }
            }
        }
        items.extend(clock_items(crisis, pb, settings));
    }
    let cadence = crisis.point_cadence.or_else(|| {
        playbook
            .and_then(|p| p.situation_points)
            .map(|d| d.num_minutes())
    });
    if let Some(every) = cadence.filter(|m| *m > 0) {
        let last = crisis.points.last().copied().unwrap_or(crisis.opened_at);
        items.push((
            crisis.shifted(last, last + TimeDelta::minutes(every)),
            Item::Point,
        ));
    }
    if let Some(handover) = &crisis.handover {
        items.push((
            repeat("handover", handover.at, handover.at + interval),
            Item::Handover,
        ));
    }
    for check in &crisis.comchecks {
        if check
            .expected
            .iter()
            .any(|u| !check.acknowledged.contains(u))
        {
            let key = format!("comcheck-{}", check.number);
            items.push((
                repeat(&key, check.at, check.at + interval),
                Item::Comcheck(check.number),
            ));
        }
    }
    items
}

/// The next warning of each running clock stage still to meet.
fn clock_items(
    crisis: &Crisis,
    playbook: &Playbook,
    settings: &Settings,
) -> Vec<(DateTime<Utc>, Item)> {
    let mut items = Vec::new();
    for clock in &playbook.clocks {
        if clock::phase(crisis, clock) != clock::Phase::Running {
            continue;
        }
        let warned = &clock::state(crisis, clock).warned;
        for view in clock::stages(crisis, clock, settings.tz) {
            let (Some(deadline), None) = (view.deadline, view.done) else {
                continue;
            };
            let already = warned.get(&view.n).copied();
            // Thresholds still to announce, largest first; 0 is the deadline itself.
            let next = thresholds(view.stage)
                .filter(|t| already.is_none_or(|w| *t < w))
                .max();
            if let Some(t) = next {
                items.push((
                    deadline - TimeDelta::minutes(t),
                    Item::Clock(clock.id.clone(), view.n, t),
                ));
            }
        }
    }
    items
}

/// A stage's warning thresholds in minutes, and 0 for the deadline.
fn thresholds(stage: &crate::playbook::Stage) -> impl Iterator<Item = i64> + '_ {
    stage
        .warn
        .iter()
        .map(|w| w.num_minutes())
        .chain(std::iter::once(0))
}

/// When the runtime should next call [`tick`], if ever.
pub fn next_due(world: &World, catalog: &Catalog, settings: &Settings) -> Option<DateTime<Utc>> {
    world
        .crises
        .values()
        .filter(|c| c.closed_at.is_none())
        .flat_map(|c| due_items(c, catalog.get(&c.playbook), settings))
        .map(|(at, _)| at)
        .min()
}

/// What is due at `now`: one decision per crisis with something due.
pub fn tick(
    world: &World,
    catalog: &Catalog,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<Decision> {
    let mut decisions = Vec::new();
    for crisis in world.crises.values().filter(|c| c.closed_at.is_none()) {
        let playbook = catalog.get(&crisis.playbook);
        let due: Vec<Item> = due_items(crisis, playbook, settings)
            .into_iter()
            .filter(|(at, _)| *at <= now)
            .map(|(_, i)| i)
            .collect();
        if due.is_empty() {
            continue;
        }
        let mut seq = crisis.last_seq;
        let mut records = Vec::new();
        let mut lines = Vec::new();
        let mut point = None;
        let mut record = |event: Event| {
            seq += 1;
            records.push(super::system_record(&crisis.id, seq, now, settings, event));
        };
        for item in due {
            match item {
                Item::Point => {
                    let number = crisis.points.len() as u32 + 1;
                    record(Event::SituationPoint { number });
                    point = Some(number);
                }
                Item::Clock(id, n, _) => {
                    let Some(clock) = playbook.and_then(|p| p.clock(&id)) else {
                        continue;
                    };
                    let stages = clock::stages(crisis, clock, settings.tz);
                    let Some(view) = stages.iter().find(|v| v.n == n) else {
                        continue;
                    };
                    // After a pause (downtime), announce only the most urgent threshold passed.
                    let deadline = view.deadline.unwrap_or(now);
                    let warned = clock::state(crisis, clock).warned.get(&n).copied();
                    let threshold = thresholds(view.stage)
                        .filter(|t| {
                            warned.is_none_or(|w| *t < w)
                                && deadline - TimeDelta::minutes(*t) <= now
                        })
                        .min()
                        .unwrap_or(0);
                    lines.push(clock_line(crisis, settings, clock, view, now));
                    record(Event::ClockWarning {
                        clock: id,
                        left_minutes: threshold,
                        stage: clock.is_staged().then_some(n),
                    });
                }
                other => {
                    let (target, who, line) = reminder(crisis, playbook, settings, &other, now);
                    lines.push(line);
                    record(Event::Reminder { target, who });
                }
            }
        }
        let mut effects = Vec::new();
        if !lines.is_empty() {
            effects.push(post(crisis, settings, lines.join("\n"), None));
        }
        if let Some(number) = point {
            let since = crisis.points.last().copied().unwrap_or(crisis.opened_at);
            let text = situation(crisis, playbook, settings, Some((number, since)), now);
            effects.push(post(crisis, settings, text, None));
        }
        decisions.push(Decision { records, effects });
    }
    decisions
        .into_iter()
        .map(|d| super::exercise::name_sites(world, settings, d))
        .collect()
}

/// tocsin was not running from `since` (its last sign of life) to `until`:
/// a gap entry and a warning in every open crisis, and in its animation room.
pub fn downtime(
    world: &World,
    settings: &Settings,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<Decision> {
    let (from, to) = (
        when(settings.tz, since, until),
        when(settings.tz, until, until),
    );
    let length = span(until - since, settings);
    let reason = settings.say(msg!(
        "downtime-gap",
        from = &from,
        to = &to,
        length = &length
    ));
    let warning = settings.say(msg!(
        "downtime-warning",
        from = &from,
        to = &to,
        length = &length,
        p = &settings.prefix
    ));
    world
        .crises
        .values()
        .filter(|c| c.closed_at.is_none())
        .map(|crisis| {
            let record = super::system_record(
                &crisis.id,
                crisis.last_seq + 1,
                until,
                settings,
                Event::Gap {
                    reason: reason.clone(),
                },
            );
            let mut records = vec![record];
            let mut effects = vec![post(crisis, settings, warning.clone(), None)];
            if let Some(run) = &crisis.run {
                // A running exercise stopped with tocsin: its clock is paused from
                // then, so missed injects do not all fire at once on restart.
                let paused = run.running();
                if paused {
                    if let Event::Gap { reason } = &mut records[0].event {
                        reason.push_str(&settings.say(msg!("downtime-gap-paused")));
                    }
                    let mut pause = super::system_record(
                        &crisis.id,
                        crisis.last_seq + 2,
                        until,
                        settings,
                        Event::ExercisePaused {},
                    );
                    pause.occurred_at = since;
                    records.push(pause);
                }
                let p = &settings.prefix;
                let text = if paused {
                    settings.say(msg!(
                        "downtime-animation-paused",
                        from = &from,
                        to = &to,
                        length = &length,
                        p = p
                    ))
                } else {
                    settings.say(msg!(
                        "downtime-animation",
                        from = &from,
                        to = &to,
                        length = &length
                    ))
                };
                if let Effect::Post { text: marked, .. } = post(crisis, settings, text, None) {
                    effects.push(Effect::Post {
                        room: run.animation_room.clone(),
                        crisis: crisis.id.clone(),
                        text: marked,
                        tag: None,
                    });
                }
            }
            Decision { records, effects }
        })
        .map(|d| super::exercise::name_sites(world, settings, d))
        .collect()
}

fn post(
    crisis: &Crisis,
    settings: &Settings,
    text: impl Into<Speech>,
    tag: Option<PostTag>,
) -> Effect {
    Effect::Post {
        room: crisis.room.clone(),
        crisis: crisis.id.clone(),
        text: super::mark(Some(crisis), settings, text.into()),
        tag,
    }
}

/// `14:30`, or `28/11 14:30` when not the same day as `now`.
pub fn when(tz: Tz, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&tz);
    if local.date_naive() == now.with_timezone(&tz).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%d/%m %H:%M").to_string()
    }
}

/// `2h05`, `35 min`, `3 j 4h`.
pub fn span(d: TimeDelta, settings: &Settings) -> String {
    let minutes = d.num_minutes().abs();
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, h) => format!("{h}h{mins:02}"),
        (days, hours) => settings.say(msg!("span-days", days, hours)),
    }
}

/// Who to mention for an owner: the user, or the holder of the role.
fn owner_user(crisis: &Crisis, owner: &Owner) -> Option<String> {
    match owner {
        Owner::User(u) => Some(u.clone()),
        Owner::Role(r) => crisis.roles.get(r).cloned(),
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "a flat match: one arm per kind of reminder"
)]
fn reminder(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    settings: &Settings,
    item: &Item,
    now: DateTime<Utc>,
) -> (String, Option<String>, String) {
    let lang = settings.lang;
    let at = |t| when(settings.tz, t, now);
    match item {
        Item::Action(reference) => {
            let action = crisis.action(reference);
            let text = action
                .map(|a| super::ellipsis(crisis.current_text(reference, &a.text), 70))
                .unwrap_or_default();
            let due = action.and_then(|a| a.due).unwrap_or(now);
            let owner = action.and_then(|a| a.owner.as_ref());
            let who = owner.and_then(|o| owner_user(crisis, o));
            let label = owner
                .map(|o| format!(" · {}", owner_label(crisis, o)))
                .unwrap_or_default();
            let line = settings.say(msg!(
                "reminder-action",
                reference,
                due = at(due),
                text = &text,
                label = &label
            ));
            (reference.clone(), who, line)
        }
        Item::Step(id, n) => {
            let proc = playbook.and_then(|p| p.procedure(id));
            let run = crisis.procedures.get(id);
            let step = proc.and_then(|p| p.steps.get(n - 1));
            let text = step
                .map(|s| super::ellipsis(s.text.get(lang), 70))
                .unwrap_or_default();
            let due = match (run, step.and_then(|s| s.due)) {
                (Some(run), Some(d)) => run.started_at + d,
                _ => now,
            };
            let who = run
                .and_then(|r| r.assigned.get(n).cloned())
                .or_else(|| proc.and_then(|p| crisis.roles.get(&p.owner).cloned()));
            let label = who
                .clone()
                .or_else(|| proc.map(|p| p.owner.clone()))
                .map(|w| format!(" · {w}"))
                .unwrap_or_default();
            let line = settings.say(msg!(
                "reminder-step",
                id,
                n,
                due = at(due),
                text = &text,
                label = &label
            ));
            (format!("{id}.{n}"), who, line)
        }
        Item::Handover => {
            let to = crisis
                .handover
                .as_ref()
                .map(|h| h.to.clone())
                .unwrap_or_default();
            let line = settings.say(msg!("reminder-handover", to = &to, p = &settings.prefix));
            ("handover".to_owned(), Some(to), line)
        }
        Item::Comcheck(number) => {
            let check = crisis.comchecks.iter().find(|c| c.number == *number);
            let missing: Vec<String> = check
                .map(|c| {
                    c.expected
                        .iter()
                        .filter(|u| !c.acknowledged.contains(u))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            let line = settings.say(msg!(
                "reminder-comcheck",
                number,
                missing = missing.join(", ")
            ));
            (format!("comcheck-{number}"), None, line)
        }
        Item::Point | Item::Clock(..) => (String::new(), None, String::new()),
    }
}

/// The lines of the stages still to meet when the crisis closes (said in the closing message).
pub fn clock_lines_not_done(
    crisis: &Crisis,
    settings: &Settings,
    clocks: &[Clock],
    closed_at: DateTime<Utc>,
) -> Vec<String> {
    let mut closed = crisis.clone();
    closed.closed_at = Some(closed_at);
    clocks
        .iter()
        .filter(|c| c.every.is_none() && clock::phase(&closed, c) == clock::Phase::Running)
        .flat_map(|c| {
            clock::stages(&closed, c, settings.tz)
                .into_iter()
                .filter(|v| v.done.is_none())
                .map(|v| clock_line(&closed, settings, c, &v, closed_at))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every line of a clock for `!horloges`: one per stage, or why it does not count.
pub fn clock_lines(
    crisis: &Crisis,
    settings: &Settings,
    clock: &Clock,
    now: DateTime<Utc>,
) -> Vec<String> {
    let lang = settings.lang;
    match clock::phase(crisis, clock) {
        clock::Phase::Inactive => vec![settings.say(msg!(
            "clock-line-inactive",
            id = &clock.id,
            title = clock.title.get(lang),
            condition = clock
                .condition
                .as_ref()
                .map(|c| c.get(lang))
                .unwrap_or_default(),
            p = &settings.prefix
        ))],
        clock::Phase::Stopped(at, reason) => vec![settings.say(msg!(
            "clock-line-stopped",
            id = &clock.id,
            title = clock.title.get(lang),
            at = when(settings.tz, at, now),
            reason = reason.map(|r| format!(" : {r}")).unwrap_or_default()
        ))],
        clock::Phase::Running => clock::stages(crisis, clock, settings.tz)
            .iter()
            .map(|view| clock_line(crisis, settings, clock, view, now))
            .collect(),
    }
}

/// One line about a running clock's stage: met, time left or overdue, deadline, owner.
pub fn clock_line(
    crisis: &Crisis,
    settings: &Settings,
    clock: &Clock,
    view: &clock::StageView<'_>,
    now: DateTime<Utc>,
) -> String {
    let lang = settings.lang;
    let id = clock::stage_id(clock, view.n);
    let title = clock::stage_title(clock, view.stage, lang);
    // A crisis closed before the stage was met: not a neutral fact.
    // (A recurring clock's next occurrence, not yet due at closure, was not missed.)
    let recurring_not_due =
        |closed| clock.every.is_some() && view.deadline.is_none_or(|d| d > closed);
    if let (None, Some(closed)) = (view.done, crisis.closed_at)
        && !recurring_not_due(closed)
    {
        return settings.say(msg!(
            "clock-line-not-done-at-close",
            id = &id,
            title = &title,
            at = when(settings.tz, closed, now),
            deadline = view
                .deadline
                .map(|d| when(settings.tz, d, now))
                .unwrap_or_else(|| "—".to_owned())
        ));
    }
    let Some(deadline) = view.deadline else {
        let after = view
            .stage
            .after
            .map(|a| clock::stage_id(clock, a))
            .unwrap_or_default();
        return settings.say(msg!(
            "clock-line-waiting",
            id = &id,
            title = &title,
            due = delay_words(view.stage.due, settings),
            after = &after
        ));
    };
    let at = when(settings.tz, deadline, now);
    if let Some(done) = view.done {
        return if done > deadline {
            settings.say(msg!(
                "clock-line-done-late",
                id = &id,
                title = &title,
                done = when(settings.tz, done, now),
                deadline = &at,
                late = span(done - deadline, settings)
            ))
        } else {
            settings.say(msg!(
                "clock-line-done",
                id = &id,
                title = &title,
                done = when(settings.tz, done, now)
            ))
        };
    }
    let more = clock_more(crisis, settings, clock, view, now);
    if now >= deadline {
        settings.say(msg!(
            "clock-line-passed",
            id = &id,
            title = &title,
            deadline = &at,
            ago = span(now - deadline, settings),
            more = &more
        ))
    } else {
        settings.say(msg!(
            "clock-line-left",
            id = &id,
            title = &title,
            left = span(deadline - now, settings),
            deadline = &at,
            more = &more
        ))
    }
}

/// What follows a running clock's deadline: its owner, where it counts from, how it recurs.
fn clock_more(
    crisis: &Crisis,
    settings: &Settings,
    clock: &Clock,
    view: &clock::StageView<'_>,
    now: DateTime<Utc>,
) -> String {
    let mut more = clock
        .owner
        .as_ref()
        .map(|o| match crisis.roles.get(o) {
            Some(holder) => format!(" · {o} ({holder})"),
            None => format!(" · {o}"),
        })
        .unwrap_or_default();
    let state = clock::state(crisis, clock);
    if view.stage.after.is_some() {
        // Counted from the stage before, which its line shows.
    } else if let Some((at, entry)) = &state.anchor {
        more.push_str(&settings.say(msg!(
            "clock-counted-from",
            at = when(settings.tz, *at, now),
            entry = entry.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
        )));
    } else if let Some(at) = state.activated {
        more.push_str(&settings.say(msg!("clock-activated-at", at = when(settings.tz, at, now))));
    }
    if let Some(every) = clock.every {
        more.push_str(&settings.say(msg!(
            "clock-recurring",
            every = span(every, settings),
            n = state.met.len()
        )));
    }
    more
}

/// A delay as people read it: `2h00`, `3 j 0h`, `1 mois`.
pub fn delay_words(delay: crate::playbook::Delay, settings: &Settings) -> String {
    match (delay.months, delay.span.is_zero()) {
        (0, _) => span(delay.span, settings),
        (months, true) => settings.say(msg!("delay-months", months)),
        (months, false) => format!(
            "{} + {}",
            settings.say(msg!("delay-months", months)),
            span(delay.span, settings)
        ),
    }
}

/// The état de situation: what a point, a handover or `!statut` posts.
/// `point`: the point's number and the time of the previous one.
pub fn situation(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    settings: &Settings,
    point: Option<(u32, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> String {
    let at = |t| when(settings.tz, t, now);
    let mut out = match point {
        Some((n, _)) => settings.say(msg!(
            "situation-point-head",
            n,
            at = at(now),
            crisis = &crisis.id
        )),
        None => settings.say(msg!("situation-head", at = at(now), crisis = &crisis.id)),
    };
    let refs = |s: Verification| -> Vec<&str> {
        crisis
            .infos
            .iter()
            .filter(|i| i.status == s)
            .map(|i| i.reference.as_str())
            .collect()
    };
    let (to_check, checking) = (refs(Verification::ToCheck), refs(Verification::Checking));
    let list = |v: &[&str]| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.join(", "))
        }
    };
    out.push_str(&format!(
        "\n{}",
        settings.say(msg!(
            "situation-infos",
            to_check = to_check.len(),
            to_check_list = list(&to_check),
            checking = checking.len(),
            checking_list = list(&checking),
            confirmed = refs(Verification::Confirmed).len(),
            refuted = refs(Verification::Refuted).len()
        ))
    ));
    out.push_str(&situation_decisions(crisis, settings, point));
    out.push_str(&situation_actions(crisis, settings, now));
    out.push_str(&situation_procedures_and_clocks(
        crisis, playbook, settings, now,
    ));
    if let Some((lead, since)) = crisis.leads.last() {
        out.push_str(&format!(
            "\n{}",
            settings.say(msg!("situation-lead", lead, since = at(*since)))
        ));
    }
    out
}

/// The état de situation's decisions: since the last point, or all of them.
fn situation_decisions(
    crisis: &Crisis,
    settings: &Settings,
    point: Option<(u32, DateTime<Utc>)>,
) -> String {
    let mut out = String::new();
    let since = point.map(|(_, since)| since).unwrap_or(crisis.opened_at);
    let recent: Vec<String> = crisis
        .decisions
        .iter()
        .filter(|d| d.at >= since)
        .map(|d| {
            format!(
                "{} {}",
                d.reference,
                super::ellipsis(crisis.current_text(&d.reference, &d.text), 60)
            )
        })
        .collect();
    let label = if point.is_some() {
        msg!("situation-decisions-since-point")
    } else {
        msg!("situation-decisions")
    };
    if recent.is_empty() {
        out.push('\n');
        out.push_str(&settings.say(msg!("situation-decisions-none", label)));
    } else {
        out.push('\n');
        out.push_str(&settings.say(msg!("situation-decisions-list", label)));
        for d in recent.iter().take(6) {
            out.push_str(&format!("\n  {d}"));
        }
        if recent.len() > 6 {
            out.push_str(&format!("\n  … +{}", recent.len() - 6));
        }
    }
    out
}

/// The état de situation's open actions, overdue first.
fn situation_actions(crisis: &Crisis, settings: &Settings, now: DateTime<Utc>) -> String {
    let at = |t| when(settings.tz, t, now);
    let mut out = String::new();
    let open = crisis.open_actions(now);
    let overdue = open.iter().filter(|a| a.is_overdue(now)).count();
    out.push_str(&format!(
        "\n{}",
        settings.say(msg!("situation-actions", n_open = open.len(), overdue))
    ));
    for action in open.iter().take(5) {
        let mut line = format!(
            "\n  {} {}",
            action.reference,
            super::ellipsis(crisis.current_text(&action.reference, &action.text), 50)
        );
        if let Some(owner) = &action.owner {
            line.push_str(&format!(" · {}", owner_label(crisis, owner)));
        }
        if let Some(due) = action.due {
            line.push_str(&format!(
                " · {}{}",
                if action.is_overdue(now) {
                    "⚠️ "
                } else {
                    ""
                },
                at(due)
            ));
        }
        out.push_str(&line);
    }
    out
}

/// The état de situation's procedures in progress and clocks still running.
fn situation_procedures_and_clocks(
    crisis: &Crisis,
    playbook: Option<&Playbook>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    if let Some(pb) = playbook
        && !crisis.procedures.is_empty()
    {
        let progress: Vec<String> = crisis
            .procedures
            .iter()
            .map(|(id, run)| {
                format!(
                    "{id} {}/{}",
                    run.n_closed(),
                    pb.procedure(id).map_or(0, |p| p.steps.len())
                )
            })
            .collect();
        out.push_str(&format!(
            "\n{}{}",
            &settings.say(msg!("situation-procedures")),
            progress.join(", ")
        ));
    }
    if let Some(pb) = playbook {
        let running: Vec<String> = pb
            .clocks
            .iter()
            .filter(|c| clock::phase(crisis, c) == clock::Phase::Running)
            .flat_map(|c| {
                clock::stages(crisis, c, settings.tz)
                    .into_iter()
                    .filter_map(move |v| Some((clock::stage_id(c, v.n), v.deadline?, v.done)))
            })
            .filter(|(_, _, done)| done.is_none())
            .map(|(id, deadline, _)| {
                if now >= deadline {
                    format!("{id} {}", settings.say(msg!("situation-clock-passed")))
                } else {
                    format!("{id} {}", span(deadline - now, settings))
                }
            })
            .collect();
        if !running.is_empty() {
            out.push_str(&format!(
                "\n{}{}",
                &settings.say(msg!("situation-clocks")),
                running.join(", ")
            ));
        }
    }
    out
}
