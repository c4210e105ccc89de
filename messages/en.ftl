# tocsin's English catalog. Same messages and variables as fr.ftl.

## Every exercise message starts with [marking], unless the configuration sets one.

exercise-marking = EXERCISE

## Front ends and runtime

welcome = 👋 tocsin is ready: I keep this room's crisis log. {$p}help for the commands, {$p}open <playbook> [exercise] to open a crisis.
journal-error = ⚠️ tocsin could not record this message (journal error): nothing was logged. Write it on paper and alert the administrator.
line-too-long = Line ignored: {$n} bytes, at most {$max}. Nothing was recorded.
line-not-utf8 = Line ignored: invalid encoding (byte {$at}), UTF-8 expected. Nothing was recorded.
export-caption = 📎 {$name} — {$n} entries, final digest {$digest}…
sealed = 🔏 Log of {$crisis} sealed: {$n} entries, final SHA-256 digest {$digest}. Note it: it lets anyone verify the export.
