//! The message catalogs: complete, and read exactly as written.

use super::Lang;
use super::catalog::Messages;
use super::speech::{Speech, msg};

#[test]
fn the_builtin_catalogs_have_every_message_with_its_variables() {
    if let Err(problems) = Messages::load(None) {
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
fn a_directory_overrides_messages_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("en.ftl"), "journal-error = Journal down.\n").unwrap();
    let messages = Messages::load(Some(dir.path())).unwrap();
    assert_eq!(
        messages.format(&Lang::en(), &msg!("journal-error").into()),
        "Journal down."
    );
    assert_eq!(
        messages.format(&Lang::en(), &msg!("exercise-marking").into()),
        "EXERCISE"
    );
    std::fs::write(dir.path().join("en.ftl"), "journal-error = { $oops }\n").unwrap();
    let problems = Messages::load(Some(dir.path())).unwrap_err();
    assert_eq!(
        problems,
        ["en.ftl: message `journal-error` uses {$oops}, the French one {}"]
    );
}
