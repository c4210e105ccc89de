//! Chat commands: a pure parser from message text to [`Command`].
//!
//! Keywords are French or English, case- and accent-insensitive (`!Décision`,
//! `!decision`, `!DECISION` are one command). Text without the prefix is
//! conversation and yields `None`. A malformed command yields a [`Refusal`]
//! with a precise one-line reason and the matching help line.

use chrono::{NaiveDate, NaiveTime, TimeDelta};

use crate::lang::fold;
use crate::lang::speech::{Message, Speech, msg};
use crate::playbook::parse_duration;
use crate::playbook::scenario::Channel;

use super::ExportFormat;
use super::event::{Attainment, PlanState, SynthesisPart, Verification};

/// Longest entry text accepted, in characters. A main-courante line is short;
/// past this a message is a paste that belongs in an attachment.
pub const MAX_TEXT_CHARS: usize = 3000;

/// The commands of the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Help(Option<Keyword>),
    Open {
        playbook: String,
        exercise: bool,
    },
    Close,
    Status,
    Info {
        text: String,
    },
    /// `!consigner <texte>`: a message said (in the room, by phone) put on
    /// record as it was said; as a reply, the message replied to.
    Note {
        text: String,
    },
    Verify {
        target: String,
        status: Verification,
    },
    Decision {
        text: String,
        rationale: Option<String>,
        /// `par @dg:chu.fr`: who decided, when not the author.
        by: Option<String>,
        /// `suite à I3`: what it answers (an entry or an inject).
        trigger: Option<String>,
    },
    /// `!plan`: the open items of the improvement plan; `!plan P3 fait D4`:
    /// an item moved on, with its proof, reason or comment.
    Plan(Option<PlanMove>),
    /// `!lier D2 I3`: an entry answers or follows from another (or an inject).
    Relate {
        from: String,
        to: String,
    },
    Action {
        text: String,
        owner: Option<OwnerSpec>,
        due: Option<DueSpec>,
    },
    Done {
        target: String,
    },
    Role {
        role: String,
        user: String,
    },
    Correct {
        target: String,
        text: String,
    },
    Paper {
        time: NaiveTime,
        kind: PaperKind,
        text: String,
        rationale: Option<String>,
    },
    /// `!proc`: list; `!proc pd-lab`: start.
    Proc(Option<String>),
    /// `!passer pd-lab.3 <raison>`.
    Skip {
        procedure: String,
        step: usize,
        reason: String,
    },
    /// `!assigner pd-lab.3 @user`.
    Assign {
        procedure: String,
        step: usize,
        user: String,
    },
    /// `!actions`: open actions by owner, overdue first.
    Actions,
    /// `!point`: a situation point now; `!point toutes 2h`: the cadence; `!point arrêt`: none.
    Point(Option<TimeDelta>),
    /// `!horloges`.
    Clocks,
    /// `!horloge <id>`: one clock.
    Clock(String),
    /// `!horloge cnil-72h depuis 14:30` (or `depuis I7`): the clock counts from then.
    ClockFrom {
        clock: String,
        from: Since,
    },
    /// `!horloge nis2 activer [depuis …]`: a conditional clock applies.
    ClockActivate {
        clock: String,
        from: Option<Since>,
    },
    /// `!horloge urgences-reevaluation arrêter [raison]`.
    ClockStop {
        clock: String,
        reason: Option<String>,
    },
    /// `!relève @incoming`.
    Handover {
        to: String,
    },
    /// `!inviter @person:server`: tocsin invites them into the crisis room.
    Invite {
        user: String,
    },
    /// `!ack`: the incoming lead takes the cell.
    Ack,
    /// `!accepter`: the players' lead lets the proposed animation room animate the exercise.
    AcceptLink,
    /// `!refuser`: the players' lead declines the proposal.
    DeclineLink,
    /// `!comcheck <message>`, or `!comcheck` for who is missing.
    Comcheck(Option<String>),
    /// `!export [html|md|json|csv]`: the crisis report as a file in the room.
    Export(Option<ExportFormat>),
    /// `!fait pd-lab.2`: a procedure step done.
    StepDone {
        procedure: String,
        step: usize,
    },
    /// `!animer <crise|salon> <scénario> [manuel]`, in the animation room.
    Link {
        target: String,
        scenario: String,
        auto: bool,
        /// The establishment's label in a regional exercise (`!animer@chu-nord …`).
        site: Option<String>,
    },
    /// `!mode auto|manuel`.
    Mode(bool),
    Debex,
    Finex,
    Pause,
    Resume,
    /// `!inject [id]`: fire one now (the next one without an id).
    Inject(Option<String>),
    /// `!passer i05 [raison]`.
    SkipInject {
        inject: String,
        reason: Option<String>,
    },
    /// `!retarder [i05] 10m`: one inject, or all still to come.
    Delay {
        inject: Option<String>,
        by: TimeDelta,
    },
    /// `!improviser <canal> [rôle] <persona> : <texte>`.
    Adhoc {
        channel: Channel,
        to: Option<String>,
        from: String,
        text: String,
    },
    /// `!chrono`: the schedule view.
    Chrono,
    /// `!attendu i05 oui|non`.
    Expected {
        inject: String,
        met: bool,
    },
    /// `!obs [i05|o2] <texte>`.
    Obs(String),
    Retex(RetexArg),
    /// `!amélioration <texte> [@qui|rôle] [avant JJ/MM/AAAA]`.
    Improve {
        text: String,
        owner: Option<String>,
        due: Option<NaiveDate>,
    },
    /// `!objectif`: the objectives and their judgement so far;
    /// `!objectif o1 atteint|partiellement|non atteint [commentaire]`: judge one.
    Objective(Option<Judgement>),
    /// `!synthèse`: the synthesis so far; `!synthèse forces|axes <texte>`: add a line.
    Synthesis(Option<(SynthesisPart, String)>),
}

/// The facilitators' judgement on an objective, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub objective: String,
    pub result: Attainment,
    pub comment: Option<String>,
}

impl Command {
    /// Animation-room commands only a facilitator may type (observers may not).
    pub fn is_for_facilitators(&self) -> bool {
        matches!(
            self,
            Command::Mode(_)
                | Command::Debex
                | Command::Finex
                | Command::Pause
                | Command::Resume
                | Command::Inject(_)
                | Command::SkipInject { .. }
                | Command::Delay { .. }
                | Command::Adhoc { .. }
                | Command::Expected { .. }
                | Command::Objective(Some(_))
                | Command::Synthesis(Some(_))
        )
    }

    /// Commands that play the exercise: only between DEBEX and FINEX.
    pub fn plays_the_exercise(&self) -> bool {
        self.is_for_facilitators()
            && !matches!(
                self,
                Command::Debex
                    | Command::Expected { .. }
                    | Command::Objective(_)
                    | Command::Synthesis(_)
            )
    }
}

/// What `!retex` was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetexArg {
    /// Start the round table, or show where it stands.
    Start,
    Next,
    End,
    Say(String),
}

/// An action owner as typed: a `@user` or a role id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerSpec {
    User(String),
    Role(String),
    /// `@moi` / `@me`: the author.
    Me,
}

/// Where a clock counts from, as typed after `depuis`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Since {
    /// `14:30`: the last 14:30.
    At(NaiveTime),
    /// `28/11 14:30`: that day (the last 28 November), at that time.
    On {
        day: u32,
        month: u32,
        time: NaiveTime,
    },
    /// `I7`: when that entry happened.
    Entry(String),
}

/// A due time as typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueSpec {
    /// `à 14:30` / `by 14:30`: the next 14:30 in the crisis's time zone.
    At(NaiveTime),
    /// `dans 30m` / `in 30m`.
    In(TimeDelta),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaperKind {
    Info,
    Decision,
    Action,
}

/// Every command keyword, for help lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    Help,
    Open,
    Close,
    Status,
    Info,
    Note,
    Relate,
    Plan,
    Verify,
    Decision,
    Action,
    Done,
    Role,
    Correct,
    Paper,
    Proc,
    Skip,
    Assign,
    Actions,
    Point,
    Clocks,
    Handover,
    Invite,
    Ack,
    Comcheck,
    Export,
    Link,
    Accept,
    Decline,
    Mode,
    Debex,
    Finex,
    Pause,
    Resume,
    Inject,
    Delay,
    Adhoc,
    Chrono,
    Expected,
    Obs,
    Retex,
    Improve,
    Objective,
    Synthesis,
}

/// Spellings, already folded (lowercase, no accents). The first is the French name.
const KEYWORDS: &[(Keyword, &[&str])] = &[
    (Keyword::Help, &["aide", "help", "?"]),
    (Keyword::Open, &["ouvrir", "open"]),
    (Keyword::Close, &["clore", "close", "fermer"]),
    (Keyword::Status, &["statut", "status", "etat"]),
    (Keyword::Info, &["info", "information"]),
    (Keyword::Note, &["consigner", "noter", "note"]),
    (Keyword::Relate, &["lier", "relier", "relate"]),
    (Keyword::Plan, &["plan"]),
    (Keyword::Verify, &["verifier", "verify"]),
    (Keyword::Decision, &["decision"]),
    (Keyword::Action, &["action"]),
    (Keyword::Done, &["fait", "done"]),
    (Keyword::Role, &["role"]),
    (Keyword::Correct, &["corriger", "correct"]),
    (Keyword::Paper, &["papier", "paper"]),
    (Keyword::Proc, &["proc", "procedure", "procedures"]),
    (Keyword::Skip, &["passer", "skip"]),
    (Keyword::Assign, &["assigner", "assign"]),
    (Keyword::Actions, &["actions"]),
    (Keyword::Point, &["point"]),
    (Keyword::Clocks, &["horloges", "horloge", "clocks", "clock"]),
    (Keyword::Handover, &["releve", "handover"]),
    (Keyword::Invite, &["inviter", "invite"]),
    (Keyword::Ack, &["ack", "recu"]),
    (Keyword::Comcheck, &["comcheck"]),
    (Keyword::Export, &["export", "exporter"]),
    (Keyword::Link, &["animer", "animation", "link", "animate"]),
    (Keyword::Accept, &["accepter", "accept"]),
    (Keyword::Decline, &["refuser", "decline"]),
    (Keyword::Mode, &["mode"]),
    (Keyword::Debex, &["debex", "startex"]),
    (Keyword::Finex, &["finex", "endex"]),
    (Keyword::Pause, &["pause"]),
    (Keyword::Resume, &["reprise", "reprendre", "resume"]),
    (Keyword::Inject, &["inject", "stimulus", "jouer", "play"]),
    (Keyword::Delay, &["retarder", "delay"]),
    (Keyword::Adhoc, &["improviser", "adhoc", "ad-hoc"]),
    (Keyword::Chrono, &["chrono", "chronogramme", "schedule"]),
    (Keyword::Expected, &["attendu", "expected"]),
    (Keyword::Obs, &["obs", "observation"]),
    (Keyword::Retex, &["retex", "debrief"]),
    (
        Keyword::Improve,
        &["amelioration", "improve", "improvement"],
    ),
    (Keyword::Objective, &["objectif", "objective"]),
    (Keyword::Synthesis, &["synthese", "synthesis"]),
];

impl Keyword {
    pub const ALL: [Keyword; 44] = [
        Keyword::Help,
        Keyword::Open,
        Keyword::Close,
        Keyword::Status,
        Keyword::Info,
        Keyword::Note,
        Keyword::Relate,
        Keyword::Plan,
        Keyword::Verify,
        Keyword::Decision,
        Keyword::Action,
        Keyword::Done,
        Keyword::Role,
        Keyword::Correct,
        Keyword::Paper,
        Keyword::Proc,
        Keyword::Skip,
        Keyword::Assign,
        Keyword::Actions,
        Keyword::Point,
        Keyword::Clocks,
        Keyword::Handover,
        Keyword::Invite,
        Keyword::Ack,
        Keyword::Comcheck,
        Keyword::Export,
        Keyword::Link,
        Keyword::Accept,
        Keyword::Decline,
        Keyword::Mode,
        Keyword::Debex,
        Keyword::Finex,
        Keyword::Pause,
        Keyword::Resume,
        Keyword::Inject,
        Keyword::Delay,
        Keyword::Adhoc,
        Keyword::Chrono,
        Keyword::Expected,
        Keyword::Obs,
        Keyword::Retex,
        Keyword::Improve,
        Keyword::Objective,
        Keyword::Synthesis,
    ];

    /// Commands of the animation room (facilitators and observers), kept out of the players' help.
    pub fn is_animation(self) -> bool {
        matches!(
            self,
            Keyword::Link
                | Keyword::Mode
                | Keyword::Debex
                | Keyword::Finex
                | Keyword::Pause
                | Keyword::Resume
                | Keyword::Inject
                | Keyword::Delay
                | Keyword::Adhoc
                | Keyword::Chrono
                | Keyword::Expected
                | Keyword::Obs
                | Keyword::Objective
                | Keyword::Synthesis
        )
    }

    fn lookup(folded: &str) -> Option<Keyword> {
        KEYWORDS
            .iter()
            .find(|(_, names)| names.contains(&folded))
            .map(|(k, _)| *k)
    }

    /// One help line: syntax and purpose.
    pub fn help(self, prefix: &str) -> Speech {
        let line = match self {
            Keyword::Help => msg!("help-help"),
            Keyword::Open => msg!("help-open"),
            Keyword::Close => msg!("help-close"),
            Keyword::Status => msg!("help-status"),
            Keyword::Info => msg!("help-info"),
            Keyword::Verify => msg!("help-verify"),
            Keyword::Decision => msg!("help-decision"),
            Keyword::Action => msg!("help-action"),
            Keyword::Done => msg!("help-done"),
            Keyword::Proc => msg!("help-proc"),
            Keyword::Skip => msg!("help-skip"),
            Keyword::Assign => msg!("help-assign"),
            Keyword::Actions => msg!("help-actions"),
            Keyword::Point => msg!("help-point"),
            Keyword::Clocks => msg!("help-clocks"),
            Keyword::Handover => msg!("help-handover"),
            Keyword::Invite => msg!("help-invite"),
            Keyword::Export => msg!("help-export"),
            Keyword::Ack => msg!("help-ack"),
            Keyword::Comcheck => msg!("help-comcheck"),
            Keyword::Role => msg!("help-role"),
            Keyword::Correct => msg!("help-correct"),
            Keyword::Paper => msg!("help-paper"),
            Keyword::Link => msg!("help-link"),
            Keyword::Accept => msg!("help-accept"),
            Keyword::Decline => msg!("help-decline"),
            Keyword::Mode => msg!("help-mode"),
            Keyword::Debex => msg!("help-debex"),
            Keyword::Finex => msg!("help-finex"),
            Keyword::Pause => msg!("help-pause"),
            Keyword::Resume => msg!("help-resume"),
            Keyword::Inject => msg!("help-inject"),
            Keyword::Delay => msg!("help-delay"),
            Keyword::Adhoc => msg!("help-adhoc"),
            Keyword::Chrono => msg!("help-chrono"),
            Keyword::Expected => msg!("help-expected"),
            Keyword::Obs => msg!("help-obs"),
            Keyword::Retex => msg!("help-retex"),
            Keyword::Improve => msg!("help-improve"),
            Keyword::Objective => msg!("help-objective"),
            Keyword::Synthesis => msg!("help-synthesis"),
            Keyword::Note => msg!("help-note"),
            Keyword::Relate => msg!("help-relate"),
            Keyword::Plan => msg!("help-plan"),
        };
        Speech::from(prefix).then(line)
    }
}

/// A refusal shown to the user: one line of reason, then the help line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Speech,
    pub help: Option<Speech>,
}

impl Refusal {
    pub fn render(self) -> Speech {
        match self.help {
            Some(help) => self.reason.then("\n").then(help),
            None => self.reason,
        }
    }
}

/// Parses one message. `None`: not a command. `roles`: the open playbook's role ids,
/// so that `!action … dsi` reads `dsi` as an owner.
/// The keyword of a command and its arguments as typed (`!info  texte` →
/// `Info`, `"info"`, `"texte"`), if the text is a known command.
pub fn keyword_of<'t>(text: &'t str, prefix: &str) -> Option<(Keyword, &'t str, &'t str)> {
    let rest = text.trim_start().strip_prefix(prefix)?;
    if rest.chars().next()?.is_whitespace() {
        return None;
    }
    let (word, args) = split_word(rest);
    Keyword::lookup(&fold(word)).map(|k| (k, word, args.trim()))
}

pub fn parse(text: &str, prefix: &str, roles: &[&str]) -> Option<Result<Command, Refusal>> {
    let trimmed = text.trim_start();
    let rest = trimmed.strip_prefix(prefix)?;
    // "!" alone, or "! text": not a command.
    let first = rest.chars().next()?;
    if first.is_whitespace() {
        return None;
    }
    let (word, args) = split_word(rest);
    let folded = fold(word);
    let Some(keyword) = Keyword::lookup(&folded) else {
        return Some(Err(unknown(word, &folded, prefix)));
    };
    let help = || Some(keyword.help(prefix));
    if let Some(problem) = check_text(args.trim()) {
        return Some(Err(Refusal {
            reason: problem.into(),
            help: None,
        }));
    }
    let args = args.trim();
    let res: Result<Command, Problem> = match keyword {
        Keyword::Help => return Some(parse_help(args, prefix)),
        Keyword::Open => parse_open(args),
        Keyword::Close => no_args(args, Command::Close),
        Keyword::Status => no_args(args, Command::Status),
        Keyword::Info => parse_info(args),
        Keyword::Verify => parse_verify(args),
        Keyword::Decision => parse_decision(args),
        Keyword::Action => parse_action(args, roles),
        Keyword::Done => parse_done(args),
        Keyword::Role => parse_role(args),
        Keyword::Correct => parse_correct(args),
        Keyword::Proc => parse_proc(args),
        // `passer i05 [raison]`: an inject rather than a procedure step.
        Keyword::Skip if !split_word(args).0.contains('.') && !args.is_empty() => {
            parse_skip_inject(args)
        }
        Keyword::Skip | Keyword::Assign => parse_step_target(args, keyword),
        Keyword::Actions => no_args(args, Command::Actions),
        Keyword::Clocks => parse_clock_command(args),
        Keyword::Ack => no_args(args, Command::Ack),
        Keyword::Point => parse_point(args),
        Keyword::Handover => parse_handover(args),
        Keyword::Invite => parse_invite(args),
        Keyword::Comcheck => Ok(Command::Comcheck(
            (!args.is_empty()).then(|| args.to_owned()),
        )),
        Keyword::Export => parse_export(args),
        Keyword::Paper => parse_paper(args),
        Keyword::Link => parse_link(args),
        Keyword::Accept => no_args(args, Command::AcceptLink),
        Keyword::Decline => no_args(args, Command::DeclineLink),
        Keyword::Mode => parse_mode(args),
        Keyword::Debex => no_args(args, Command::Debex),
        Keyword::Finex => no_args(args, Command::Finex),
        Keyword::Pause => no_args(args, Command::Pause),
        Keyword::Resume => no_args(args, Command::Resume),
        Keyword::Chrono => no_args(args, Command::Chrono),
        Keyword::Inject => parse_inject(args),
        Keyword::Delay => parse_delay(args),
        Keyword::Adhoc => parse_adhoc(args, roles),
        Keyword::Expected => parse_expected(args),
        Keyword::Obs => parse_obs(args),
        Keyword::Retex => parse_retex(args),
        Keyword::Improve => parse_improvement(args, roles),
        Keyword::Objective => parse_objective(args),
        Keyword::Synthesis => parse_synthesis(args),
        Keyword::Note => parse_note(args),
        Keyword::Relate => parse_relate(args),
        Keyword::Plan => parse_plan(args),
    };
    Some(res.map_err(|reason| Refusal {
        reason: reason.into(),
        help: help(),
    }))
}

/// `!aide [commande]`.
fn parse_help(args: &str, prefix: &str) -> Result<Command, Refusal> {
    let topic = args.trim_start_matches(prefix);
    if topic.is_empty() {
        Ok(Command::Help(None))
    } else {
        match Keyword::lookup(&fold(topic)) {
            Some(k) => Ok(Command::Help(Some(k))),
            None => Err(unknown(topic, &fold(topic), prefix)),
        }
    }
}

/// The arguments of `!ouvrir`.
fn parse_open(args: &str) -> Result<Command, Problem> {
    let mut words = args.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (None, ..) => Err(msg!("cmd-which-playbook-should-be")),
        (Some(pb), mode, None) => match mode.map(fold).as_deref() {
            None | Some("reel" | "real") => Ok(Command::Open {
                playbook: pb.to_lowercase(),
                exercise: false,
            }),
            Some("exercice" | "exercise") => Ok(Command::Open {
                playbook: pb.to_lowercase(),
                exercise: true,
            }),
            Some(_) => Err(msg!("cmd-after-playbook-only-exercise")),
        },
        _ => Err(msg!("cmd-too-many-words-one")),
    }
}

/// The arguments of `!info`.
fn parse_info(args: &str) -> Result<Command, Problem> {
    if args.is_empty() {
        Err(msg!("cmd-information-text-missing"))
    } else {
        Ok(Command::Info {
            text: args.to_owned(),
        })
    }
}

/// The arguments of `!consigner`.
fn parse_note(args: &str) -> Result<Command, Problem> {
    if args.is_empty() {
        Err(msg!("cmd-note-text-missing"))
    } else {
        Ok(Command::Note {
            text: args.to_owned(),
        })
    }
}

/// The arguments of `!vérifier`.
fn parse_verify(args: &str) -> Result<Command, Problem> {
    let (target, status) = split_word(args);
    if target.is_empty() {
        Err(msg!("cmd-information-reference-missing-i3"))
    } else {
        match parse_verification(status) {
            Some(status) => Ok(Command::Verify {
                target: target.to_uppercase(),
                status,
            }),
            None if status.trim().is_empty() => Err(msg!("cmd-status-missing-confirmed-refuted")),
            None => Err(msg!("cmd-unknown-status-confirmed-refuted")),
        }
    }
}

/// The arguments of `!décision`.
fn parse_decision(args: &str) -> Result<Command, Problem> {
    let (args, by, trigger) = attribution(args);
    let (text, rationale) = split_rationale(&args);
    if text.is_empty() {
        Err(msg!("cmd-decision-text-missing"))
    } else {
        Ok(Command::Decision {
            text,
            rationale,
            by,
            trigger,
        })
    }
}

/// Who decided and what it answers, taken out of a decision's words:
/// `… par @dg:chu.fr suite à I3` (or `by @…`, `after I3`, `following I3`),
/// anywhere after the decision's text.
fn attribution(args: &str) -> (String, Option<String>, Option<String>) {
    let words: Vec<&str> = args.split_whitespace().collect();
    let bare = |w: &str| w.trim_end_matches(['.', ',', ';', ')']).to_owned();
    let (mut by, mut trigger) = (None, None);
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = fold(words[i]);
        let next = words.get(i + 1).copied().unwrap_or("");
        let after_next = words.get(i + 2).copied().unwrap_or("");
        if (word == "par" || word == "by")
            && next.len() > 1
            && next.starts_with('@')
            && by.is_none()
        {
            by = Some(bare(next));
            i += 2;
        } else if word == "suite"
            && fold(next) == "a"
            && is_target(&bare(after_next))
            && trigger.is_none()
        {
            trigger = Some(bare(after_next));
            i += 3;
        } else if (word == "after" || word == "following")
            && is_target(&bare(next))
            && trigger.is_none()
        {
            trigger = Some(bare(next));
            i += 2;
        } else {
            kept.push(words[i]);
            i += 1;
        }
    }
    if by.is_none() && trigger.is_none() {
        return (args.to_owned(), None, None);
    }
    (kept.join(" "), by, trigger)
}

/// An entry reference (`I3`, `D2`, `N1`…) or an inject id (`i05`, `x1`).
fn is_target(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.len() > 1
        && s.len() <= 12
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
        && s.chars().any(|c| c.is_ascii_digit())
}

/// An item of the improvement plan moved on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanMove {
    pub item: String,
    pub state: PlanState,
    pub note: Option<String>,
}

/// The arguments of `!plan`: nothing, or `P3 <état> [preuve, raison…]`.
fn parse_plan(args: &str) -> Result<Command, Problem> {
    let (item, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    if item.is_empty() {
        return Ok(Command::Plan(None));
    }
    if !is_target(item) {
        return Err(msg!("cmd-plan-usage"));
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
    let two = folded
        .iter()
        .take(2)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    let first = folded.first().map_or("", String::as_str);
    let (state, used) = match (first, two.as_str()) {
        (_, "a faire" | "to do") => (PlanState::Todo, 2),
        (_, "en cours" | "in progress") => (PlanState::InProgress, 2),
        ("todo" | "rouvert" | "reopened", _) => (PlanState::Todo, 1),
        ("doing" | "started" | "commence", _) => (PlanState::InProgress, 1),
        ("fait" | "done" | "termine" | "closed", _) => (PlanState::Done, 1),
        ("abandonne" | "dropped" | "abandoned", _) => (PlanState::Dropped, 1),
        _ => return Err(msg!("cmd-plan-usage")),
    };
    let note = words
        .get(used..)
        .map(|w| w.join(" "))
        .filter(|n| !n.is_empty());
    Ok(Command::Plan(Some(PlanMove {
        item: item.to_uppercase(),
        state,
        note,
    })))
}

/// The arguments of `!lier`.
fn parse_relate(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [from, to] if is_target(from) && is_target(to) => Ok(Command::Relate {
            from: from.to_uppercase(),
            to: to.to_owned(),
        }),
        _ => Err(msg!("cmd-relate-two-references")),
    }
}

/// The arguments of `!fait`.
fn parse_done(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [target] if target.contains('.') => match target
            .rsplit_once('.')
            .map(|(p, n)| (p.to_lowercase(), n.parse::<usize>()))
        {
            Some((procedure, Ok(step))) if step > 0 && !procedure.is_empty() => {
                Ok(Command::StepDone { procedure, step })
            }
            _ => Err(msg!("cmd-unreadable-step-write-procedure")),
        },
        [target] => Ok(Command::Done {
            target: if is_reference(target) {
                target.to_uppercase()
            } else {
                target.to_lowercase()
            },
        }),
        [] => Err(msg!("cmd-action-reference-missing-a2")),
        _ => Err(msg!("cmd-one-action-reference-only")),
    }
}

/// The arguments of `!horloge`: none (the list), a clock, then what to do with it.
fn parse_clock_command(args: &str) -> Result<Command, Problem> {
    let (clock, rest) = split_word(args);
    if clock.is_empty() {
        return Ok(Command::Clocks);
    }
    let clock = clock.to_lowercase();
    let (verb, rest) = split_word(rest);
    let rest = rest.trim();
    match fold(verb).as_str() {
        "" => Ok(Command::Clock(clock)),
        "depuis" | "since" | "from" | "des" => Ok(Command::ClockFrom {
            clock,
            from: parse_since(rest)?,
        }),
        "activer" | "activate" | "active" | "on" => {
            let (word, when) = split_word(rest);
            let from = match fold(word).as_str() {
                "" => None,
                "depuis" | "since" | "from" | "des" => Some(parse_since(when.trim())?),
                _ => return Err(msg!("cmd-clock-activate-since")),
            };
            Ok(Command::ClockActivate { clock, from })
        }
        "arreter" | "arret" | "stop" | "desactiver" | "deactivate" | "off" => {
            Ok(Command::ClockStop {
                clock,
                reason: (!rest.is_empty()).then(|| rest.to_owned()),
            })
        }
        _ => Err(msg!("cmd-clock-what")),
    }
}

/// `14:30`, `28/11 14:30`, or an entry reference (`I7`).
fn parse_since(args: &str) -> Result<Since, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        // An information, decision or action, or a message (N) or file (F) put on record.
        [entry] if is_reference(entry) || is_record_reference(entry) => {
            Ok(Since::Entry(entry.to_uppercase()))
        }
        [time] => parse_clock(time)
            .map(Since::At)
            .ok_or(msg!("cmd-clock-since-unreadable")),
        [date, time] => {
            let (day, month) = date
                .split_once('/')
                .and_then(|(d, m)| Some((d.parse::<u32>().ok()?, m.parse::<u32>().ok()?)))
                .filter(|(d, m)| NaiveDate::from_ymd_opt(2024, *m, *d).is_some())
                .ok_or(msg!("cmd-clock-since-unreadable"))?;
            let time = parse_clock(time).ok_or(msg!("cmd-clock-since-unreadable"))?;
            Ok(Since::On { day, month, time })
        }
        _ => Err(msg!("cmd-clock-since-unreadable")),
    }
}

/// The arguments of `!rôle`.
fn parse_role(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [role, user] if user.starts_with('@') && user.len() > 1 => Ok(Command::Role {
            role: role.to_lowercase(),
            user: user.to_owned(),
        }),
        [_, _] => Err(msg!("cmd-write-person-with-alice")),
        _ => Err(msg!("cmd-role-then-person")),
    }
}

/// The arguments of `!corriger`.
fn parse_correct(args: &str) -> Result<Command, Problem> {
    let (target, text) = split_word(args);
    let text = text.trim();
    if target.is_empty() {
        Err(msg!("cmd-reference-correct-missing-d1"))
    } else if text.is_empty() {
        Err(msg!("cmd-corrected-text-missing"))
    } else {
        Ok(Command::Correct {
            target: target.to_uppercase(),
            text: text.to_owned(),
        })
    }
}

/// The arguments of `!proc`.
fn parse_proc(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [] => Ok(Command::Proc(None)),
        [id] => Ok(Command::Proc(Some(id.to_lowercase()))),
        _ => Err(msg!("cmd-one-procedure-at-time")),
    }
}

/// The arguments of `!passer`.
fn parse_skip_inject(args: &str) -> Result<Command, Problem> {
    let (target, rest) = split_word(args);
    let rest = rest.trim();
    Ok(Command::SkipInject {
        inject: target.to_lowercase(),
        reason: (!rest.is_empty()).then(|| rest.to_owned()),
    })
}

/// The arguments of `!passer`/`!assigner`.
fn parse_step_target(args: &str, keyword: Keyword) -> Result<Command, Problem> {
    let (target, rest) = split_word(args);
    let rest = rest.trim();
    let step = target
        .rsplit_once('.')
        .map(|(p, n)| (p.to_lowercase(), n.parse::<usize>()));
    match (keyword, step) {
        (_, Some((procedure, Ok(step)))) if step > 0 && !procedure.is_empty() => match keyword {
            Keyword::Skip if rest.is_empty() => Err(msg!("cmd-skipping-step-needs-reason")),
            Keyword::Skip => Ok(Command::Skip {
                procedure,
                step,
                reason: rest.to_owned(),
            }),
            _ if rest.starts_with('@') && rest.len() > 1 && !rest.contains(char::is_whitespace) => {
                Ok(Command::Assign {
                    procedure,
                    step,
                    user: rest.to_owned(),
                })
            }
            _ => Err(msg!("cmd-write-person-with-alice")),
        },
        _ => Err(msg!("cmd-unreadable-step-write-procedure")),
    }
}

/// The arguments of `!point`.
fn parse_point(args: &str) -> Result<Command, Problem> {
    let words: Vec<String> = args.split_whitespace().map(fold).collect();
    match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => Ok(Command::Point(None)),
        ["arret" | "off" | "stop" | "aucun" | "none"] => {
            Ok(Command::Point(Some(TimeDelta::zero())))
        }
        ["toutes" | "tous" | "every" | "chaque", d] | [d] => match parse_duration(d) {
            Some(d) if d >= TimeDelta::minutes(15) => Ok(Command::Point(Some(d))),
            Some(_) => Err(msg!("cmd-at-least-15-minutes")),
            None => Err(msg!("cmd-unreadable-cadence-write-for")),
        },
        _ => Err(msg!("cmd-unreadable-cadence-write-for")),
    }
}

/// The arguments of `!relève`.
fn parse_handover(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [user] if user.starts_with('@') && user.len() > 1 => Ok(Command::Handover {
            to: user.to_owned(),
        }),
        _ => Err(msg!("cmd-hand-over-whom-handover")),
    }
}

/// The arguments of `!inviter`: one full Matrix user id, `@localpart:server`.
fn parse_invite(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [] => Err(msg!("cmd-invite-whom")),
        [user] if user.starts_with('@') && !user.contains(':') => {
            Err(msg!("cmd-invite-needs-server", user))
        }
        [user] if is_user_id(user) => Ok(Command::Invite {
            user: user.to_owned(),
        }),
        [user] => Err(msg!("cmd-invite-unreadable", user)),
        _ => Err(msg!("cmd-invite-one-person")),
    }
}

/// A Matrix user id as the spec reads it: `@`, a localpart of the (historical)
/// printable characters without `:`, then a server name (host, optional port).
pub fn is_user_id(s: &str) -> bool {
    let Some((local, server)) = s.strip_prefix('@').and_then(|r| r.split_once(':')) else {
        return false;
    };
    let (host, port) = match server.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, Some(p)),
        _ => (server, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[') {
        v6.strip_suffix(']').is_some_and(|a| {
            !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        })
    } else {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    !local.is_empty()
        && local.chars().all(|c| c.is_ascii_graphic() && c != ':')
        && host_ok
        && port_ok
        && s.len() <= 255
}

/// The arguments of `!export`.
fn parse_export(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [] => Ok(Command::Export(None)),
        [f] if let Some(format) = ExportFormat::parse(f) => Ok(Command::Export(Some(format))),
        _ => Err(msg!("cmd-unknown-format-html-md")),
    }
}

/// The arguments of `!animer`.
fn parse_link(args: &str) -> Result<Command, Problem> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let auto = match words.get(2).map(|w| fold(w)).as_deref() {
        None | Some("auto") => Some(true),
        Some("manuel" | "manual") => Some(false),
        Some(_) => None,
    };
    match (words.len(), auto) {
        (2 | 3, Some(auto)) => Ok(Command::Link {
            target: words[0].to_owned(),
            scenario: words[1].to_lowercase(),
            auto,
            site: None,
        }),
        _ => Err(msg!("cmd-give-players-crisis-room")),
    }
}

/// The arguments of `!mode`.
fn parse_mode(args: &str) -> Result<Command, Problem> {
    match fold(args).as_str() {
        "auto" => Ok(Command::Mode(true)),
        "manuel" | "manual" => Ok(Command::Mode(false)),
        _ => Err(msg!("cmd-mode-auto-manual")),
    }
}

/// The arguments of `!inject`.
fn parse_inject(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [] => Ok(Command::Inject(None)),
        [id] => Ok(Command::Inject(Some(id.to_lowercase()))),
        _ => Err(msg!("cmd-one-inject-at-time")),
    }
}

/// The arguments of `!retarder`.
fn parse_delay(args: &str) -> Result<Command, Problem> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let (inject, amount) = match words[..] {
        [d] => (None, d),
        [id, d] => (Some(id.to_lowercase()), d),
        _ => (None, ""),
    };
    match parse_duration(amount) {
        Some(by) if by > TimeDelta::zero() && by <= TimeDelta::hours(12) => {
            Ok(Command::Delay { inject, by })
        }
        _ => Err(msg!("cmd-unreadable-delay-write-for")),
    }
}

/// The arguments of `!attendu`.
fn parse_expected(args: &str) -> Result<Command, Problem> {
    match args.split_whitespace().collect::<Vec<_>>()[..] {
        [id, answer] => match fold(answer).as_str() {
            "oui" | "yes" | "atteint" | "atteinte" | "met" | "ok" => Ok(Command::Expected {
                inject: id.to_lowercase(),
                met: true,
            }),
            "non" | "no" | "manque" | "missed" => Ok(Command::Expected {
                inject: id.to_lowercase(),
                met: false,
            }),
            _ => Err(msg!("cmd-answer-yes-no")),
        },
        _ => Err(msg!("cmd-inject-then-yes-no")),
    }
}

/// The arguments of `!obs`.
fn parse_obs(args: &str) -> Result<Command, Problem> {
    if args.is_empty() {
        Err(msg!("cmd-observation-text-missing"))
    } else {
        Ok(Command::Obs(args.to_owned()))
    }
}

/// The arguments of `!retex`.
fn parse_retex(args: &str) -> Result<Command, Problem> {
    Ok(Command::Retex(match fold(args).as_str() {
        "" => RetexArg::Start,
        "suivant" | "next" | "suite" => RetexArg::Next,
        "fin" | "end" | "terminer" | "stop" => RetexArg::End,
        _ => RetexArg::Say(args.to_owned()),
    }))
}

/// The arguments of `!objectif`: `o1 atteint|partiellement|non atteint [commentaire]`.
fn parse_objective(args: &str) -> Result<Command, Problem> {
    if args.is_empty() {
        return Ok(Command::Objective(None));
    }
    let (objective, rest) = split_word(args);
    let (word, after) = split_word(rest);
    // `partiellement atteint`, `non atteint`, `not met`: the second word is part of the judgement.
    let second = |after: &'_ str| -> usize {
        let (next, _) = split_word(after);
        let folded = fold(next);
        let folded = folded.trim_end_matches([':', ',', '.']);
        if matches!(folded, "atteint" | "atteinte" | "met") {
            after.len() - after.trim_start().len() + next.len()
        } else {
            0
        }
    };
    let folded = fold(word);
    let (result, skip) = match folded.trim_end_matches([':', ',', '.']) {
        "atteint" | "atteinte" | "met" | "oui" | "yes" => (Attainment::Met, 0),
        "partiellement" | "partiel" | "partielle" | "partly" | "partially" | "partial" => {
            (Attainment::Partly, second(after))
        }
        "non" | "not" | "no" => (Attainment::NotMet, second(after)),
        "non-atteint" | "non-atteinte" | "not-met" | "manque" | "missed" => (Attainment::NotMet, 0),
        "" => return Err(msg!("cmd-objective-judgement-missing")),
        _ => return Err(msg!("cmd-objective-judgement-unknown")),
    };
    let comment = after[skip..].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '-' | '—' | ',' | '.')
    });
    let comment = comment.trim_end();
    Ok(Command::Objective(Some(Judgement {
        objective: objective.to_lowercase(),
        result,
        comment: (!comment.is_empty()).then(|| comment.to_owned()),
    })))
}

/// The arguments of `!synthèse`: `forces|axes <texte>`.
fn parse_synthesis(args: &str) -> Result<Command, Problem> {
    if args.is_empty() {
        return Ok(Command::Synthesis(None));
    }
    let (word, text) = split_word(args);
    let folded = fold(word);
    let part = match folded.trim_end_matches(':') {
        "forces" | "force" | "strengths" | "strength" => SynthesisPart::Strength,
        "axes" | "axe" | "ameliorations" | "amelioration" | "improvements" | "improve"
        | "areas" => SynthesisPart::ToImprove,
        _ => return Err(msg!("cmd-synthesis-part")),
    };
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '—'));
    let text = text.trim_end();
    if text.is_empty() {
        Err(msg!("cmd-synthesis-text-missing"))
    } else {
        Ok(Command::Synthesis(Some((part, text.to_owned()))))
    }
}

/// `téléphone dsi Biologiste de garde : Le labo n'a plus de réactifs`.
fn parse_adhoc(args: &str, roles: &[&str]) -> Result<Command, Problem> {
    let (channel, rest) = split_word(args);
    let channel = Channel::parse(channel).ok_or(msg!("cmd-unknown-channel-mail-phone"))?;
    let (maybe_role, after_role) = split_word(rest);
    let (to, rest) = if roles.contains(&maybe_role.to_lowercase().as_str()) {
        (Some(maybe_role.to_lowercase()), after_role)
    } else {
        (None, rest)
    };
    let Some((from, text)) = rest.split_once(':') else {
        return Err(msg!("cmd-separate-persona-from-text"));
    };
    let (from, text) = (from.trim(), text.trim());
    if from.is_empty() || text.is_empty() {
        return Err(msg!("cmd-persona-text-needed"));
    }
    Ok(Command::Adhoc {
        channel,
        to,
        from: from.to_owned(),
        text: text.to_owned(),
    })
}

/// `Former les cadres au mode dégradé @alice avant 31/01/2027`.
fn parse_improvement(args: &str, roles: &[&str]) -> Result<Command, Problem> {
    let mut words: Vec<&str> = args.split_whitespace().collect();
    let mut due = None;
    // `avant 31/01/2027`; « avant diffusion » or « le PCA » stay part of the text.
    if words.len() >= 2
        && matches!(
            fold(words[words.len() - 2]).as_str(),
            "avant" | "by" | "before" | "pour" | "le"
        )
        && let Some(date) = parse_date(words[words.len() - 1])
    {
        due = Some(date);
        words.truncate(words.len() - 2);
    }
    let mut owner = None;
    if let Some(last) = words.last()
        && words.len() >= 2
        && ((last.starts_with('@') && last.len() > 1) || roles.contains(last))
    {
        owner = Some((*last).to_owned());
        words.pop();
    }
    if words.is_empty() {
        return Err(msg!("cmd-improvement-text-missing"));
    }
    Ok(Command::Improve {
        text: words.join(" "),
        owner,
        due,
    })
}

/// `31/01/2027`, `31/01/27`, `2027-01-31`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim_end_matches(['.', ',']);
    let plausible = |d: &NaiveDate| (2000..2100).contains(&chrono::Datelike::year(d));
    let full = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(plausible);
    // `31/01/27`: a two-digit year is this century's.
    let short = || {
        let (rest, yy) = s.rsplit_once('/')?;
        (yy.len() == 2)
            .then(|| NaiveDate::parse_from_str(&format!("{rest}/20{yy}"), "%d/%m/%Y").ok())
            .flatten()
    };
    full.or_else(short)
}

fn no_args(args: &str, cmd: Command) -> Result<Command, Problem> {
    if args.is_empty() {
        Ok(cmd)
    } else {
        Err(msg!("cmd-no-argument"))
    }
}

fn unknown(word: &str, folded: &str, prefix: &str) -> Refusal {
    let names: Vec<&str> = KEYWORDS
        .iter()
        .flat_map(|(_, n)| n.iter().copied())
        .collect();
    let near = names
        .iter()
        .map(|n| (strsim::levenshtein(folded, n), *n))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d);
    let shown: String = word.chars().take(30).collect();
    let command = format!("{prefix}{shown}");
    let reason = match near {
        Some((_, n)) => msg!(
            "cmd-unknown-did-you-mean",
            command,
            near = format!("{prefix}{n}")
        ),
        None => msg!("cmd-unknown", command),
    };
    let help = match near.and_then(|(_, n)| Keyword::lookup(n)) {
        Some(k) => k.help(prefix),
        None => msg!("cmd-type-help", p = prefix).into(),
    };
    Refusal {
        reason: reason.into(),
        help: Some(help),
    }
}

/// Refuses text that would corrupt the log's readability: control characters and oversize pastes.
fn check_text(args: &str) -> Option<Message> {
    if let Some(c) = args.chars().find(|c| is_forbidden_control(*c)) {
        let code = format!("U+{:04X}", c as u32);
        return Some(msg!("cmd-control-character", code));
    }
    let n = args.chars().count();
    if n > MAX_TEXT_CHARS {
        return Some(msg!("cmd-text-too-long", n, max = MAX_TEXT_CHARS));
    }
    None
}

/// C0 and C1 controls other than tab and newline (and carriage return, which chat clients send).
pub fn is_forbidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || c == '\u{7f}'
}

/// `I3`, `a12`: an entry reference rather than a clock id.
fn is_reference(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| "IDACidac".contains(c))
        && s.len() > 1
        && chars.all(|c| c.is_ascii_digit())
}

/// `N3`, `F1`: a message or a file put on record.
fn is_record_reference(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| "NFnf".contains(c))
        && s.len() > 1
        && chars.all(|c| c.is_ascii_digit())
}

/// Splits off the first whitespace-delimited word.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

fn split_rationale(args: &str) -> (String, Option<String>) {
    match args.split_once("--") {
        Some((text, why)) => {
            let why = why.trim();
            (
                text.trim().to_owned(),
                (!why.is_empty()).then(|| why.to_owned()),
            )
        }
        None => (args.trim().to_owned(), None),
    }
}

fn parse_verification(s: &str) -> Option<Verification> {
    let f = fold(s.trim());
    let f: String = f.split_whitespace().collect::<Vec<_>>().join(" ");
    match f.as_str() {
        "confirmee" | "confirme" | "confirmed" | "ok" | "verifiee" | "verified" => {
            Some(Verification::Confirmed)
        }
        "infirmee" | "infirme" | "refuted" | "false" | "fausse" => Some(Verification::Refuted),
        "en cours" | "encours" | "checking" | "in progress" => Some(Verification::Checking),
        "a verifier" | "to check" => Some(Verification::ToCheck),
        _ => None,
    }
}

/// Parses `HH:MM`, `HHhMM`, `HHh`.
pub fn parse_clock(s: &str) -> Option<NaiveTime> {
    let s = s.trim().to_ascii_lowercase();
    let (h, m) = match s.split_once([':', 'h']) {
        Some((h, "")) => (h, "0"),
        Some((h, m)) => (h, m),
        None => return None,
    };
    if h.is_empty()
        || h.len() > 2
        || m.len() > 2
        || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Why a command's arguments do not parse.
type Problem = Message;

fn parse_action(args: &str, roles: &[&str]) -> Result<Command, Problem> {
    let mut words: Vec<&str> = args.split_whitespace().collect();
    let mut due = None;
    if words.len() >= 2 {
        let marker = fold(words[words.len() - 2]);
        let value = words[words.len() - 1];
        match marker.as_str() {
            "a" | "by" | "avant" | "before" => {
                let t = parse_clock(value).ok_or(msg!("cmd-unreadable-time-after-by"))?;
                due = Some(DueSpec::At(t));
            }
            "dans" | "in" => {
                let d = parse_duration(value)
                    .filter(|d| *d > TimeDelta::zero())
                    .ok_or(msg!("cmd-unreadable-delay-after-in"))?;
                due = Some(DueSpec::In(d));
            }
            _ => {}
        }
        if due.is_some() {
            words.truncate(words.len() - 2);
        }
    }
    let mut owner = None;
    if let Some(last) = words.last() {
        let folded = fold(last);
        if let Some(name) = last.strip_prefix('@') {
            let name_folded = fold(name);
            owner = Some(if name_folded == "moi" || name_folded == "me" {
                OwnerSpec::Me
            } else if roles.contains(&name_folded.as_str()) {
                OwnerSpec::Role(name_folded)
            } else if name.is_empty() {
                return Err(msg!("cmd-lone-names-nobody"));
            } else {
                OwnerSpec::User((*last).to_owned())
            });
        } else if words.len() > 1 && roles.contains(&folded.as_str()) {
            owner = Some(OwnerSpec::Role(folded));
        }
        if owner.is_some() {
            words.pop();
        }
    }
    if words.is_empty() {
        return Err(msg!("cmd-action-text-missing"));
    }
    Ok(Command::Action {
        text: words.join(" "),
        owner,
        due,
    })
}

fn parse_paper(args: &str) -> Result<Command, Problem> {
    let (time, rest) = split_word(args);
    if time.is_empty() {
        return Err(msg!("cmd-time-paper-note-missing"));
    }
    let time = parse_clock(time).ok_or(msg!("cmd-unreadable-time-write-hh"))?;
    let (kind, text) = split_word(rest);
    let kind = match fold(kind).as_str() {
        "info" | "information" => PaperKind::Info,
        "decision" => PaperKind::Decision,
        "action" => PaperKind::Action,
        "" => {
            return Err(msg!("cmd-type-missing-info-decision"));
        }
        _ => {
            return Err(msg!("cmd-unknown-type-info-decision"));
        }
    };
    let (text, rationale) = match kind {
        PaperKind::Decision => split_rationale(text),
        _ => (text.trim().to_owned(), None),
    };
    if text.is_empty() {
        return Err(msg!("cmd-text-note-missing"));
    }
    Ok(Command::Paper {
        time,
        kind,
        text,
        rationale,
    })
}
