//! From Matrix events to engine input: message text, mentions, edits.

use chrono::{DateTime, Utc};
use matrix_sdk::ruma::MilliSecondsSinceUnixEpoch;
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, Relation,
};

use tocsin_core::engine::Body;

/// What a room message means to tocsin, or `None` when tocsin must ignore it.
pub fn message_body(ev: &OriginalSyncRoomMessageEvent) -> Option<Body> {
    match &ev.content.relates_to {
        Some(Relation::Replacement(replacement)) => {
            let MessageType::Text(content) = &replacement.new_content.msgtype else {
                return None;
            };
            let text = text_with_mentions(
                &content.body,
                content.formatted.as_ref().map(|f| f.body.as_str()),
            );
            Some(Body::Edit {
                original: replacement.event_id.to_string(),
                text,
            })
        }
        _ => {
            // Notices are what bots send: never answer them (no bot loops).
            let MessageType::Text(content) = &ev.content.msgtype else {
                return None;
            };
            Some(Body::Text(text_with_mentions(
                &content.body,
                content.formatted.as_ref().map(|f| f.body.as_str()),
            )))
        }
    }
}

/// A server timestamp as UTC.
pub fn timestamp(ts: MilliSecondsSinceUnixEpoch) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(i64::try_from(u64::from(ts.0)).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// The message text with user "pills" turned back into user ids.
///
/// Clients show a mention as the person's display name in `body` and put a
/// `https://matrix.to/#/@user:server` link in `formatted_body`. Commands need
/// the id (`!action … @bob:server`), so when the HTML has user links, the text
/// is rebuilt from it: links to users become their ids, other tags are
/// dropped, entities are decoded. Without such links the plain body is used.
pub fn text_with_mentions(body: &str, html: Option<&str>) -> String {
    let Some(html) = html.filter(|h| h.contains("matrix.to/#/")) else {
        return body.to_owned();
    };
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..start]));
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[start + 1..start + end];
        rest = &rest[start + end + 1..];
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("a ")
            && let Some(user) = link_user(tag)
        {
            // Skip the link's visible text up to </a>.
            match rest.to_ascii_lowercase().find("</a>") {
                Some(close) => rest = &rest[close + 4..],
                None => rest = "",
            }
            out.push_str(&user);
        } else if lower == "br" || lower == "br/" || lower == "br /" || lower == "/p" {
            out.push('\n');
        }
    }
    out.push_str(&decode_entities(rest));
    out.trim().to_owned()
}

fn link_user(tag: &str) -> Option<String> {
    let href = tag.split("href=").nth(1)?;
    let quote = href.chars().next()?;
    let href = if quote == '"' || quote == '\'' {
        href[1..].split(quote).next()?
    } else {
        href.split_whitespace().next()?
    };
    let id = href.split("matrix.to/#/").nth(1)?;
    let id = decode_percent(id.split('?').next()?);
    (id.starts_with('@') && id.contains(':')).then_some(id)
}

fn decode_percent(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len() + 1
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::text_with_mentions;

    #[test]
    fn pills_become_user_ids() {
        let html = r#"!action Prévenir le SAMU <a href="https://matrix.to/#/@bob:chu.fr">Bob Martin</a> dans 30m"#;
        assert_eq!(
            text_with_mentions("!action Prévenir le SAMU Bob Martin dans 30m", Some(html)),
            "!action Prévenir le SAMU @bob:chu.fr dans 30m"
        );
        let encoded = r#"!rôle dsi <a href='https://matrix.to/#/%40carol%3Achu.fr'>Carol</a>"#;
        assert_eq!(
            text_with_mentions("!rôle dsi Carol", Some(encoded)),
            "!rôle dsi @carol:chu.fr"
        );
        assert_eq!(
            text_with_mentions("plain &lt;b&gt;", None),
            "plain &lt;b&gt;"
        );
        let escaped =
            r#"<b>!info</b> a &lt;script&gt; &amp; <a href="https://matrix.to/#/@x:y">X</a>"#;
        assert_eq!(
            text_with_mentions("", Some(escaped)),
            "!info a <script> & @x:y"
        );
    }
}
