//! The facilitators' evaluation, in the animation room: their judgement on
//! each objective (`!objectif o1 atteint …`) and the synthesis of strengths
//! and areas for improvement (`!synthèse forces …`, `!synthèse axes …`).
//! Both are facilitator material: they go to the full report, never to the
//! players' room or the players' edition.

use crate::engine::command::Judgement;
use crate::engine::event::{Event, SynthesisPart};
use crate::engine::state::{Crisis, ExerciseRun};
use crate::engine::{Ctx, Decision, Effect};
use crate::lang::speech::{Speech, msg};
use crate::playbook::scenario::Scenario;

impl Ctx<'_> {
    /// `!objectif`: where the objectives stand; `!objectif o1 atteint [commentaire]`: judge one.
    pub(in crate::engine) fn objective(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        scenario: Option<&Scenario>,
        judgement: Option<Judgement>,
    ) -> Decision {
        if run.started_at.is_none() {
            return Decision::refuse(msg!("exercise-not-started", p = self.p()));
        }
        let Some(sc) = scenario else {
            return Decision::refuse(self.missing_scenario(run));
        };
        let Some(Judgement {
            objective,
            result,
            comment,
        }) = judgement
        else {
            return Decision::reply(self.objective_list(crisis, run, sc));
        };
        if sc.objective(&objective).is_none() {
            let ids: Vec<&str> = sc.objectives.iter().map(|o| o.id.as_str()).collect();
            return Decision::refuse(msg!(
                "objective-unknown",
                objective = &objective,
                objectives = ids.join(", ")
            ));
        }
        let result_words = msg!("attainment", result = result.key());
        let ack = match crisis.assessment(&objective) {
            Some(previous) => msg!(
                "objective-ack-again",
                objective = &objective,
                result = result_words,
                previous = msg!("attainment", result = previous.result.key())
            ),
            None => msg!(
                "objective-ack",
                objective = &objective,
                result = result_words
            ),
        };
        let record = crate::engine::base_record(
            crisis,
            self.input,
            Event::ObjectiveAssessed {
                objective,
                result,
                comment,
            },
        );
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(ack.into())],
        }
    }

    /// Each objective of the scenario with its standing judgement.
    fn objective_list(&self, crisis: &Crisis, run: &ExerciseRun, sc: &Scenario) -> Speech {
        let mut out = Speech::from(msg!("objective-list-head", code_name = &run.code_name));
        for o in &sc.objectives {
            let standing = match crisis.assessment(&o.id) {
                Some(a) => {
                    let mut words = Speech::from(msg!("attainment", result = a.result.key()));
                    if let Some(comment) = &a.comment {
                        words.push(format!(" — {comment}"));
                    }
                    words
                }
                None => msg!("objective-not-assessed").into(),
            };
            out.line(
                Speech::from(format!("  {} — {} : ", o.id, o.text.get(self.lang))).then(standing),
            );
        }
        out
    }

    /// `!synthèse`: the synthesis so far; `!synthèse forces|axes <texte>`: one more line.
    pub(in crate::engine) fn synthesis(
        &self,
        crisis: &Crisis,
        run: &ExerciseRun,
        line: Option<(SynthesisPart, String)>,
    ) -> Decision {
        if run.started_at.is_none() {
            return Decision::refuse(msg!("exercise-not-started", p = self.p()));
        }
        let Some((part, text)) = line else {
            return Decision::reply(self.synthesis_list(crisis));
        };
        let n = crisis.synthesis.iter().filter(|s| s.part == part).count() + 1;
        let record =
            crate::engine::base_record(crisis, self.input, Event::SynthesisNote { part, text });
        Decision {
            records: vec![record],
            effects: vec![Effect::Ack(
                msg!("synthesis-ack", part = part.key(), n).into(),
            )],
        }
    }

    /// The synthesis so far, strengths then areas for improvement.
    fn synthesis_list(&self, crisis: &Crisis) -> Speech {
        if crisis.synthesis.is_empty() {
            return msg!("synthesis-empty", p = self.p()).into();
        }
        let mut out = Speech::default();
        for part in [SynthesisPart::Strength, SynthesisPart::ToImprove] {
            let lines: Vec<&str> = crisis
                .synthesis
                .iter()
                .filter(|s| s.part == part)
                .map(|s| s.text.as_str())
                .collect();
            if !out.is_empty() {
                out.push("\n");
            }
            out.push(msg!("synthesis-part", part = part.key(), n = lines.len()));
            for (idx, text) in lines.iter().enumerate() {
                out.line(format!("  {}. {text}", idx + 1));
            }
        }
        out
    }
}
