//! The account's send budget: how fast tocsin may send, learned from the
//! homeserver's 429 answers (`retry_after_ms`) and from a configured rate
//! (`matrix.send_rate`, `"tchap"` for about one call per second), and who
//! sends next when sends must wait.
//!
//! A homeserver limits an account, not a room: one [`Budget`] serves every
//! room's sender. Each send first waits for its turn ([`Budget::spend`]);
//! when several rooms wait, the most urgent [`Priority`] goes first, then the
//! one that waited longest. Within a room nothing is reordered: a room's
//! sender asks for the priority of the most urgent delivery it holds, and
//! what waits behind the head is coalesced by the sender (`deliver`).
//!
//! The pace itself ([`Pacer`]) is a generic cell rate algorithm: sends go at
//! one per `interval`, with up to `burst` at once after a quiet spell. A 429
//! answer sets a learned pace (its `retry_after` as the interval, Synapse's
//! shipped burst of 10) and holds every send until the homeserver's delay is
//! over; a learned pace is forgotten after [`FORGET_AFTER`] without a 429, so
//! an account exempted meanwhile gets its speed back.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// How urgent a send is, most urgent first (the order of issue 24).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Refusals and receipts of what people just typed.
    Receipt,
    /// The stop phrase and its notices.
    Stop,
    /// Exercise stimuli.
    Stimulus,
    /// Reminders, clock warnings, points and tocsin's other posts.
    FollowUp,
    /// The room mirror and checkpoints.
    Mirror,
    /// ✅ and ⛔ reactions deferred while the budget binds.
    Reaction,
}

/// A configured pace: `per_second` sends, `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: u32,
}

impl Rate {
    /// Tchap asks bots for about one API call per second, and exempts none.
    pub const TCHAP: Rate = Rate {
        per_second: 1.0,
        burst: 1,
    };

    fn interval(self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second)
    }
}

/// Synapse's shipped `rc_message` burst: what a learned pace allows at once.
const LEARNED_BURST: u32 = 10;
/// The longest interval a 429 teaches: a longer `retry_after` is a pause, not a pace.
const LONGEST_INTERVAL: Duration = Duration::from_secs(10);
/// When a 429 says nothing of how long to wait.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);
/// A learned pace is forgotten after this long without a 429.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

/// The pace of sends, as a generic cell rate algorithm (pure: time is given).
#[derive(Debug)]
pub struct Pacer {
    configured: Option<Rate>,
    /// The interval a 429 taught, and when.
    learned: Option<(Duration, Instant)>,
    /// The theoretical arrival time of the next send at the pace.
    tat: Instant,
    /// No send before this (a 429's `retry_after`).
    paused_until: Option<Instant>,
}

impl Pacer {
    pub fn new(configured: Option<Rate>, now: Instant) -> Pacer {
        Pacer {
            configured,
            learned: None,
            tat: now,
            paused_until: None,
        }
    }

    /// The stricter of the configured and the learned pace: (interval, burst).
    fn pace(&self, now: Instant) -> Option<(Duration, u32)> {
        let learned = self
            .learned
            .filter(|(_, at)| now.saturating_duration_since(*at) < FORGET_AFTER)
            .map(|(interval, _)| (interval, LEARNED_BURST));
        let configured = self.configured.map(|r| (r.interval(), r.burst.max(1)));
        match (configured, learned) {
            (Some(c), Some(l)) => Some(if l.0 > c.0 { (l.0, c.1.min(l.1)) } else { c }),
            (c, l) => c.or(l),
        }
    }

    /// Whether sends are paced at all (configured, learned or paused): only
    /// then does what waits get coalesced.
    pub fn limited(&self, now: Instant) -> bool {
        self.pace(now).is_some() || self.paused_until.is_some_and(|t| t > now)
    }

    /// The earliest time the next send may go.
    pub fn ready_at(&self, now: Instant) -> Instant {
        let paced = match self.pace(now) {
            Some((interval, burst)) => self.tat.checked_sub(interval * (burst - 1)).unwrap_or(now),
            None => now,
        };
        paced.max(self.paused_until.unwrap_or(now)).max(now)
    }

    /// Counts one send at `now` (which must not be before [`Pacer::ready_at`]).
    pub fn spend(&mut self, now: Instant) {
        if let Some((interval, _)) = self.pace(now) {
            self.tat = self.tat.max(now) + interval;
        }
    }

    /// A 429: learns the pace from `retry_after` and holds every send until
    /// it is over. The homeserver's bucket is full: the pace starts from there.
    pub fn rate_limited(&mut self, retry_after: Option<Duration>, now: Instant) {
        let wait = retry_after.unwrap_or(DEFAULT_RETRY_AFTER);
        let until = now + wait;
        let interval = wait.clamp(Duration::from_millis(50), LONGEST_INTERVAL);
        let interval = match self.learned {
            Some((known, at)) if now.saturating_duration_since(at) < FORGET_AFTER => {
                known.max(interval)
            }
            _ => interval,
        };
        self.learned = Some((interval, now));
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
        let burst = self.pace(now).map_or(1, |(_, b)| b);
        self.tat = self.tat.max(until + interval * (burst - 1));
    }

    /// The interval of the pace in force, if any, for the logs.
    pub fn interval(&self, now: Instant) -> Option<Duration> {
        self.pace(now).map(|(interval, _)| interval)
    }
}

#[derive(Debug)]
struct State {
    pacer: Pacer,
    /// Who waits for a send, in the order they go: (priority, ticket).
    waiting: BTreeMap<(Priority, u64), ()>,
    next_ticket: u64,
    /// 429 answers received, and sends made.
    limited_answers: u64,
    sends: u64,
}

/// The send budget of the bot's account, shared by every room's sender.
#[derive(Debug)]
pub struct Budget {
    state: Mutex<State>,
    changed: Notify,
}

impl Budget {
    pub fn new(configured: Option<Rate>) -> Budget {
        Budget {
            state: Mutex::new(State {
                pacer: Pacer::new(configured, Instant::now()),
                waiting: BTreeMap::new(),
                next_ticket: 0,
                limited_answers: 0,
                sends: 0,
            }),
            changed: Notify::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A place in the queue of sends, at `priority`.
    pub fn ticket(&self, priority: Priority) -> Ticket<'_> {
        let mut state = self.state();
        let n = state.next_ticket;
        state.next_ticket += 1;
        state.waiting.insert((priority, n), ());
        Ticket {
            budget: self,
            key: (priority, n),
        }
    }

    /// Waits for the turn of one send at `priority`, and counts it.
    pub async fn spend(&self, priority: Priority) {
        self.ticket(priority).ready().await;
    }

    /// Whether sends are paced now: what waits is then coalesced.
    pub fn limited(&self) -> bool {
        self.state().pacer.limited(Instant::now())
    }

    /// The homeserver answered 429. Returns whether it is the first 429.
    pub fn rate_limited(&self, retry_after: Option<Duration>) -> bool {
        let first = {
            let mut state = self.state();
            state.pacer.rate_limited(retry_after, Instant::now());
            state.limited_answers += 1;
            state.limited_answers == 1
        };
        self.changed.notify_waiters();
        first
    }

    /// The pace in force (interval between sends), if any.
    pub fn interval(&self) -> Option<Duration> {
        self.state().pacer.interval(Instant::now())
    }

    /// Sends made and 429 answers received so far.
    pub fn counts(&self) -> (u64, u64) {
        let state = self.state();
        (state.sends, state.limited_answers)
    }
}

/// A sender's place in the budget's queue; leaving the queue when dropped.
#[derive(Debug)]
pub struct Ticket<'a> {
    budget: &'a Budget,
    key: (Priority, u64),
}

impl Ticket<'_> {
    /// Moves up to `priority` if that is more urgent (a receipt queued behind
    /// a reminder in the same room lends it its urgency).
    pub fn raise(&mut self, priority: Priority) {
        if priority >= self.key.0 {
            return;
        }
        {
            let mut state = self.budget.state();
            state.waiting.remove(&self.key);
            self.key.0 = priority;
            state.waiting.insert(self.key, ());
        }
        self.budget.changed.notify_waiters();
    }

    /// Waits until it is this ticket's turn and the pace allows a send, then
    /// counts the send. Cancel-safe: dropped before it is ready, it spends
    /// nothing and the ticket keeps its place.
    pub async fn ready(&self) {
        loop {
            let notified = self.budget.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wake = {
                let mut state = self.budget.state();
                let now = Instant::now();
                let first = state.waiting.keys().next() == Some(&self.key);
                let at = state.pacer.ready_at(now);
                if first && at <= now {
                    state.pacer.spend(now);
                    state.sends += 1;
                    state.waiting.remove(&self.key);
                    // The next one may be ready now too.
                    drop(state);
                    self.budget.changed.notify_waiters();
                    // Spent: leave nothing for Drop to remove.
                    return;
                }
                first.then_some(at)
            };
            match wake {
                Some(at) => {
                    tokio::select! {
                        () = &mut notified => {}
                        () = tokio::time::sleep_until(at) => {}
                    }
                }
                None => notified.await,
            }
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        let removed = self.budget.state().waiting.remove(&self.key).is_some();
        if removed {
            self.budget.changed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_rate_allows_its_burst_then_one_per_interval() {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(
            Some(Rate {
                per_second: 1.0,
                burst: 3,
            }),
            t0,
        );
        for _ in 0..3 {
            assert_eq!(pacer.ready_at(t0), t0);
            pacer.spend(t0);
        }
        assert_eq!(pacer.ready_at(t0), t0 + Duration::from_secs(1));
        pacer.spend(t0 + Duration::from_secs(1));
        assert_eq!(pacer.ready_at(t0), t0 + Duration::from_secs(2));
        // A quiet spell gives the burst back.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(pacer.ready_at(later), later);
            pacer.spend(later);
        }
        assert!(pacer.ready_at(later) > later);
    }

    #[test]
    fn unlimited_until_a_429_then_paced_by_its_retry_after_and_forgotten_later() {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(None, t0);
        for _ in 0..50 {
            assert_eq!(pacer.ready_at(t0), t0);
            pacer.spend(t0);
        }
        assert!(!pacer.limited(t0));
        pacer.rate_limited(Some(Duration::from_millis(4800)), t0);
        assert!(pacer.limited(t0));
        let resume = t0 + Duration::from_millis(4800);
        assert_eq!(pacer.ready_at(t0), resume, "nothing before the retry_after");
        pacer.spend(resume);
        // Then one send per retry_after: the homeserver's bucket was full.
        assert_eq!(pacer.ready_at(resume), resume + Duration::from_millis(4800));
        // A minute of quiet lets Synapse's burst through again.
        let quiet = resume + Duration::from_secs(60);
        for _ in 0..LEARNED_BURST {
            assert_eq!(pacer.ready_at(quiet), quiet);
            pacer.spend(quiet);
        }
        assert!(pacer.ready_at(quiet) > quiet);
        // Long after the last 429, the account is unlimited again.
        let much_later = t0 + FORGET_AFTER + Duration::from_secs(1);
        assert!(!pacer.limited(much_later));
        assert_eq!(pacer.ready_at(much_later), much_later);
    }

    #[test]
    fn a_retry_after_of_minutes_is_a_pause_not_a_pace() {
        let t0 = Instant::now();
        let mut pacer = Pacer::new(Some(Rate::TCHAP), t0);
        pacer.rate_limited(Some(Duration::from_secs(300)), t0);
        let resume = t0 + Duration::from_secs(300);
        assert_eq!(pacer.ready_at(t0), resume);
        assert_eq!(pacer.interval(t0), Some(LONGEST_INTERVAL));
    }

    #[tokio::test]
    async fn the_most_urgent_waiting_send_goes_first() {
        let budget = std::sync::Arc::new(Budget::new(Some(Rate {
            per_second: 20.0,
            burst: 1,
        })));
        budget.spend(Priority::FollowUp).await;
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (n, priority) in [
            (0, Priority::Mirror),
            (1, Priority::FollowUp),
            (2, Priority::Receipt),
            (3, Priority::Stimulus),
        ] {
            let (budget, order) = (budget.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                budget.spend(priority).await;
                order.lock().unwrap().push(n);
            }));
            tokio::task::yield_now().await;
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [2, 3, 1, 0]);
    }
}
