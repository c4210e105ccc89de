//! Journaled facts: what the crisis log records.
//!
//! A [`Record`] is one main-courante entry as the engine decides it; the
//! journal stores its JSON bytes and chains their hashes. These types are a
//! compatibility boundary with our past selves: fields are only ever added
//! (with `#[serde(default)]`), `v` is raised on any other change, and the
//! snapshot test in `engine/tests.rs` pins the format.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The record format written by this release.
pub const RECORD_VERSION: u16 = 1;

/// Who did something: the Matrix user id (or console name) and the display name at the time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub id: String,
    pub name: String,
}

/// One entry of the main courante.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Format version of this record.
    pub v: u16,
    /// Position in the crisis's chain, from 1, without gaps.
    pub seq: u64,
    /// The crisis this entry belongs to.
    pub crisis: String,
    /// When it happened: the message's server time, or the stated time of a paper note.
    pub occurred_at: DateTime<Utc>,
    /// When tocsin recorded it.
    pub recorded_at: DateTime<Utc>,
    pub author: Author,
    /// The author's crisis role at the time, if they held one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The id of the chat event this entry came from (deduplication key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Re-entered from a paper sheet (`!papier`): `occurred_at` is the stated time.
    #[serde(default, skip_serializing_if = "is_false")]
    pub transcribed: bool,
    /// Who put it on record, when not its author: a message said in the room
    /// and consigned afterwards (📌, or a command replying to it) keeps its
    /// author and time; this is who consigned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Author>,
    /// The chat message this entry puts on record, when it is not the source
    /// itself (a consigned message): it is never recorded twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotes: Option<String>,
    /// What this entry answers, found when it was recorded: an inject whose
    /// message it replies to or whose id it names (`(i05)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    pub event: Event,
}

/// A file that went with an inject: its name and the SHA-256 of its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentFile {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// What an entry says. Each kind of entry is one variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    CrisisOpened {
        room: String,
        playbook: String,
        playbook_version: String,
        exercise: bool,
    },
    CrisisClosed {},
    Info {
        reference: String,
        text: String,
    },
    Verification {
        target: String,
        status: Verification,
    },
    Decision {
        reference: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rationale: Option<String>,
        /// Who decided, when not the author (who then only recorded it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided_by: Option<String>,
        /// What it answers: an entry (`I3`) or an inject (`i05`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trigger: Option<String>,
    },
    /// An entry linked to another after the fact (`!lier D2 I3`): `from`
    /// answers or follows from `to` (an entry, or an inject in an exercise).
    Link {
        from: String,
        to: String,
    },
    Action {
        reference: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<Owner>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<DateTime<Utc>>,
    },
    ActionDone {
        target: String,
    },
    RoleAssigned {
        role: String,
        user: String,
    },
    /// A lead had tocsin invite `user` into the crisis room (`!inviter`).
    /// The author of the record is who asked; whether the homeserver took
    /// the invitation is the room's to say (a refusal is posted there and
    /// journaled as [`Event::Undelivered`]).
    Invited {
        user: String,
    },
    Correction {
        reference: String,
        target: String,
        text: String,
    },
    /// A logged chat message was redacted in the room; the original stays here.
    Redaction {
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A playbook procedure was started in this crisis.
    ProcedureStarted {
        procedure: String,
    },
    /// A step of a started procedure was done (`step` counts from 1).
    StepDone {
        procedure: String,
        step: usize,
    },
    /// A procedure step was skipped, with the reason.
    StepSkipped {
        procedure: String,
        step: usize,
        reason: String,
    },
    /// A procedure step was given to someone.
    StepAssigned {
        procedure: String,
        step: usize,
        user: String,
    },
    /// A playbook clock (deadline) was met: its stage (from 1) for a clock with stages.
    ClockDone {
        clock: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<usize>,
    },
    /// tocsin warned that a clock runs out (`left_minutes` ≤ 0: it ran out).
    ClockWarning {
        clock: String,
        left_minutes: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<usize>,
    },
    /// A clock counts from `at` (when the cell became aware) rather than from
    /// the opening; `entry`: the entry that time was read from (`I7`).
    ClockAnchored {
        clock: String,
        at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entry: Option<String>,
    },
    /// The cell activated a conditional clock; it counts from `from` if given, else from now.
    ClockActivated {
        clock: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entry: Option<String>,
    },
    /// The cell stopped a clock: it does not apply, or no longer (a recurring one ends).
    ClockStopped {
        clock: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// tocsin reminded someone of an overdue item (`target`: `A1`, `pd-lab.3`, `handover`, `comcheck-2`).
    Reminder {
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        who: Option<String>,
    },
    /// The cadence of situation points changed (`every_minutes` = 0: none).
    PointCadence {
        every_minutes: i64,
    },
    /// A situation point was held: the état de situation was posted.
    SituationPoint {
        number: u32,
    },
    /// The crisis lead hands over to `to`, who must acknowledge.
    HandoverStarted {
        from: String,
        to: String,
    },
    /// The incoming lead acknowledged the handover.
    HandoverAcknowledged {
        by: String,
    },
    /// A communication check: a message everyone in the cell must acknowledge.
    ComcheckStarted {
        number: u32,
        text: String,
    },
    ComcheckAcknowledged {
        number: u32,
        by: String,
    },
    /// tocsin posted a message it will edit or watch for reactions (`tag` names it).
    Posted {
        tag: PostTag,
        event_id: String,
        /// The room it went to, when not the crisis's own (a stimulus sent in
        /// a direct chat).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<String>,
    },
    /// A message said in the room (or typed with `!consigner`), put on record.
    Note {
        reference: String,
        text: String,
    },
    /// A file sent in the room (a photo of a paper sheet, a screenshot, a
    /// scanned form), put on record: tocsin keeps a copy named by its hash.
    File {
        reference: String,
        name: String,
        mime: String,
        size: u64,
        /// Hex SHA-256 of the (decrypted) content.
        sha256: String,
    },
    /// Someone joined the crisis room while the crisis was open (the author);
    /// tocsin briefed them.
    MemberJoined {},
    /// Something that should be in the log is not: e.g. a message tocsin could not decrypt.
    Gap {
        reason: String,
    },
    /// An animation room asked to animate this exercise (`!animer`), with the
    /// scenario it would play. Nothing of the facilitators reaches the players
    /// until the players' lead accepts (`exercise_linked`); a later proposal
    /// replaces a pending one.
    ExerciseLinkProposed {
        animation_room: String,
        scenario: String,
        scenario_version: String,
        code_name: String,
        auto: bool,
        /// The establishment's label in a regional exercise (`!animer@chu-nord`):
        /// picks the scenario's variants and names it in the animation room.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<String>,
    },
    /// The players' lead declined the pending proposal (`!refuser`).
    ExerciseLinkDeclined {
        animation_room: String,
    },
    /// An animation room was linked to this exercise, with the scenario it
    /// plays: the players' lead accepted its proposal (`!accepter`), the author.
    ExerciseLinked {
        animation_room: String,
        scenario: String,
        scenario_version: String,
        code_name: String,
        /// Timed injects fire on the exercise clock (`false`: only on command).
        auto: bool,
        /// The establishment's label in a regional exercise (see `exercise_link_proposed`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<String>,
    },
    /// Auto or manual play from now on.
    ExerciseMode {
        auto: bool,
    },
    /// DEBEX: the exercise clock starts.
    ExerciseStarted {},
    /// The exercise clock stops; the schedule shifts by the pause.
    ExercisePaused {},
    /// The exercise clock runs again (after a pause or a stop).
    ExerciseResumed {},
    /// The real-emergency stop phrase was typed: play is frozen until a facilitator resumes.
    ExerciseStopped {
        /// The message that held the phrase.
        text: String,
    },
    /// FINEX: the end of play.
    ExerciseEnded {},
    /// A stimulus reached the players (`adhoc`: improvised, not in the scenario).
    InjectPlayed {
        inject: String,
        channel: String,
        from: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        text: String,
        /// The expected reaction, facilitator material (never in the players' edition).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        adhoc: bool,
        /// Fired by a facilitator rather than by the exercise clock.
        #[serde(default, skip_serializing_if = "is_false")]
        manual: bool,
        /// Who held the `to` role when it was played: the players' message mentions them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recipient: Option<String>,
        /// Sent to the recipient alone, in a direct chat, rather than in the players' room.
        #[serde(default, skip_serializing_if = "is_false")]
        direct: bool,
        /// A press inject's headline.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        headline: Option<String>,
        /// A social-media inject's account.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handle: Option<String>,
        /// The files sent with it, as they were when the scenario was loaded.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<SentFile>,
    },
    InjectSkipped {
        inject: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// One inject (or, with none, every inject still to come) moved later.
    InjectDelayed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        inject: Option<String>,
        minutes: i64,
    },
    /// A facilitator judged whether the expected reaction to an inject was met.
    ReactionMarked {
        inject: String,
        met: bool,
    },
    /// An observer's note (facilitator material).
    Observation {
        reference: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        inject: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        objective: Option<String>,
    },
    /// The hot debrief (RETEX à chaud) began.
    RetexStarted {},
    /// The round table moved to topic `number` (from 1).
    RetexTopic {
        number: u32,
    },
    /// One contribution to the round table, on the current topic.
    RetexContribution {
        topic: u32,
        text: String,
    },
    RetexEnded {},
    /// An item of the improvement plan, numbered across the establishment's
    /// register (`P7` in a second exercise if the first had six).
    Improvement {
        reference: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<NaiveDate>,
    },
    /// The facilitators' judgement on an exercise objective (facilitator
    /// material); a later one for the same objective replaces it.
    ObjectiveAssessed {
        objective: String,
        result: Attainment,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// One line of the facilitators' synthesis: a strength, or an area for
    /// improvement (facilitator material).
    SynthesisNote {
        part: SynthesisPart,
        text: String,
    },
    /// An item of the register moved on (`!plan P3 fait D4`): recorded in the
    /// crisis or exercise where it was said.
    PlanMoved {
        item: String,
        state: PlanState,
        /// The proof of closure, the reason for dropping it, or a comment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The homeserver refused one of tocsin's messages for good (after
    /// retries): what the room never saw, by its transaction id.
    Undelivered {
        txn: String,
        reason: String,
    },
    /// At an opening: the items of the register still open from earlier
    /// crises and exercises, as they stood (what this one inherits).
    PlanCarried {
        items: Vec<CarriedItem>,
    },
}

/// Where an item of the improvement plan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    Todo,
    InProgress,
    Done,
    Dropped,
}

impl PlanState {
    /// The stored name, which the catalogs' `plan-state` message selects on.
    pub fn key(self) -> &'static str {
        match self {
            PlanState::Todo => "todo",
            PlanState::InProgress => "in_progress",
            PlanState::Done => "done",
            PlanState::Dropped => "dropped",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, PlanState::Todo | PlanState::InProgress)
    }
}

/// An open item of the register, as an opening found it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedItem {
    pub item: String,
    /// The crisis or exercise that opened it.
    pub crisis: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    pub state: PlanState,
}

impl Event {
    /// The stable kind name, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::CrisisOpened { .. } => "crisis_opened",
            Event::CrisisClosed {} => "crisis_closed",
            Event::Info { .. } => "info",
            Event::Verification { .. } => "verification",
            Event::Decision { .. } => "decision",
            Event::Link { .. } => "link",
            Event::Action { .. } => "action",
            Event::ActionDone { .. } => "action_done",
            Event::RoleAssigned { .. } => "role_assigned",
            Event::Invited { .. } => "invited",
            Event::Correction { .. } => "correction",
            Event::Redaction { .. } => "redaction",
            Event::Note { .. } => "note",
            Event::File { .. } => "file",
            Event::MemberJoined {} => "member_joined",
            Event::Gap { .. } => "gap",
            Event::ProcedureStarted { .. } => "procedure_started",
            Event::StepDone { .. } => "step_done",
            Event::StepSkipped { .. } => "step_skipped",
            Event::StepAssigned { .. } => "step_assigned",
            Event::ClockDone { .. } => "clock_done",
            Event::ClockWarning { .. } => "clock_warning",
            Event::ClockAnchored { .. } => "clock_anchored",
            Event::ClockActivated { .. } => "clock_activated",
            Event::ClockStopped { .. } => "clock_stopped",
            Event::Reminder { .. } => "reminder",
            Event::PointCadence { .. } => "point_cadence",
            Event::SituationPoint { .. } => "situation_point",
            Event::HandoverStarted { .. } => "handover_started",
            Event::HandoverAcknowledged { .. } => "handover_acknowledged",
            Event::ComcheckStarted { .. } => "comcheck_started",
            Event::ComcheckAcknowledged { .. } => "comcheck_acknowledged",
            Event::Posted { .. } => "posted",
            Event::ExerciseLinkProposed { .. } => "exercise_link_proposed",
            Event::ExerciseLinkDeclined { .. } => "exercise_link_declined",
            Event::ExerciseLinked { .. } => "exercise_linked",
            Event::ExerciseMode { .. } => "exercise_mode",
            Event::ExerciseStarted {} => "exercise_started",
            Event::ExercisePaused {} => "exercise_paused",
            Event::ExerciseResumed {} => "exercise_resumed",
            Event::ExerciseStopped { .. } => "exercise_stopped",
            Event::ExerciseEnded {} => "exercise_ended",
            Event::InjectPlayed { .. } => "inject_played",
            Event::InjectSkipped { .. } => "inject_skipped",
            Event::InjectDelayed { .. } => "inject_delayed",
            Event::ReactionMarked { .. } => "reaction_marked",
            Event::Observation { .. } => "observation",
            Event::RetexStarted {} => "retex_started",
            Event::RetexTopic { .. } => "retex_topic",
            Event::RetexContribution { .. } => "retex_contribution",
            Event::RetexEnded {} => "retex_ended",
            Event::Improvement { .. } => "improvement",
            Event::ObjectiveAssessed { .. } => "objective_assessed",
            Event::SynthesisNote { .. } => "synthesis_note",
            Event::PlanMoved { .. } => "plan_moved",
            Event::PlanCarried { .. } => "plan_carried",
            Event::Undelivered { .. } => "undelivered",
        }
    }

    /// Facilitator material: never shown to players (the players' edition leaves it out).
    pub fn is_facilitator_material(&self) -> bool {
        matches!(
            self,
            Event::ExerciseLinked { .. }
                | Event::ExerciseLinkProposed { .. }
                | Event::ExerciseMode { .. }
                | Event::InjectSkipped { .. }
                | Event::InjectDelayed { .. }
                | Event::ReactionMarked { .. }
                | Event::Observation { .. }
                | Event::ObjectiveAssessed { .. }
                | Event::SynthesisNote { .. }
        )
    }

    /// The reference this entry creates (`I1`, `D2`, …), if any.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Event::Info { reference, .. }
            | Event::Decision { reference, .. }
            | Event::Action { reference, .. }
            | Event::Correction { reference, .. }
            | Event::Note { reference, .. }
            | Event::File { reference, .. }
            | Event::Improvement { reference, .. } => Some(reference),
            _ => None,
        }
    }

    /// The references of other entries this one points at.
    pub fn targets(&self) -> Option<&str> {
        match self {
            Event::Verification { target, .. }
            | Event::ActionDone { target }
            | Event::Correction { target, .. }
            | Event::Redaction { target, .. } => Some(target),
            _ => None,
        }
    }
}

/// What a message tocsin posted is for, so that it can be edited or its ✅ counted.
///
/// Stored as the string it always was (`proc:pd-lab`, `handover:3`, `comcheck:1`),
/// so journals written before the type read unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PostTag {
    /// The checklist of a procedure, edited as its steps are done.
    Checklist(String),
    /// A handover message, by the `seq` of the entry that started the handover.
    Handover(u64),
    /// A comcheck message, by its number.
    Comcheck(u32),
    /// An inject's message in the players' room, by the inject's id: a reply
    /// to it answers the inject.
    Inject(String),
    /// The message that said the chain's head at entry `seq` (a checkpoint,
    /// `anchor::Checkpoint`): the report lists it with its event id.
    Checkpoint(u64),
}

impl fmt::Display for PostTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostTag::Checklist(procedure) => write!(f, "proc:{procedure}"),
            PostTag::Handover(seq) => write!(f, "handover:{seq}"),
            PostTag::Comcheck(number) => write!(f, "comcheck:{number}"),
            PostTag::Inject(id) => write!(f, "inject:{id}"),
            PostTag::Checkpoint(seq) => write!(f, "checkpoint:{seq}"),
        }
    }
}

impl std::str::FromStr for PostTag {
    type Err = String;

    fn from_str(s: &str) -> Result<PostTag, String> {
        let bad = || format!("unknown posted-message tag `{s}`");
        match s.split_once(':') {
            Some(("proc", procedure)) if !procedure.is_empty() => {
                Ok(PostTag::Checklist(procedure.to_owned()))
            }
            Some(("handover", seq)) => seq.parse().map(PostTag::Handover).map_err(|_| bad()),
            Some(("comcheck", number)) => number.parse().map(PostTag::Comcheck).map_err(|_| bad()),
            Some(("inject", id)) if !id.is_empty() => Ok(PostTag::Inject(id.to_owned())),
            Some(("checkpoint", seq)) => seq.parse().map(PostTag::Checkpoint).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for PostTag {
    type Error = String;

    fn try_from(s: String) -> Result<PostTag, String> {
        s.parse()
    }
}

impl From<PostTag> for String {
    fn from(tag: PostTag) -> String {
        tag.to_string()
    }
}

/// Who owns an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Owner {
    /// A person, by user id.
    User(String),
    /// A crisis role of the playbook, whoever holds it.
    Role(String),
}

/// How far an exercise objective was reached, as the facilitators judge it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attainment {
    Met,
    Partly,
    NotMet,
}

impl Attainment {
    /// The stored name (`not_met`), which the catalogs' `attainment` message selects on.
    pub fn key(self) -> &'static str {
        match self {
            Attainment::Met => "met",
            Attainment::Partly => "partly",
            Attainment::NotMet => "not_met",
        }
    }
}

/// The two halves of the facilitators' synthesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SynthesisPart {
    /// What worked (« forces »).
    Strength,
    /// What to improve (« axes d'amélioration »).
    ToImprove,
}

impl SynthesisPart {
    /// The stored name, which the catalogs' `synthesis-part` message selects on.
    pub fn key(self) -> &'static str {
        match self {
            SynthesisPart::Strength => "strength",
            SynthesisPart::ToImprove => "to_improve",
        }
    }
}

/// Verification status of a piece of information.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    ToCheck,
    Checking,
    Confirmed,
    Refuted,
}

impl Verification {
    /// The stored name (`to_check`), which the catalogs' `verification` message selects on.
    pub fn key(self) -> &'static str {
        match self {
            Verification::ToCheck => "to_check",
            Verification::Checking => "checking",
            Verification::Confirmed => "confirmed",
            Verification::Refuted => "refuted",
        }
    }
}
