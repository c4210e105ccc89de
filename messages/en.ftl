# tocsin's English catalog. Same messages and variables as fr.ftl.

## Every exercise message starts with [marking], unless the configuration sets one.

exercise-marking = EXERCISE

## Front ends and runtime

welcome = 👋 tocsin is ready: I keep this room's crisis log. {$p}help for the commands, {$p}open <playbook> [exercise] to open a crisis.
journal-error = ⚠️ tocsin could not write to its journal: this message may not be on record. tocsin is restarting and will take it up again; meanwhile, write it on paper and alert the administrator.
storage-fault = { $fault ->
        [full] tocsin's disk is full
        [read_only] tocsin's disk went read-only
        [io] tocsin's disk answers write errors
       *[denied] tocsin may no longer write to its disk
    }
journal-storage = ⛔ Nothing was recorded for this message: {$cause}. Write it on paper and alert the administrator. tocsin will take it up by itself once its disk is fixed.
console-storage = ⛔ Nothing was recorded for this line: {$cause}. Write it on paper and alert the administrator; type it again once the disk is fixed.
disk-low-admin = ⚠️ tocsin's disk is almost full: {$free} free of {$total} for {$dir}. Free space on that volume (old backups, logs, exports) before it is full.
disk-reserve-admin = 🚨 tocsin's disk is full ({$dir}): tocsin released its {$reserve} reserve to go on recording, but it will run out. Free space on that volume now (old backups, logs, exports).
line-too-long = Line ignored: {$n} bytes, at most {$max}. Nothing was recorded.
line-not-utf8 = Line ignored: invalid encoding (byte {$at}), UTF-8 expected. Nothing was recorded.
export-caption = 📎 {$name} — {$n} entries, final digest {$digest}…
receipt-line = {$reference} {$author} {$time}
rate-limited-admin = ⚠️ The Matrix homeserver rate-limits tocsin's account ({$user}): when commands pour in, receipts are grouped and arrive at the server's pace. To lift the limit on Synapse, a server administrator runs: {$fix} (see docs/deploying.md, "Rate limits"). On Tchap no exemption is possible.
anchor-checkpoint = 🔗 Log checkpoint: entry {$seq}, SHA-256 digest {$digest}.
sealed = 🔏 Log of {$crisis} sealed: {$n} entries, final SHA-256 digest {$digest}. Note it: it lets anyone verify the export.

## Command help lines (after the prefix)

help-help = help [command] — the commands, or one in detail
help-open = open <playbook> [exercise] — opens a crisis (e.g. open rancongiciel exercise)
help-close = close — closes the crisis and seals the log
help-status = status — where the crisis stands
help-info = info <text> — incoming information, "to check"
help-verify = verify <I1> confirmed|refuted|checking
help-decision = decision <text> [by @who] [after I3|i05] [-- <rationale>]
help-action = action <text> [@person|role] [by HH:MM | in 30m]
help-done = done <A1> | <proc>.<n> — action completed, or procedure step done
help-proc = proc [<procedure>] — lists the procedures, or starts one (e.g. proc pd-lab)
help-skip = skip <proc>.<n> <reason> — a step that does not apply; in the animation room: skip <inject> [reason]
help-assign = assign <proc>.<n> @person — gives a step to someone
help-actions = actions — open actions by owner, overdue first
help-point = point [every 2h | off] — a situation point now, or its cadence
help-clocks = clocks [<clock> since HH:MM|I7 | <clock> activate [since …] | <clock> stop [reason]] — regulatory deadlines; done <clock> when met
help-handover = handover @person — hands over the cell; they confirm with ack or ✅
help-export = export [html|md|json|csv] — the crisis report as an attachment (json: verifiable offline)
help-ack = ack — I take over the cell
help-comcheck = comcheck <message> — everyone confirms with ✅; comcheck alone: who is missing
help-role = role <role> @person — assigns a crisis-cell role
help-correct = correct <ref> <text> — corrects an entry (the original stays)
help-paper = paper <HH:MM> info|decision|action <text> — enters a paper note
help-link = animate[@site] <crisis|room> <scenario> [manual] — links this animation room to the players' exercise; @site names an establishment of a regional exercise
help-accept = accept — (players' lead) lets the proposed animation room animate the exercise
help-decline = decline — (players' lead) declines the animation proposal
help-mode = mode auto|manual — injects fire on time, or only on command
help-debex = debex — start of the exercise: the exercise clock starts
help-finex = finex — end of the exercise; players move on to the debrief
help-pause = pause — stops the exercise clock (the schedule shifts)
help-resume = resume — restarts the clock after a pause or a STOP EXERCISE
help-inject = inject [<id>] — fires an inject now (the next one without an id)
help-delay = delay [<id>] 10m — delays one inject, or everything still to come
help-adhoc = adhoc <channel> [role] <persona>: <text> — an unscripted inject, fired at once
help-chrono = schedule — exercise clock, last 5 injects played, next 3
help-expected = expected <id> yes|no — was the expected reaction met?
help-obs = obs [<inject>|<objective>] <text> — an observer's note (animation room)
help-retex = retex [<contribution> | next | end] — guided hot debrief, after FINEX
help-objective = objective [<objective> met|partly|not met [comment]] — the facilitators' judgement on an objective; alone: where the objectives stand (animation room)
help-synthesis = synthesis [strengths|improvements <text>] — the facilitators' synthesis, strengths and areas for improvement; alone: the synthesis so far (animation room)
help-improve = improve <text> [@who|role] [by YYYY-MM-DD] — improvement plan

## Commands that do not parse

cmd-which-playbook-should-be = Which playbook should be opened?
cmd-after-playbook-only-exercise = After the playbook only "exercise" is allowed.
cmd-too-many-words-one = Too many words: one playbook, then "exercise" for an exercise.
cmd-information-text-missing = The information text is missing.
cmd-information-reference-missing-i3 = The information reference is missing (e.g. I3).
cmd-status-missing-confirmed-refuted = The status is missing: confirmed, refuted or checking.
cmd-unknown-status-confirmed-refuted = Unknown status: confirmed, refuted or checking.
cmd-decision-text-missing = The decision text is missing.
cmd-unreadable-step-write-procedure = Unreadable step: write <procedure>.<number> (e.g. pd-lab.2).
cmd-action-reference-missing-a2 = The action reference is missing (e.g. A2).
cmd-one-action-reference-only = One action reference only (e.g. A2).
cmd-write-person-with-alice = Write the person with @ (e.g. @alice:example.org, or @me).
cmd-role-then-person = A role, then a person.
cmd-reference-correct-missing-d1 = The reference to correct is missing (e.g. D1).
cmd-corrected-text-missing = The corrected text is missing.
cmd-one-procedure-at-time = One procedure at a time (e.g. proc pd-lab).
cmd-skipping-step-needs-reason = Skipping a step needs a reason.
cmd-at-least-15-minutes = At least 15 minutes between points.
cmd-unreadable-cadence-write-for = Unreadable cadence: write for instance "every 2h".
cmd-hand-over-whom-handover = Hand over to whom? (e.g. handover @bob:example.org)
cmd-unknown-format-html-md = Unknown format: html, md, json or csv.
cmd-give-players-crisis-room = Give the players' crisis (or room), the scenario, then optionally "manual".
cmd-mode-auto-manual = Mode: auto or manual.
cmd-clock-what = After the clock: since HH:MM|I7, activate [since …] or stop [reason].
cmd-clock-activate-since = After “activate”: nothing, or since HH:MM|DD/MM HH:MM|I7.
cmd-clock-since-unreadable = Unreadable time after “since”: write 14:30, 28/11 14:30, or an entry's reference (I7).
cmd-one-inject-at-time = One inject at a time (e.g. inject i05).
cmd-unreadable-delay-write-for = Unreadable delay: write for instance "delay 10m" or "delay i05 10m" (at most 12h).
cmd-answer-yes-no = Answer yes or no.
cmd-inject-then-yes-no = The inject, then yes or no (e.g. expected i05 yes).
cmd-observation-text-missing = The observation text is missing.
cmd-unknown-channel-mail-phone = Unknown channel: mail, phone, sms, press, social, visit or internal.
cmd-separate-persona-from-text = Separate the persona from the text with ":" (e.g. adhoc phone Night manager: …).
cmd-persona-text-needed = A persona and a text are needed.
cmd-improvement-text-missing = The improvement text is missing.
cmd-objective-judgement-missing = The judgement is missing: met, partly or not met.
cmd-objective-judgement-unknown = Unknown judgement: write met, partly or not met.
cmd-synthesis-part = Say "strengths" or "improvements", then the text.
cmd-synthesis-text-missing = The text after "strengths" or "improvements" is missing.
cmd-unreadable-time-after-by = Unreadable time after "by": write HH:MM (e.g. by 14:30).
cmd-unreadable-delay-after-in = Unreadable delay after "in": write 30m, 2h or 1h30.
cmd-lone-names-nobody = A lone @ names nobody.
cmd-action-text-missing = The action text is missing.
cmd-time-paper-note-missing = The time of the paper note is missing (HH:MM).
cmd-unreadable-time-write-hh = Unreadable time: write HH:MM (e.g. 03:55).
cmd-type-missing-info-decision = The type is missing: info, decision or action.
cmd-unknown-type-info-decision = Unknown type: info, decision or action.
cmd-text-note-missing = The text of the note is missing.

## Commands that do not parse (2)

cmd-no-argument = This command takes no argument.
cmd-unknown-did-you-mean = Unknown command "{$command}". Did you mean {$near}?
cmd-unknown = Unknown command "{$command}".
cmd-type-help = Type {$p}help for the list.
cmd-control-character = The message holds a control character ({$code}): type it again without pasting from a terminal.
cmd-text-too-long = Text too long ({$n} characters, at most {$max}): split it into several entries.

## The engine: edits, redactions, undecryptable messages, help

edit-animation-command = Edit ignored: an animation command cannot be edited. Type a new command if needed.
edit-unreadable = Edit ignored: empty, too long, or with control characters.
edit-recorded = {$new_ref} — edit of the message of {$reference} recorded as a correction; the original stays in the log.
redaction-recorded = The message of {$reference} was deleted from the room; the log keeps it and records the deletion.
undecryptable = ⚠️ A message from {$who} could not be decrypted by tocsin: it is not in the log. Send it again (check that your session shares its keys with the bot).
undecryptable-gap = undecryptable message from {$who} ({$id})
joined-briefing = 👋 Welcome {$who}: crisis {$crisis} has been open since {$since}. What was said before you joined may stay unreadable to you (end-to-end encryption): here is where the cell stands.
    {$situation}
    For the details: {$p}status, {$p}actions, {$p}clocks; the full report: {$p}export.
help-animation-commands = Animation room commands:
help-animation-after-link = In an animation room, once linked to the exercise ({$p}animate):
help-commands = tocsin commands:

## The crisis cell's commands in its room

no-playbook-loaded = no playbook loaded
no-crisis = No crisis is open in this room. To start: {$p}open <playbook> [exercise] (playbooks: {$playbooks}).
observer-read-only = You follow the cell as an observer ({$role}): only {$p}status and {$p}help are open to you. Conversation stays free.
leads-only = {$p}{$command} is for the cell's leads (power level 50 in the room, or a tocsin administrator).
word-open = open
word-close = close
word-role = role
open-unknown-playbook = Unknown playbook "{$playbook}". Available: {$playbooks}.
open-already = A crisis is already open in this room ({$crisis}). One room, one cell: close it with {$p}close or use another room.
exercise-opened =
    🚨 Exercise opened: {$title} (v{$version}) — crisis {$id}.
    {$n_roles} roles to fill: {$p}role <role> @person. Start by naming the scribe.
crisis-opened =
    🚨 Crisis opened: {$title} (v{$version}) — crisis {$id}.
    {$n_roles} roles to fill: {$p}role <role> @person. Start by naming the scribe.
exercise-closed = 🏁 The cell closed exercise {$crisis} ({$seq} entries). Full report: {$p}export, or {$p}export json for the sealed log.
info-recorded = {$reference} — information recorded, to check ({$at}).
verify-not-info = {$target} is not an information: only informations (I…) are verified.
verify-not-back-to-check = Information does not go back to "to check": use "checking".
verify-already = {$target} is already "{$status}".
verify-recorded = {$target} — {$status} (was: {$previous}).
decision-recorded = {$reference} — decision recorded ({$at}), with its rationale.
decision-recorded-no-rationale = {$reference} — decision recorded ({$at}). No rationale: add "-- why" next time.
action-recorded = {$reference} — action recorded
action-owner = owner {$owner}
action-due = due {$due}
done-not-action = {$target} is not an action (A…).
done-already = {$target} is already done (since {$since}).
done-recorded = {$target} — done ({$at}).
done-recorded-late = {$target} — done ({$at}), late against {$due}.
role-playbook-missing = This crisis's playbook "{$playbook}" is no longer loaded: load it again to assign roles.
role-unknown = Unknown role "{$role}". Roles: {$roles}.
role-already = {$user} already holds the role {$role}.
role-assigned = Role {$title} ({$role}) → {$user}.
role-assigned-instead = Role {$title} ({$role}) → {$user} (instead of {$previous}).
correction-recorded = {$reference} — correction of {$target} recorded; the original entry stays in the log.
paper-too-early = That time is more than 24 h before the crisis opened.
paper-recorded = {$reference} — paper note of {$at} entered (transcribed).
paper-recorded-before-opening = {$reference} — paper note of {$at} entered (transcribed). ⚠️ It precedes the opening of the crisis ({$opened}): flagged as such, it counts neither as the latest decision nor in the timings.
export-players-no-json = JSON and CSV carry the whole log, facilitator material included: ask for them in the animation room. Here: export html or md (players' edition).
no-entry-yet = no entry yet
unknown-reference = Unknown reference "{$target}" in this crisis (latest: {$known}).
status-head =
    📋 {$title} — crisis {$crisis}
    Opened at {$at} by {$by} ({$duration} ago).
status-roles-none = none
status-roles = Roles ({$n_held}/{$n_roles}): {$list}
status-infos = Information: {$n} — {$to_check} to check, {$checking} being checked, {$confirmed} confirmed, {$refuted} refuted
status-decisions-none = Decisions: none
status-decisions = Decisions: {$n} — latest {$reference} at {$at}: {$text}
status-actions = Actions: {$n_open} open of which {$overdue} overdue, {$done} done
status-more = … and {$n} more
crisis-closed = 🏁 Crisis {$crisis} closed. Log: {$seq} entries, {$n_decisions} { $n_decisions ->
        [0] decision
        [1] decision
       *[other] decisions
    }, {$n_actions} { $n_actions ->
        [0] action
        [1] action
       *[other] actions
    } of which {$n_open} left open.
crisis-closed-clocks = { $n ->
        [one] Clock not done at closure:
       *[other] Clocks not done at closure:
    }
verification = { $status ->
        [to_check] to check
        [checking] being checked
        [confirmed] confirmed
       *[refuted] refuted
    }

## Follow-up: procedures, actions, points, clocks, handovers, comchecks

handover-done = 🔁 Handover done: {$who} holds the cell (after {$from}).
playbook-not-loaded = This crisis's playbook is no longer loaded.
proc-unknown = Unknown procedure "{$id}". Procedures: {$procedures}.
proc-list-head = Procedures (start: {$p}proc <id>):
proc-not-started = not started
checklist-head = 📋 {$id} — {$title} (owner: {$owner}{$holder})
step-done-word = done
step-skipped-word = skipped
step-by-word = by
checklist-progress = Progress: {$closed}/{$total} · {$p}done {$id}.<n> to tick
proc-already-started =
    {$id} is already started (since {$since}). Where it stands:
    {$checklist}
proc-started = {$id} started — {$holder}, you own it ({$owner}).
proc-started-unfilled = {$id} started — role {$owner} is unfilled: {$p}role {$owner} @person.
proc-not-started-yet = {$id} is not started: {$p}proc {$id} first.
proc-no-such-step = {$id} has {$n_steps} steps: no step {$step}.
step-already-done = {$id}.{$step} is already done ({$at} by {$by}).
step-already-skipped = {$id}.{$step} was skipped.
step-done = {$id}.{$step} done{ $complete ->
        [yes] {" "}— {$id} complete
       *[no] {""}
    } ({$closed}/{$total}).
step-skipped = {$id}.{$step} skipped ({$closed}/{$total}).
step-assigned = {$id}.{$step} given to {$user}.
actions-none = No open action.
actions-no-owner = no owner
actions-head = Open actions: {$n_open} of which {$overdue} overdue
point-cadence-off = No more automatic situation points.
point-cadence = Situation point every {$every}; the next one around {$next}.
clocks-none = This playbook has no clock.
clocks-head = Clocks (counted from the opening at {$at}, unless said otherwise):
clocks-foot = {$p}done <clock> when it is met.
clock-unknown-id = Unknown clock “{$id}”. Clocks: {$clocks}.
clock-source = Source: {$text}{$url}
clock-inactive = {$id} is not activated ({$condition}): {$p}clock {$id} activate [since HH:MM|I7].
clock-is-stopped = {$id} is stopped (since {$at}).
clock-no-such-stage = {$id} has {$n} stages: no stage with that number.
clock-single-deadline = {$id} has a single deadline, no stages: {$p}done {$id}.
clock-staged-which = {$id} has several stages; which one is done? {$stages}
clock-since-future = {$at} is in the future: give the time the hospital became aware.
clock-anchored =
    {$id} now counts from {$at}{$entry}.
    {$lines}
clock-not-conditional = {$id} always applies: to count it from the time of awareness, {$p}clock {$id} since HH:MM|I7.
clock-already-active = {$id} is already activated (since {$at}).
clock-activated =
    {$id} activated.
    {$lines}
clock-stopped = {$id} stopped{$reason}: no more warnings for it.
clock-stage-out-of-order = {$id} cannot be done before stage {$open} ({$title}), still open: {$p}done {$open} first.
clock-already-done = {$id} is already done ({$at}).
clock-done-early = {$id} — {$title}: done, {$left} before the deadline.
clock-done-late = {$id} — {$title}: done, {$late} after the deadline.
clock-done-next = {$id} — {$title}: done; next deadline {$next} (every {$every}).
clock-done-waiting = {$id} — {$title}: done.
handover-already = {$to} already holds the cell.
handover-post =
    🔁 Handover: {$from} → {$to}. {$to}, confirm with {$p}ack or ✅ on this message.
    {$situation}
handover-recorded = Handover to {$to} recorded; waiting for their confirmation.
handover-not-you = The handover waits for {$to}, not you.
handover-none = No handover is pending.
comcheck-none = No comcheck yet: {$p}comcheck <message> to send one.
comcheck-all-answered = Comcheck #{$number}: everyone answered ({$n}).
comcheck-missing = Comcheck #{$number}: {$answered}/{$expected} answers; missing {$missing}
comcheck-no-roles = Nobody holds a role: a comcheck waits for the role holders ({$p}role …).
comcheck-post =
    📣 Comcheck #{$number}: {$text}
    ✅ on this message to confirm — {$names}
comcheck-sent = Comcheck #{$number} sent to {$n} people.

## Time-driven follow-up: reminders, clocks, situation, downtime

downtime-gap = tocsin was not running from {$from} (at the earliest) to {$to} ({$length}): every message from that time was caught up from the server, in order; reminders due were sent after it
downtime-warning = ⚠️ tocsin was stopped from {$from} to {$to} ({$length}). Messages sent meanwhile are caught up; check that nothing is missing ({$p}status) and enter paper notes ({$p}paper).
downtime-gap-paused = ; the exercise was paused
downtime-animation-paused = ⚠️ tocsin was stopped from {$from} to {$to} ({$length}): the exercise is paused since {$from}, no inject was played. {$p}schedule to see where it stands, {$p}resume to restart it.
downtime-animation = ⚠️ tocsin was stopped from {$from} to {$to} ({$length}).
span-days = {$days} d {$hours}h
reminder-action = ⏰ {$reference} overdue (due {$due}) : {$text}{$label}
reminder-step = ⏰ {$id}.{$n} was due at {$due} : {$text}{$label}
reminder-handover = ⏰ {$to}: the handover awaits your confirmation ({$p}ack or ✅ on the handover message).
reminder-comcheck = ⏰ Comcheck #{$number}: no answer from {$missing} — ✅ on the message to confirm.
clock-line-done-late = ☑️ {$id} — {$title}: done {$done} ({$late} after the {$deadline} deadline)
clock-line-not-done-at-close = ❌ {$id} — {$title}: not done at closure ({$at}; deadline {$deadline})
clock-line-done = ✅ {$id} — {$title}: done {$done}
clock-line-passed = ⌛ {$id} — {$title}: deadline PASSED ({$deadline}, {$ago} ago){$more}
clock-line-left = ⏳ {$id} — {$title}: {$left} left (due {$deadline}){$more}
clock-line-waiting = ⏸️ {$id} — {$title}: {$due} after {$after} (not done yet)
clock-line-inactive = 💤 {$id} — {$title}: not activated — {$condition} ({$p}clock {$id} activate [since HH:MM|I7])
clock-line-stopped = ⏹️ {$id} — {$title}: stopped {$at}{$reason}
clock-counted-from = {" "}· counted from {$at}{$entry}
clock-activated-at = {" "}· activated {$at}
clock-recurring = {" "}· 🔁 every {$every}{ $n ->
        [0] {""}
        [one] , done once
       *[other] , done {$n} times
    }
delay-months = { $months ->
        [one] 1 month
       *[other] {$months} months
    }
situation-point-head = 🕐 Situation point #{$n} — {$at} (crisis {$crisis})
situation-head = 🕐 Situation report — {$at} (crisis {$crisis})
situation-infos = Info: {$to_check} to check{$to_check_list}, {$checking} being checked{$checking_list}, {$confirmed} confirmed, {$refuted} refuted
situation-decisions-since-point = Decisions since the last point
situation-decisions = Decisions
situation-decisions-none = {$label}: none
situation-decisions-list = {$label}:
situation-actions = Actions: {$n_open} open, {$overdue} overdue
situation-procedures = Procedures:{" "}
situation-clock-passed = PASSED
situation-clocks = Clocks:{" "}
situation-lead = Cell held by {$lead} since {$since}

## Exercises: the animation room, injects, the stop phrase, the hot debrief

stop-already-frozen = The exercise is already frozen by a STOP. Only a facilitator can resume it.
stop-notice =
    🛑🛑 STOP EXERCISE — REAL EMERGENCY raised by {$who} at {$at}.
    The exercise is frozen: no more injects will be played. Deal with the real emergency.
    Only a facilitator can resume the exercise ({$p}resume, in the animation room).
inject-played-note = ▶️ {$id} played at T+{$t_plus} — {$icon} {$from}
inject-direct-note = ✉️ By direct message to {$holder}.
inject-direct-unheld = ⚠️ Nobody holds the role {$role}: sent in the players' room.
inject-files-note = 📎 Attachments: {$files}
press-headline = “{$headline}”
direct-chat-commands = This direct chat receives the stimuli of exercise « {$code} » addressed to you: commands are not read here. Write to the cell in its room. In a real emergency, « {$stop} » stops the exercise, here too.
inject-expected-label = Expected:
inject-notes-label = Notes:
on-command = on command
next-at = at
after-word = after
next-label = Next:
facilitators-only = Facilitators only (power level 50 in the animation room). Observers take notes with {$p}obs.
link-no-crisis = No open crisis "{$target}". Open exercises: {$open}.
link-players-room = This is the players' room: link the exercise from a separate animation room.
link-already-animated = Exercise {$crisis} is already animated (scenario {$scenario}) from another room.
link-unknown-scenario = Unknown scenario "{$scenario}". Available: {$known}.
link-wrong-playbook = Scenario {$scenario} is written for playbook {$scenario_playbook}, the exercise uses {$playbook}.
mode-auto-label = auto (injects fire on time)
mode-manual-label = manual (injects on command)
link-ack =
    🎬 Animation room linked to exercise {$crisis} — scenario "{$code_name}" {$scenario} v{$version} ({$level}, {$n_injects} injects, {$n_timed} timed, last at T+{$last}). Mode {$mode}.
    Objectives:
    {$objectives}
    When the players are ready: {$p}debex.
link-proposed =
    🎬 Proposal sent to the players' room of exercise {$crisis} — scenario "{$code_name}" {$scenario} v{$version}.
    This room will be linked once a players' lead types {$p}accept in their room.
link-request =
    🎬 Room {$room} proposes to animate this exercise ("{$code_name}"). Nothing from the facilitators will reach you without your consent; once linked, they read your crisis log.
    A lead of the cell types {$p}accept to accept, or {$p}decline.
link-waiting = Waiting for the players' consent: this room will animate exercise {$crisis} once a lead of their cell types {$p}accept in their room.
link-nothing-pending = No animation proposal pending: the facilitators type {$p}animate {$crisis} <scenario> in their animation room.
link-accepted = 🎬 Animation accepted: room {$room} animates exercise "{$code_name}". The start of play (DEBEX) will be announced here.
link-declined = Animation proposal from room {$room} declined.
link-declined-animation = ⛔ The players' lead of exercise {$crisis} declined to be animated from this room.
word-accept = accept
word-decline = decline
real-crisis-no-exercise = Real crisis: exercise commands are refused.
players-link-first = To animate this exercise, open an animation room (facilitators and observers) and type there: {$p}animate {$crisis} <scenario>.
players-animation-command = An animation-room command: type it there, not in the players' room.
exercise-not-started = The exercise has not started: {$p}debex first.
exercise-ended = The exercise has ended (FINEX).
animation-already-linked = This room already animates exercise {$crisis} (scenario {$scenario}).
mode-already = Already in that mode.
mode-overdue = Already due: {$overdue}. In auto they would all fire at once: play them ({$p}inject), skip them ({$p}skip) or delay the rest ({$p}delay 15m), then switch to auto.
mode-auto = Auto mode: injects fire at their planned time.
mode-manual = Manual mode: injects fire only on command ({$p}inject).
debex-already = The exercise has already started.
stop-phrases-or = " or "
debex-players =
    🎬 DEBEX — exercise "{$code}" starts at {$at}.
    Everything that follows is fictitious, except a real emergency: then type "{$phrase}" here; the exercise stops at once.
debex-ack = DEBEX at {$at}: exercise clock at T+0.
finex-players =
    🏁 FINEX — end of exercise "{$code_name}". Thank you all.
    Hot debrief now: type {$p}debrief for the round table (players first, then observers).
finex-ack = FINEX at T+{$t}. Coverage: {$played}/{$planned} planned injects played ({$percent} %), {$adhoc} ad hoc, {$skipped} skipped.
pause-already-stopped = The exercise is already frozen by a STOP.
pause-already = The exercise is already paused.
pause-ack = ⏸️ Paused at T+{$t}: the exercise clock stops; the schedule shifts by the pause.
pause-players = ⏸️ Exercise paused. It will resume on announcement.
resume-not-paused = The exercise is not paused.
resume-after-stop = ▶️ Resumed after the STOP (frozen {$frozen}): exercise clock at T+{$t}.
resume-after-pause = ▶️ Resumed after a {$paused} pause: exercise clock at T+{$t}.
resume-players = ▶️ The exercise resumes.
play-frozen = The exercise is frozen by a STOP: {$p}resume first, once the real emergency is over.
play-paused = The exercise is paused: {$p}resume first.
inject-none-left = Every inject of the scenario is played or skipped.
inject-already-played = {$id} was already played at T+{$t}.
inject-skipped-already = {$id} was skipped: it will not be played.
skip-already-closed = {$inject} is already played or skipped.
skip-ack = {$inject} skipped: it will not be played.
delay-not-timed = {$id} is not a timed inject still to come.
adhoc-ack = {$id} (ad hoc) played at T+{$t}.
expected-not-played = {$inject} was not played: nothing to assess.
expected-met = {$inject}: expected reaction met.
expected-not-met = {$inject}: expected reaction not met.
obs-ack = {$reference}{$tied} — observation noted at T+{$t}.
animation-room-commands = Animation room: the cell's commands belong in the players' room. Here: {$p}schedule, {$p}inject, {$p}skip, {$p}delay, {$p}pause, {$p}resume, {$p}adhoc, {$p}expected, {$p}obs, {$p}finex, {$p}export ({$p}help for details).
none-word = none
scenario-not-loaded = Scenario "{$scenario}" is no longer loaded: load it again.
inject-unknown = Unknown inject "{$id}". Injects: {$injects}.
chrono-not-started = not started (debex)
chrono-ended = ended (FINEX)
chrono-frozen = 🛑 FROZEN by a STOP
chrono-paused = ⏸️ paused
chrono-running = running
manual-word = manual
chrono-exercise = Exercise "{$code_name}"
mode-word = mode
chrono-version-changed = ⚠️ The exercise was linked to v{$linked} of the scenario; the file loaded is v{$loaded}, whose schedule applies.
chrono-last-played = Last played:
reaction-word = reaction
no-reaction-yet = no reaction yet
adhoc-word = (ad hoc)
chrono-coming-up = Coming up:
nothing-word = nothing
all-word = all
chrono-coverage = Coverage: {$n_played}/{$planned} planned injects played ({$percent} %), {$skipped} skipped, {$adhoc} ad hoc. Observations: {$observations}.
improve-ack = {$reference} — improvement added to the plan
improve-owner-word = owner
improve-no-owner = {" "}· no owner: add @who next time
improve-due-word = due
date = {$year}-{$month}-{$day}
retex-after-finex = The hot debrief comes after the end of the exercise (FINEX).
retex-observers = observers
retex-players = players
retex-each-in-turn = Each in turn: {$p}debrief <your contribution>. Then {$p}debrief next.
retex-open = Hot debrief open: round table, players first, observers last. Contributions go into the log.
retex-not-open = The debrief is not open: type {$p}debrief to start it.
retex-closed-already = The debrief is closed. The improvement plan stays open: {$p}improve <text> @who [by YYYY-MM-DD].
retex-contribution = Contribution {$n} noted (topic {$topic}/{$total}).
retex-closed = ✅ Debrief closed: {$n} contribution(s). Improvement plan: {$p}improve <text> @owner [by YYYY-MM-DD] ({$n_improvements} so far). The report: {$p}export.
player-text = {$icon} {$channel} — {$from}: {$text}

## Exercises (2): RETEX topics, channels and levels

retex-topic = { $n ->
        [1] Alert and mobilisation: how was the incident detected, escalated, the cell set up?
        [2] How the cell worked: roles, log, situation points — what worked, what was missing?
        [3] Decisions and continuity of care: did the degraded modes hold? What did we discover?
        [4] Communication and partners: staff, patients, press, ARS, CERT Santé, CNIL, police complaint.
        [5] Keep and change: the three priorities for next time.
       *[6] Observers and facilitators: what they saw.
    }
channel = { $channel ->
        [mail] Email
        [phone] Call
        [sms] Text message
        [press] Press
        [social] Social media
        [visit] Visit
       *[internal] Internal message
    }
level = { $level ->
        [beginner] beginner
        [intermediate] intermediate
       *[advanced] advanced
    }

## Exercises (3)

delay-one = {$id} delayed by {$by}.
delay-all = Everything still to come is delayed by {$by}.

## Exercises (4): the facilitators' evaluation

attainment = { $result ->
        [met] met
        [partly] partly met
       *[not_met] not met
    }
objective-unknown = Unknown objective: {$objective}. The scenario's objectives: {$objectives}.
objective-ack = Objective {$objective}: {$result}.
objective-ack-again = Objective {$objective}: {$result} (replaces "{$previous}").
objective-list-head = Objectives of exercise "{$code_name}":
objective-not-assessed = not judged yet
synthesis-ack = { $part ->
        [strength] Strength no. {$n} noted.
       *[to_improve] Area for improvement no. {$n} noted.
    }
synthesis-part = { $part ->
        [strength] Strengths ({$n}):
       *[to_improve] Areas for improvement ({$n}):
    }
synthesis-empty = The synthesis is empty: {$p}synthesis strengths <text>, {$p}synthesis improvements <text>.

## Report

kind = { $kind ->
        [crisis_opened] opening
        [crisis_closed] closing
        [info] information
        [verification] verification
        [decision] decision
        [action] action
        [action_done] action done
        [role_assigned] role
        [correction] correction
        [redaction] deletion
        [gap] gap
        [member_joined] joined the room
        [note] message on record
        [file] file on record
        [link] link
        [plan_moved] improvement plan
        [plan_carried] plan inherited
        [undelivered] message not delivered
        [procedure_started] procedure
        [step_done] step done
        [step_skipped] step skipped
        [step_assigned] step assigned
        [clock_done] clock met
        [clock_warning] clock warning
        [clock_anchored] clock re-anchored
        [clock_activated] clock activated
        [clock_stopped] clock stopped
        [reminder] reminder
        [point_cadence] point cadence
        [situation_point] situation point
        [handover_started] handover
        [handover_acknowledged] handover confirmed
        [comcheck_started] comcheck
        [comcheck_acknowledged] comcheck received
        [posted] bot message
        [exercise_link_proposed] animation proposed
        [exercise_link_declined] animation declined
        [exercise_linked] animation linked
        [exercise_mode] animation mode
        [exercise_started] DEBEX
        [exercise_paused] pause
        [exercise_resumed] resumed
        [exercise_stopped] STOP EXERCISE
        [exercise_ended] FINEX
        [inject_played] inject
        [inject_skipped] inject skipped
        [inject_delayed] inject delayed
        [reaction_marked] reaction assessed
        [observation] observation
        [retex_started] debrief opened
        [retex_topic] debrief topic
        [retex_contribution] debrief
        [retex_ended] debrief closed
        [improvement] improvement
        [objective_assessed] objective judged
       *[synthesis_note] synthesis
    }

## Report labels (templates read them as t.<key>)

report-report = Crisis report
report-exercise-report = Exercise report
report-identity = The crisis and the hospital
report-exercise-identity = The exercise and the hospital
report-establishment = Hospital
report-crisis = Crisis
report-playbook = Playbook
report-tags = References
report-edition = Edition
report-opened = Opened
report-closed = Closed
report-still-open = still open
report-length = Length
report-generated = Report produced
report-time-zone = Time zone
report-entries = Entries
report-marking-note = Exercise document: nothing that follows is real.
report-code-name = Code name
report-scenario = Scenario
report-level = Level
report-linked = Animation
report-regional-site = Regional exercise, establishment
report-debex = STARTEX
report-finex = ENDEX
report-played-for = Time in play
report-paused = Pauses
report-stops = Stops for a real emergency
report-objectives = Objectives and judgement
report-objective = Objective
report-judgement = Facilitators' judgement
report-comment = Comment
report-played-met = Injects played / met
report-not-judged = not judged
report-participants = Participants
report-cell = Crisis cell (players)
report-facilitators = Facilitators
report-observers = Observers
report-name = Name
report-function = Function in the cell
report-user-id = User id
report-n-entries = Entries
report-leads = Who held the cell (handovers)
report-since = Since
report-metrics = Indicators
report-chronology = Chronology (crisis log)
report-chronology-note = Every entry of the crisis log, in the order it was recorded. The reminders of one item and the warnings of one clock take one line, with their number and times; the JSON export keeps them one by one.
report-seq = No.
report-time = Time
report-author = Author
report-kind = Kind
report-ref = Ref.
report-text = Text
report-injects = Injects: planned and played
report-planned-played = Planned / played
report-stimulus = Inject
report-expected = Expected reaction
report-reaction-result = Reaction and result
report-decisions = Decision log
report-decision = Decision
report-occurred = Date
report-before-opening = before the crisis was opened
report-rationale = Rationale
report-context = Last information known
report-corrected = Corrected
report-transcribed = transcribed from paper
report-infos = Information log
report-information = Information
report-verification = Verification
report-points = Situation reports
report-point = Situation report no.
report-measures = Measures taken
report-actions = Actions
report-action = Action
report-owner = Owner
report-due = Due
report-done = Done
report-status = Status
report-reminders = Reminders
report-procedures = Procedures
report-started = started
report-step = Step
report-clocks = Regulatory clocks
report-clock = Clock
report-deadline = Deadline
report-observations = Observations
report-about = About
report-retex = Hot debrief
report-retex-note = Round table after the end of play: players first, observers last, topic by topic.
report-synthesis = Facilitators' synthesis
report-strengths = Strengths
report-to-improve = Areas for improvement
report-improvements = Improvement plan
report-improvement = Improvement
report-recorded = Recorded
report-corrections = Corrections and deletions
report-gaps = Gaps
report-no-gaps = No known gap.
report-integrity = Integrity
report-integrity-text = Each entry of the crisis log is chained to the previous one by SHA-256: changing, removing or inserting an entry changes every digest after it, the final digest included.
report-final-digest = Final digest (SHA-256)
report-checkpoints = Checkpoints in the room
report-checkpoints-text = At each situation point and each handover, tocsin said the chain's head (entry and digest) in the Matrix room; these messages, replicated on the participants' servers, witness the log outside tocsin's machine (tocsin verify --against-room).
report-digest = Digest (SHA-256)
report-matrix-event = Matrix event
report-sealed = Sealed
report-how-to-verify = To verify
report-signatures = Sign-off
report-signatures-note = The signatories attest that this report gives an account of the exercise as it was played.
report-signatures-note-crisis = The signatories attest that this report gives an account of the crisis as it was handled.
report-signature-date = Date: ____ / ____ / ________
report-signature = Signature:
report-none = None.
report-edition-players = players' (without facilitator material)
report-edition-players-short = players' edition
report-edition-full = full
report-page-number = Page {$page} of {$pages}
report-verify-export = Get the crisis's JSON export: "!export json" in the animation room (or in the cell's room for a real crisis), or "tocsin export --format json" on the server.
report-verify-run = Run "tocsin verify FILE.json": every digest is recomputed and the first altered entry is named.
report-verify-digest = Compare the final digest it prints with the one printed here and the one tocsin announced in the room at closing.
report-verify-paper = On this document, each line of the chronology carries the start of its entry's digest, to compare with the export.
report-sign-direx = Exercise director (DIREX)
report-sign-lead = Head of the crisis cell
report-sign-direction = Hospital management

## Report: statuses, metrics, log texts

report-word-done = done
report-word-done-late = done late
report-word-overdue = overdue
report-word-open = open
report-word-done-2 = done
report-word-skipped = not applicable
report-word-not-done = not done
report-word-met = met
report-word-met-late-by = met {$late} late,
report-word-missed = MISSED
report-word-running = running
report-word-counted-from = counted from
report-clock-inactive = not activated
report-clock-stopped = stopped
report-clock-not-done-at-close = not done at closure
report-clock-stopped-at-close = stopped at closure
report-clock-waiting = waiting for the previous stage
report-source = Source
report-played-ad-hoc = played (improvised)
report-word-played = played
report-word-skipped-2 = skipped
report-word-not-played = not played
report-word-on-command = on command
report-word-ad-hoc-short = improvised
report-word-all = everyone
report-word-facilitator = facilitator
report-word-observer = observer
report-word-cell-member = cell member
report-word-procedure-started = procedure started
report-word-decision = decision
report-time-constitute-cell-first = Time to form the cell (first role assigned)
report-time-first-decision = Time to the first decision
report-word-information = Information
report-word-decisions = Decisions
report-word-actions-late = Actions (of which late)
report-word-reminders-sent = Reminders sent
report-word-situation-points = Situation reports
report-coverage-planned-injects-played = Coverage (planned injects played)
report-mean-time-first-reaction = Mean time to the first reaction to an inject
report-expected-met-of-judged = Expected reactions met / judged
report-stops-for-real-emergency = Stops for a real emergency
report-word-exercise = {" "}— exercise
report-word-rationale = rationale
report-word-due = due
report-word-corrects = corrects
report-message-deleted-from-room = message deleted from the room; the original entry is kept
report-word-deadline-reached = deadline reached
report-word-threshold = threshold
report-word-auto = injects on time
report-word-manual = injects on command
report-word-no-points = no more regular reports
report-word-ad-hoc = {" "}(improvised)
report-word-expected-met = expected met
report-expected-not-met = expected not met
report-every = every {$every}
report-reminded = to {$who}
report-folded = {$n} times: {$times}
report-transcribed-at = transcribed at {$time}
report-recorded-at = recorded at {$time}
report-received-by = received by {$who}
report-direct = by direct message
report-attachments = attachments: {$files}
report-first-reaction = {$reference} after {$delay}
report-synthesis-part = { $part ->
        [strength] strength
       *[to_improve] area for improvement
    }

## Regional exercise summary (templates read them as t.<key>)

summary-title = Regional exercise summary
summary-note = Each establishment's measures, side by side. No text from the players or the facilitators, no names: each establishment's report keeps them, and its digest below ties it to this summary.
summary-exercise = Exercise
summary-establishment = Establishment (tocsin's configuration)
summary-generated = Summary generated
summary-n-sites = Establishments
summary-sites = Establishments and integrity
summary-site = Site
summary-digest = Last digest (SHA-256, start)
summary-digest-note = Each digest is the start of the final digest printed in the establishment's report and given by its JSON export.
summary-injects = Injects, site by site
summary-inject = Inject
summary-planned = Planned
summary-ad-hoc = improvised
summary-file-name = regional-summary
summary-caption = 📎 {$name} — regional summary of { $n ->
        [one] {$n} establishment
       *[other] {$n} establishments
    } ({$format})

## Dates and durations as people read them

date-weekday = { $weekday ->
        [1] Mon
        [2] Tue
        [3] Wed
        [4] Thu
        [5] Fri
        [6] Sat
       *[7] Sun
    }
date-month = { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    }
date-long = {$weekday} {$day} {$month} {$year}
date-time = {$date} {$time}
duration-minutes = {$minutes} min
duration-hours = {$hours} h
duration-hours-minutes = {$hours} h {$minutes} min
duration-days = {$days} days

## Paper kit (templates read them as t.<key>)

kit-kit = Paper kit
kit-intro = Print in advance and keep in every unit: it is for when the IT is down. What is written on paper is re-entered later with "!paper HH:MM info|decision|action …".
kit-reflexes = Reflex sheets
kit-procedures = Degraded-mode procedures
kit-service = Service
kit-owner = Owner
kit-done-by = Done at (time) / by (initials)
kit-within = within
kit-log = Paper log
kit-sheet = Sheet # ____  ·  Cell: ______________  ·  Date: ____/____/______
kit-time = Time
kit-author = Author
kit-type = Type (I/D/A)
kit-text = Text
kit-initials = Initials
kit-roles = Role cards
kit-holder = Holder: ______________________  from ____:____  to ____:____
kit-clocks = Regulatory clocks
kit-from-opening = after the crisis opens, or the time of awareness written down
kit-from-activation = after it is activated, or the time of awareness written down
kit-after-stage = after {$stage} is done
kit-every = Recurring: every {$every}
kit-source = Source
kit-condition = Condition
kit-warn = Warnings at
kit-opened-at = Counted from ____/____ at ____:____ → deadline on ____/____ at ____:____
kit-contacts = Crisis directory
kit-name = Name
kit-function = Function
kit-mobile = Mobile
kit-recovery = tocsin's recovery key
kit-recovery-text = At its first start, tocsin shows once the recovery key of its Matrix account's key backup. If tocsin's disk is lost, "tocsin recover" rebuilds the crisis log from the rooms with this key. Do not write it here: note where it is kept, away from tocsin's server.
kit-recovery-where = Kept: ________________________________________  by: ______________________  (copy: ______________________)
kit-other = Other means
kit-version = version

## Conversation and files put on record
report-file = {$name} ({$mime}, {$size} bytes, SHA-256 {$sha256})
help-note = note <text> — something said (in the room, on the phone) put on record; as a reply to a message or a file, that message or file goes on record
help-relate = relate D2 I3 — D2 answers I3 (an entry, or an inject in an exercise)
cmd-relate-two-references = Give two references, for example “relate D2 I3” (D2 answers I3).
decision-unknown-trigger = “{$target}” is neither an entry of this crisis nor an inject played: nothing recorded.
decision-decided-by = Decided by {$who}.
decision-answers = Answering {$to}.
relate-itself = An entry cannot answer itself ({$reference}).
relate-already = {$from} is already linked to {$to}.
relate-recorded = Noted: {$from} answers {$to}.
cmd-note-text-missing = The text to put on record is missing (or reply to the message to put on record).
note-recorded = {$reference} — message on record ({$at}).
consign-recorded = {$reference} — message from {$who} ({$at}) put on record by {$by}.
consign-by-reply = (message from {$who}, on record at its own time)
consign-already = This message is already on record ({$reference}).
consign-file-how = A file goes on record with a 📌 reaction, or by replying {$p}note to it.
consign-undecryptable = tocsin cannot read this message (encryption): it cannot go on record. Send it again, or type it with the note command.
consign-file-too-large = This file is over {$max} MiB: it is not on record. Put its description on record with the note command.
consign-file-unavailable = This file could not be downloaded: it is not on record. Try again in a moment.
consign-file-not-stored = tocsin could not store this file on its disk: it is not on record. Alert the administrator.
consign-recorded-file = {$reference} — file from {$who} ({$at}) put on record by {$by}; tocsin keeps a copy.
report-recorded-by = recorded by {$by}
report-answers = answering {$to}
report-before-debex = 0 min (before DEBEX)

## The improvement plan, across crises and exercises

help-plan = plan [P3 todo|in progress|done <proof>|dropped <reason>] — the establishment's improvement plan, from one exercise to the next
cmd-plan-usage = Write “plan” for the list, or “plan P3 in progress”, “plan P3 done <proof: D4, F2, or a text>”, “plan P3 dropped <reason>”.
plan-state = { $state ->
        [todo] to do
        [in_progress] in progress
        [done] done
       *[dropped] dropped
    }
plan-line = {$item} ({$state}, {$owner}, due {$due}) {$text} — opened in {$crisis}
plan-open = 📋 Improvement plan: {$n} open item(s). To move one on: {$p}plan P3 in progress | done <proof> | dropped <reason>.
plan-none-open = 📋 Improvement plan: no open item ({$n} in the register).
plan-unknown-item = “{$item}” is not in the improvement plan: nothing recorded. The list: plan.
plan-done-needs-proof = {$item} done: with what proof? For example {$p}plan {$item} done D4 (a decision, a file F2) or a text.
plan-dropped-needs-reason = {$item} dropped: why? For example {$p}plan {$item} dropped replaced by project X.
plan-already = {$item} is already “{$state}”.
plan-moved = {$item} → {$state}, recorded.
plan-carried = 📋 The improvement plan has {$n} item(s) still open from earlier crises and exercises, {$late} of them overdue: {$p}plan for the list.
plan-reminder = ⏰ Improvement plan: {$n} item(s) due and still open.
report-plan-carried = Improvement plan: items inherited from earlier crises and exercises
report-plan-state = State
report-plan-proof = Proof, reason
report-plan-opened-in = Opened in
plan-title = Improvement plan
plan-moves = History
plan-count-open = open:
plan-count-late = overdue:
plan-empty = No item in the improvement plan.
report-undelivered = tocsin message refused by the Matrix homeserver, never shown in the room (transaction {$txn}): {$reason}

## Regional exercises: one animation room, several establishments.
site-waiting = Establishment "{$site}" (exercise {$crisis}) is still waiting for its players' consent: a lead types {$p}accept in their room.
site-unknown = No establishment "{$site}" in this regional exercise. Establishments: {$sites}.
site-name-it = This room animates {$n} establishments ({$sites}): say which one after the keyword, e.g. "{$example} …".
site-bad-label = "{$site}" cannot name an establishment: 1 to 32 characters, lowercase letters without accents, digits, - or _ (e.g. chu-nord).
site-taken = Establishment "{$site}" is already linked or proposed from this room: pick another name ({$p}animate@other-name …).
regional-needs-sites = This room already animates (or proposes to animate) exercise {$crisis}. A regional exercise names each establishment from the first link: {$p}animate@chu-nord <room> <scenario>, then {$p}animate@ch-sud …. For an unrelated exercise, open another animation room.
regional-resume-frozen = Frozen by a real emergency: {$frozen}. A frozen establishment resumes on its own, once its emergency is dealt with: {$example}. The others resume with {$p}resume@<establishment>.
regional-one-scenario = A regional exercise plays one scenario: this room already animates {$scenario}, not {$wanted}.
site-outside-animation = "@{$site}" names an establishment of a regional exercise: only in the animation room that animates it, or to link it ({$p}animate@{$site} <room> <scenario>).
site-no-variants = Establishment "{$site}": the scenario has no variants, injects keep their common text.
site-variants-all = Establishment "{$site}": every inject with variants has one for it.
site-variants-missing = ⚠️ Establishment "{$site}": injects with no variant for it, played with their common text: {$injects} (variants exist for: {$sites}).
chrono-regional = ⏱️ Regional exercise "{$code_name}" ({$scenario}) — {$n} establishments
chrono-regional-played = {$played}/{$timed} planned injects played ({$percent} %)
chrono-regional-next = next: {$id} at {$when}
chrono-regional-detail = One establishment in detail: {$p}chrono@{$site}
summary-formats = The regional summary comes as html, md or json; an establishment's CSV: {$p}export@{$site} csv.
help-regional = Regional exercise (several establishments): keyword@establishment for one, e.g. {$p}inject@chu-nord i03; without it, play commands go to all, {$p}chrono shows them side by side and {$p}export gives the regional summary.
help-invite = invite @person:server — tocsin invites them into the room (Element X / Tchap X show them the history)
cmd-invite-whom = Invite whom? (e.g. invite @dan:example.org)
cmd-invite-needs-server = "{$user}": write the full id with its server (e.g. {$user}:example.org).
cmd-invite-unreadable = "{$user}" is not a Matrix user id (e.g. @dan:example.org).
cmd-invite-one-person = One person at a time (e.g. invite @dan:example.org).
word-invite = invite
invite-self = You are already in the room.
invite-recorded = Invitation of {$user} recorded; sending it.
invite-failed = ⛔ The invitation of {$user} could not be sent: {$reason}. I will not retry; check the id, that they are not already in the room, and that I may invite.
console-no-invite = (console) invitations cannot be sent from the console: {$user} is not invited.
report-invited = invites {$user}
