//! A scripted demo exercise, played by a second Matrix user against a running bot.
//!
//! `scripts/demo` runs it (`tocsin demo-play`) once Synapse and the bot are up:
//! it creates an encrypted players' room, invites the bot, and sends the first
//! minutes of a ransomware exercise, printing each command and the bot's
//! answer; then it opens an animation room, links it to the exercise with the
//! 20-minute scenario and starts it (DEBEX), so injects keep arriving while
//! the user explores.

use std::time::Duration;

use anyhow::{Context, bail};
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoom, RoomPreset};
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, Relation, RoomMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedUserId, UserId};
use matrix_sdk::{Client, Room, RoomMemberships};
use tokio::sync::mpsc;

/// The demo script: what a crisis cell types in its first minutes.
pub const SCRIPT: &[&str] = &[
    "!ouvrir rancongiciel exercice",
    "!rôle historien @moi",
    "!info Le laboratoire signale des fichiers renommés en .lock et une note de rançon",
    "!vérifier I1 confirmée",
    "!décision Couper l'accès internet et isoler le cœur de réseau -- le chiffrement se propage aux serveurs",
    "!action Prévenir le SAMU-Centre 15 et l'ARS @moi dans 30m",
    "!décision Déclencher le plan blanc, volet numérique -- DPI et laboratoire inaccessibles",
    "!proc pd-lab",
    "!statut",
];

/// What the facilitator types in the animation room (`{crisis}` is the
/// exercise's id), and whether it is rather the players' lead, in the
/// players' room, who types it: the link waits for their consent.
pub const ANIMATION: &[(bool, &str)] = &[
    (false, "!animer {crisis} demo-20min"),
    (true, "!accepter"),
    (false, "!debex"),
    (false, "!chrono"),
];

/// Logs in as `user`, creates the players' room with the bot and plays [`SCRIPT`],
/// then the animation room and [`ANIMATION`].
pub async fn play(
    homeserver: &str,
    user: &str,
    password: &str,
    bot: &str,
    invite: &[String],
) -> anyhow::Result<()> {
    let client = Client::builder().homeserver_url(homeserver).build().await?;
    client
        .matrix_auth()
        .login_username(user, password)
        .initial_device_display_name("tocsin demo")
        .await
        .context("demo login")?;
    let bot_id = UserId::parse(bot)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<(OwnedEventId, String)>();
    let bot_for_handler = bot_id.clone();
    client.sync_once(SyncSettings::default()).await?;
    client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent| {
        let tx = tx.clone();
        let bot = bot_for_handler.clone();
        async move {
            if ev.sender != bot {
                return;
            }
            let MessageType::Notice(notice) = &ev.content.msgtype else {
                return;
            };
            let replied = match &ev.content.relates_to {
                Some(Relation::Reply(reply)) => Some(reply.in_reply_to.event_id.clone()),
                Some(Relation::Thread(thread)) => {
                    thread.in_reply_to.as_ref().map(|r| r.event_id.clone())
                }
                _ => None,
            };
            if let Some(id) = replied {
                let _ = tx.send((id, notice.body.clone()));
            }
        }
    });
    let syncer = client.clone();
    let sync = tokio::spawn(async move {
        syncer
            .sync(SyncSettings::default().timeout(Duration::from_secs(10)))
            .await
    });

    let mut invites: Vec<OwnedUserId> = vec![bot_id.clone()];
    for other in invite {
        invites.push(UserId::parse(other.as_str())?);
    }
    let room = create_room(&client, "Cellule de crise — démo tocsin", invites).await?;
    println!(
        "Room {} created (encrypted); waiting for the bot to join…",
        room.room_id()
    );
    wait_for_join(&room, &bot_id).await?;
    let mut crisis = String::new();
    for line in SCRIPT {
        let answer = send(&room, line, &mut rx).await?;
        if crisis.is_empty()
            && let Some(id) = answer
                .split("— crise ")
                .nth(1)
                .and_then(|rest| rest.split('.').next())
        {
            crisis = id.to_owned();
        }
    }

    // Players are not invited: the animation room is for facilitators and observers.
    let animation = create_room(&client, "Animation — démo tocsin", vec![bot_id.clone()]).await?;
    println!(
        "\nAnimation room {} created: facilitators and observers only.",
        animation.room_id()
    );
    wait_for_join(&animation, &bot_id).await?;
    for (in_players_room, line) in ANIMATION {
        let target = if *in_players_room { &room } else { &animation };
        send(target, &line.replace("{crisis}", &crisis), &mut rx).await?;
    }
    sync.abort();
    Ok(())
}

async fn create_room(
    client: &Client,
    name: &str,
    invites: Vec<OwnedUserId>,
) -> anyhow::Result<Room> {
    let mut request = CreateRoom::new();
    request.name = Some(name.to_owned());
    request.preset = Some(RoomPreset::PrivateChat);
    request.invite = invites;
    request.initial_state = vec![
        InitialStateEvent::with_empty_state_key(
            RoomEncryptionEventContent::with_recommended_defaults(),
        )
        .to_raw_any(),
    ];
    client
        .create_room(request)
        .await
        .with_context(|| format!("creating the room {name}"))
}

/// Sends one line, prints it and the bot's answer, and returns the answer.
async fn send(
    room: &Room,
    line: &str,
    rx: &mut mpsc::UnboundedReceiver<(OwnedEventId, String)>,
) -> anyhow::Result<String> {
    let sent = room.send(RoomMessageEventContent::text_plain(line)).await?;
    println!("\n> {line}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let next = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .context("no answer from the bot within 30 s")?;
        let Some((replied, body)) = next else {
            bail!("sync stopped")
        };
        if replied == sent.response.event_id {
            for l in body.lines() {
                println!("  {l}");
            }
            return Ok(body);
        }
    }
}

async fn wait_for_join(room: &Room, bot: &UserId) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let joined = room
            .members(RoomMemberships::JOIN)
            .await?
            .iter()
            .any(|m| m.user_id() == bot);
        if joined {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!(
                "the bot did not join within 60 s: is it running, and is this user an allowed inviter?"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
