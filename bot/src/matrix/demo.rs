//! A scripted demo crisis, played by a second Matrix user against a running bot.
//!
//! `scripts/demo` runs it (`tocsin demo-play`) once Synapse and the bot are up:
//! it creates an encrypted room, invites the bot, and sends a short ransomware
//! crisis, printing each command and the bot's answer.

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

/// Logs in as `user`, creates an encrypted room with the bot, and plays [`SCRIPT`].
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
    let mut request = CreateRoom::new();
    request.name = Some("Cellule de crise — démo tocsin".to_owned());
    request.preset = Some(RoomPreset::PrivateChat);
    request.invite = invites;
    request.initial_state = vec![
        InitialStateEvent::with_empty_state_key(
            RoomEncryptionEventContent::with_recommended_defaults(),
        )
        .to_raw_any(),
    ];
    let room = client
        .create_room(request)
        .await
        .context("creating the demo room")?;
    println!(
        "Room {} created (encrypted); waiting for the bot to join…",
        room.room_id()
    );
    wait_for_join(&room, &bot_id).await?;

    for line in SCRIPT {
        let sent = room
            .send(RoomMessageEventContent::text_plain(*line))
            .await?;
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
                break;
            }
        }
    }
    sync.abort();
    Ok(())
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
