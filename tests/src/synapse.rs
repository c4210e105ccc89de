//! tocsin on a real Synapse: encrypted rooms, acknowledgements, permissions,
//! invitations, threads, mentions, edits, and catch-up after a SIGKILL.
//!
//! These tests need a homeserver: `scripts/test` starts a loopback Synapse and
//! sets `TOCSIN_SYNAPSE_URL`. Without it they print "skipped" and pass, unless
//! `TOCSIN_REQUIRE_SYNAPSE=1` (set by `scripts/test`) makes that a failure.

mod anchor;
mod deploy;
mod disk;
mod federation;
mod injects;
mod newcomers;
mod outage;
mod record;
mod regional;
mod shipped;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::account::register::v3::Request as RegistrationRequest;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoom, RoomPreset};
use matrix_sdk::ruma::api::client::uiaa;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::reaction::OriginalSyncReactionEvent;
use matrix_sdk::ruma::events::room::encrypted::OriginalSyncRoomEncryptedEvent;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, Relation, ReplyWithinThread,
    RoomMessageEventContent, RoomMessageEventContentWithoutRelation,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedUserId, UserId};
use matrix_sdk::{Client, Room, RoomMemberships};
use tokio_util::sync::CancellationToken;

use tocsin::journal::Journal;
use tocsin_core::engine::event::Event;

use crate::support::{root, tocsin_bin};

pub(crate) const TIMEOUT: Duration = Duration::from_secs(45);

/// Polls `what` until it yields a value, for at most [`TIMEOUT`].
pub(crate) async fn poll<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

pub(crate) fn homeserver(test: &str) -> Option<String> {
    match std::env::var("TOCSIN_SYNAPSE_URL") {
        Ok(url) if !url.is_empty() => {
            eprintln!("synapse test {test}: running against {url}");
            Some(url)
        }
        _ => {
            assert!(
                std::env::var_os("TOCSIN_REQUIRE_SYNAPSE").is_none(),
                "TOCSIN_REQUIRE_SYNAPSE is set but TOCSIN_SYNAPSE_URL is not"
            );
            eprintln!(
                "synapse test {test}: skipped (TOCSIN_SYNAPSE_URL not set; scripts/test sets it)"
            );
            None
        }
    }
}

pub(crate) fn unique(name: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{name}{}x{nanos:x}{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// What a driver user saw in the room.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    event_id: OwnedEventId,
    sender: OwnedUserId,
    notice: bool,
    body: String,
    in_reply_to: Option<OwnedEventId>,
    thread_root: Option<OwnedEventId>,
    mentions: Vec<OwnedUserId>,
    reaction: Option<(OwnedEventId, String)>,
    /// An edit: the edited message, and its new text.
    replaces: Option<(OwnedEventId, String)>,
    /// An attachment.
    file: Option<matrix_sdk::ruma::events::room::message::FileMessageEventContent>,
    /// The room it was seen in.
    room: OwnedRoomId,
    /// A message's formatted body.
    html: Option<String>,
    /// When this user's client received it.
    at: std::time::Instant,
}

/// A test user: a real matrix-sdk client with an in-memory store, syncing in the background.
pub(crate) struct User {
    pub(crate) client: Client,
    pub(crate) seen: Arc<Mutex<Vec<Seen>>>,
    /// Events this user's client could not decrypt when they arrived.
    pub(crate) undecryptable: Arc<Mutex<Vec<OwnedEventId>>>,
    /// Every message-like event received (any type: reactions, the bot's
    /// hidden mirror events): its sender and when.
    pub(crate) events: Arc<Mutex<Vec<(OwnedUserId, std::time::Instant)>>>,
    _sync: tokio::task::JoinHandle<()>,
}

impl User {
    pub(crate) async fn register(url: &str, name: &str, password: &str) -> User {
        let client = Client::builder().homeserver_url(url).build().await.unwrap();
        let mut request = RegistrationRequest::new();
        request.username = Some(name.to_owned());
        request.password = Some(password.to_owned());
        request.auth = Some(uiaa::AuthData::Dummy(uiaa::Dummy::new()));
        client
            .matrix_auth()
            .register(request)
            .await
            .expect("registering a test user");
        User::start(client).await
    }

    async fn start(client: Client) -> User {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        client.sync_once(SyncSettings::default()).await.unwrap();
        let sink = seen.clone();
        client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
            let sink = sink.clone();
            async move {
                let (notice, body, file) = match &ev.content.msgtype {
                    MessageType::Notice(n) => (true, n.body.clone(), None),
                    MessageType::Text(t) => (false, t.body.clone(), None),
                    MessageType::File(f) => (false, f.body.clone(), Some(f.clone())),
                    _ => return,
                };
                let html = match &ev.content.msgtype {
                    MessageType::Notice(n) => n.formatted.as_ref().map(|f| f.body.clone()),
                    _ => None,
                };
                let (in_reply_to, thread_root) = match &ev.content.relates_to {
                    Some(Relation::Reply(r)) => (Some(r.in_reply_to.event_id.clone()), None),
                    Some(Relation::Thread(t)) => (
                        t.in_reply_to.as_ref().map(|r| r.event_id.clone()),
                        Some(t.event_id.clone()),
                    ),
                    _ => (None, None),
                };
                let replaces = match &ev.content.relates_to {
                    Some(Relation::Replacement(r)) => {
                        Some((r.event_id.clone(), r.new_content.msgtype.body().to_owned()))
                    }
                    _ => None,
                };
                let mentions = ev
                    .content
                    .mentions
                    .as_ref()
                    .map(|m| m.user_ids.iter().cloned().collect())
                    .unwrap_or_default();
                sink.lock().unwrap().push(Seen {
                    event_id: ev.event_id,
                    sender: ev.sender,
                    notice,
                    body,
                    in_reply_to,
                    thread_root,
                    mentions,
                    reaction: None,
                    replaces,
                    file,
                    room: room.room_id().to_owned(),
                    html,
                    at: std::time::Instant::now(),
                });
            }
        });
        let sink = seen.clone();
        client.add_event_handler(move |ev: OriginalSyncReactionEvent, room: Room| {
            let sink = sink.clone();
            async move {
                let target = ev.content.relates_to.event_id.clone();
                let key = ev.content.relates_to.key.clone();
                sink.lock().unwrap().push(Seen {
                    event_id: ev.event_id,
                    sender: ev.sender,
                    notice: false,
                    body: String::new(),
                    in_reply_to: None,
                    thread_root: None,
                    mentions: Vec::new(),
                    reaction: Some((target, key)),
                    replaces: None,
                    file: None,
                    room: room.room_id().to_owned(),
                    html: None,
                    at: std::time::Instant::now(),
                });
            }
        });
        let undecryptable: Arc<Mutex<Vec<OwnedEventId>>> = Arc::default();
        let sink = undecryptable.clone();
        client.add_event_handler(move |ev: OriginalSyncRoomEncryptedEvent| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().push(ev.event_id) }
        });
        let events: Arc<Mutex<Vec<(OwnedUserId, std::time::Instant)>>> = Arc::default();
        let sink = events.clone();
        client.add_event_handler(
            move |ev: matrix_sdk::ruma::events::AnySyncMessageLikeEvent| {
                let sink = sink.clone();
                async move {
                    sink.lock()
                        .unwrap()
                        .push((ev.sender().to_owned(), std::time::Instant::now()));
                }
            },
        );
        let syncer = client.clone();
        let sync = tokio::spawn(async move {
            // Keeps syncing across homeserver restarts.
            loop {
                let settings = SyncSettings::default().timeout(Duration::from_secs(5));
                if syncer.sync_once(settings).await.is_err() {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        });
        User {
            client,
            seen,
            undecryptable,
            events,
            _sync: sync,
        }
    }

    pub(crate) fn id(&self) -> OwnedUserId {
        self.client.user_id().unwrap().to_owned()
    }

    pub(crate) async fn create_encrypted_room(&self, invite: &[&UserId]) -> Room {
        let mut request = CreateRoom::new();
        request.preset = Some(RoomPreset::PrivateChat);
        request.invite = invite.iter().map(|u| (*u).to_owned()).collect();
        request.initial_state = vec![
            InitialStateEvent::with_empty_state_key(
                RoomEncryptionEventContent::with_recommended_defaults(),
            )
            .to_raw_any(),
        ];
        let room = self.client.create_room(request).await.unwrap();
        assert!(room.latest_encryption_state().await.unwrap().is_encrypted());
        room
    }

    /// A players' room this user creates (encrypted), once the bot and every
    /// player in `players` have joined it.
    pub(crate) async fn players_room(&self, bot: &UserId, players: &[&User]) -> Room {
        let mut invite: Vec<&UserId> = vec![bot];
        let ids: Vec<OwnedUserId> = players.iter().map(|p| p.id()).collect();
        invite.extend(ids.iter().map(|id| &**id));
        let room = self.create_encrypted_room(&invite).await;
        wait_joined(&room, bot).await;
        for player in players {
            player.client.join_room_by_id(room.room_id()).await.unwrap();
            wait_joined(&room, &player.id()).await;
        }
        room
    }

    /// Opens an exercise of the shipped playbook in `room`; its crisis id.
    pub(crate) async fn open_exercise(&self, room: &Room, bot: &UserId) -> String {
        let open = self.send(room, "!ouvrir rancongiciel exercice").await;
        let opened = self.reply_to(bot, &open).await.body;
        opened
            .split("— crise ")
            .nth(1)
            .and_then(|rest| rest.split('.').next())
            .expect("the crisis id in the opening reply")
            .to_owned()
    }

    /// Links the animation room `anim` to the exercise in `players`: this
    /// facilitator's `link` command (`!animer …`) there, then the players'
    /// lead's `!accepter` in their room, until the facilitators hear of it.
    pub(crate) async fn link_exercise(
        &self,
        anim: &Room,
        link: &str,
        lead: &User,
        players: &Room,
        bot: &UserId,
    ) {
        let proposal = self.send(anim, link).await;
        self.reply_to(bot, &proposal).await;
        let accept = lead.send(players, "!accepter").await;
        lead.reply_to(bot, &accept).await;
        self.bot_message(bot, "Salon d'animation lié").await;
    }

    /// A file message's bytes, checking that the room encrypted it.
    pub(crate) async fn encrypted_file(
        &self,
        file: &matrix_sdk::ruma::events::room::message::FileMessageEventContent,
    ) -> Vec<u8> {
        assert!(
            matches!(
                file.source,
                matrix_sdk::ruma::events::room::MediaSource::Encrypted(_)
            ),
            "the attachment is encrypted"
        );
        self.client
            .media()
            .get_file(file, false)
            .await
            .unwrap()
            .expect("the file's content")
    }

    pub(crate) async fn send(&self, room: &Room, text: &str) -> OwnedEventId {
        room.send(RoomMessageEventContent::text_plain(text))
            .await
            .unwrap()
            .response
            .event_id
    }

    /// Polls what this user saw until `pick` finds something, or fails after the timeout.
    pub(crate) async fn wait_for<T>(&self, what: &str, pick: impl Fn(&[Seen]) -> Option<T>) -> T {
        self.wait_longer(what, TIMEOUT, pick).await
    }

    pub(crate) async fn wait_longer<T>(
        &self,
        what: &str,
        timeout: Duration,
        pick: impl Fn(&[Seen]) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = pick(&self.seen.lock().unwrap()) {
                return found;
            }
            if tokio::time::Instant::now() > deadline {
                let seen = self.seen.lock().unwrap();
                let log: Vec<String> = seen
                    .iter()
                    .map(|s| format!("{} {:?} {}", s.sender, s.reaction, s.body))
                    .collect();
                panic!("timed out waiting for {what}; seen:\n{}", log.join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The bot's notice replying to `event`.
    pub(crate) async fn reply_to(&self, bot: &UserId, event: &OwnedEventId) -> Seen {
        self.wait_for(&format!("the bot's reply to {event}"), |seen| {
            seen.iter()
                .find(|s| s.sender == bot && s.notice && s.in_reply_to.as_ref() == Some(event))
                .cloned()
        })
        .await
    }

    /// The first message from the bot whose text holds `what`.
    async fn bot_message(&self, bot: &UserId, what: &str) -> Seen {
        self.bot_message_within(bot, what, TIMEOUT).await
    }

    async fn bot_message_within(&self, bot: &UserId, what: &str, timeout: Duration) -> Seen {
        self.wait_longer(
            &format!("a bot message holding {what:?}"),
            timeout,
            |seen| {
                seen.iter()
                    .find(|s| s.sender == bot && s.body.contains(what))
                    .cloned()
            },
        )
        .await
    }

    async fn reaction_on(&self, bot: &UserId, event: &OwnedEventId) -> String {
        self.wait_for(&format!("the bot's reaction on {event}"), |seen| {
            seen.iter().filter(|s| s.sender == bot).find_map(|s| {
                s.reaction
                    .as_ref()
                    .filter(|(t, _)| t == event)
                    .map(|(_, k)| k.clone())
            })
        })
        .await
    }
}

pub(crate) async fn wait_joined(room: &Room, user: &UserId) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let members = room.members(RoomMemberships::JOIN).await.unwrap();
        if members.iter().any(|m| m.user_id() == user) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{user} did not join"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A bot account and its configuration file in a temporary directory.
pub(crate) struct BotSetup {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) user_id: OwnedUserId,
    pub(crate) config_path: std::path::PathBuf,
}

impl Drop for BotSetup {
    /// A failed test keeps the bot's directory (configuration, journal, log) for a post-mortem.
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.dir.disable_cleanup(true);
            eprintln!("bot directory kept: {}", self.dir.path().display());
        }
    }
}

pub(crate) async fn bot_setup(url: &str, inviters: &[&UserId]) -> BotSetup {
    let inviters: Vec<&str> = inviters.iter().map(|u| u.as_str()).collect();
    bot_setup_allowing(url, &inviters).await
}

/// A bot whose `allowed_inviters` are `inviters`: user ids or server names.
pub(crate) async fn bot_setup_allowing(url: &str, inviters: &[&str]) -> BotSetup {
    let name = unique("tocsin");
    let password = "bot-password-for-tests";
    let registrar = Client::builder().homeserver_url(url).build().await.unwrap();
    let mut request = RegistrationRequest::new();
    request.username = Some(name.clone());
    request.password = Some(password.to_owned());
    request.auth = Some(uiaa::AuthData::Dummy(uiaa::Dummy::new()));
    registrar.matrix_auth().register(request).await.unwrap();
    let user_id = registrar.user_id().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let inviters: Vec<String> = inviters.iter().map(|u| format!("\"{u}\"")).collect();
    let config = format!(
        "[matrix]\nhomeserver = \"{url}\"\nuser_id = \"{user_id}\"\npassword = \"{password}\"\n\n[bot]\ndata_dir = \"data\"\nplaybooks_dir = \"{}\"\nallowed_inviters = [{}]\n",
        root().join("playbooks").display(),
        inviters.join(", ")
    );
    let config_path = dir.path().join("tocsin.toml");
    std::fs::write(&config_path, config).unwrap();
    BotSetup {
        dir,
        user_id,
        config_path,
    }
}

/// The bot running in this process.
struct InProcessBot {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

fn start_in_process(setup: &BotSetup) -> InProcessBot {
    let config = tocsin::config::load(&setup.config_path).expect("test config is valid");
    let stop = CancellationToken::new();
    let task = tokio::spawn(tocsin::matrix::run(config, stop.clone()));
    InProcessBot { stop, task }
}

impl InProcessBot {
    async fn stop(self) {
        self.stop.cancel();
        self.task.await.unwrap().expect("the bot stops cleanly");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_refusals_threads_mentions_and_edits() {
    let Some(url) = homeserver("acknowledgements_refusals_threads_mentions_and_edits") else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let bob = User::register(&url, &unique("bob"), "bob-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot = start_in_process(&setup);
    let bot_id = setup.user_id.clone();

    let room = alice.create_encrypted_room(&[&bot_id, &bob.id()]).await;
    wait_joined(&room, &bot_id).await;
    let bob_room = bob.client.join_room_by_id(room.room_id()).await.unwrap();
    wait_joined(&room, &bob.id()).await;
    alice.bot_message(&bot_id, "tocsin est prêt").await;

    // Acknowledgement: ✅ and a reply carrying the reference, in the encrypted room.
    let open = alice.send(&room, "!ouvrir rancongiciel exercice").await;
    assert_eq!(alice.reaction_on(&bot_id, &open).await, "✅");
    let reply = alice.reply_to(&bot_id, &open).await;
    assert!(
        reply.body.starts_with("[EXERCICE] 🚨 Exercice ouvert"),
        "{}",
        reply.body
    );

    let decision = alice
        .send(
            &room,
            "!décision Couper l'accès internet -- le chiffrement se propage",
        )
        .await;
    let reply = alice.reply_to(&bot_id, &decision).await;
    assert!(
        reply.body.contains("D1 — décision enregistrée"),
        "{}",
        reply.body
    );

    // A member without power level 50 cannot close, but can log information.
    let close = bob.send(&bob_room, "!clore").await;
    assert_eq!(bob.reaction_on(&bot_id, &close).await, "⛔");
    let refusal = bob.reply_to(&bot_id, &close).await;
    assert!(
        refusal.body.contains("!clore est réservé aux responsables"),
        "{}",
        refusal.body
    );
    let info = bob
        .send(&bob_room, "!info Le standard ne répond plus")
        .await;
    assert!(
        bob.reply_to(&bot_id, &info)
            .await
            .body
            .contains("I1 — information enregistrée")
    );

    // Owners are mentioned with real mentions.
    let action = alice
        .send(
            &room,
            &format!("!action Prévenir le SAMU {} dans 30m", bob.id()),
        )
        .await;
    let reply = alice.reply_to(&bot_id, &action).await;
    assert!(
        reply
            .body
            .contains(&format!("A1 — action enregistrée · pour {}", bob.id())),
        "{}",
        reply.body
    );
    assert_eq!(reply.mentions, vec![bob.id()]);

    // A command in a thread is answered in that thread.
    let root_event = alice.send(&room, "Fil labo").await;
    let root_msg = alice
        .wait_for("the thread root", |seen| {
            seen.iter().find(|s| s.event_id == root_event).cloned()
        })
        .await;
    assert!(!root_msg.notice);
    let in_thread = RoomMessageEventContent::text_plain("!info Automate du labo bloqué")
        .make_for_thread(
            matrix_sdk::ruma::events::room::message::ReplyMetadata::new(
                &root_event,
                &alice.id(),
                None,
            ),
            ReplyWithinThread::No,
            matrix_sdk::ruma::events::room::message::AddMentions::No,
        );
    let threaded = room.send(in_thread).await.unwrap().response.event_id;
    let reply = alice
        .wait_for("a reply in the thread", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.in_reply_to.as_ref() == Some(&threaded))
                .cloned()
        })
        .await;
    assert_eq!(reply.thread_root.as_ref(), Some(&root_event), "{reply:?}");
    assert!(reply.body.contains("I2 — information enregistrée"));

    // An edit of a logged message is recorded as a correction.
    let edit = RoomMessageEventContentWithoutRelation::text_plain(
        "!décision Couper l'accès internet et les liaisons inter-sites",
    );
    let edit_content = room
        .make_edit_event(
            &decision,
            matrix_sdk::room::edit::EditedContent::RoomMessage(edit),
        )
        .await
        .unwrap();
    let edit_id = room.send(edit_content).await.unwrap().response.event_id;
    let reply = alice.reply_to(&bot_id, &edit_id).await;
    assert!(
        reply
            .body
            .contains("C1 — modification du message de D1 enregistrée comme correction"),
        "{}",
        reply.body
    );

    // A stray "!" typo gets a precise refusal with the help line.
    let typo = alice.send(&room, "!decison oups").await;
    let reply = alice.reply_to(&bot_id, &typo).await;
    assert!(
        reply.body.contains("Vouliez-vous dire !decision ?")
            && reply.body.contains("!décision <texte>"),
        "{}",
        reply.body
    );

    // A deleted message stays in the log, marked deleted.
    room.redact(&info, Some("doublon"), None).await.unwrap();
    alice
        .bot_message(&bot_id, "Le message de I1 a été supprimé")
        .await;

    // The export arrives as an encrypted attachment that verifies offline.
    let export = alice.send(&room, "!export json").await;
    let caption = alice.reply_to(&bot_id, &export).await;
    assert!(
        caption.body.starts_with("[EXERCICE] 📎 ") && caption.body.contains("7 entrées"),
        "{}",
        caption.body
    );
    let file = alice
        .wait_for("the export file", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.file.is_some())
                .and_then(|s| s.file.clone())
        })
        .await;
    let bytes = alice.encrypted_file(&file).await;
    let verified =
        tocsin::export::verify(std::str::from_utf8(&bytes).unwrap()).expect("the export verifies");
    assert_eq!(verified.n_entries, 7);

    bot.stop().await;
    // The journal holds exactly what was acknowledged, with authors and roles.
    let mut kinds = Vec::new();
    let (_journal, summary) = Journal::open(&setup.dir.path().join("data"), |e| {
        kinds.push(e.record.event.kind())
    })
    .unwrap();
    assert_eq!(summary.n_entries, 7, "{kinds:?}");
    assert_eq!(
        kinds,
        [
            "crisis_opened",
            "decision",
            "info",
            "action",
            "info",
            "correction",
            "redaction"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_from_others_are_refused() {
    let Some(url) = homeserver("invitations_from_others_are_refused") else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let mallory = User::register(&url, &unique("mallory"), "mallory-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot = start_in_process(&setup);
    let bot_id = setup.user_id.clone();

    let allowed = alice.create_encrypted_room(&[&bot_id]).await;
    let refused = mallory.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&allowed, &bot_id).await;
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let member = refused.get_member(&bot_id).await.unwrap();
        let state = member.map(|m| m.membership().clone());
        if state == Some(matrix_sdk::ruma::events::room::member::MembershipState::Leave) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bot did not decline mallory's invitation: {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bot.stop().await;
}

pub(crate) fn spawn_bot_process(setup: &BotSetup) -> std::process::Child {
    std::process::Command::new(tocsin_bin())
        .args(["run", "--config", setup.config_path.to_str().unwrap()])
        .env(
            "RUST_LOG",
            std::env::var("TOCSIN_TEST_BOT_LOG").unwrap_or_else(|_| "tocsin=info".to_owned()),
        )
        .stdout(
            // What it prints (the recovery key, at the first start).
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(setup.dir.path().join("bot.out"))
                .unwrap(),
        )
        .stderr(
            // Appended to, so that the log of every run since the setup is kept.
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(setup.dir.path().join("bot.log"))
                .unwrap(),
        )
        .spawn()
        .expect("starting tocsin run")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_sent_while_the_bot_was_killed_are_recorded_once_in_order() {
    let Some(url) = homeserver("commands_sent_while_the_bot_was_killed_are_recorded_once_in_order")
    else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot_id = setup.user_id.clone();
    let mut bot = spawn_bot_process(&setup);

    let room = alice.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&room, &bot_id).await;
    let open = alice.send(&room, "!ouvrir rancongiciel").await;
    alice.reply_to(&bot_id, &open).await;
    let first = alice.send(&room, "!info avant la panne").await;
    alice.reply_to(&bot_id, &first).await;

    bot.kill().unwrap(); // SIGKILL: no clean shutdown.
    bot.wait().unwrap();
    let mut sent = Vec::new();
    for n in 1..=5 {
        sent.push(
            alice
                .send(&room, &format!("!info pendant la panne {n}"))
                .await,
        );
    }
    let mut bot = spawn_bot_process(&setup);
    for (n, event) in sent.iter().enumerate() {
        let reply = alice.reply_to(&bot_id, event).await;
        assert!(
            reply
                .body
                .contains(&format!("I{} — information enregistrée", n + 2)),
            "{}",
            reply.body
        );
    }
    // One more live command proves the bot goes on after catching up.
    let after = alice.send(&room, "!statut").await;
    assert!(
        alice
            .reply_to(&bot_id, &after)
            .await
            .body
            .contains("Informations : 6")
    );

    terminate(&mut bot);
    let mut infos = Vec::new();
    let (_journal, _) = Journal::open(&setup.dir.path().join("data"), |e| {
        if let Event::Info { reference, text } = &e.record.event {
            infos.push((
                reference.clone(),
                text.clone(),
                e.record.source.clone(),
                e.record.occurred_at,
            ));
        }
    })
    .unwrap();
    assert_eq!(infos.len(), 6, "{infos:?}");
    for (n, event) in sent.iter().enumerate() {
        let (reference, text, source, occurred_at) = &infos[n + 1];
        assert_eq!(reference, &format!("I{}", n + 2));
        assert_eq!(text, &format!("pendant la panne {n}", n = n + 1));
        assert_eq!(source.as_deref(), Some(event.as_str()));
        let original = room.event(event, None).await.unwrap();
        let ts = original.timestamp().map(|t| i64::from(t.0)).unwrap();
        assert_eq!(
            occurred_at.timestamp_millis(),
            ts,
            "original server time kept"
        );
    }
    // Each command was answered once.
    let seen = alice.seen.lock().unwrap().clone();
    for event in &sent {
        let n = seen
            .iter()
            .filter(|s| s.sender == bot_id && s.notice && s.in_reply_to.as_ref() == Some(event))
            .count();
        assert_eq!(n, 1, "one reply per command");
    }
}

/// Stops the bot with SIGTERM and waits for it, so its journal can be opened.
pub(crate) fn terminate(child: &mut std::process::Child) {
    let pid = child.id().to_string();
    let _ = std::process::Command::new("kill").arg(&pid).status();
    let deadline = std::time::Instant::now() + TIMEOUT;
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_reconnects_when_the_homeserver_comes_back() {
    let Some(_) = homeserver("the_bot_reconnects_when_the_homeserver_comes_back") else {
        return;
    };
    // Its own homeserver, since this test stops it.
    let hs_dir = tempfile::tempdir().unwrap();
    let port = std::env::var("TOCSIN_SYNAPSE_RESTART_PORT").unwrap_or_else(|_| "28339".to_owned());
    let script = |name: &str| std::process::Command::new(root().join("scripts/synapse").join(name));
    let start = || {
        let out = script("start")
            .arg(hs_dir.path())
            .arg(&port)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let stop = || {
        assert!(
            script("stop")
                .arg(hs_dir.path())
                .status()
                .unwrap()
                .success()
        )
    };
    let url = start();
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot = start_in_process(&setup);
    let bot_id = setup.user_id.clone();
    let room = alice.create_encrypted_room(&[&bot_id]).await;
    wait_joined(&room, &bot_id).await;
    let open = alice.send(&room, "!ouvrir rancongiciel").await;
    alice.reply_to(&bot_id, &open).await;

    stop();
    // Long enough for the bot's sync to fail and back off at least once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    start();
    let info = alice.send(&room, "!info le serveur est revenu").await;
    let reply = alice.reply_to(&bot_id, &info).await;
    assert!(
        reply.body.contains("I1 — information enregistrée"),
        "{}",
        reply.body
    );
    bot.stop().await;
    stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_procedure_to_completion_a_reminder_and_a_handover_by_reaction() {
    let Some(url) = homeserver("a_procedure_to_completion_a_reminder_and_a_handover_by_reaction")
    else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let bob = User::register(&url, &unique("bob"), "bob-password").await;
    let setup = bot_setup(&url, &[&alice.id()]).await;
    let bot = start_in_process(&setup);
    let bot_id = setup.user_id.clone();
    let room = alice.create_encrypted_room(&[&bot_id, &bob.id()]).await;
    wait_joined(&room, &bot_id).await;
    let bob_room = bob.client.join_room_by_id(room.room_id()).await.unwrap();
    wait_joined(&room, &bob.id()).await;
    for command in [
        "!ouvrir rancongiciel",
        &format!("!rôle biologiste {}", alice.id()),
    ] {
        let event = alice.send(&room, command).await;
        alice.reply_to(&bot_id, &event).await;
    }

    // The overdue reminder: due in one minute, reminded at the due time, owner mentioned.
    let action = alice
        .send(
            &room,
            &format!("!action Rappeler le standard {} dans 1m", bob.id()),
        )
        .await;
    alice.reply_to(&bot_id, &action).await;

    // A procedure: one checklist message, edited in place as steps are ticked.
    let start = alice.send(&room, "!proc pd-lab").await;
    assert!(
        alice
            .reply_to(&bot_id, &start)
            .await
            .body
            .contains("pd-lab lancée")
    );
    let checklist = alice
        .wait_for("the checklist", |seen| {
            seen.iter()
                .find(|s| {
                    s.sender == bot_id && s.body.contains("📋 pd-lab") && s.in_reply_to.is_none()
                })
                .cloned()
        })
        .await;
    assert!(checklist.body.contains("☐ 1."), "{}", checklist.body);
    let n_steps = checklist
        .body
        .lines()
        .filter(|l| l.starts_with('☐'))
        .count();
    assert!(n_steps >= 5, "{}", checklist.body);
    for n in 1..=n_steps {
        let tick = alice.send(&room, &format!("!fait pd-lab.{n}")).await;
        let reply = alice.reply_to(&bot_id, &tick).await;
        assert!(
            reply.body.contains(&format!("pd-lab.{n} faite")),
            "{}",
            reply.body
        );
    }
    let done = format!("Progression : {n_steps}/{n_steps}");
    let edit = alice
        .wait_for("the checklist edited to completion", |seen| {
            seen.iter().filter(|s| s.sender == bot_id).find_map(|s| {
                s.replaces
                    .clone()
                    .filter(|(id, text)| id == &checklist.event_id && text.contains(&done))
            })
        })
        .await;
    assert!(
        edit.1.lines().filter(|l| l.starts_with('☑')).count() == n_steps,
        "{}",
        edit.1
    );

    // The action fell due one minute after it was recorded: the wait is real time.
    let reminder = bob
        .bot_message_within(&bot_id, "⏰ A1 en retard", Duration::from_secs(150))
        .await;
    assert_eq!(reminder.mentions, vec![bob.id()], "{reminder:?}");

    // A handover acknowledged by a ✅ reaction from the incoming lead.
    let handover = alice.send(&room, &format!("!relève {}", bob.id())).await;
    alice.reply_to(&bot_id, &handover).await;
    let message = bob.bot_message(&bot_id, "🔁 Relève :").await;
    assert!(
        message.body.contains("État de situation"),
        "{}",
        message.body
    );
    let reaction = matrix_sdk::ruma::events::reaction::ReactionEventContent::new(
        matrix_sdk::ruma::events::relation::Annotation::new(
            message.event_id.clone(),
            "✅".to_owned(),
        ),
    );
    bob_room.send(reaction).await.unwrap();
    let done = alice.bot_message(&bot_id, "🔁 Relève faite").await;
    assert!(
        done.body
            .contains(&format!("{} tient la cellule", bob.id())),
        "{}",
        done.body
    );

    bot.stop().await;
    let mut kinds = Vec::new();
    Journal::open(&setup.dir.path().join("data"), |e| {
        kinds.push(e.record.event.kind())
    })
    .unwrap();
    assert_eq!(kinds.iter().filter(|k| **k == "step_done").count(), n_steps);
    for kind in [
        "procedure_started",
        "posted",
        "reminder",
        "handover_started",
        "handover_acknowledged",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exercise_driven_from_the_animation_room() {
    let Some(url) = homeserver("an_exercise_driven_from_the_animation_room") else {
        return;
    };
    let alice = User::register(&url, &unique("alice"), "alice-password").await;
    let bob = User::register(&url, &unique("bob"), "bob-password").await;
    let anna = User::register(&url, &unique("anna"), "anna-password").await;
    let olga = User::register(&url, &unique("olga"), "olga-password").await;
    let setup = bot_setup(&url, &[&alice.id(), &anna.id()]).await;
    let bot = start_in_process(&setup);
    let bot_id = setup.user_id.clone();

    // The players' room: alice leads, bob plays. Only players are in it.
    let players = alice.players_room(&bot_id, &[&bob]).await;
    let crisis = alice.open_exercise(&players, &bot_id).await;

    // The animation room: anna facilitates (she created it: power level 100), olga observes.
    let anim = anna.create_encrypted_room(&[&bot_id, &olga.id()]).await;
    wait_joined(&anim, &bot_id).await;
    let olga_anim = olga.client.join_room_by_id(anim.room_id()).await.unwrap();
    wait_joined(&anim, &olga.id()).await;
    let link = anna
        .send(&anim, &format!("!animer {crisis} demo-20min"))
        .await;
    let proposed = anna.reply_to(&bot_id, &link).await.body;
    assert!(proposed.contains("Proposition envoyée"), "{proposed}");
    // Nothing is linked until the players' lead accepts, in the players' room.
    bob.bot_message(&bot_id, "propose d'animer cet exercice")
        .await;
    let accept = alice.send(&players, "!accepter").await;
    alice.reply_to(&bot_id, &accept).await;
    anna.bot_message(&bot_id, "Salon d'animation lié").await;
    let denied = olga.send(&olga_anim, "!debex").await;
    let denied = olga.reply_to(&bot_id, &denied).await.body;
    assert!(denied.contains("réservée aux animateurs"), "{denied}");

    // DEBEX: the T+0 inject fires on the exercise clock, in the players' room only.
    let debex = anna.send(&anim, "!debex").await;
    anna.reply_to(&bot_id, &debex).await;
    for what in ["DEBEX", "📋 Message interne — Animation"] {
        bob.bot_message(&bot_id, what).await;
    }
    anna.bot_message(&bot_id, "▶️ i01 joué").await;

    // Pause and resume, then an inject fired by hand, and an observation.
    for (command, players_see) in [
        ("!pause", "Exercice en pause"),
        ("!reprise", "L'exercice reprend"),
        ("!inject i03", "Ça se propage"),
    ] {
        let event = anna.send(&anim, command).await;
        anna.reply_to(&bot_id, &event).await;
        bob.bot_message(&bot_id, players_see).await;
    }
    let obs = olga
        .send(
            &olga_anim,
            "!obs i03 Le directeur hésite à couper OBSERVATION",
        )
        .await;
    assert!(olga.reply_to(&bot_id, &obs).await.body.contains("O1 (i03)"));

    // A player types the stop phrase: loud notices in both rooms, play frozen.
    bob.send(
        &bob.client.get_room(players.room_id()).unwrap(),
        "STOP EXERCICE : malaise réel en salle de crise",
    )
    .await;
    for who in [&bob, &anna] {
        who.bot_message(&bot_id, "🛑🛑 STOP EXERCICE").await;
    }
    let frozen = anna.send(&anim, "!inject").await;
    assert!(
        anna.reply_to(&bot_id, &frozen)
            .await
            .body
            .contains("gelé par un STOP")
    );
    let observer_resume = olga.send(&olga_anim, "!reprise").await;
    assert!(
        olga.reply_to(&bot_id, &observer_resume)
            .await
            .body
            .contains("réservée aux animateurs")
    );
    let resume = anna.send(&anim, "!reprise").await;
    assert!(
        anna.reply_to(&bot_id, &resume)
            .await
            .body
            .contains("Reprise après le STOP")
    );
    bob.wait_for("the second resume", |seen| {
        let n = seen
            .iter()
            .filter(|s| s.sender == bot_id && s.body.contains("L'exercice reprend"))
            .count();
        (n >= 2).then_some(())
    })
    .await;
    let finex = anna.send(&anim, "!finex").await;
    anna.reply_to(&bot_id, &finex).await;
    bob.bot_message(&bot_id, "FINEX").await;

    // Exports from both rooms: the files and their captions are marked too.
    let export = alice.send(&players, "!export").await;
    alice.reply_to(&bot_id, &export).await;
    let export = anna.send(&anim, "!export json").await;
    anna.reply_to(&bot_id, &export).await;
    for who in [&bob, &anna] {
        who.wait_for("the export file", |seen| {
            seen.iter()
                .find(|s| s.sender == bot_id && s.file.is_some())
                .cloned()
        })
        .await;
    }

    // Nothing of the facilitators' material ever reached the players' room.
    let catalog = tocsin::load::dir(&root().join("playbooks")).unwrap();
    let scenario = catalog.scenario("demo-20min").unwrap();
    let mut secrets: Vec<String> = vec![
        "OBSERVATION".to_owned(),
        "Attendu".to_owned(),
        "Suivant".to_owned(),
        " joué à T+".to_owned(),
    ];
    for inject in &scenario.injects {
        secrets.extend(inject.expected.iter().map(|t| t.fr.clone()));
        secrets.extend(inject.notes.iter().map(|t| t.fr.clone()));
    }
    let seen = bob.seen.lock().unwrap().clone();
    // From the opening on (the welcome message comes before the exercise).
    let from_bot: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.sender == bot_id && s.reaction.is_none())
        .skip_while(|s| !s.body.contains("Exercice ouvert"))
        .collect();
    assert!(from_bot.len() >= 8, "{from_bot:?}");
    // Every message of the exercise, in both rooms, is marked: notices and files alike.
    let anim_seen = anna.seen.lock().unwrap().clone();
    let anim_from_bot = anim_seen
        .iter()
        .filter(|s| s.sender == bot_id && s.reaction.is_none())
        .skip_while(|s| !s.body.contains("Salon d'animation lié"));
    for s in from_bot.iter().copied().chain(anim_from_bot) {
        assert!(
            s.body.starts_with("[EXERCICE]"),
            "unmarked exercise message: {}",
            s.body
        );
    }
    assert_eq!(
        from_bot.iter().filter(|s| s.file.is_some()).count(),
        1,
        "the players' export"
    );
    for s in &from_bot {
        for secret in &secrets {
            assert!(
                !s.body.contains(secret.as_str()),
                "facilitator material in the players' room: {secret:?} in {}",
                s.body
            );
        }
    }

    bot.stop().await;
    let mut kinds = Vec::new();
    Journal::open(&setup.dir.path().join("data"), |e| {
        kinds.push(e.record.event.kind())
    })
    .unwrap();
    for kind in [
        "exercise_linked",
        "exercise_started",
        "exercise_paused",
        "exercise_stopped",
        "observation",
        "exercise_ended",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(kinds.iter().filter(|k| **k == "inject_played").count() >= 2);
    assert_eq!(
        kinds.iter().filter(|k| **k == "exercise_resumed").count(),
        2
    );
}
