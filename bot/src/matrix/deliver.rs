//! Carrying out the runtime's deliveries: notices, reactions, posts, edits
//! and files, each send with a transaction id derived from the journal.
//!
//! Deciding and appending stay serial in the runtime task; sending does not
//! hold them up. The runtime task prepares each delivery (renders a file,
//! resolves the message an edit replaces) and hands it to [`Dispatcher`],
//! which keeps one ordered queue per room: a room's messages go out in the
//! order they were decided, rooms do not wait for one another, and within a
//! delivery the notice and its ✅ go out together.
//!
//! Every send waits for its turn in the account's [`Budget`] (the
//! homeserver's pace, learned from its 429 answers or configured), by
//! priority across rooms. When the budget binds, what waits in a room is
//! coalesced rather than reordered or dropped: consecutive receipts become
//! one notice naming each entry (« ✅ I4 bob 03:12 · I5 carol 03:12 »,
//! replying to the latest), consecutive untagged posts (reminders due
//! together) one message, consecutive mirror events one event, as the event
//! size allows; the ✅ and ⛔ reactions wait until nothing else does, and
//! are left out if the budget does not allow them within half a minute.
//! Refusals are never merged: each ⛔ names its command.
//!
//! A delivery stays in the journal's outbox until it is done, so after a crash
//! it is carried out again with the same transaction ids, and the homeserver
//! (which remembers a device's transaction ids) returns the event it already
//! has instead of posting a second one. The same makes retries safe: a
//! delivery that fails for lack of a homeserver is tried again, whole, with
//! back-off, until it goes out or tocsin stops (it then waits in the outbox
//! for the next start). One the homeserver refuses (a 4xx answer) is logged,
//! reported to the runtime task, which records it in the room's crisis
//! (`undelivered`), and dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::config::RequestConfig;
use matrix_sdk::room::edit::{EditError, EditedContent};
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::{Annotation, Reply, Thread};
use matrix_sdk::ruma::events::room::message::{
    Relation, RoomMessageEventContent, RoomMessageEventContentWithoutRelation,
    TextMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId};
use matrix_sdk::{Client, Room};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::budget::{Budget, Priority};
use super::outbound;
use crate::anchor::{self, Anchor};
use crate::journal::OutboxHandle;
use crate::runtime::{Delivery, ExportFile, Output, ReplyTo, StimulusOutput};
use tocsin_core::engine::event::PostTag;

/// Longest wait between two attempts at a delivery the homeserver did not take.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// At most this many deliveries coalesced into one event.
const MAX_COALESCED: usize = 50;
/// Reactions deferred in one room beyond this are not sent (the notices
/// they would repeat are).
const MAX_DEFERRED_REACTIONS: usize = 500;
/// A deferred reaction the budget did not allow within this long is not
/// sent: the notice that named its entry said it all, and a budget that
/// binds that long is better kept for what people still wait for.
const REACTION_PATIENCE: Duration = Duration::from_secs(30);

/// A delivery ready to go out: what the runtime task resolved for it.
#[derive(Debug)]
pub struct Job {
    pub delivery: Delivery,
    /// The rendered file of an export.
    pub file: Option<ExportFile>,
    /// The message an edit replaces, as the journal knows it.
    pub target: Option<String>,
}

/// What the senders tell the runtime task.
#[derive(Debug)]
pub enum Feedback {
    /// A tagged message went out: record its event id, then mark the delivery
    /// done (in that order, so a crash in between posts it again, under the
    /// same transaction id, rather than forgets it).
    Posted {
        crisis: String,
        tag: PostTag,
        event_id: String,
        delivery: u64,
        /// The room, when not the crisis's own (a direct chat).
        room: Option<String>,
    },
    /// A message that said a checkpoint went out: record its event id
    /// (best effort: the report then lists the checkpoint without it).
    Checkpoint {
        crisis: String,
        seq: u64,
        event_id: String,
    },
    /// The homeserver refused a delivery for good: recorded in the room's crisis.
    Refused {
        room: String,
        txn: String,
        reason: String,
    },
    /// The homeserver answered 429 for the first time: say so, once.
    RateLimited { retry_after: Option<Duration> },
}

/// One ordered queue of deliveries per room, each drained by its own task.
#[derive(Debug)]
pub struct Dispatcher {
    client: Client,
    rooms: HashMap<String, mpsc::UnboundedSender<Job>>,
    feedback: mpsc::UnboundedSender<Feedback>,
    outbox: OutboxHandle,
    tasks: TaskTracker,
    shutdown: CancellationToken,
    budget: Arc<Budget>,
}

impl Dispatcher {
    pub fn new(
        client: Client,
        feedback: mpsc::UnboundedSender<Feedback>,
        outbox: OutboxHandle,
        shutdown: CancellationToken,
        budget: Arc<Budget>,
    ) -> Dispatcher {
        Dispatcher {
            client,
            rooms: HashMap::new(),
            feedback,
            outbox,
            tasks: TaskTracker::new(),
            shutdown,
            budget,
        }
    }

    /// Queues a delivery behind those already queued for its room.
    pub fn dispatch(&mut self, job: Job) -> anyhow::Result<()> {
        let Some(room) = job.delivery.room().map(str::to_owned) else {
            // A console item: nothing to send in a room.
            return Ok(self.outbox.done(job.delivery.id)?);
        };
        let queue = self.rooms.entry(room.clone()).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let sender = RoomSender {
                client: self.client.clone(),
                room: room.clone(),
                feedback: self.feedback.clone(),
                outbox: self.outbox.clone(),
                shutdown: self.shutdown.clone(),
                budget: self.budget.clone(),
                posted: HashMap::new(),
                direct: HashMap::new(),
                queue: VecDeque::new(),
                later: VecDeque::new(),
                prepaid: false,
                priority: Priority::Receipt,
                sent: HashMap::new(),
                invited: None,
            };
            self.tasks.spawn(sender.run(rx));
            tx
        });
        queue
            .send(job)
            .map_err(|_| anyhow::anyhow!("the sender of room {room} is gone"))
    }

    /// Lets the queues drain for at most `grace`, then returns; what is left
    /// waits in the outbox for the next start.
    pub async fn finish(self, grace: Duration) {
        let Dispatcher { rooms, tasks, .. } = self;
        drop(rooms);
        tasks.close();
        if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
            tracing::info!("stopping with messages still queued; they go out at the next start");
        }
    }
}

/// The task that sends one room's deliveries, in order.
struct RoomSender {
    client: Client,
    room: String,
    feedback: mpsc::UnboundedSender<Feedback>,
    outbox: OutboxHandle,
    shutdown: CancellationToken,
    budget: Arc<Budget>,
    /// Tagged messages this sender posted, for the edits queued behind them.
    posted: HashMap<PostTag, OwnedEventId>,
    /// The direct chats this sender opened, until the homeserver's account
    /// data says they are direct chats (so a second stimulus does not open another).
    direct: HashMap<String, Room>,
    /// Deliveries received and not yet carried out, in order.
    queue: VecDeque<Job>,
    /// Reactions deferred while the budget binds, oldest first.
    later: VecDeque<Reaction>,
    /// Whether the next send is already paid for (the turn waited for).
    prepaid: bool,
    /// The priority of what is being sent.
    priority: Priority,
    /// The sends of the deliveries being carried out that already went out,
    /// by transaction id: a retry does not spend the budget on them again.
    sent: HashMap<OwnedTransactionId, OwnedEventId>,
    /// The homeserver's answer to the invitation being carried out, once it
    /// gave one: a retry (of the notice saying so) does not invite again.
    invited: Option<(String, Result<(), String>)>,
}

/// A ✅ or ⛔ that waits for the budget, until its deadline.
struct Reaction {
    room: Room,
    target: OwnedEventId,
    key: String,
    txn: OwnedTransactionId,
    deadline: tokio::time::Instant,
}

impl RoomSender {
    /// Carries out the room's deliveries in order, each when the budget
    /// gives it its turn; what arrives meanwhile waits behind it and is
    /// coalesced when the budget binds. Ends when the dispatcher is done and
    /// nothing is left to send but deferred reactions.
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Job>) {
        let mut open = true;
        loop {
            while let Ok(job) = rx.try_recv() {
                self.queue.push_back(job);
            }
            if self.queue.is_empty() {
                if !open || self.later.is_empty() {
                    match rx.recv().await {
                        Some(job) if open => self.queue.push_back(job),
                        _ => return,
                    }
                    continue;
                }
                // Only reactions are left: one, when nothing more urgent
                // waits, unless its time is up.
                let now = tokio::time::Instant::now();
                self.later.retain(|r| r.deadline > now);
                let Some(deadline) = self.later.front().map(|r| r.deadline) else {
                    continue;
                };
                let budget = self.budget.clone();
                tokio::select! {
                    biased;
                    job = rx.recv() => match job {
                        Some(job) => self.queue.push_back(job),
                        None => open = false,
                    },
                    () = budget.spend(Priority::Reaction) => {
                        self.prepaid = true;
                        self.send_deferred_reaction().await;
                    }
                    () = tokio::time::sleep_until(deadline) => {}
                }
                continue;
            }
            // The head's turn; what arrives meanwhile queues up behind it.
            let budget = self.budget.clone();
            let mut ticket = budget.ticket(self.urgency());
            loop {
                tokio::select! {
                    biased;
                    job = rx.recv(), if open => match job {
                        Some(job) => {
                            ticket.raise(priority(&job.delivery));
                            self.queue.push_back(job);
                        }
                        None => open = false,
                    },
                    () = ticket.ready() => break,
                }
            }
            drop(ticket);
            self.prepaid = true;
            let batch = self.take_batch();
            if !self.carry_out_until_done(&batch).await {
                return;
            }
        }
    }

    /// The most urgent priority among what waits: a receipt queued behind a
    /// reminder lends the room its urgency (nothing overtakes within a room).
    fn urgency(&self) -> Priority {
        self.queue
            .iter()
            .map(|job| priority(&job.delivery))
            .min()
            .unwrap_or(Priority::Reaction)
    }

    /// The head of the queue and, when the budget binds, the deliveries
    /// right behind it that can go out in the same event.
    fn take_batch(&mut self) -> Vec<Job> {
        let Some(head) = self.queue.pop_front() else {
            return Vec::new();
        };
        let mut size = carried_size(&head.delivery);
        let mergeable = merge_key(&head.delivery).is_some();
        let mut batch = vec![head];
        if !mergeable || !self.budget.limited() {
            return batch;
        }
        while let Some(next) = self.queue.front() {
            let more = carried_size(&next.delivery);
            if batch.len() >= MAX_COALESCED
                || merge_key(&next.delivery) != merge_key(&batch[0].delivery)
                || size + more > anchor::MAX_CARRIED
                || !same_crisis(&batch[0].delivery, &next.delivery)
            {
                break;
            }
            size += more;
            if let Some(job) = self.queue.pop_front() {
                batch.push(job);
            }
        }
        batch
    }

    /// Tries a batch until it goes out or is refused. `false` if shutdown came first.
    async fn carry_out_until_done(&mut self, batch: &[Job]) -> bool {
        let Some(first) = batch.first() else {
            return true;
        };
        self.sent.clear();
        self.priority = batch
            .iter()
            .map(|job| priority(&job.delivery))
            .min()
            .unwrap_or(Priority::FollowUp);
        let mut backoff = Duration::from_millis(250);
        loop {
            let res = match batch {
                [job] => self.carry_out(job).await,
                _ => self.carry_out_coalesced(batch).await.map(|()| Done::Now),
            };
            match res {
                Ok(Done::Now) => {
                    for job in batch {
                        if let Err(err) = self.outbox.done(job.delivery.id) {
                            tracing::warn!(error = %err, "could not mark a delivery done; it may be sent again (harmlessly)");
                        }
                    }
                    return true;
                }
                Ok(Done::WhenRecorded) => return true,
                Err(Failure::Refused(err)) => {
                    let reason = format!("{err:#}");
                    for job in batch {
                        let txn = &job.delivery.txn;
                        tracing::warn!(error = %reason, room = %self.room, txn = %txn, "a message was refused by the homeserver; dropped");
                        let _ = self.feedback.send(Feedback::Refused {
                            room: self.room.clone(),
                            txn: txn.clone(),
                            reason: reason.clone(),
                        });
                        let _ = self.outbox.done(job.delivery.id);
                    }
                    return true;
                }
                Err(Failure::RateLimited(retry_after)) => {
                    // The budget holds this send (and every room's) until
                    // the homeserver's delay is over; then it goes again,
                    // under the same transaction ids.
                    tracing::debug!(room = %self.room, txn = %first.delivery.txn, ?retry_after, "rate-limited by the homeserver");
                    if self.budget.rate_limited(retry_after) {
                        let _ = self.feedback.send(Feedback::RateLimited { retry_after });
                    }
                }
                Err(Failure::Unreachable(err)) => {
                    tracing::warn!(error = format!("{err:#}"), room = %self.room, retry_in = ?backoff, "a message could not be sent yet");
                    tokio::select! {
                        () = self.shutdown.cancelled() => return false,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// Waits for the budget's turn for one send, unless already paid for.
    async fn pay(&mut self) {
        if std::mem::take(&mut self.prepaid) {
            return;
        }
        self.budget.spend(self.priority).await;
    }

    /// Sends one delivery, whole; one function per kind of output.
    async fn carry_out(&mut self, job: &Job) -> Result<Done, Failure> {
        let delivery = &job.delivery;
        let txn = |what: &str| txn_id(&delivery.txn, what);
        let reply_to = delivery.reply_to.as_ref();
        let anchor = &delivery.anchor;
        let said = match &delivery.output {
            Output::Ack(text) => self.answer(reply_to, text, Some("✅"), anchor, txn).await,
            Output::Refuse(text) => self.answer(reply_to, text, Some("⛔"), anchor, txn).await,
            Output::Reply(text) => self.answer(reply_to, text, None, anchor, txn).await,
            Output::Post {
                room,
                crisis,
                text,
                tag,
            } => {
                let room = room_of(&self.client, room)?;
                let event_id = self
                    .send(&room, outbound::notice(text), txn("post"), anchor)
                    .await?;
                self.said_checkpoint(anchor, &event_id);
                return Ok(match tag {
                    Some(tag) => self.posted(crisis, tag, event_id, delivery.id),
                    None => Done::Now,
                });
            }
            Output::Mirror { room, .. } => {
                let room = room_of(&self.client, room)?;
                self.mirror(&room, anchor, txn("mirror")).await?;
                return Ok(Done::Now);
            }
            Output::Edit {
                room,
                crisis,
                tag,
                text,
            } => return self.edit(job, room, crisis, tag, text).await,
            Output::Stimulus(stimulus) => return self.stimulus(delivery, stimulus).await,
            Output::Export { room, .. } | Output::Summary { room, .. } => {
                return self.export(job, room).await.map(|()| Done::Now);
            }
            Output::ShareHistory { room, .. } => {
                let room = room_of(&self.client, room)?;
                return self.share_history(&room).await.map(|()| Done::Now);
            }
            Output::Invite {
                room, user, failed, ..
            } => {
                let room = room_of(&self.client, room)?;
                let txn = txn("invite-failed");
                return self
                    .invite(&room, &delivery.txn, user, failed, anchor, txn)
                    .await;
            }
        }?;
        if let Some(event_id) = said {
            self.said_checkpoint(anchor, &event_id);
        }
        Ok(Done::Now)
    }

    /// Sends deliveries that [`RoomSender::take_batch`] found can share one
    /// event: receipts as one notice, posts as one message, mirror events
    /// as one event, each carrying every entry the deliveries carry.
    async fn carry_out_coalesced(&mut self, batch: &[Job]) -> Result<(), Failure> {
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            return Ok(());
        };
        let txn = txn_id(
            &last.delivery.txn,
            &format!("coalesced-{}-{}", first.delivery.txn, batch.len()),
        );
        let anchor = Anchor {
            entries: batch
                .iter()
                .flat_map(|job| job.delivery.anchor.entries.iter().cloned())
                .collect(),
            checkpoint: None,
        };
        let room = room_of(&self.client, &self.room)?;
        match &first.delivery.output {
            Output::Mirror { .. } => self.mirror(&room, &anchor, txn).await,
            Output::Post { .. } => {
                let texts: Vec<&str> = batch
                    .iter()
                    .filter_map(|job| match &job.delivery.output {
                        Output::Post { text, .. } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                self.send(&room, outbound::notice(&texts.join("\n")), txn, &anchor)
                    .await
                    .map(drop)
            }
            _ => self.receipts(&room, batch, &anchor, txn).await,
        }
    }

    /// One notice acknowledging every receipt of the batch, replying to the
    /// latest; their ✅ wait for the budget.
    async fn receipts(
        &mut self,
        room: &Room,
        batch: &[Job],
        anchor: &Anchor,
        txn: OwnedTransactionId,
    ) -> Result<(), Failure> {
        let mut marking = "";
        let mut lines = Vec::with_capacity(batch.len());
        for job in batch {
            let (Some(receipt), Output::Ack(text)) = (&job.delivery.receipt, &job.delivery.output)
            else {
                continue;
            };
            marking = &receipt.marking;
            // Whoever the entry names (an action's owner) is mentioned.
            let mut line = receipt.line.clone();
            for user in outbound::user_ids(text) {
                line.push_str(" → ");
                line.push_str(user.as_str());
            }
            lines.push(line);
        }
        let text = format!("{marking}✅ {}", lines.join(" · "));
        let reply_to = batch.last().and_then(|job| job.delivery.reply_to.as_ref());
        let mut content = outbound::notice(&text);
        if let Some(reply_to) = reply_to {
            content.relates_to = relation(reply_to)?;
        }
        self.send(room, content, txn, anchor).await?;
        for job in batch {
            if let Some(reply_to) = &job.delivery.reply_to {
                self.defer_reaction(room, reply_to, "✅", &job.delivery.txn)?;
            }
        }
        Ok(())
    }

    /// Keeps a reaction for when the budget allows it.
    fn defer_reaction(
        &mut self,
        room: &Room,
        reply_to: &ReplyTo,
        key: &str,
        txn: &str,
    ) -> Result<(), Failure> {
        if self.later.len() >= MAX_DEFERRED_REACTIONS {
            self.later.pop_front();
        }
        self.later.push_back(Reaction {
            room: room.clone(),
            target: event_id(&reply_to.event_id)?,
            key: key.to_owned(),
            txn: txn_id(txn, "reaction"),
            deadline: tokio::time::Instant::now() + REACTION_PATIENCE,
        });
        Ok(())
    }

    /// Sends the oldest deferred reaction (already paid for); one that
    /// fails is not tried again: the notice it repeats went out.
    async fn send_deferred_reaction(&mut self) {
        let Some(reaction) = self.later.pop_front() else {
            self.prepaid = false;
            return;
        };
        self.priority = Priority::Reaction;
        let content = ReactionEventContent::new(Annotation::new(
            reaction.target.clone(),
            reaction.key.clone(),
        ));
        self.prepaid = false;
        let res = reaction
            .room
            .send(content)
            .with_transaction_id(reaction.txn.clone())
            .with_request_config(no_retry())
            .await
            .map_err(classify);
        match res {
            Ok(_) => {}
            Err(Failure::RateLimited(retry_after)) => {
                if self.budget.rate_limited(retry_after) {
                    let _ = self.feedback.send(Feedback::RateLimited { retry_after });
                }
                self.later.push_front(reaction);
            }
            Err(Failure::Refused(err) | Failure::Unreachable(err)) => {
                tracing::debug!(
                    error = format!("{err:#}"),
                    "a deferred reaction was not sent"
                );
            }
        }
    }

    /// Has the runtime task record the message that said a checkpoint.
    fn said_checkpoint(&self, anchor: &Anchor, event_id: &OwnedEventId) {
        if let Some(checkpoint) = &anchor.checkpoint {
            let _ = self.feedback.send(Feedback::Checkpoint {
                crisis: checkpoint.crisis.clone(),
                seq: checkpoint.seq,
                event_id: event_id.to_string(),
            });
        }
    }

    /// Edits a tagged message, or posts it if it never was.
    async fn edit(
        &mut self,
        job: &Job,
        room: &str,
        crisis: &str,
        tag: &PostTag,
        text: &str,
    ) -> Result<Done, Failure> {
        let txn = |what: &str| txn_id(&job.delivery.txn, what);
        let room = room_of(&self.client, room)?;
        let target = self.posted.get(tag).cloned().or_else(|| {
            job.target
                .as_deref()
                .and_then(|e| OwnedEventId::try_from(e).ok())
        });
        let Some(original) = target else {
            // Never posted (or before an upgrade): post it now, and edit that from then on.
            let event_id = self
                .send(
                    &room,
                    outbound::notice(text),
                    txn("post"),
                    &Anchor::default(),
                )
                .await?;
            return Ok(self.posted(crisis, tag, event_id, job.delivery.id));
        };
        let content = RoomMessageEventContentWithoutRelation::from(outbound::notice(text));
        let edit = room
            .make_edit_event(&original, EditedContent::RoomMessage(content))
            .await
            .map_err(|err| match err {
                EditError::Fetch(inner) if !refused(&inner) => {
                    Failure::Unreachable(anyhow::Error::new(*inner))
                }
                other => Failure::Refused(other.into()),
            })?;
        self.pay().await;
        room.send(edit)
            .with_transaction_id(txn("edit"))
            .with_request_config(no_retry())
            .await
            .map_err(classify)?;
        Ok(Done::Now)
    }

    /// Sends an export as a file (encrypted by the SDK when the room is), then its caption.
    async fn export(&mut self, job: &Job, room: &str) -> Result<(), Failure> {
        let delivery = &job.delivery;
        let txn = |what: &str| txn_id(&delivery.txn, what);
        let room = room_of(&self.client, room)?;
        let Some(file) = &job.file else {
            return Err(Failure::Refused(anyhow::anyhow!(
                "the export could not be rendered"
            )));
        };
        let mime: mime::Mime = file
            .mime
            .parse()
            .map_err(|e| Failure::Refused(anyhow::anyhow!("bad mime type {}: {e}", file.mime)))?;
        // In an exercise, the file is shown under its marked name.
        let file_txn = txn("file");
        if !self.sent.contains_key(&file_txn) {
            let config = AttachmentConfig::new().txn_id(file_txn.clone()).caption(
                (file.title != file.name)
                    .then(|| TextMessageEventContent::plain(file.title.clone())),
            );
            // The upload and the message: two calls.
            self.pay().await;
            self.pay().await;
            let sent = room
                .send_attachment(file.name.clone(), &mime, file.bytes.clone(), config)
                .await
                .map_err(classify)?;
            self.sent.insert(file_txn, sent.event_id);
        }
        let none = Anchor::default();
        match &delivery.reply_to {
            Some(reply_to) => self
                .answer(Some(reply_to), &file.caption, None, &none, txn)
                .await
                .map(drop),
            None => self
                .send(&room, outbound::notice(&file.caption), txn("notice"), &none)
                .await
                .map(drop),
        }
    }

    /// Sends a stimulus, in the players' room or a direct chat, then its files
    /// (encrypted by the SDK when the room is). Every file is read and checked
    /// against its load-time hash first: a file changed since is not sent.
    async fn stimulus(
        &mut self,
        delivery: &Delivery,
        stimulus: &StimulusOutput,
    ) -> Result<Done, Failure> {
        let StimulusOutput {
            room,
            crisis,
            inject,
            direct_to,
            text,
            html,
            files,
        } = stimulus;
        let txn = |what: &str| txn_id(&delivery.txn, what);
        let mut contents = Vec::with_capacity(files.len());
        for file in files {
            let bytes = tokio::fs::read(&file.path).await.map_err(|err| {
                Failure::Refused(anyhow::anyhow!(
                    "attachment {} cannot be read ({}): {err}",
                    file.name,
                    file.path
                ))
            })?;
            if tocsin_core::digest::hex(&Sha256::digest(&bytes)) != file.sha256 {
                return Err(Failure::Refused(anyhow::anyhow!(
                    "attachment {} changed since the scenario was loaded; reload the scenario",
                    file.name
                )));
            }
            let mime: mime::Mime = file.mime.parse().map_err(|e| {
                Failure::Refused(anyhow::anyhow!("bad mime type {}: {e}", file.mime))
            })?;
            contents.push((file, mime, bytes));
        }
        let target = match direct_to {
            Some(user) => self.direct_chat(user).await?,
            None => room_of(&self.client, room)?,
        };
        let content = match html {
            Some(html) => outbound::notice_formatted(text, html),
            None => outbound::notice(text),
        };
        let event_id = self
            .send(&target, content, txn("post"), &Anchor::default())
            .await?;
        for (idx, (file, mime, bytes)) in contents.into_iter().enumerate() {
            let file_txn = txn(&format!("file-{idx}"));
            if self.sent.contains_key(&file_txn) {
                continue;
            }
            let config = AttachmentConfig::new()
                .txn_id(file_txn.clone())
                .caption(file.caption.clone().map(TextMessageEventContent::plain));
            self.pay().await;
            self.pay().await;
            let sent = target
                .send_attachment(file.name.clone(), &mime, bytes, config)
                .await
                .map_err(classify)?;
            self.sent.insert(file_txn, sent.event_id);
        }
        let tag = PostTag::Inject(inject.clone());
        if direct_to.is_none() {
            return Ok(self.posted(crisis, &tag, event_id, delivery.id));
        }
        // Sent in a direct chat: the engine learns that room belongs to the exercise.
        let _ = self.feedback.send(Feedback::Posted {
            crisis: crisis.clone(),
            tag,
            event_id: event_id.to_string(),
            delivery: delivery.id,
            room: Some(target.room_id().to_string()),
        });
        Ok(Done::WhenRecorded)
    }

    /// The direct chat with a player: the one tocsin has, or a new one
    /// (encrypted, the player invited).
    async fn direct_chat(&mut self, user: &str) -> Result<Room, Failure> {
        let id = matrix_sdk::ruma::UserId::parse(user)
            .with_context(|| format!("bad user id {user}"))
            .map_err(Failure::Refused)?;
        if let Some(room) = self
            .client
            .get_dm_room(&id)
            .or_else(|| self.direct.get(user).cloned())
        {
            return Ok(room);
        }
        self.pay().await;
        let room = self.client.create_dm(&id).await.map_err(classify)?;
        self.direct.insert(user.to_owned(), room.clone());
        Ok(room)
    }

    /// Remembers a tagged message for the edits behind it, and has the
    /// runtime task record it (which then marks the delivery done).
    fn posted(
        &mut self,
        crisis: &str,
        tag: &PostTag,
        event_id: OwnedEventId,
        delivery: u64,
    ) -> Done {
        self.posted.insert(tag.clone(), event_id.clone());
        let _ = self.feedback.send(Feedback::Posted {
            crisis: crisis.to_owned(),
            tag: tag.clone(),
            event_id: event_id.to_string(),
            delivery,
            room: None,
        });
        Done::WhenRecorded
    }

    /// Answers a chat message: a notice replying to it (in its thread, if it
    /// was in one) and, for a message, the reaction: right after the notice,
    /// or later when the budget binds. Returns the notice's event id.
    async fn answer(
        &mut self,
        reply_to: Option<&ReplyTo>,
        text: &str,
        reaction: Option<&str>,
        anchor: &Anchor,
        txn: impl Fn(&str) -> OwnedTransactionId,
    ) -> Result<Option<OwnedEventId>, Failure> {
        let Some(reply_to) = reply_to else {
            return Ok(None);
        };
        let room = room_of(&self.client, &reply_to.room)?;
        let mut content = outbound::notice(text);
        content.relates_to = relation(reply_to)?;
        // The notice first, then the ✅: Synapse creates a room's events one
        // at a time, so sending both at once only lets the reaction overtake
        // the answer people read, and the reader's sync then wakes for the
        // reaction first. The other rooms' deliveries still go out meanwhile
        // (one sender per room).
        let event_id = self.send(&room, content, txn("notice"), anchor).await?;
        let Some(key) = reaction.filter(|_| reply_to.message) else {
            return Ok(Some(event_id));
        };
        let reaction_txn = txn("reaction");
        if self.budget.limited() {
            if self.later.len() >= MAX_DEFERRED_REACTIONS {
                self.later.pop_front();
            }
            self.later.push_back(Reaction {
                room,
                target: event_id_of(reply_to)?,
                key: key.to_owned(),
                txn: reaction_txn,
                deadline: tokio::time::Instant::now() + REACTION_PATIENCE,
            });
            return Ok(Some(event_id));
        }
        if !self.sent.contains_key(&reaction_txn) {
            let content =
                ReactionEventContent::new(Annotation::new(event_id_of(reply_to)?, key.to_owned()));
            self.pay().await;
            let res = room
                .send(content)
                .with_transaction_id(reaction_txn.clone())
                .with_request_config(no_retry())
                .await
                .map_err(classify)?;
            self.sent.insert(reaction_txn, res.response.event_id);
        }
        Ok(Some(event_id))
    }

    /// Sends a message, once per transaction id; with an anchor, its fields
    /// are added to the content (clients show the text as usual).
    async fn send(
        &mut self,
        room: &Room,
        content: RoomMessageEventContent,
        txn: OwnedTransactionId,
        anchor: &Anchor,
    ) -> Result<OwnedEventId, Failure> {
        if let Some(event_id) = self.sent.get(&txn) {
            return Ok(event_id.clone());
        }
        let mut json = serde_json::to_value(&content)
            .map_err(|e| Failure::Refused(anyhow::anyhow!("unserializable message: {e}")))?;
        if let Some(fields) = json.as_object_mut() {
            fields.extend(anchor.fields());
        }
        self.pay().await;
        let res = room
            .send_raw("m.room.message", json)
            .with_transaction_id(&txn)
            .with_request_config(no_retry())
            .await
            .map_err(classify)?;
        self.sent.insert(txn, res.response.event_id.clone());
        Ok(res.response.event_id)
    }

    /// Sends the event people do not see that carries `anchor`'s entries.
    async fn mirror(
        &mut self,
        room: &Room,
        anchor: &Anchor,
        txn: OwnedTransactionId,
    ) -> Result<(), Failure> {
        if self.sent.contains_key(&txn) {
            return Ok(());
        }
        self.pay().await;
        let res = room
            .send_raw(
                anchor::ENTRIES_FIELD,
                serde_json::Value::Object(anchor.fields()),
            )
            .with_transaction_id(&txn)
            .with_request_config(no_retry())
            .await
            .map_err(classify)?;
        self.sent.insert(txn, res.response.event_id);
        Ok(())
    }
}

impl RoomSender {
    /// Sets the room's history to `shared` when it is `joined` or `invited`
    /// and tocsin may change it, then waits (a few seconds at most) until its
    /// own view of the room says so: the next encrypted message then starts
    /// a room key marked as shareable, which [`Self::invite`] hands to
    /// invitees. Without the power to, the history stays as it is: one log
    /// line, and newcomers get the briefing only.
    async fn share_history(&mut self, room: &Room) -> Result<(), Failure> {
        use matrix_sdk::ruma::events::StateEventType;
        use matrix_sdk::ruma::events::room::history_visibility::HistoryVisibility;

        let before = room.history_visibility_or_default();
        if !matches!(
            before,
            HistoryVisibility::Joined | HistoryVisibility::Invited
        ) {
            return Ok(());
        }
        let may = match (self.client.user_id(), room.power_levels().await) {
            (Some(me), Ok(levels)) => {
                levels.user_can_send_state(me, StateEventType::RoomHistoryVisibility)
            }
            _ => false,
        };
        if !may {
            tracing::info!(room = %room.room_id(), history = %before, "the room's history stays as it is (tocsin may not change it): people invited later will not read what was said before they came");
            return Ok(());
        }
        self.pay().await;
        match room
            .privacy_settings()
            .update_room_history_visibility(HistoryVisibility::Shared)
            .await
            .map_err(classify)
        {
            Ok(()) => {}
            Err(Failure::Refused(err)) => {
                tracing::warn!(room = %room.room_id(), error = format!("{err:#}"), "could not share the room's history with people invited later");
                return Ok(());
            }
            Err(other) => return Err(other),
        }
        tracing::info!(room = %room.room_id(), history = %before, "the room's history is now shared with people invited later");
        let deadline = tokio::time::Instant::now() + SHARED_HISTORY_SEEN;
        while room.history_visibility_or_default() != HistoryVisibility::Shared
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Invites `user` (matrix-sdk shares the room's encrypted history with
    /// them, MSC4268). A refusal (unknown user, already a member, no power
    /// to invite) is said in the room once, with the homeserver's reason,
    /// and not retried; 429s and unreachable homeservers are.
    async fn invite(
        &mut self,
        room: &Room,
        key: &str,
        user: &str,
        failed: &str,
        anchor: &Anchor,
        txn: OwnedTransactionId,
    ) -> Result<Done, Failure> {
        let answer = match &self.invited {
            Some((k, answer)) if k == key => answer.clone(),
            _ => {
                let answer = match matrix_sdk::ruma::UserId::parse(user) {
                    Err(err) => Err(err.to_string()),
                    Ok(id) => {
                        self.pay().await;
                        match room.invite_user_by_id(&id).await.map_err(classify) {
                            Ok(()) => Ok(()),
                            Err(Failure::Refused(err)) => Err(format!("{err:#}")),
                            Err(other) => return Err(other),
                        }
                    }
                };
                self.invited = Some((key.to_owned(), answer.clone()));
                answer
            }
        };
        match answer {
            Ok(()) => {
                tracing::info!(room = %room.room_id(), user, "invited");
                Ok(Done::Now)
            }
            Err(reason) => {
                tracing::warn!(room = %room.room_id(), user, reason, "the invitation was refused");
                let text = failed.replace("{reason}", &reason);
                self.send(room, outbound::notice(&text), txn, anchor)
                    .await?;
                // The log says the invitation never went out, and why.
                let _ = self.feedback.send(Feedback::Refused {
                    room: self.room.clone(),
                    txn: key.to_owned(),
                    reason,
                });
                Ok(Done::Now)
            }
        }
    }
}

/// How long a sender waits for its sync to show the history it just shared
/// before it goes on (and, if it has not by then, sends anyway).
const SHARED_HISTORY_SEEN: Duration = Duration::from_secs(10);

/// How urgent a delivery is, for the budget.
fn priority(delivery: &Delivery) -> Priority {
    let answers_a_message = delivery.reply_to.as_ref().is_some_and(|r| r.message);
    match &delivery.output {
        Output::Ack(_) | Output::Refuse(_) | Output::Reply(_) if answers_a_message => {
            Priority::Receipt
        }
        _ if delivery.urgent => Priority::Stop,
        Output::Stimulus(_) => Priority::Stimulus,
        Output::Mirror { .. } => Priority::Mirror,
        _ => Priority::FollowUp,
    }
}

/// What deliveries can share one event: receipts of the same marking in the
/// same thread, untagged posts, mirror events. A checkpoint stays on its own
/// message (its event id is recorded), and a refusal names its command.
#[derive(Debug, PartialEq, Eq)]
enum MergeKey<'a> {
    Receipt {
        marking: &'a str,
        thread: Option<&'a str>,
    },
    Post,
    Mirror,
}

fn merge_key(delivery: &Delivery) -> Option<MergeKey<'_>> {
    if delivery.anchor.checkpoint.is_some() {
        return None;
    }
    match &delivery.output {
        Output::Ack(_) => {
            let reply_to = delivery.reply_to.as_ref().filter(|r| r.message)?;
            let receipt = delivery.receipt.as_ref()?;
            Some(MergeKey::Receipt {
                marking: &receipt.marking,
                thread: reply_to.thread.as_deref(),
            })
        }
        Output::Post { tag: None, .. } => Some(MergeKey::Post),
        Output::Mirror { .. } => Some(MergeKey::Mirror),
        _ => None,
    }
}

/// The size of the entries a delivery carries into the room.
fn carried_size(delivery: &Delivery) -> usize {
    delivery
        .anchor
        .entries
        .iter()
        .map(|m| m.payload.len())
        .sum()
}

/// Whether two deliveries carry entries of one crisis at most (one crisis's
/// entries per event).
fn same_crisis(a: &Delivery, b: &Delivery) -> bool {
    let crisis = |d: &Delivery| d.anchor.entries.first().map(|m| m.crisis.clone());
    match (crisis(a), crisis(b)) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// A notice's relation to the message it answers: a reply, in the
/// message's thread if it was in one (nothing for a reaction or a redaction).
fn relation(
    reply_to: &ReplyTo,
) -> Result<Option<Relation<RoomMessageEventContentWithoutRelation>>, Failure> {
    if !reply_to.message {
        return Ok(None);
    }
    let original = event_id_of(reply_to)?;
    Ok(Some(match &reply_to.thread {
        // Keeps the original's thread when it was in one.
        Some(root) => match OwnedEventId::try_from(root.as_str()) {
            Ok(root) => Relation::Thread(Thread::plain(root, original)),
            Err(_) => Relation::Reply(Reply::with_event_id(original)),
        },
        None => Relation::Reply(Reply::with_event_id(original)),
    }))
}

fn event_id_of(reply_to: &ReplyTo) -> Result<OwnedEventId, Failure> {
    event_id(&reply_to.event_id)
}

fn event_id(id: &str) -> Result<OwnedEventId, Failure> {
    OwnedEventId::try_from(id).map_err(|e| Failure::Refused(anyhow::anyhow!("bad event id: {e}")))
}

/// Sends are not retried by the SDK (which would wait out a 429 for up to
/// 15 minutes, unseen): the sender retries, and the budget learns the pace.
fn no_retry() -> RequestConfig {
    RequestConfig::new().disable_retry()
}

/// How a delivery that went out is finished.
enum Done {
    /// Mark it done in the outbox now.
    Now,
    /// The runtime task marks it done once it has recorded the posted message.
    WhenRecorded,
}

enum Failure {
    /// The homeserver answered no (4xx), or the delivery cannot be made.
    Refused(anyhow::Error),
    /// The homeserver answered 429: try again when its delay is over.
    RateLimited(Option<Duration>),
    /// No answer, or a server error: try again later.
    Unreachable(anyhow::Error),
}

fn classify(err: matrix_sdk::Error) -> Failure {
    if let Some(api) = err.as_client_api_error()
        && api.status_code.as_u16() == 429
    {
        return Failure::RateLimited(retry_after(api));
    }
    if refused(&err) {
        Failure::Refused(err.into())
    } else {
        Failure::Unreachable(err.into())
    }
}

/// The delay a 429 asks for (`retry_after_ms`, or a date).
fn retry_after(api: &matrix_sdk::ruma::api::error::Error) -> Option<Duration> {
    use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};
    match api.error_kind()? {
        ErrorKind::LimitExceeded(data) => match data.retry_after? {
            RetryAfter::Delay(delay) => Some(delay),
            RetryAfter::DateTime(at) => at.duration_since(std::time::SystemTime::now()).ok(),
        },
        _ => None,
    }
}

/// A definite no from the homeserver (a 4xx other than rate limiting).
fn refused(err: &matrix_sdk::Error) -> bool {
    err.as_client_api_error()
        .is_some_and(|e| e.status_code.is_client_error() && e.status_code.as_u16() != 429)
}

/// A transaction id unique to a delivery and one of its sends (`what`).
fn txn_id(base: &str, what: &str) -> OwnedTransactionId {
    let digest = Sha256::digest(format!("{base}/{what}").as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    OwnedTransactionId::from(format!("tocsin-{hex}"))
}

fn room_of(client: &Client, room: &str) -> Result<Room, Failure> {
    let id = matrix_sdk::ruma::RoomId::parse(room)
        .with_context(|| format!("bad room id {room}"))
        .map_err(Failure::Refused)?;
    client
        .get_room(&id)
        .with_context(|| format!("not in room {room}"))
        .map_err(Failure::Refused)
}

/// Tells a room, best effort, that something went wrong with a message (no
/// reaction: the message was not acknowledged). Used just before stopping,
/// outside the budget.
pub async fn warn(client: &Client, reply_to: &ReplyTo, text: &str) {
    let res = async {
        let room = room_of(client, &reply_to.room)?;
        let mut content = outbound::notice(text);
        content.relates_to = relation(reply_to)?;
        let txn = txn_id(&format!("{}/warning", reply_to.event_id), "notice");
        room.send(content)
            .with_transaction_id(txn)
            .await
            .map_err(classify)
    }
    .await;
    if let Err(Failure::Refused(err) | Failure::Unreachable(err)) = res {
        tracing::warn!(error = format!("{err:#}"), "could not post the warning");
    }
}
