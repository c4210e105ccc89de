# tocsin's French catalog: the reference. Every other catalog has each of
# these messages with the same variables ($p is the command prefix, `!`).
# Typography: a space before « : », « ; », « ? » and « ! ».

## Every exercise message starts with [marking], unless the configuration sets one.

exercise-marking = EXERCICE

## Front ends and runtime

welcome = 👋 tocsin est prêt : je tiens la main courante de ce salon. {$p}aide pour les commandes, {$p}ouvrir <playbook> [exercice] pour ouvrir une crise.
journal-error = ⚠️ tocsin n'a pas pu écrire dans son journal : ce message n'est peut-être pas consigné. tocsin redémarre et le reprendra ; en attendant, notez-le sur papier et prévenez l'administrateur.
storage-fault = { $fault ->
        [full] le disque de tocsin est plein
        [read_only] le disque de tocsin est passé en lecture seule
        [io] le disque de tocsin renvoie des erreurs d'écriture
       *[denied] tocsin n'a plus le droit d'écrire sur son disque
    }
journal-storage = ⛔ Rien n'a été consigné pour ce message : {$cause}. Notez-le sur papier et prévenez l'administrateur. tocsin le reprendra de lui-même dès que son disque sera réparé.
console-storage = ⛔ Rien n'a été consigné pour cette ligne : {$cause}. Notez-la sur papier et prévenez l'administrateur ; retapez-la une fois le disque réparé.
disk-low-admin = ⚠️ Le disque de tocsin est presque plein : {$free} libres sur {$total} pour {$dir}. Libérez de l'espace sur ce volume (anciennes sauvegardes, journaux, exports) avant qu'il ne soit plein.
disk-reserve-admin = 🚨 Le disque de tocsin est plein ({$dir}) : tocsin a libéré sa réserve de {$reserve} pour continuer à consigner, mais elle s'épuisera. Libérez de l'espace sur ce volume maintenant (anciennes sauvegardes, journaux, exports).
line-too-long = Ligne ignorée : {$n} octets, au plus {$max}. Rien n'a été enregistré.
line-not-utf8 = Ligne ignorée : encodage invalide (octet {$at}), UTF-8 attendu. Rien n'a été enregistré.
export-caption = 📎 {$name} — {$n} entrées, empreinte finale {$digest}…
receipt-line = {$reference} {$author} {$time}
rate-limited-admin = ⚠️ Le serveur Matrix limite le débit du compte de tocsin ({$user}) : en cas d'afflux de commandes, les accusés de réception sont regroupés et arrivent au rythme du serveur. Pour lever la limite sur Synapse, un administrateur du serveur exécute : {$fix} (voir docs/deploying.md, « Limites de débit »). Sur Tchap, aucune exemption n'est possible.
anchor-checkpoint = 🔗 Point de contrôle de la main courante : entrée {$seq}, empreinte SHA-256 {$digest}.
sealed = 🔏 Main courante de {$crisis} scellée : {$n} entrées, empreinte finale SHA-256 {$digest}. Notez-la : elle permet de vérifier l'export.

## Command help lines (after the prefix)

help-help = aide [commande] — les commandes, ou le détail d'une
help-open = ouvrir <playbook> [exercice] — ouvre une crise (ex. ouvrir rancongiciel exercice)
help-close = clore — clôt la crise et scelle la main courante
help-status = statut — où en est la crise
help-info = info <texte> — une information reçue, « à vérifier »
help-verify = vérifier <I1> confirmée|infirmée|en cours
help-decision = décision <texte> [par @qui] [suite à I3|i05] [-- <justification>]
help-action = action <texte> [@personne|rôle] [à HH:MM | dans 30m]
help-done = fait <A1> | <proc>.<n> — action terminée, ou étape de procédure faite
help-proc = proc [<procédure>] — liste les procédures, ou en lance une (ex. proc pd-lab)
help-skip = passer <proc>.<n> <raison> — étape sans objet ; en animation : passer <stimulus> [raison]
help-assign = assigner <proc>.<n> @personne — confie une étape
help-actions = actions — actions ouvertes par responsable, en retard d'abord
help-point = point [toutes 2h | arrêt] — point de situation maintenant, ou sa cadence
help-clocks = horloges [<horloge> depuis HH:MM|I7 | <horloge> activer [depuis …] | <horloge> arrêter [raison]] — échéances réglementaires ; fait <horloge> quand c'est fait
help-handover = relève @personne — passe la main ; elle confirme par ack ou ✅
help-export = export [html|md|json|csv] — le rapport de la crise en pièce jointe (json : vérifiable hors ligne)
help-ack = ack — je prends la relève
help-comcheck = comcheck <message> — chacun confirme par ✅ ; comcheck seul : qui manque
help-role = rôle <rôle> @personne — attribue un rôle de la cellule
help-correct = corriger <réf> <texte> — corrige une entrée (l'originale reste)
help-paper = papier <HH:MM> info|décision|action <texte> — saisit une note papier
help-link = animer[@site] <crise|salon> <scénario> [manuel] — lie ce salon d'animation à l'exercice des joueurs ; @site nomme un établissement d'un exercice régional
help-accept = accepter — (responsable des joueurs) laisse le salon d'animation proposé animer l'exercice
help-decline = refuser — (responsable des joueurs) refuse la proposition d'animation
help-mode = mode auto|manuel — stimuli joués à l'heure, ou seulement sur commande
help-debex = debex — début de l'exercice : l'horloge d'exercice démarre
help-finex = finex — fin de l'exercice ; les joueurs passent au RETEX
help-pause = pause — arrête l'horloge d'exercice (le chronogramme se décale)
help-resume = reprise — relance l'horloge après une pause ou un STOP EXERCICE
help-inject = inject [<id>] — joue un stimulus maintenant (le suivant sans id)
help-delay = retarder [<id>] 10m — retarde un stimulus, ou toute la suite
help-adhoc = improviser <canal> [rôle] <persona> : <texte> — un stimulus hors scénario, joué aussitôt
help-chrono = chrono — horloge d'exercice, 5 derniers stimuli joués, 3 prochains
help-expected = attendu <id> oui|non — la réaction attendue est-elle atteinte ?
help-obs = obs [<stimulus>|<objectif>] <texte> — note d'observation (salon d'animation)
help-retex = retex [<contribution> | suivant | fin] — RETEX à chaud guidé, après FINEX
help-objective = objectif [<objectif> atteint|partiellement|non atteint [commentaire]] — l'appréciation d'un objectif par l'animation ; seul : où en sont les objectifs (salon d'animation)
help-synthesis = synthèse [forces|axes <texte>] — la synthèse de l'animation, forces et axes d'amélioration ; seule : la synthèse à ce jour (salon d'animation)
help-improve = amélioration <texte> [@qui|rôle] [avant JJ/MM/AAAA] — plan d'amélioration

## Commands that do not parse

cmd-which-playbook-should-be = Quel playbook ouvrir ?
cmd-after-playbook-only-exercise = Après le playbook, seul « exercice » est permis.
cmd-too-many-words-one = Trop de mots : un playbook, puis « exercice » s'il s'agit d'un exercice.
cmd-information-text-missing = Il manque le texte de l'information.
cmd-information-reference-missing-i3 = Il manque la référence de l'information (ex. I3).
cmd-status-missing-confirmed-refuted = Il manque le statut : confirmée, infirmée ou en cours.
cmd-unknown-status-confirmed-refuted = Statut inconnu : confirmée, infirmée ou en cours.
cmd-decision-text-missing = Il manque le texte de la décision.
cmd-unreadable-step-write-procedure = Étape illisible : écrivez <procédure>.<numéro> (ex. pd-lab.2).
cmd-action-reference-missing-a2 = Il manque la référence de l'action (ex. A2).
cmd-one-action-reference-only = Une seule référence d'action (ex. A2).
cmd-write-person-with-alice = La personne s'écrit avec @ (ex. @alice:exemple.fr, ou @moi).
cmd-role-then-person = Il faut un rôle puis une personne.
cmd-reference-correct-missing-d1 = Il manque la référence à corriger (ex. D1).
cmd-corrected-text-missing = Il manque le texte corrigé.
cmd-one-procedure-at-time = Une seule procédure à la fois (ex. proc pd-lab).
cmd-skipping-step-needs-reason = Il faut une raison pour passer une étape.
cmd-at-least-15-minutes = Au moins 15 minutes entre deux points.
cmd-unreadable-cadence-write-for = Cadence illisible : écrivez par exemple « toutes 2h ».
cmd-hand-over-whom-handover = À qui passer la main ? (ex. relève @bob:exemple.fr)
cmd-unknown-format-html-md = Format inconnu : html, md, json ou csv.
cmd-give-players-crisis-room = Il faut la crise des joueurs (ou leur salon), le scénario, puis éventuellement « manuel ».
cmd-mode-auto-manual = Mode : auto ou manuel.
cmd-clock-what = Après l'horloge : depuis HH:MM|I7, activer [depuis …] ou arrêter [raison].
cmd-clock-activate-since = Après « activer » : rien, ou depuis HH:MM|JJ/MM HH:MM|I7.
cmd-clock-since-unreadable = Heure illisible après « depuis » : écrivez 14:30, 28/11 14:30, ou la référence d'une entrée (I7).
cmd-one-inject-at-time = Un seul stimulus à la fois (ex. inject i05).
cmd-unreadable-delay-write-for = Retard illisible : écrivez par exemple « retarder 10m » ou « retarder i05 10m » (au plus 12h).
cmd-answer-yes-no = Répondez oui ou non.
cmd-inject-then-yes-no = Il faut le stimulus puis oui ou non (ex. attendu i05 oui).
cmd-observation-text-missing = Il manque le texte de l'observation.
cmd-unknown-channel-mail-phone = Canal inconnu : courriel, téléphone, sms, presse, réseaux-sociaux, visite ou interne.
cmd-separate-persona-from-text = Séparez la persona du texte par « : » (ex. improviser téléphone Cadre de nuit : …).
cmd-persona-text-needed = Il faut une persona et un texte.
cmd-improvement-text-missing = Il manque le texte de l'amélioration.
cmd-objective-judgement-missing = Il manque l'appréciation : atteint, partiellement ou non atteint.
cmd-objective-judgement-unknown = Appréciation inconnue : écrivez atteint, partiellement ou non atteint.
cmd-synthesis-part = Précisez « forces » ou « axes » (d'amélioration), puis le texte.
cmd-synthesis-text-missing = Il manque le texte après « forces » ou « axes ».
cmd-unreadable-time-after-by = Heure illisible après « à » : écrivez HH:MM (ex. à 14:30).
cmd-unreadable-delay-after-in = Délai illisible après « dans » : écrivez 30m, 2h ou 1h30.
cmd-lone-names-nobody = Un @ seul ne désigne personne.
cmd-action-text-missing = Il manque le texte de l'action.
cmd-time-paper-note-missing = Il manque l'heure de la note papier (HH:MM).
cmd-unreadable-time-write-hh = Heure illisible : écrivez HH:MM (ex. 03:55).
cmd-type-missing-info-decision = Il manque le type : info, décision ou action.
cmd-unknown-type-info-decision = Type inconnu : info, décision ou action.
cmd-text-note-missing = Il manque le texte de la note.

## Commands that do not parse (2)

cmd-no-argument = Cette commande ne prend pas d'argument.
cmd-unknown-did-you-mean = Commande inconnue « {$command} ». Vouliez-vous dire {$near} ?
cmd-unknown = Commande inconnue « {$command} ».
cmd-type-help = Tapez {$p}aide pour la liste.
cmd-control-character = Le message contient un caractère de contrôle ({$code}) : retapez-le sans le coller depuis un terminal.
cmd-text-too-long = Texte trop long ({$n} caractères, au plus {$max}) : scindez-le en plusieurs entrées.

## The engine: edits, redactions, undecryptable messages, help

edit-animation-command = Modification ignorée : une commande d'animation ne se modifie pas. Tapez une nouvelle commande si besoin.
edit-unreadable = Modification ignorée : texte vide, trop long ou avec des caractères de contrôle.
edit-recorded = {$new_ref} — modification du message de {$reference} enregistrée comme correction ; l'original reste dans la main courante.
redaction-recorded = Le message de {$reference} a été supprimé du salon ; la main courante le conserve et note la suppression.
undecryptable = ⚠️ Un message de {$who} n'a pas pu être déchiffré par tocsin : il n'est pas dans la main courante. Renvoyez-le (vérifiez que votre session partage ses clés avec le bot).
undecryptable-gap = message de {$who} ({$id}) indéchiffrable
joined-briefing = 👋 Bienvenue {$who} : la crise {$crisis} est ouverte depuis {$since}. Ce qui a été dit avant votre arrivée peut vous rester illisible (chiffrement de bout en bout) : voici où en est la cellule.
    {$situation}
    Pour le détail : {$p}statut, {$p}actions, {$p}horloges ; le rapport complet : {$p}export.
help-animation-commands = Commandes du salon d'animation :
help-commands = Commandes tocsin :
help-animation-after-link = Dans un salon d'animation, une fois lié à l'exercice ({$p}animer) :

## The crisis cell's commands in its room

no-playbook-loaded = aucun playbook chargé
no-crisis = Aucune crise ouverte dans ce salon. Pour commencer : {$p}ouvrir <playbook> [exercice] (playbooks : {$playbooks}).
observer-read-only = Vous suivez la cellule en observateur ({$role}) : seules {$p}statut et {$p}aide vous sont ouvertes. La conversation reste libre.
leads-only = {$p}{$command} est réservé aux responsables de la cellule (niveau de pouvoir 50 dans le salon, ou administrateur tocsin).
word-open = ouvrir
word-close = clore
word-role = rôle
open-unknown-playbook = Playbook inconnu « {$playbook} ». Disponibles : {$playbooks}.
open-already = Une crise est déjà ouverte dans ce salon ({$crisis}). Un salon = une cellule : fermez-la avec {$p}clore ou ouvrez un autre salon.
exercise-opened =
    🚨 Exercice ouvert : {$title} (v{$version}) — crise {$id}.
    {$n_roles} rôles à pourvoir : {$p}rôle <rôle> @personne. Commencez par nommer l'historien.
crisis-opened =
    🚨 Crise ouverte : {$title} (v{$version}) — crise {$id}.
    {$n_roles} rôles à pourvoir : {$p}rôle <rôle> @personne. Commencez par nommer l'historien.
exercise-closed = 🏁 La cellule a clos l'exercice {$crisis} ({$seq} entrées). Rapport complet : {$p}export, ou {$p}export json pour la main courante scellée.
info-recorded = {$reference} — information enregistrée, à vérifier ({$at}).
verify-not-info = {$target} n'est pas une information : seules les informations (I…) se vérifient.
verify-not-back-to-check = Une information ne redevient pas « à vérifier » : utilisez « en cours ».
verify-already = {$target} est déjà « {$status} ».
verify-recorded = {$target} — {$status} (était : {$previous}).
decision-recorded = {$reference} — décision enregistrée ({$at}), avec sa justification.
decision-recorded-no-rationale = {$reference} — décision enregistrée ({$at}). Sans justification : ajoutez « -- pourquoi » la prochaine fois.
action-recorded = {$reference} — action enregistrée
action-owner = pour {$owner}
action-due = échéance {$due}
done-not-action = {$target} n'est pas une action (A…).
done-already = {$target} est déjà faite (depuis {$since}).
done-recorded = {$target} — faite ({$at}).
done-recorded-late = {$target} — faite ({$at}), en retard sur l'échéance de {$due}.
role-playbook-missing = Le playbook « {$playbook} » de cette crise n'est plus chargé : rechargez-le pour attribuer des rôles.
role-unknown = Rôle inconnu « {$role} ». Rôles : {$roles}.
role-already = {$user} tient déjà le rôle {$role}.
role-assigned = Rôle {$title} ({$role}) → {$user}.
role-assigned-instead = Rôle {$title} ({$role}) → {$user} (à la place de {$previous}).
correction-recorded = {$reference} — correction de {$target} enregistrée ; l'entrée d'origine reste dans la main courante.
paper-too-early = Cette heure tombe plus de 24 h avant l'ouverture de la crise.
paper-recorded = {$reference} — note papier de {$at} saisie (transcrite).
paper-recorded-before-opening = {$reference} — note papier de {$at} saisie (transcrite). ⚠️ Elle précède l'ouverture de la crise ({$opened}) : signalée comme telle, elle ne compte ni comme dernière décision ni dans les délais.
export-players-no-json = Le JSON et le CSV portent tout le journal, matériel d'animation compris : demandez-les dans le salon d'animation. Ici : export html ou md (édition joueurs).
no-entry-yet = aucune entrée encore
unknown-reference = Référence inconnue « {$target} » dans cette crise (dernières : {$known}).
status-head =
    📋 {$title} — crise {$crisis}
    Ouverte à {$at} par {$by} (depuis {$duration}).
status-roles-none = aucun
status-roles = Rôles ({$n_held}/{$n_roles}) : {$list}
status-infos = Informations : {$n} — {$to_check} à vérifier, {$checking} en cours, {$confirmed} confirmée(s), {$refuted} infirmée(s)
status-decisions-none = Décisions : aucune
status-decisions = Décisions : {$n} — dernière {$reference} à {$at} : {$text}
status-actions = Actions : {$n_open} ouverte(s) dont {$overdue} en retard, {$done} faite(s)
status-more = … et {$n} autres
crisis-closed = 🏁 Crise {$crisis} close. Main courante : {$seq} entrées, {$n_decisions} { $n_decisions ->
        [0] décision
        [1] décision
       *[other] décisions
    }, {$n_actions} { $n_actions ->
        [0] action
        [1] action
       *[other] actions
    } dont {$n_open} { $n_open ->
        [0] restée ouverte
        [1] restée ouverte
       *[other] restées ouvertes
    }.
crisis-closed-clocks = { $n ->
        [one] Horloge non faite à la clôture :
       *[other] Horloges non faites à la clôture :
    }
verification = { $status ->
        [to_check] à vérifier
        [checking] en cours de vérification
        [confirmed] confirmée
       *[refuted] infirmée
    }

## Follow-up: procedures, actions, points, clocks, handovers, comchecks

handover-done = 🔁 Relève faite : {$who} tient la cellule (à la suite de {$from}).
playbook-not-loaded = Le playbook de cette crise n'est plus chargé.
proc-unknown = Procédure inconnue « {$id} ». Procédures : {$procedures}.
proc-list-head = Procédures (lancer : {$p}proc <id>) :
proc-not-started = non lancée
checklist-head = 📋 {$id} — {$title} (responsable : {$owner}{$holder})
step-done-word = fait
step-skipped-word = sans objet
step-by-word = avant
checklist-progress = Progression : {$closed}/{$total} · {$p}fait {$id}.<n> pour cocher
proc-already-started =
    {$id} est déjà lancée (depuis {$since}). Où elle en est :
    {$checklist}
proc-started = {$id} lancée — {$holder}, vous êtes responsable ({$owner}).
proc-started-unfilled = {$id} lancée — rôle {$owner} non pourvu : {$p}rôle {$owner} @personne.
proc-not-started-yet = {$id} n'est pas lancée : {$p}proc {$id} d'abord.
proc-no-such-step = {$id} a {$n_steps} étapes : pas d'étape {$step}.
step-already-done = {$id}.{$step} est déjà faite ({$at} par {$by}).
step-already-skipped = {$id}.{$step} a été passée.
step-done = {$id}.{$step} faite{ $complete ->
        [yes] {" "}— {$id} terminée
       *[no] {""}
    } ({$closed}/{$total}).
step-skipped = {$id}.{$step} passée ({$closed}/{$total}).
step-assigned = {$id}.{$step} confiée à {$user}.
actions-none = Aucune action ouverte.
actions-no-owner = sans responsable
actions-head = Actions ouvertes : {$n_open} dont {$overdue} en retard
point-cadence-off = Plus de points de situation automatiques.
point-cadence = Point de situation toutes les {$every} ; le prochain vers {$next}.
clocks-none = Ce playbook n'a pas d'horloge.
clocks-head = Horloges (comptées depuis l'ouverture à {$at}, sauf mention) :
clocks-foot = {$p}fait <horloge> quand c'est fait.
clock-unknown-id = Horloge inconnue « {$id} ». Horloges : {$clocks}.
clock-source = Source : {$text}{$url}
clock-inactive = {$id} n'est pas activée ({$condition}) : {$p}horloge {$id} activer [depuis HH:MM|I7].
clock-is-stopped = {$id} est arrêtée (depuis {$at}).
clock-no-such-stage = {$id} a {$n} étapes : pas d'étape de ce numéro.
clock-single-deadline = {$id} n'a qu'une échéance, sans étapes : {$p}fait {$id}.
clock-staged-which = {$id} a plusieurs étapes ; laquelle est faite ? {$stages}
clock-since-future = {$at} est dans le futur : donnez l'heure où l'établissement en a pris connaissance.
clock-anchored =
    {$id} compte désormais depuis {$at}{$entry}.
    {$lines}
clock-not-conditional = {$id} s'applique toujours : pour la compter depuis la prise de connaissance, {$p}horloge {$id} depuis HH:MM|I7.
clock-already-active = {$id} est déjà activée (depuis {$at}).
clock-activated =
    {$id} activée.
    {$lines}
clock-stopped = {$id} arrêtée{$reason} : plus d'alerte pour elle.
clock-stage-out-of-order = {$id} ne peut pas être faite avant l'étape {$open} ({$title}), encore ouverte : {$p}fait {$open} d'abord.
clock-already-done = {$id} est déjà faite ({$at}).
clock-done-early = {$id} — {$title} : fait, {$left} avant l'échéance.
clock-done-late = {$id} — {$title} : fait, {$late} après l'échéance.
clock-done-next = {$id} — {$title} : fait ; prochaine échéance {$next} (toutes les {$every}).
clock-done-waiting = {$id} — {$title} : fait.
handover-already = {$to} tient déjà la cellule.
handover-post =
    🔁 Relève : {$from} → {$to}. {$to}, confirmez par {$p}ack ou ✅ sur ce message.
    {$situation}
handover-recorded = Relève vers {$to} enregistrée ; en attente de sa confirmation.
handover-not-you = La relève attend {$to}, pas vous.
handover-none = Aucune relève en attente.
comcheck-none = Aucun comcheck : {$p}comcheck <message> pour en lancer un.
comcheck-all-answered = Comcheck n°{$number} : tout le monde a répondu ({$n}).
comcheck-missing = Comcheck n°{$number} : {$answered}/{$expected} réponses ; manquent {$missing}
comcheck-no-roles = Personne n'a de rôle : le comcheck attend les titulaires des rôles ({$p}rôle …).
comcheck-post =
    📣 Comcheck n°{$number} : {$text}
    ✅ sur ce message pour confirmer réception — {$names}
comcheck-sent = Comcheck n°{$number} envoyé à {$n} personne(s).

## Time-driven follow-up: reminders, clocks, situation, downtime

downtime-gap = tocsin ne tournait pas de {$from} (au plus tôt) à {$to} ({$length}) : tous les messages de cette période ont été rattrapés depuis le serveur, dans l'ordre ; les rappels dus ont été envoyés ensuite
downtime-warning = ⚠️ tocsin était arrêté de {$from} à {$to} ({$length}). Les messages envoyés entre-temps sont rattrapés ; vérifiez que rien ne manque ({$p}statut) et saisissez les notes papier ({$p}papier).
downtime-gap-paused = {" "}; l'exercice a été mis en pause
downtime-animation-paused = ⚠️ tocsin était arrêté de {$from} à {$to} ({$length}) : l'exercice est en pause depuis {$from}, aucun stimulus n'a été joué. {$p}chrono pour voir où il en est, {$p}reprise pour le relancer.
downtime-animation = ⚠️ tocsin était arrêté de {$from} à {$to} ({$length}).
span-days = {$days} j {$hours}h
reminder-action = ⏰ {$reference} en retard (échéance {$due}) : {$text}{$label}
reminder-step = ⏰ {$id}.{$n} attendue pour {$due} : {$text}{$label}
reminder-handover = ⏰ {$to} : la relève attend votre confirmation ({$p}ack ou ✅ sur le message de relève).
reminder-comcheck = ⏰ Comcheck n°{$number} : sans réponse de {$missing} — ✅ sur le message pour confirmer.
clock-line-done-late = ☑️ {$id} — {$title} : fait {$done} ({$late} après l'échéance {$deadline})
clock-line-not-done-at-close = ❌ {$id} — {$title} : non faite à la clôture ({$at} ; échéance {$deadline})
clock-line-done = ✅ {$id} — {$title} : fait {$done}
clock-line-passed = ⌛ {$id} — {$title} : échéance DÉPASSÉE ({$deadline}, il y a {$ago}){$more}
clock-line-left = ⏳ {$id} — {$title} : reste {$left} (échéance {$deadline}){$more}
clock-line-waiting = ⏸️ {$id} — {$title} : {$due} après {$after} (pas encore fait)
clock-line-inactive = 💤 {$id} — {$title} : non activée — {$condition} ({$p}horloge {$id} activer [depuis HH:MM|I7])
clock-line-stopped = ⏹️ {$id} — {$title} : arrêtée {$at}{$reason}
clock-counted-from = {" "}· comptée depuis {$at}{$entry}
clock-activated-at = {" "}· activée {$at}
clock-recurring = {" "}· 🔁 toutes les {$every}{ $n ->
        [0] {""}
       *[other] , faite {$n} fois
    }
delay-months = { $months ->
        [one] 1 mois
       *[other] {$months} mois
    }
situation-point-head = 🕐 Point de situation n°{$n} — {$at} (crise {$crisis})
situation-head = 🕐 État de situation — {$at} (crise {$crisis})
situation-infos = Infos : {$to_check} à vérifier{$to_check_list}, {$checking} en cours{$checking_list}, {$confirmed} confirmée(s), {$refuted} infirmée(s)
situation-decisions-since-point = Décisions depuis le dernier point
situation-decisions = Décisions
situation-decisions-none = {$label} : aucune
situation-decisions-list = {$label} :
situation-actions = Actions : {$n_open} ouverte(s), {$overdue} en retard
situation-procedures = Procédures :{" "}
situation-clock-passed = DÉPASSÉE
situation-clocks = Horloges :{" "}
situation-lead = Cellule tenue par {$lead} depuis {$since}

## Exercises: the animation room, injects, the stop phrase, the hot debrief

stop-already-frozen = L'exercice est déjà gelé par un STOP. Seul un animateur peut le reprendre.
stop-notice =
    🛑🛑 STOP EXERCICE — URGENCE RÉELLE signalée par {$who} à {$at}.
    L'exercice est gelé : plus aucun stimulus ne sera joué. Traitez l'urgence réelle.
    Seul un animateur peut reprendre l'exercice ({$p}reprise, dans le salon d'animation).
inject-played-note = ▶️ {$id} joué à T+{$t_plus} — {$icon} {$from}
inject-direct-note = ✉️ En message direct à {$holder}.
inject-direct-unheld = ⚠️ Personne ne tient le rôle {$role} : envoyé dans la salle des joueurs.
inject-files-note = 📎 Pièces jointes : {$files}
press-headline = « {$headline} »
direct-chat-commands = Ce salon direct reçoit les stimuli de l'exercice « {$code} » qui vous sont adressés : les commandes n'y sont pas lues. Écrivez à la cellule dans son salon. En cas d'urgence réelle, « {$stop} » arrête l'exercice, ici aussi.
inject-expected-label = Attendu :
inject-notes-label = Notes :
on-command = sur commande
next-at = à
after-word = après
next-label = Suivant :
facilitators-only = Commande réservée aux animateurs (niveau de pouvoir 50 dans le salon d'animation). Les observateurs notent avec {$p}obs.
link-no-crisis = Aucune crise ouverte « {$target} ». Exercices ouverts : {$open}.
link-players-room = Ce salon est celui des joueurs : liez l'exercice depuis un salon d'animation à part.
link-already-animated = L'exercice {$crisis} est déjà animé (scénario {$scenario}) depuis un autre salon.
link-unknown-scenario = Scénario inconnu « {$scenario} ». Disponibles : {$known}.
link-wrong-playbook = Le scénario {$scenario} est écrit pour le playbook {$scenario_playbook}, l'exercice utilise {$playbook}.
mode-auto-label = auto (stimuli joués à l'heure)
mode-manual-label = manuel (stimuli sur commande)
link-ack =
    🎬 Salon d'animation lié à l'exercice {$crisis} — scénario « {$code_name} » {$scenario} v{$version} ({$level}, {$n_injects} stimuli, {$n_timed} à l'heure, dernier à T+{$last}). Mode {$mode}.
    Objectifs :
    {$objectives}
    Quand les joueurs sont prêts : {$p}debex.
link-proposed =
    🎬 Proposition envoyée au salon des joueurs de l'exercice {$crisis} — scénario « {$code_name} » {$scenario} v{$version}.
    Ce salon sera lié quand un responsable des joueurs aura tapé {$p}accepter dans leur salon.
link-request =
    🎬 Le salon {$room} propose d'animer cet exercice (« {$code_name} »). Rien des animateurs ne vous parviendra sans votre accord ; une fois lié, ils liront votre main courante.
    Un responsable de la cellule tape {$p}accepter pour l'accepter, ou {$p}refuser.
link-waiting = En attente de l'accord des joueurs : ce salon animera l'exercice {$crisis} quand un responsable de leur cellule aura tapé {$p}accepter dans leur salon.
link-nothing-pending = Aucune proposition d'animation en attente : les animateurs tapent {$p}animer {$crisis} <scénario> dans leur salon d'animation.
link-accepted = 🎬 Animation acceptée : le salon {$room} anime l'exercice « {$code_name} ». Le début de l'exercice (DEBEX) sera annoncé ici.
link-declined = Proposition d'animation du salon {$room} refusée.
link-declined-animation = ⛔ Le responsable des joueurs de l'exercice {$crisis} a refusé que ce salon l'anime.
word-accept = accepter
word-decline = refuser
real-crisis-no-exercise = Crise réelle : les commandes d'exercice sont refusées.
players-link-first = Pour animer cet exercice, ouvrez un salon d'animation (animateurs et observateurs) et tapez-y : {$p}animer {$crisis} <scénario>.
players-animation-command = Commande du salon d'animation : tapez-la là-bas, pas dans le salon des joueurs.
exercise-not-started = L'exercice n'a pas commencé : {$p}debex d'abord.
exercise-ended = L'exercice est terminé (FINEX).
animation-already-linked = Ce salon anime déjà l'exercice {$crisis} (scénario {$scenario}).
mode-already = C'est déjà le mode.
mode-overdue = Déjà dus : {$overdue}. En auto, ils partiraient tous d'un coup : jouez-les ({$p}inject), passez-les ({$p}passer) ou retardez la suite ({$p}retarder 15m), puis repassez en auto.
mode-auto = Mode auto : les stimuli sont joués à l'heure prévue.
mode-manual = Mode manuel : les stimuli ne sont joués que sur commande ({$p}inject).
debex-already = L'exercice a déjà commencé.
stop-phrases-or = {" "}» ou «{" "}
debex-players =
    🎬 DEBEX — début de l'exercice « {$code} » à {$at}.
    Tout ce qui suit est fictif, sauf une urgence réelle : dans ce cas, tapez « {$phrase} » ici ; l'exercice s'arrête aussitôt.
debex-ack = DEBEX à {$at} : horloge d'exercice à T+0.
finex-players =
    🏁 FINEX — fin de l'exercice « {$code_name} ». Merci à tous.
    RETEX à chaud maintenant : tapez {$p}retex pour le tour de table (joueurs d'abord, puis observateurs).
finex-ack = FINEX à T+{$t}. Couverture : {$played}/{$planned} stimuli prévus joués ({$percent} %), {$adhoc} improvisé(s), {$skipped} passé(s).
pause-already-stopped = L'exercice est déjà gelé par un STOP.
pause-already = L'exercice est déjà en pause.
pause-ack = ⏸️ Pause à T+{$t} : l'horloge d'exercice est arrêtée, le chronogramme se décalera d'autant.
pause-players = ⏸️ Exercice en pause. Il reprendra sur annonce.
resume-not-paused = L'exercice n'est pas en pause.
resume-after-stop = ▶️ Reprise après le STOP (gelé {$frozen}) : horloge d'exercice à T+{$t}.
resume-after-pause = ▶️ Reprise après {$paused} de pause : horloge d'exercice à T+{$t}.
resume-players = ▶️ L'exercice reprend.
play-frozen = L'exercice est gelé par un STOP : {$p}reprise d'abord, si l'urgence réelle est close.
play-paused = L'exercice est en pause : {$p}reprise d'abord.
inject-none-left = Tous les stimuli du scénario sont joués ou passés.
inject-already-played = {$id} a déjà été joué à T+{$t}.
inject-skipped-already = {$id} a été passé : il ne sera pas joué.
skip-already-closed = {$inject} est déjà joué ou passé.
skip-ack = {$inject} passé : il ne sera pas joué.
delay-not-timed = {$id} n'est pas un stimulus à venir à heure fixe.
adhoc-ack = {$id} (improvisé) joué à T+{$t}.
expected-not-played = {$inject} n'a pas été joué : rien à évaluer.
expected-met = {$inject} : réaction attendue atteinte.
expected-not-met = {$inject} : réaction attendue non atteinte.
obs-ack = {$reference}{$tied} — observation notée à T+{$t}.
animation-room-commands = Salon d'animation : les commandes de la cellule se tapent dans le salon des joueurs. Ici : {$p}chrono, {$p}inject, {$p}passer, {$p}retarder, {$p}pause, {$p}reprise, {$p}improviser, {$p}attendu, {$p}obs, {$p}finex, {$p}export ({$p}aide pour le détail).
none-word = aucun
scenario-not-loaded = Le scénario « {$scenario} » n'est plus chargé : rechargez-le.
inject-unknown = Stimulus inconnu « {$id} ». Stimuli : {$injects}.
chrono-not-started = pas commencé (debex)
chrono-ended = terminé (FINEX)
chrono-frozen = 🛑 GELÉ par un STOP
chrono-paused = ⏸️ en pause
chrono-running = en cours
manual-word = manuel
chrono-exercise = Exercice « {$code_name} »
mode-word = mode
chrono-version-changed = ⚠️ L'exercice a été lié à la v{$linked} du scénario ; le fichier chargé est la v{$loaded}, dont le chronogramme s'applique.
chrono-last-played = Derniers joués :
reaction-word = réaction
no-reaction-yet = pas encore de réaction
adhoc-word = (improvisé)
chrono-coming-up = À venir :
nothing-word = rien
all-word = tous
chrono-coverage = Couverture : {$n_played}/{$planned} stimuli prévus joués ({$percent} %), {$skipped} passé(s), {$adhoc} improvisé(s). Observations : {$observations}.
improve-ack = {$reference} — amélioration inscrite au plan
improve-owner-word = pilote
improve-no-owner = {" "}· sans pilote : précisez @qui la prochaine fois
improve-due-word = échéance
date = {$day}/{$month}/{$year}
retex-after-finex = Le RETEX à chaud vient après la fin de l'exercice (FINEX).
retex-observers = observateurs
retex-players = joueurs
retex-each-in-turn = Chacun à son tour : {$p}retex <votre contribution>. Puis {$p}retex suivant.
retex-open = RETEX à chaud ouvert : tour de table, joueurs d'abord, observateurs ensuite. Les contributions sont consignées dans la main courante.
retex-not-open = Le RETEX n'est pas ouvert : tapez {$p}retex pour le commencer.
retex-closed-already = Le RETEX est clos. Le plan d'amélioration reste ouvert : {$p}amélioration <texte> @qui [avant JJ/MM/AAAA].
retex-contribution = Contribution {$n} notée (thème {$topic}/{$total}).
retex-closed = ✅ RETEX clos : {$n} contribution(s). Plan d'amélioration : {$p}amélioration <texte> @pilote [avant JJ/MM/AAAA] ({$n_improvements} inscrite(s)). Le rapport : {$p}export.
player-text = {$icon} {$channel} — {$from} : {$text}

## Exercises (2): RETEX topics, channels and levels

retex-topic = { $n ->
        [1] Alerte et mobilisation : comment l'incident a-t-il été détecté, remonté, la cellule constituée ?
        [2] Fonctionnement de la cellule : rôles, main courante, points de situation — qu'est-ce qui a marché, qu'est-ce qui a manqué ?
        [3] Décisions et continuité des soins : les modes dégradés ont-ils tenu ? Qu'a-t-on découvert ?
        [4] Communication et partenaires : personnels, patients, presse, ARS, CERT Santé, CNIL, plainte.
        [5] À garder, à changer : les trois points prioritaires pour la prochaine fois.
       *[6] Tour des observateurs et des animateurs : ce qu'ils ont vu.
    }
channel = { $channel ->
        [mail] Courriel
        [phone] Appel
        [sms] SMS
        [press] Presse
        [social] Réseaux sociaux
        [visit] Visite
       *[internal] Message interne
    }
level = { $level ->
        [beginner] débutant
        [intermediate] intermédiaire
       *[advanced] confirmé
    }

## Exercises (3)

delay-one = {$id} retardé de {$by}.
delay-all = Toute la suite du chronogramme est retardée de {$by}.

## Exercises (4): the facilitators' evaluation

attainment = { $result ->
        [met] atteint
        [partly] partiellement atteint
       *[not_met] non atteint
    }
objective-unknown = Objectif inconnu : {$objective}. Objectifs du scénario : {$objectives}.
objective-ack = Objectif {$objective} : {$result}.
objective-ack-again = Objectif {$objective} : {$result} (remplace « {$previous} »).
objective-list-head = Objectifs de l'exercice « {$code_name} » :
objective-not-assessed = pas encore apprécié
synthesis-ack = { $part ->
        [strength] Force n°{$n} notée.
       *[to_improve] Axe d'amélioration n°{$n} noté.
    }
synthesis-part = { $part ->
        [strength] Forces ({$n}) :
       *[to_improve] Axes d'amélioration ({$n}) :
    }
synthesis-empty = La synthèse est vide : {$p}synthèse forces <texte>, {$p}synthèse axes <texte>.

## Report

kind = { $kind ->
        [crisis_opened] ouverture
        [crisis_closed] clôture
        [info] information
        [verification] vérification
        [decision] décision
        [action] action
        [action_done] action faite
        [role_assigned] rôle
        [correction] correction
        [redaction] suppression
        [gap] lacune
        [member_joined] arrivée dans le salon
        [note] message consigné
        [file] fichier consigné
        [link] lien
        [plan_moved] plan d'amélioration
        [plan_carried] plan hérité
        [undelivered] message non remis
        [procedure_started] procédure
        [step_done] étape faite
        [step_skipped] étape passée
        [step_assigned] étape confiée
        [clock_done] horloge tenue
        [clock_warning] alerte horloge
        [clock_anchored] horloge recalée
        [clock_activated] horloge activée
        [clock_stopped] horloge arrêtée
        [reminder] rappel
        [point_cadence] cadence des points
        [situation_point] point de situation
        [handover_started] relève
        [handover_acknowledged] relève confirmée
        [comcheck_started] comcheck
        [comcheck_acknowledged] comcheck reçu
        [posted] message du bot
        [exercise_link_proposed] animation proposée
        [exercise_link_declined] animation refusée
        [exercise_linked] animation liée
        [exercise_mode] mode d'animation
        [exercise_started] DEBEX
        [exercise_paused] pause
        [exercise_resumed] reprise
        [exercise_stopped] STOP EXERCICE
        [exercise_ended] FINEX
        [inject_played] stimulus
        [inject_skipped] stimulus passé
        [inject_delayed] stimulus retardé
        [reaction_marked] réaction évaluée
        [observation] observation
        [retex_started] RETEX ouvert
        [retex_topic] RETEX thème
        [retex_contribution] RETEX
        [retex_ended] RETEX clos
        [improvement] amélioration
        [objective_assessed] objectif apprécié
       *[synthesis_note] synthèse
    }

## Report labels (templates read them as t.<key>)

report-report = Rapport de crise
report-exercise-report = Rapport d'exercice
report-identity = Identité de la crise et de l'établissement
report-exercise-identity = Identité de l'exercice et de l'établissement
report-establishment = Établissement
report-crisis = Crise
report-playbook = Playbook
report-tags = Références
report-edition = Édition
report-opened = Ouverte
report-closed = Close
report-still-open = en cours
report-length = Durée
report-generated = Rapport produit
report-time-zone = Fuseau horaire
report-entries = Entrées
report-marking-note = Document d'exercice : rien de ce qui suit n'est réel.
report-code-name = Nom de code
report-scenario = Scénario
report-level = Niveau
report-linked = Animation
report-regional-site = Exercice régional, établissement
report-debex = DEBEX
report-finex = FINEX
report-played-for = Temps de jeu
report-paused = Pauses
report-stops = Arrêts pour urgence réelle
report-objectives = Objectifs et appréciation
report-objective = Objectif
report-judgement = Appréciation de l'animation
report-comment = Commentaire
report-played-met = Stimuli joués / atteints
report-not-judged = non apprécié
report-participants = Participants
report-cell = Cellule de crise (joueurs)
report-facilitators = Animation
report-observers = Observateurs
report-name = Nom
report-function = Fonction dans la cellule
report-user-id = Identifiant
report-n-entries = Entrées
report-leads = Tenue de la cellule (relèves)
report-since = Depuis
report-metrics = Indicateurs
report-chronology = Chronologie (main courante)
report-chronology-note = Chaque entrée de la main courante, dans l'ordre où elle a été consignée. Les rappels d'un même élément et les alertes d'une même horloge tiennent sur une ligne, avec leur nombre et leurs heures ; l'export JSON les garde une à une.
report-seq = N°
report-time = Heure
report-author = Auteur
report-kind = Type
report-ref = Réf.
report-text = Texte
report-injects = Stimuli : prévus et joués
report-planned-played = Prévu / joué
report-stimulus = Stimulus
report-expected = Réaction attendue
report-reaction-result = Réaction et résultat
report-before-opening = avant l'ouverture de la crise
report-decisions = Registre des décisions
report-decision = Décision
report-occurred = Date
report-rationale = Justification
report-context = Dernière information connue
report-corrected = Corrigée
report-transcribed = transcrit du papier
report-infos = Registre des informations
report-information = Information
report-verification = Vérification
report-points = Points de situation
report-point = Point de situation n°
report-measures = Mesures prises
report-actions = Actions
report-action = Action
report-owner = Responsable
report-due = Échéance
report-done = Faite
report-status = Statut
report-reminders = Rappels
report-procedures = Procédures
report-started = lancée
report-step = Étape
report-clocks = Horloges réglementaires
report-clock = Horloge
report-deadline = Échéance
report-observations = Observations
report-about = Sur
report-retex = RETEX à chaud
report-retex-note = Tour de table après la fin de l'exercice : les joueurs d'abord, les observateurs ensuite, thème par thème.
report-synthesis = Synthèse de l'animation
report-strengths = Forces
report-to-improve = Axes d'amélioration
report-improvements = Plan d'amélioration
report-improvement = Amélioration
report-recorded = Inscrite le
report-corrections = Corrections et suppressions
report-gaps = Lacunes
report-no-gaps = Aucune lacune connue.
report-integrity = Intégrité
report-integrity-text = Chaque entrée de la main courante est chaînée à la précédente par SHA-256 : modifier, retirer ou insérer une entrée change toutes les empreintes qui suivent, dont l'empreinte finale.
report-final-digest = Empreinte finale (SHA-256)
report-checkpoints = Points de contrôle dans le salon
report-checkpoints-text = À chaque point de situation et à chaque relève, tocsin a dit dans le salon Matrix la tête de la chaîne (entrée et empreinte) ; ces messages, répliqués sur les serveurs des participants, témoignent de la main courante hors de la machine de tocsin (tocsin verify --against-room).
report-digest = Empreinte (SHA-256)
report-matrix-event = Événement Matrix
report-sealed = Scellée le
report-how-to-verify = Pour vérifier
report-signatures = Validation
report-signatures-note = Les signataires attestent que ce rapport rend compte de l'exercice tel qu'il s'est déroulé.
report-signatures-note-crisis = Les signataires attestent que ce rapport rend compte de la crise telle qu'elle a été conduite.
report-signature-date = Date : ____ / ____ / ________
report-signature = Signature :
report-none = Néant.
report-edition-players = joueurs (sans le matériel d'animation)
report-edition-players-short = édition joueurs
report-edition-full = complète
report-page-number = Page {$page} sur {$pages}
report-verify-export = Demander l'export JSON de la crise : « !export json » dans le salon d'animation (ou dans le salon de la cellule pour une crise réelle), ou « tocsin export --format json » sur le serveur.
report-verify-run = Lancer « tocsin verify FICHIER.json » : chaque empreinte est recalculée et la première entrée modifiée est nommée.
report-verify-digest = Comparer l'empreinte finale obtenue à celle imprimée ici et à celle que tocsin a annoncée dans le salon à la clôture.
report-verify-paper = Sur ce document, chaque ligne de la chronologie porte le début de l'empreinte de son entrée, à rapprocher de l'export.
report-sign-direx = Direction de l'exercice (DIREX)
report-sign-lead = Direction de la cellule de crise
report-sign-direction = Direction de l'établissement

## Report: statuses, metrics, log texts

report-word-done = faite
report-word-done-late = faite en retard
report-word-overdue = en retard
report-word-open = ouverte
report-word-done-2 = fait
report-word-skipped = sans objet
report-word-not-done = non fait
report-word-met = tenue
report-word-met-late-by = tenue avec {$late} de retard,
report-word-missed = MANQUÉE
report-word-running = en cours
report-word-counted-from = comptée depuis
report-clock-inactive = non activée
report-clock-stopped = arrêtée
report-clock-not-done-at-close = non faite à la clôture
report-clock-stopped-at-close = arrêtée à la clôture
report-clock-waiting = en attente de l'étape précédente
report-source = Source
report-played-ad-hoc = joué (improvisé)
report-word-played = joué
report-word-skipped-2 = passé
report-word-not-played = non joué
report-word-on-command = sur commande
report-word-ad-hoc-short = improvisé
report-word-all = tous
report-word-facilitator = animateur
report-word-observer = observateur
report-word-cell-member = membre de la cellule
report-word-procedure-started = procédure lancée
report-word-decision = décision
report-time-constitute-cell-first = Délai de constitution de la cellule (1er rôle attribué)
report-time-first-decision = Délai avant la première décision
report-word-information = Informations
report-word-decisions = Décisions
report-word-actions-late = Actions (dont en retard)
report-word-reminders-sent = Rappels envoyés
report-word-situation-points = Points de situation
report-coverage-planned-injects-played = Couverture (stimuli prévus joués)
report-mean-time-first-reaction = Délai moyen de première réaction à un stimulus
report-expected-met-of-judged = Réactions attendues atteintes / évaluées
report-stops-for-real-emergency = Arrêts pour urgence réelle
report-word-exercise = {" "}— exercice
report-word-rationale = justification
report-word-due = échéance
report-word-corrects = corrige
report-message-deleted-from-room = message supprimé du salon ; l'entrée d'origine est conservée
report-word-deadline-reached = échéance atteinte
report-word-threshold = seuil
report-word-auto = stimuli à l'heure
report-word-manual = stimuli sur commande
report-word-no-points = plus de points réguliers
report-word-ad-hoc = {" "}(improvisé)
report-word-expected-met = attendue atteinte
report-expected-not-met = attendue non atteinte
report-every = toutes les {$every}
report-reminded = à {$who}
report-folded = {$n} fois : {$times}
report-transcribed-at = transcrit à {$time}
report-recorded-at = consigné à {$time}
report-received-by = reçu par {$who}
report-direct = en message direct
report-attachments = pièces jointes : {$files}
report-first-reaction = {$reference} après {$delay}
report-synthesis-part = { $part ->
        [strength] force
       *[to_improve] axe d'amélioration
    }

## Regional exercise summary (templates read them as t.<key>)

summary-title = Synthèse régionale d'exercice
summary-note = Les mesures de chaque établissement, côte à côte. Aucun texte des joueurs ni de l'animation, aucun nom : le rapport de chaque établissement les garde, et son empreinte ci-dessous permet de l'y rapprocher.
summary-exercise = Exercice
summary-establishment = Établissement (configuration de tocsin)
summary-generated = Synthèse produite
summary-n-sites = Établissements
summary-sites = Établissements et intégrité
summary-site = Site
summary-digest = Dernière empreinte (SHA-256, début)
summary-digest-note = Chaque empreinte est le début de l'empreinte finale imprimée dans le rapport de l'établissement et donnée par son export JSON.
summary-injects = Stimuli, site par site
summary-inject = Stimulus
summary-planned = Prévu
summary-ad-hoc = improvisé
summary-file-name = synthese-regionale
summary-caption = 📎 {$name} — synthèse régionale de { $n ->
        [one] {$n} établissement
       *[other] {$n} établissements
    } ({$format})

## Dates and durations as people read them

date-weekday = { $weekday ->
        [1] lun.
        [2] mar.
        [3] mer.
        [4] jeu.
        [5] ven.
        [6] sam.
       *[7] dim.
    }
date-month = { $month ->
        [1] janv.
        [2] févr.
        [3] mars
        [4] avr.
        [5] mai
        [6] juin
        [7] juil.
        [8] août
        [9] sept.
        [10] oct.
        [11] nov.
       *[12] déc.
    }
date-long = {$weekday} {$day} {$month} {$year}
date-time = {$date} {$time}
duration-minutes = {$minutes} min
duration-hours = {$hours} h
duration-hours-minutes = {$hours} h {$minutes}
duration-days = {$days} jours

## Paper kit (templates read them as t.<key>)

kit-kit = Kit papier
kit-intro = À imprimer à l'avance et à garder dans chaque service : il sert quand l'informatique est coupée. Ce qui est noté sur papier se ressaisit ensuite avec « !papier HH:MM info|décision|action … ».
kit-reflexes = Fiches réflexes
kit-procedures = Procédures en mode dégradé
kit-service = Service
kit-owner = Responsable
kit-done-by = Fait à (heure) / par (initiales)
kit-within = dans les
kit-log = Main courante papier
kit-sheet = Feuille n° ____  ·  Cellule : ______________  ·  Date : ____/____/______
kit-time = Heure
kit-author = Auteur
kit-type = Type (I/D/A)
kit-text = Texte
kit-initials = Visa
kit-roles = Fiches de rôle
kit-holder = Titulaire : ______________________  de ____h____  à ____h____
kit-clocks = Horloges réglementaires
kit-from-opening = après l'ouverture de la crise, ou l'heure de prise de connaissance notée
kit-from-activation = après son activation, ou l'heure de prise de connaissance notée
kit-after-stage = après que {$stage} est fait
kit-every = Récurrente : toutes les {$every}
kit-source = Source
kit-condition = Condition
kit-warn = Alertes à
kit-opened-at = Comptée depuis le ____/____ à ____h____ → échéance le ____/____ à ____h____
kit-contacts = Annuaire de crise
kit-name = Nom
kit-function = Fonction
kit-mobile = Mobile
kit-other = Autre moyen
kit-recovery = Clé de récupération de tocsin
kit-recovery-text = Au premier démarrage, tocsin affiche une fois la clé de récupération de la sauvegarde des clés de son compte Matrix. Si le disque de tocsin est perdu, « tocsin recover » reconstruit la main courante depuis les salons avec cette clé. Ne l'écrivez pas ici : notez où elle est gardée, hors du serveur de tocsin.
kit-recovery-where = Gardée : ________________________________________  par : ______________________  (double : ______________________)
kit-version = version

## Conversation and files put on record
report-file = {$name} ({$mime}, {$size} octets, SHA-256 {$sha256})
help-note = consigner <texte> — un message dit (dans le salon, au téléphone) mis dans la main courante ; en réponse à un message ou un fichier, c'est lui qui est consigné
help-relate = lier D2 I3 — D2 répond à I3 (une entrée, ou un stimulus en exercice)
cmd-relate-two-references = Écrivez deux références, par exemple « lier D2 I3 » (D2 répond à I3).
decision-unknown-trigger = « {$target} » n'est ni une entrée de cette crise ni un stimulus joué : rien n'est enregistré.
decision-decided-by = Décidée par {$who}.
decision-answers = En réponse à {$to}.
relate-itself = Une entrée ne peut pas répondre à elle-même ({$reference}).
relate-already = {$from} est déjà lié à {$to}.
relate-recorded = Noté : {$from} répond à {$to}.
cmd-note-text-missing = Il manque le texte du message à consigner (ou répondez au message à consigner).
note-recorded = {$reference} — message consigné ({$at}).
consign-recorded = {$reference} — message de {$who} ({$at}) consigné par {$by}.
consign-by-reply = (message de {$who}, consigné à sa place et à son heure)
consign-already = Ce message est déjà dans la main courante ({$reference}).
consign-file-how = Un fichier se consigne avec une réaction 📌, ou en lui répondant {$p}consigner.
consign-undecryptable = Ce message est illisible pour tocsin (chiffrement) : il ne peut pas être consigné. Renvoyez-le, ou saisissez-le avec la commande consigner.
consign-file-too-large = Ce fichier dépasse {$max} Mio : il n'est pas consigné. Consignez-en la description avec la commande consigner.
consign-file-unavailable = Ce fichier n'a pas pu être téléchargé : il n'est pas consigné. Réessayez dans un instant.
consign-file-not-stored = tocsin n'a pas pu enregistrer ce fichier sur son disque : il n'est pas consigné. Prévenez l'administrateur.
consign-recorded-file = {$reference} — fichier de {$who} ({$at}) consigné par {$by} ; tocsin en garde une copie.
report-recorded-by = consigné par {$by}
report-answers = en réponse à {$to}
report-before-debex = 0 min (avant le DEBEX)

## The improvement plan, across crises and exercises

help-plan = plan [P3 à faire|en cours|fait <preuve>|abandonné <raison>] — le plan d'amélioration de l'établissement, d'un exercice à l'autre
cmd-plan-usage = Écrivez « plan » pour la liste, ou « plan P3 en cours », « plan P3 fait <preuve : D4, F2, ou un texte> », « plan P3 abandonné <raison> ».
plan-state = { $state ->
        [todo] à faire
        [in_progress] en cours
        [done] fait
       *[dropped] abandonné
    }
plan-line = {$item} ({$state}, {$owner}, échéance {$due}) {$text} — ouvert par {$crisis}
plan-open = 📋 Plan d'amélioration : {$n} point(s) ouvert(s). Pour avancer : {$p}plan P3 en cours | fait <preuve> | abandonné <raison>.
plan-none-open = 📋 Plan d'amélioration : aucun point ouvert ({$n} au registre).
plan-unknown-item = « {$item} » n'est pas au plan d'amélioration : rien n'est enregistré. La liste : plan.
plan-done-needs-proof = {$item} fait : avec quelle preuve ? Par exemple {$p}plan {$item} fait D4 (une décision, un fichier F2) ou un texte.
plan-dropped-needs-reason = {$item} abandonné : pour quelle raison ? Par exemple {$p}plan {$item} abandonné remplacé par le projet X.
plan-already = {$item} est déjà « {$state} ».
plan-moved = {$item} → {$state}, enregistré.
plan-carried = 📋 Le plan d'amélioration a {$n} point(s) encore ouvert(s) des crises et exercices précédents, dont {$late} en retard : {$p}plan pour la liste.
plan-reminder = ⏰ Plan d'amélioration : {$n} point(s) arrivé(s) à échéance et toujours ouvert(s).
report-plan-carried = Plan d'amélioration : points hérités des crises et exercices précédents
report-plan-state = État
report-plan-proof = Preuve, raison
report-plan-opened-in = Ouvert par
plan-title = Plan d'amélioration
plan-moves = Historique
plan-count-open = ouverts :
plan-count-late = en retard :
plan-empty = Aucun point au plan d'amélioration.
report-undelivered = message de tocsin refusé par le serveur Matrix, jamais arrivé dans le salon (transaction {$txn}) : {$reason}

## Regional exercises: one animation room, several establishments.
site-waiting = L'établissement « {$site} » (exercice {$crisis}) attend encore l'accord de ses joueurs : un responsable tape {$p}accepter dans leur salon.
site-unknown = Aucun établissement « {$site} » dans cet exercice régional. Établissements : {$sites}.
site-name-it = Ce salon anime {$n} établissements ({$sites}) : précisez lequel après le mot-clé, p. ex. « {$example} … ».
site-bad-label = « {$site} » ne peut pas nommer un établissement : 1 à 32 caractères, minuscules sans accents, chiffres, - ou _ (p. ex. chu-nord).
site-taken = L'établissement « {$site} » est déjà lié ou proposé depuis ce salon : choisissez un autre nom ({$p}animer@autre-nom …).
regional-needs-sites = Ce salon anime déjà (ou propose d'animer) l'exercice {$crisis}. Un exercice régional nomme chaque établissement dès le premier lien : {$p}animer@chu-nord <salon> <scénario>, puis {$p}animer@ch-sud …. Pour un autre exercice sans lien avec celui-ci, ouvrez un autre salon d'animation.
regional-resume-frozen = Gelé par une urgence réelle : {$frozen}. Un établissement gelé reprend seul, quand son urgence est traitée : {$example}. Les autres reprennent avec {$p}reprise@<établissement>.
regional-one-scenario = Un exercice régional joue un seul scénario : ce salon anime déjà {$scenario}, pas {$wanted}.
site-outside-animation = « @{$site} » nomme un établissement d'un exercice régional : seulement dans le salon d'animation qui l'anime, ou pour lier ({$p}animer@{$site} <salon> <scénario>).
site-no-variants = Établissement « {$site} » : le scénario n'a pas de variantes, les stimuli garderont leur texte commun.
site-variants-all = Établissement « {$site} » : chaque stimulus à variantes a la sienne.
site-variants-missing = ⚠️ Établissement « {$site} » : stimuli sans variante pour lui, joués avec leur texte commun : {$injects} (variantes prévues pour : {$sites}).
chrono-regional = ⏱️ Exercice régional « {$code_name} » ({$scenario}) — {$n} établissements
chrono-regional-played = {$played}/{$timed} stimuli prévus joués ({$percent} %)
chrono-regional-next = prochain : {$id} à {$when}
chrono-regional-detail = Détail d'un établissement : {$p}chrono@{$site}
summary-formats = La synthèse régionale existe en html, md et json ; le CSV d'un établissement : {$p}export@{$site} csv.
help-regional = Exercice régional (plusieurs établissements) : mot-clé@établissement pour un seul, p. ex. {$p}inject@chu-nord i03 ; sans, les commandes de jeu vont à tous, {$p}chrono les montre côte à côte et {$p}export donne la synthèse régionale.
help-invite = inviter @personne:serveur — tocsin l'invite dans le salon (les clients Element X / Tchap X lui montrent l'historique)
cmd-invite-whom = Qui inviter ? (ex. inviter @dan:exemple.fr)
cmd-invite-needs-server = « {$user} » : il faut l'identifiant complet avec le serveur (ex. {$user}:exemple.fr).
cmd-invite-unreadable = « {$user} » n'est pas un identifiant Matrix (ex. @dan:exemple.fr).
cmd-invite-one-person = Une personne à la fois (ex. inviter @dan:exemple.fr).
word-invite = inviter
invite-self = Vous êtes déjà dans le salon.
invite-recorded = Invitation de {$user} enregistrée ; je l'envoie.
invite-failed = ⛔ L'invitation de {$user} n'a pas pu être envoyée : {$reason}. Je ne réessaierai pas ; vérifiez l'identifiant, qu'il n'est pas déjà dans le salon, et que j'ai le droit d'inviter.
console-no-invite = (console) les invitations ne peuvent pas être envoyées depuis la console : {$user} n'est pas invité.
report-invited = invite {$user}
