//! Saying, once, that the homeserver rate-limits tocsin, and how to fix it.
//!
//! At start tocsin asks Synapse's admin API whether its account is exempt
//! (only a server administrator's token may read it; any other answer is one
//! `info` line, and the 429s tell the rest). The first 429 logs one WARN with
//! the exact fix — the `curl` call that exempts the bot on Synapse, the
//! setting for other homeservers, what to expect on Tchap — and sends the
//! same, in words, to the configured admins in a direct chat. Nothing more
//! after that: the budget ([`super::budget`]) does the pacing.

use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::Client;
use matrix_sdk::ruma::UserId;

use super::budget::{Budget, Rate};
use super::outbound;
use crate::config::{Config, Inviter, SendRate};
use tocsin_core::lang::speech::msg;

/// The account's send budget for this configuration and homeserver.
pub fn budget(config: &Config) -> Arc<Budget> {
    let rate = config.send_rate.for_homeserver(&config.homeserver);
    let rate = match rate {
        SendRate::Auto => None,
        SendRate::Tchap => Some(Rate::TCHAP),
        SendRate::PerSecond { per_second, burst } => Some(Rate { per_second, burst }),
    };
    match (rate, config.send_rate) {
        (Some(rate), SendRate::Auto) => tracing::info!(
            per_second = rate.per_second,
            "a Tchap homeserver: sends paced at about one per second (matrix.send_rate = \"tchap\")"
        ),
        (Some(rate), _) => tracing::info!(
            per_second = rate.per_second,
            burst = rate.burst,
            "sends paced as matrix.send_rate says"
        ),
        (None, _) => {}
    }
    Arc::new(Budget::new(rate))
}

/// The `curl` call that lifts Synapse's rate limits for the bot's account
/// (run with a server administrator's access token).
pub fn synapse_fix(homeserver: &str, user_id: &str) -> String {
    format!(
        "curl -X POST -H \"Authorization: Bearer $ADMIN_TOKEN\" -H \"Content-Type: application/json\" -d '{{\"messages_per_second\": 0, \"burst_count\": 0}}' '{}/_synapse/admin/v1/users/{}/override_ratelimit'",
        homeserver.trim_end_matches('/'),
        encode(user_id)
    )
}

/// A user id in a URL path.
fn encode(user_id: &str) -> String {
    user_id.replace('@', "%40").replace(':', "%3A")
}

/// The WARN of the first 429: what it means and how to fix it, on every
/// kind of homeserver.
pub fn advice(config: &Config, retry_after: Option<Duration>) -> String {
    let rate = config.send_rate.for_homeserver(&config.homeserver);
    let delay = retry_after.map_or_else(
        || "unspecified".to_owned(),
        |d| format!("{} ms", d.as_millis()),
    );
    let configured = match rate {
        SendRate::Auto => String::new(),
        SendRate::Tchap => " matrix.send_rate = \"tchap\" (about one send per second) is still faster than this homeserver allows: give a lower number of sends per second.".to_owned(),
        SendRate::PerSecond { per_second, burst } => format!(
            " matrix.send_rate = {per_second} (burst {burst}) is faster than this homeserver allows: lower it, or leave it out and let tocsin learn the pace."
        ),
    };
    format!(
        "the homeserver rate-limits tocsin's account {user} (429, retry after {delay}): receipts are now coalesced into one notice per burst, reactions wait, and a burst of commands is acknowledged at the homeserver's pace.{configured} \
         To lift the limit on Synapse, an administrator runs: {curl} \
         (GET on the same URL shows the override; Synapse's shipped rc_message is 0.2 messages/s, burst 10). \
         On Dendrite, add \"{user}\" to client_api.rate_limiting.exempt_user_ids in dendrite.yaml. \
         On other homeservers, raise the account's message rate limit. \
         On Tchap no exemption is granted: set matrix.send_rate = \"tchap\" and expect coalesced receipts in a burst. \
         See docs/deploying.md, \"Rate limits\"",
        user = config.user_id,
        curl = synapse_fix(&config.homeserver, &config.user_id),
    )
}

/// At start: whether Synapse's admin API says the account is exempt. Only a
/// server administrator's token may read it; otherwise one `info` line.
pub async fn preflight(client: &Client, config: &Config) {
    let url = format!(
        "{}/_synapse/admin/v1/users/{}/override_ratelimit",
        config.homeserver.trim_end_matches('/'),
        encode(&config.user_id)
    );
    let Some(token) = client.access_token() else {
        return;
    };
    let answer = async {
        let res = client
            .http_client()
            .get(&url)
            .bearer_auth(token)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .ok()?;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        Some((status, body))
    }
    .await;
    match answer {
        Some((200, body)) => {
            let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let exempt = value
                .get("messages_per_second")
                .and_then(serde_json::Value::as_f64)
                == Some(0.0)
                && value.get("burst_count").and_then(serde_json::Value::as_f64) == Some(0.0);
            if exempt {
                tracing::info!(user = %config.user_id, "Synapse's admin API: the account is exempt from rate limits");
            } else {
                tracing::warn!(
                    user = %config.user_id,
                    override = %body,
                    "Synapse's admin API: the account is not exempt from rate limits (the homeserver's rc_message applies: 0.2 messages/s, burst 10 as shipped); to lift them: {}",
                    synapse_fix(&config.homeserver, &config.user_id)
                );
            }
        }
        Some((status, _)) => tracing::info!(
            status,
            "the homeserver's admin API does not tell whether tocsin is rate-limited (the bot is not a Synapse server administrator, or the server is not Synapse): its 429 answers will (see docs/deploying.md, \"Rate limits\")"
        ),
        None => tracing::info!(
            "the homeserver's admin API did not answer: whether tocsin is rate-limited will show in its 429 answers"
        ),
    }
}

/// The first 429: the WARN, and the same in words to each configured admin
/// (a user id) in a direct chat, best effort.
pub fn first_429(client: &Client, config: &Config, retry_after: Option<Duration>) {
    tracing::warn!("{}", advice(config, retry_after));
    let text = config.settings.say(msg!(
        "rate-limited-admin",
        user = &config.user_id,
        fix = synapse_fix(&config.homeserver, &config.user_id)
    ));
    tell_admins(client, config, text, "the rate limit");
}

/// Says `text` to each configured admin named by a user id, in a direct
/// chat (opened if need be), best effort and without holding the caller up.
/// `about` names the subject in the warnings logged when it fails.
pub fn tell_admins(client: &Client, config: &Config, text: String, about: &'static str) {
    let admins: Vec<String> = config
        .admins
        .iter()
        .filter_map(|a| match a {
            Inviter::User(u) => Some(u.clone()),
            Inviter::Server(_) => None,
        })
        .collect();
    let client = client.clone();
    tokio::spawn(async move {
        for admin in admins {
            let Ok(user) = UserId::parse(&admin) else {
                continue;
            };
            let room = match client.get_dm_room(&user) {
                Some(room) => room,
                None => match client.create_dm(&user).await {
                    Ok(room) => room,
                    Err(err) => {
                        tracing::warn!(error = %err, admin, "could not open a direct chat to tell an admin about {about}");
                        continue;
                    }
                },
            };
            if let Err(err) = room.send(outbound::notice(&text)).await {
                tracing::warn!(error = %err, admin, "could not tell an admin about {about}");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::synapse_fix;

    #[test]
    fn the_fix_names_the_bot_in_the_admin_api_path() {
        assert_eq!(
            synapse_fix("https://matrix.chu.fr/", "@tocsin:chu.fr"),
            "curl -X POST -H \"Authorization: Bearer $ADMIN_TOKEN\" -H \"Content-Type: application/json\" -d '{\"messages_per_second\": 0, \"burst_count\": 0}' 'https://matrix.chu.fr/_synapse/admin/v1/users/%40tocsin%3Achu.fr/override_ratelimit'"
        );
    }
}
