//! The paper kit's view model: a playbook made printable, for when the IT is down.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lang::Lang;
use crate::playbook::{Playbook, ProcedureKind, format_duration};

#[derive(Debug, Serialize)]
pub struct KitView {
    pub lang: &'static str,
    pub t: BTreeMap<&'static str, &'static str>,
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
}

#[derive(Debug, Serialize)]
pub struct KitProcedure {
    pub id: String,
    pub title: String,
    pub service: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub steps: Vec<KitStep>,
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
}

#[derive(Debug, Serialize)]
pub struct KitClock {
    pub id: String,
    pub title: String,
    pub due: String,
    pub warn: String,
    pub owner: String,
    pub tags: Vec<String>,
}

#[expect(clippy::too_many_lines, reason = "not yet split (issue 11)")]
pub fn build(playbook: &Playbook, lang: Lang) -> KitView {
    let pairs: &[(&str, &str, &str)] = &[
        ("kit", "Kit papier", "Paper kit"),
        (
            "intro",
            "À imprimer à l'avance et à garder dans chaque service : il sert quand l'informatique est coupée. Ce qui est noté sur papier se ressaisit ensuite avec « !papier HH:MM info|décision|action … ».",
            "Print in advance and keep in every unit: it is for when the IT is down. What is written on paper is re-entered later with \"!paper HH:MM info|decision|action …\".",
        ),
        ("reflexes", "Fiches réflexes", "Reflex sheets"),
        (
            "procedures",
            "Procédures en mode dégradé",
            "Degraded-mode procedures",
        ),
        ("service", "Service", "Service"),
        ("owner", "Responsable", "Owner"),
        (
            "done_by",
            "Fait à (heure) / par (initiales)",
            "Done at (time) / by (initials)",
        ),
        ("within", "dans les", "within"),
        ("log", "Main courante papier", "Paper log"),
        (
            "sheet",
            "Feuille n° ____  ·  Cellule : ______________  ·  Date : ____/____/______",
            "Sheet # ____  ·  Cell: ______________  ·  Date: ____/____/______",
        ),
        ("time", "Heure", "Time"),
        ("author", "Auteur", "Author"),
        ("type", "Type (I/D/A)", "Type (I/D/A)"),
        ("text", "Texte", "Text"),
        ("initials", "Visa", "Initials"),
        ("roles", "Fiches de rôle", "Role cards"),
        (
            "holder",
            "Titulaire : ______________________  de ____h____  à ____h____",
            "Holder: ______________________  from ____:____  to ____:____",
        ),
        ("clocks", "Horloges réglementaires", "Regulatory clocks"),
        (
            "from_opening",
            "après l'ouverture de la crise",
            "after the crisis opens",
        ),
        ("warn", "Alertes à", "Warnings at"),
        (
            "opened_at",
            "Crise ouverte le ____/____ à ____h____ → échéance le ____/____ à ____h____",
            "Crisis opened on ____/____ at ____:____ → deadline on ____/____ at ____:____",
        ),
        ("contacts", "Annuaire de crise", "Crisis directory"),
        ("name", "Nom", "Name"),
        ("function", "Fonction", "Function"),
        ("mobile", "Mobile", "Mobile"),
        ("other", "Autre moyen", "Other means"),
        ("version", "version", "version"),
    ];
    let t = pairs
        .iter()
        .map(|(k, fr, en)| (*k, lang.pick(fr, en)))
        .collect();
    let procedure = |p: &crate::playbook::Procedure| KitProcedure {
        id: p.id.clone(),
        title: p.title.get(lang).to_owned(),
        service: p.service.get(lang).to_owned(),
        owner: playbook
            .role(&p.owner)
            .map_or_else(|| p.owner.clone(), |r| r.title.get(lang).to_owned()),
        tags: p.tags.clone(),
        steps: p
            .steps
            .iter()
            .enumerate()
            .map(|(idx, s)| KitStep {
                n: idx + 1,
                text: s.text.get(lang).to_owned(),
                due: s.due.map(format_duration).unwrap_or_default(),
            })
            .collect(),
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
            .filter(|p| p.kind == ProcedureKind::Reflex)
            .map(procedure)
            .collect(),
        procedures: playbook
            .procedures
            .iter()
            .filter(|p| p.kind == ProcedureKind::Degraded)
            .map(procedure)
            .collect(),
        roles: playbook
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
            })
            .collect(),
        clocks: playbook
            .clocks
            .iter()
            .map(|c| KitClock {
                id: c.id.clone(),
                title: c.title.get(lang).to_owned(),
                due: format_duration(c.due),
                warn: c
                    .warn
                    .iter()
                    .map(|w| format_duration(*w))
                    .collect::<Vec<_>>()
                    .join(", "),
                owner: c
                    .owner
                    .as_ref()
                    .and_then(|o| playbook.role(o))
                    .map(|r| r.title.get(lang).to_owned())
                    .unwrap_or_default(),
                tags: c.tags.clone(),
            })
            .collect(),
        log_rows: (1..=22).collect(),
        contact_rows: (1..=24).collect(),
    }
}
