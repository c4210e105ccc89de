//! The message catalogs: complete, and read exactly as written.

use super::Lang;
use super::catalog::{CatalogFile, Messages};
use super::speech::{Speech, msg};

#[test]
fn the_builtin_catalogs_have_every_message_with_its_variables() {
    if let Err(problems) = Messages::from_files(Vec::new()) {
        panic!("{}", problems.join("\n"));
    }
}

#[test]
fn placeables_are_not_isolated_and_numbers_are_plain() {
    let messages = Messages::builtin();
    let text = messages.format(
        &Lang::fr(),
        &Speech::from("« ").then(msg!("line-too-long", n = 123_456usize, max = 12u64)),
    );
    assert_eq!(
        text,
        "« Ligne ignorée : 123456 octets, au plus 12. Rien n'a été enregistré."
    );
}

#[test]
fn a_file_overrides_messages_and_a_missing_one_is_named() {
    let en = |text: &str| {
        vec![CatalogFile {
            origin: "/etc/tocsin/messages/en.ftl".to_owned(),
            code: "en".to_owned(),
            text: text.to_owned(),
        }]
    };
    let messages = Messages::from_files(en("journal-error = Journal down.\n")).unwrap();
    assert_eq!(
        messages.format(&Lang::en(), &msg!("journal-error").into()),
        "Journal down."
    );
    assert_eq!(
        messages.format(&Lang::en(), &msg!("exercise-marking").into()),
        "EXERCISE"
    );
    let problems = Messages::from_files(en("journal-error = { $oops }\n")).unwrap_err();
    assert_eq!(
        problems,
        ["en.ftl: message `journal-error` uses {$oops}, the French one {}"]
    );
}

#[test]
fn a_file_for_something_that_is_not_a_language_is_named() {
    let problems = Messages::from_files(vec![CatalogFile {
        origin: "messages/brouillon_2.ftl".to_owned(),
        code: "brouillon_2".to_owned(),
        text: String::new(),
    }])
    .unwrap_err();
    assert_eq!(
        problems,
        ["messages/brouillon_2.ftl: `brouillon_2` is not a language code like fr or de"]
    );
}
