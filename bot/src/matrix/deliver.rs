//! Carrying out the runtime's deliveries: notices, reactions, posts, edits
//! and files, each send with a transaction id derived from the journal.
//!
//! A delivery stays in the journal's outbox until it is done here, so after a
//! crash it is carried out again with the same transaction ids, and the
//! homeserver (which remembers a device's transaction ids) returns the event
//! it already has instead of posting a second one.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use matrix_sdk::attachment::AttachmentConfig;
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

use super::outbound;
use crate::engine::event::PostTag;
use crate::runtime::{Delivery, Output, ReplyTo, Runtime};

/// Attempts per send before a delivery is left for the next start.
const ATTEMPTS: u32 = 4;

/// Carries out one delivery and notes it done. A send the homeserver refuses
/// for good (the room is gone, the content is refused) is logged and dropped;
/// one that keeps failing for lack of a homeserver stays in the outbox for the
/// next start. Only a journal failure is an error.
pub async fn deliver(
    client: &Client,
    runtime: &mut Runtime,
    delivery: Delivery,
) -> anyhow::Result<()> {
    match carry_out(client, runtime, &delivery).await {
        Ok(()) => runtime.delivered(delivery.id),
        Err(Failure::Journal(err)) => Err(err),
        Err(Failure::Refused(err)) => {
            tracing::warn!(error = format!("{err:#}"), txn = %delivery.txn, "a message was refused by the homeserver; dropped");
            runtime.delivered(delivery.id)
        }
        Err(Failure::Unreachable(err)) => {
            tracing::warn!(error = format!("{err:#}"), txn = %delivery.txn, "a message could not be sent; it will be sent at the next start");
            Ok(())
        }
    }
}

enum Failure {
    /// Recording what was posted failed: the runtime cannot go on.
    Journal(anyhow::Error),
    /// The homeserver answered no (4xx), or the delivery cannot be made.
    Refused(anyhow::Error),
    /// No answer, or a server error, after retries.
    Unreachable(anyhow::Error),
}

#[allow(
    clippy::too_many_lines,
    reason = "from the delivery-guarantee work; to split against the 80-line threshold of issue 11"
)]
async fn carry_out(
    client: &Client,
    runtime: &mut Runtime,
    delivery: &Delivery,
) -> Result<(), Failure> {
    let txn = |what: &str| txn_id(&delivery.txn, what);
    match &delivery.output {
        Output::Ack(text) => {
            answer(client, delivery.reply_to.as_ref(), text, Some("✅"), txn).await
        }
        Output::Refuse(text) => {
            answer(client, delivery.reply_to.as_ref(), text, Some("⛔"), txn).await
        }
        Output::Reply(text) => answer(client, delivery.reply_to.as_ref(), text, None, txn).await,
        Output::Post {
            room,
            crisis,
            text,
            tag,
        } => {
            let room = room_of(client, room)?;
            let event_id = send(&room, outbound::notice(text), txn("post")).await?;
            if let Some(tag) = tag {
                record_posted(runtime, crisis, tag, &event_id)?;
            }
            Ok(())
        }
        Output::Edit {
            room,
            crisis,
            tag,
            text,
        } => {
            let room = room_of(client, room)?;
            let posted = runtime
                .posted_event(crisis, tag)
                .and_then(|e| OwnedEventId::try_from(e).ok());
            let Some(original) = posted else {
                // Never posted (or before an upgrade): post it now, and edit that from then on.
                let event_id = send(&room, outbound::notice(text), txn("post")).await?;
                return record_posted(runtime, crisis, tag, &event_id);
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
            retry(|| room.send(edit.clone()).with_transaction_id(txn("edit")))
                .await
                .map(drop)
        }
        Output::Export {
            room,
            crisis,
            format,
            players,
        } => {
            let room = room_of(client, room)?;
            let file = tokio::task::block_in_place(|| {
                runtime.render_export(crisis, format, *players, Utc::now())
            })
            .map_err(|err| Failure::Refused(err.context("rendering the export")))?;
            let mime: mime::Mime = file.mime.parse().map_err(|e| {
                Failure::Refused(anyhow::anyhow!("bad mime type {}: {e}", file.mime))
            })?;
            retry(|| {
                // Encrypted by the SDK when the room is.
                room.send_attachment(
                    file.name.clone(),
                    &mime,
                    file.bytes.clone(),
                    AttachmentConfig::new().txn_id(txn("file")).caption(
                        (file.title != file.name)
                            .then(|| TextMessageEventContent::plain(file.title.clone())),
                    ),
                )
            })
            .await?;
            match &delivery.reply_to {
                Some(_) => {
                    answer(client, delivery.reply_to.as_ref(), &file.caption, None, txn).await
                }
                None => send(&room, outbound::notice(&file.caption), txn("notice"))
                    .await
                    .map(drop),
            }
        }
    }
}

/// Answers a chat message: a notice replying to it (in its thread, if it was
/// in one), then the reaction, if any. Without a message to answer (console
/// items), there is nothing to send.
async fn answer(
    client: &Client,
    reply_to: Option<&ReplyTo>,
    text: &str,
    reaction: Option<&str>,
    txn: impl Fn(&str) -> OwnedTransactionId,
) -> Result<(), Failure> {
    let Some(reply_to) = reply_to else {
        return Ok(());
    };
    let room = room_of(client, &reply_to.room)?;
    let original = OwnedEventId::try_from(reply_to.event_id.as_str())
        .map_err(|e| Failure::Refused(anyhow::anyhow!("bad event id: {e}")))?;
    let mut content = outbound::notice(text);
    if reply_to.message {
        content.relates_to = Some(match &reply_to.thread {
            // Keeps the original's thread when it was in one.
            Some(root) => match OwnedEventId::try_from(root.as_str()) {
                Ok(root) => Relation::Thread(Thread::plain(root, original.clone())),
                Err(_) => Relation::Reply(Reply::with_event_id(original.clone())),
            },
            None => Relation::Reply(Reply::with_event_id(original.clone())),
        });
    }
    // The notice first: it is what people read; the reaction follows.
    send(&room, content, txn("notice")).await?;
    if let (Some(key), true) = (reaction, reply_to.message) {
        let content = ReactionEventContent::new(Annotation::new(original, key.to_owned()));
        retry(|| {
            room.send(content.clone())
                .with_transaction_id(txn("reaction"))
        })
        .await?;
    }
    Ok(())
}

async fn send(
    room: &Room,
    content: RoomMessageEventContent,
    txn: OwnedTransactionId,
) -> Result<OwnedEventId, Failure> {
    let res = retry(|| room.send(content.clone()).with_transaction_id(txn.clone())).await?;
    Ok(res.response.event_id)
}

fn record_posted(
    runtime: &mut Runtime,
    crisis: &str,
    tag: &PostTag,
    event_id: &OwnedEventId,
) -> Result<(), Failure> {
    tokio::task::block_in_place(|| {
        runtime.record_posted(crisis, tag, event_id.as_str(), Utc::now())
    })
    .map_err(Failure::Journal)
}

/// Runs a request until it succeeds, the homeserver refuses it, or the
/// attempts run out.
async fn retry<T, F>(mut request: impl FnMut() -> F) -> Result<T, Failure>
where
    F: std::future::IntoFuture<Output = Result<T, matrix_sdk::Error>>,
{
    let mut backoff = Duration::from_millis(250);
    let mut attempt = 1;
    loop {
        match request().into_future().await {
            Ok(value) => return Ok(value),
            Err(err) if refused(&err) => return Err(Failure::Refused(err.into())),
            Err(err) if attempt >= ATTEMPTS => return Err(Failure::Unreachable(err.into())),
            Err(err) => {
                tracing::debug!(error = %err, attempt, "send failed, retrying");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                attempt += 1;
            }
        }
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
/// reaction: the message was not acknowledged). Used just before stopping.
pub async fn warn(client: &Client, reply_to: &ReplyTo, text: &str) {
    let base = format!("{}/warning", reply_to.event_id);
    let res = answer(client, Some(reply_to), text, None, |what| {
        txn_id(&base, what)
    })
    .await;
    if let Err(Failure::Journal(err) | Failure::Refused(err) | Failure::Unreachable(err)) = res {
        tracing::warn!(error = format!("{err:#}"), "could not post the warning");
    }
}
