# tocsin's French catalog: the reference. Every other catalog has each of
# these messages with the same variables ($p is the command prefix, `!`).
# Typography: a space before « : », « ; », « ? » and « ! ».

## Every exercise message starts with [marking], unless the configuration sets one.

exercise-marking = EXERCICE

## Front ends and runtime

welcome = 👋 tocsin est prêt : je tiens la main courante de ce salon. {$p}aide pour les commandes, {$p}ouvrir <playbook> [exercice] pour ouvrir une crise.
journal-error = ⚠️ tocsin n'a pas pu enregistrer ce message (erreur du journal) : rien n'a été consigné. Notez-le sur papier et prévenez l'administrateur.
line-too-long = Ligne ignorée : {$n} octets, au plus {$max}. Rien n'a été enregistré.
line-not-utf8 = Ligne ignorée : encodage invalide (octet {$at}), UTF-8 attendu. Rien n'a été enregistré.
export-caption = 📎 {$name} — {$n} entrées, empreinte finale {$digest}…
sealed = 🔏 Main courante de {$crisis} scellée : {$n} entrées, empreinte finale SHA-256 {$digest}. Notez-la : elle permet de vérifier l'export.
