## Management → Campaigns
campagne-titolo = Campaigns
campagne-intro = The state and dates of each campaign. A campaign in preparation is visible only here; an open campaign is listed on the home page and authorities fill it in and send it; a closed campaign moves to the archive and its questionnaires become read only for everyone. Every change is recorded in the audit log.
campagne-stato = State
campagne-apertura = Opening
campagne-scadenza = Deadline
campagne-salva = Save
campagne-monitoraggio = Monitoring of the campaign
campagne-predefinito = The manifest's values: { $stato }, opening { $apertura }, deadline { $scadenza }.
campagne-modificata = Last changed by { $chi } on { $quando }.
campagne-chiusura-aiuto = Closing a campaign stops at once the saves, submissions and reopening requests of its questionnaires; reopening it allows them again. A submission after the deadline is accepted and marked late.
campagne-data-non-valida = Write the opening and the deadline as dd/mm/yyyy (for example 31/05/2027). Nothing was changed.
campagne-ordine-date = The deadline cannot come before the opening. Nothing was changed.
campagne-invariata = The state and dates are already these: nothing to change.
campagna-stato-preparazione = In preparation
campagna-stato-aperta = Open
campagna-stato-chiusa = Closed
esito-campagna = Campaign updated.

## Management → Monitoring
monitoraggio-titolo = Monitoring
monitoraggio-filtra = Filter the monitoring
monitoraggio-campagna = Campaign
monitoraggio-modulo = Module
monitoraggio-tipo = Type of authority
monitoraggio-regione = Region
monitoraggio-provincia = Province
monitoraggio-stato = State
monitoraggio-tutti = All
monitoraggio-tutte = All
monitoraggio-cerca-ente = Authority (name or IPA code)
monitoraggio-solo = Show only
monitoraggio-solo-ritardo = late
monitoraggio-solo-bloccanti = with open blocking checks
monitoraggio-solo-squadrature = with imbalances to justify
monitoraggio-cerca = Search
monitoraggio-pulisci = Clear
monitoraggio-esporta-csv = Export CSV
monitoraggio-esporta-xlsx = Export XLS
monitoraggio-conteggi = How many per state
monitoraggio-totale = Total
monitoraggio-trovati = { $n ->
    [one] One questionnaire found
   *[other] { $n } questionnaires found
}
monitoraggio-ente = Authority
monitoraggio-ipa = IPA code
monitoraggio-completamento = Completion
monitoraggio-bloccanti = Blocking
monitoraggio-squadrature = Imbalances
monitoraggio-primo-invio = First submission
monitoraggio-invio = Last submission
monitoraggio-in-ritardo = Late
monitoraggio-si = yes
monitoraggio-no = no
monitoraggio-nessuno = No questionnaire matches the filter.
monitoraggio-foglio = Monitoring
monitoraggio-stato-non-iniziato = Not started
monitoraggio-stato-in-compilazione = Being filled in
monitoraggio-stato-inviato = Sent on time
monitoraggio-stato-inviato-in-ritardo = Sent late
monitoraggio-stato-riapertura-richiesta = Reopening requested
monitoraggio-stato-riaperto = Reopened
monitoraggio-stato-chiuso = Closed without submission
monitoraggio-grafici = Charts
monitoraggio-grafico-giorni = Submissions over time against the deadline
monitoraggio-grafico-giorni-desc = { $n ->
    [one] One submission
   *[other] { $n } submissions
} from { $inizio } to { $fine }; the deadline is { $scadenza }, { $dopo } after the deadline; { $barre }, the highest { $massimo }.
monitoraggio-grafico-regioni = Share sent per region
monitoraggio-grafico-regioni-desc = { $inviati } questionnaires sent out of { $totale }, in { $regioni } regions.
monitoraggio-regione-ignota = Region not given
monitoraggio-dati-grafico = Chart data
monitoraggio-giorno = Day or period
monitoraggio-invii = Submissions
monitoraggio-cumulati = Cumulative submissions
monitoraggio-inviati = Sent
monitoraggio-nessun-invio = No submission so far.
monitoraggio-barre = { $n ->
    [one] one bar per day
   *[other] one bar every { $n } days
}

## Management → Monitoring → Reminders
monitoraggio-promemoria = Reminders
monitoraggio-promemoria-aiuto = An e-mail and a notification to the compilers of the filter's authorities that have not sent yet; each authority gets at most one a day per campaign.
monitoraggio-promemoria-prepara = Prepare a reminder
promemoria-titolo = Reminder to the authorities that have not sent
promemoria-intestazione = If you send now
promemoria-intestazione-fatto = Reminders queued
promemoria-enti = { $n ->
    [one] one authority of the filter will get the reminder
   *[other] { $n } authorities of the filter will get the reminder
}
promemoria-destinatari = { $n ->
    [one] one recipient (the authority's compilers and responsabili)
   *[other] { $n } recipients (the authorities' compilers and responsabili)
}
promemoria-gia-avvisati = { $n ->
    [one] one authority already reminded today: no other reminder until tomorrow
   *[other] { $n } authorities already reminded today: no other reminder until tomorrow
}
promemoria-senza-compilatori = { $n ->
    [one] one authority with no compilers or responsabili: nobody to remind
   *[other] { $n } authorities with no compilers or responsabili: nobody to remind
}
promemoria-ritmo = The e-mails leave at { $ritmo } a minute; the notification shows at once.
promemoria-esempio = The e-mail, for the first authority
promemoria-oggetto-etichetta = Subject:
promemoria-campagna-non-aperta = The campaign is not open: no reminders are sent.
promemoria-invia = { $n ->
    [one] Send the reminder to one authority
   *[other] Send the reminder to { $n } authorities
}
promemoria-torna = Back to the monitoring
promemoria-fatto = { $n ->
    [one] Reminder queued for one authority
   *[other] Reminders queued for { $n } authorities
} ({ $destinatari } e-mails).
promemoria-oggetto = Reminder: { $campagna }, deadline { $scadenza }
promemoria-testo = Reminder for { $ente }: { $moduli } of «{ $campagna }» have not been sent yet. The deadline is { $scadenza }; a submission after the deadline is accepted but marked late.
promemoria-enti-fatto = { $n ->
    [one] one authority reminded
   *[other] { $n } authorities reminded
}
promemoria-destinatari-fatto = { $n ->
    [one] one e-mail queued, and one notification
   *[other] { $n } e-mails queued, and as many notifications
}

## Management → Users
utenti-titolo = Users
utenti-cerca = Search
utenti-cerca-etichetta = User or authority
utenti-cerca-aiuto = User code, name, e-mail, codice fiscale, or the name or IPA code of one of their authorities.
utenti-trovati = { $n ->
    [one] One user found.
   *[other] { $n } users found.
}
utenti-codice = Code
utenti-nome = Name
utenti-email = E-mail
utenti-codice-fiscale = Codice fiscale
utenti-stato = State
utenti-ruolo = Role
utenti-ultimo-accesso = Last sign-in
utenti-registrato = Registered on
utenti-enti = Authorities
utenti-mai = never
utenti-nessuno = No user matches the search.
utenti-stato-attivo = Active
utenti-stato-da-confermare = To be confirmed
utenti-stato-disattivato = Disabled
utenti-ruolo-amministratore = Administrator
utenti-ruolo-utente = User
utenti-azioni = Actions
utenti-se-stesso = This is your account: you cannot disable it from here.
utenti-disattiva = Disable the account
utenti-riattiva = Enable the account
utenti-chiudi-sessioni = End all sessions
utenti-invia-reset = Send a link to reset the password
utenti-associazioni = Associated authorities
utenti-modalita = Mode
utenti-dal = Since
utenti-nessuna-associazione = No association.
utenti-sessioni = Open sessions
utenti-sessione-inizio = Started
utenti-sessione-scadenza = Expires if idle
utenti-sessione-ip = Address
utenti-sessione-browser = Browser
utenti-nessuna-sessione = No open session.
utenti-torna = Back to the users
esito-utente-disattivato = Account disabled: its sessions are ended and it can no longer sign in.
esito-utente-riattivato = Account enabled: it can sign in again.
esito-utente-sessioni = Sessions ended: the user must sign in again.
esito-utente-reset = A link to reset the password was sent to the user's e-mail address (valid 60 minutes).
esito-utente-se-stesso = You cannot disable or enable your own account.
esito-utente-invariato = The account is already in this state.
esito-utente-non-attivo = The account is not active: no link was sent.

## Management → Exports
esportazioni-titolo = Exports of the answers
esportazioni-intro = Every answer of a campaign's module, for analysis. The file downloads while it is produced, with no row limit; values are in the canonical form (1234.5, SI, 2023-12-31). Each export is recorded in the audit log.
esportazioni-modulo = Campaign and module
esportazioni-fonte = Which values
esportazioni-fonte-inviati = The last version sent of each questionnaire (with the calculated totals)
esportazioni-fonte-bozze = The values stored now, sent or not (calculated totals are not stored and stay blank)
esportazioni-forma = Shape
esportazioni-forma-larga = Wide: one row per authority, one column per field
esportazioni-forma-lunga = Long: one row per authority and field
esportazioni-formato = Format
esportazioni-formato-csv = CSV (semicolon-separated, UTF-8)
esportazioni-formato-xlsx = XLSX, with the codebook on a second sheet
esportazioni-formato-codebook = The codebook only (CSV): field, labels, type, unit, quadro, calculated, rules
esportazioni-scarica = Download
esportazioni-riga-di-comando = From the command line, with a progress bar:

## Management → Prepared exports (in the background)
esportazioni-azioni-aiuto = “Download now” makes the file while you download it. “Prepare the file” makes it in the background, with its progress on a page, and keeps it for 7 days: suited to long exports (every authority as XLSX).
esportazioni-prepara = Prepare the file
esportazioni-preparate = Prepared exports
esportazioni-preparata = Prepared export
esportazioni-richiesta = Export
esportazioni-da = Asked by
esportazioni-stato = State
esportazioni-file = File
esportazioni-nessuna = No export prepared in the last 7 days.
esportazioni-scarica-file = Download the file
esportazioni-torna = Back to the exports
esportazioni-avanzamento-etichetta = Progress
esportazioni-avanzamento = { $letti } of { $totale } questionnaires read.
esportazioni-aggiorna = Reload the page to see the progress
esportazioni-conservata = The file stays available here for 7 days, for every administrator; then it is deleted.
esportazioni-stato-in-coda = Queued
esportazioni-stato-in-corso = Running
esportazioni-stato-pronta = Ready
esportazioni-stato-fallita = Failed
