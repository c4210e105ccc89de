//! From engine outputs to Matrix messages: notices, reactions, mentions.

use matrix_sdk::ruma::events::Mentions;
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::{OwnedUserId, UserId};

/// A notice (bots speak in `m.notice`), with user ids turned into mentions.
pub fn notice(text: &str) -> RoomMessageEventContent {
    let users = user_ids(text);
    if users.is_empty() {
        return RoomMessageEventContent::notice_plain(text);
    }
    let mut html = String::with_capacity(text.len() + 64);
    for (idx, line) in text.lines().enumerate() {
        if idx > 0 {
            html.push_str("<br>");
        }
        for (w, word) in line.split(' ').enumerate() {
            if w > 0 {
                html.push(' ');
            }
            // `(@bob:chu.fr)`: the holder of a role, as a stimulus names them.
            let rest = word.trim_start_matches('(');
            let open = &word[..word.len() - rest.len()];
            let trimmed = rest.trim_end_matches(['.', ',', ')', ';']);
            match users.iter().find(|u| u.as_str() == trimmed) {
                Some(user) => {
                    html.push_str(open);
                    html.push_str(&format!(
                        "<a href=\"https://matrix.to/#/{}\">{}</a>",
                        user,
                        escape(user.as_str())
                    ));
                    html.push_str(&escape(&rest[trimmed.len()..]));
                }
                None => html.push_str(&escape(word)),
            }
        }
    }
    RoomMessageEventContent::notice_html(text, html).add_mentions(Mentions::with_user_ids(users))
}

/// A notice with a formatted body of its own (a press article, a post), its
/// user ids mentioned.
pub fn notice_formatted(text: &str, html: &str) -> RoomMessageEventContent {
    let users = user_ids(text);
    let content = RoomMessageEventContent::notice_html(text, html);
    if users.is_empty() {
        content
    } else {
        content.add_mentions(Mentions::with_user_ids(users))
    }
}

/// The Matrix user ids that appear in a text.
pub fn user_ids(text: &str) -> Vec<OwnedUserId> {
    let mut ids: Vec<OwnedUserId> = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .map(|w| w.trim_end_matches(['.', ',', ')', ';']))
        .filter(|w| w.starts_with('@') && w.contains(':'))
        .filter_map(|w| UserId::parse(w).ok())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

use tocsin_core::lang::escape_html as escape;

#[cfg(test)]
mod tests {
    use super::{notice, user_ids};

    #[test]
    fn user_ids_in_replies_become_mentions() {
        let text = "A1 — action enregistrée · pour @bob:chu.fr · échéance 04:18.";
        assert_eq!(user_ids(text).len(), 1);
        let content = notice(text);
        let json = serde_json::to_value(&content).unwrap();
        assert_eq!(json["msgtype"], "m.notice");
        assert_eq!(json["m.mentions"]["user_ids"][0], "@bob:chu.fr");
        assert!(
            json["formatted_body"]
                .as_str()
                .unwrap()
                .contains(r#"<a href="https://matrix.to/#/@bob:chu.fr">@bob:chu.fr</a>"#)
        );
        let plain = serde_json::to_value(notice("I1 <b>")).unwrap();
        assert!(plain.get("formatted_body").is_none());
        assert!(user_ids("dsi (@bob:chu.fr), @carol:chu.fr.").len() == 2);
        // A stimulus names the holder of its role in parentheses.
        let stimulus =
            notice("📞 Appel — SAMU → Directeur de crise (@bob:chu.fr) : rappelez-nous.");
        let json = serde_json::to_value(&stimulus).unwrap();
        assert_eq!(json["m.mentions"]["user_ids"][0], "@bob:chu.fr");
        assert!(
            json["formatted_body"]
                .as_str()
                .unwrap()
                .contains(r#"crise (<a href="https://matrix.to/#/@bob:chu.fr">@bob:chu.fr</a>) :"#),
            "{json}"
        );
    }
}
