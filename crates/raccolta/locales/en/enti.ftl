area-azioni = Actions
area-motivo = Reason
area-selezionato = Selected
area-seleziona = Select
area-responsabile = Authorities you are responsible for
area-richieste-in-attesa = { $n ->
    [one] 1 pending request
   *[other] { $n } pending requests
}
ente-selezionato = Selected authority
salva = Save
annulla = Cancel
paginazione = Pages
pagina-precedente = Previous
pagina-successiva = Next

tipo-ente-comune = Municipality (Comune)
tipo-ente-provincia = Province
tipo-ente-citta-metropolitana = Metropolitan city
tipo-ente-unione-comuni = Union of municipalities
tipo-ente-comunita-montana = Mountain community
tipo-ente-altro = Other authority
modalita-consultazione = Consultation
modalita-compilazione = Compilation
modalita-consultazione-aiuto = View the authority's questionnaires, receipts and documents.
modalita-compilazione-aiuto = Also fill in, send and ask to reopen questionnaires.
stato-associazione-in-attesa = Awaiting approval
stato-associazione-attiva = Active
stato-associazione-rifiutata = Rejected
stato-associazione-revocata = Revoked

aggiungi-titolo = Add new authority
aggiungi-intro = Ask to work on an authority's questionnaires. The request goes to the authority's managers (or to the administrators, when it has none): you will get a notification and an e-mail once it is decided.
aggiungi-richiesta = Authority association request
aggiungi-cerca-etichetta = Find the authority
aggiungi-tipologia = Type of authority
aggiungi-tipologia-aiuto = Narrows the list of authorities.
aggiungi-tutte = All types
aggiungi-ente = Authority
aggiungi-ente-aiuto = Type at least two letters of the name, capitals and accents do not matter (e.g. "citta roma"), then pick the authority among the suggestions or press Search.
aggiungi-suggerimenti = Suggested authorities
aggiungi-cerca = Search
aggiungi-ente-scelto = Chosen authority
aggiungi-nessun-risultato = No authority matches: try fewer words or another type.
aggiungi-cerca-prima = Search for the authority above, then choose it.
aggiungi-altri = There are more results: add words to the name to narrow the search.
aggiungi-errore-ente = Choose the authority from the list.
aggiungi-errore-modalita = Choose the mode: Consultation or Compilation.
aggiungi-errore-doppia = You already have a pending request or an active association for { $ente }: there is no need to send another.
aggiungi-risultati = { $n ->
    [0] No authority found
    [one] 1 authority found
   *[other] { $n } authorities found
}

scheda-tua-modalita = Your mode
scheda-seleziona = Work on this authority
scheda-dati = Authority data
scheda-tipo = Type
scheda-codice-fiscale = Tax code
scheda-istat = ISTAT code
scheda-regione = Region
referente-titolo = Person in charge of compilation
referente-intro = Whom to contact about the authority's questionnaires. Users in Compilation mode can change it.
referente-nome = Name and surname
referente-telefono = Telephone
referente-email = E-mail
referente-errore-nome = The name can be at most 200 characters long.
referente-errore-telefono = Write a telephone number of 6-15 digits (spaces, +, -, / and brackets are allowed).

decisioni-titolo = Requests and associations
decisioni-in-attesa = Pending requests
decisioni-in-attesa-didascalia = Association requests to approve or reject
decisioni-attive = Active associations
decisioni-attive-didascalia = Users working on the authority
decisioni-utente = User
decisioni-data = Request date
decisioni-approva = Approve
decisioni-rifiuta = Reject
decisioni-revoca = Revoke
decisioni-motivo = Reason (optional)
decisioni-passa-consultazione = Switch to Consultation
decisioni-passa-compilazione = Switch to Compilation
decisioni-nessuna-richiesta = No pending requests.
decisioni-nessuna-attiva = No active associations.
decisioni-torna-ente = Back to the authority

notifiche-titolo = Notifications
notifiche-non-lette = unread
notifiche-nessuna = You have no notifications.
notifiche-nuova = New
notifiche-apri = Open
notifiche-segna = Mark as read
notifiche-segna-tutte = Mark all as read
notifiche-totale = { $n ->
    [one] 1 notification in all
   *[other] { $n } notifications in all
}
notifica-richiesta = { $utente } asks to work on { $ente } in { $modalita } mode.
notifica-approvata = Your request for { $ente } has been approved: { $modalita } mode.
notifica-rifiutata = Your request for { $ente } has been rejected.{ $motivo }
notifica-modalita = Your mode on { $ente } is now { $modalita }.
notifica-revocata = Your association with { $ente } has been revoked.{ $motivo }
notifica-generica = News about { $ente }.
notifica-motivo = { " " }Reason: { $motivo }
notifica-oggetto-richiesta = New association request for { $ente }
notifica-oggetto-approvata = Request approved: { $ente }
notifica-oggetto-rifiutata = Request rejected: { $ente }
notifica-oggetto-modalita = Mode changed: { $ente }
notifica-oggetto-revocata = Association revoked: { $ente }

gestione-titolo = Management
gestione-enti = Authorities
gestione-richieste = Pending requests
gestione-cerca-enti = Search authorities
gestione-nome-o-codice = Name of the authority
gestione-enti-trovati = authorities found
gestione-attivo = Active
gestione-inattivo = Deactivated
gestione-responsabili = Managers
gestione-nessun-responsabile = No manager: requests go to the administrators.
gestione-nomina-utente = User to appoint as manager
gestione-nomina-aiuto = User identification code or e-mail of a registered user.
gestione-nomina = Appoint manager
gestione-rimuovi = Remove

esito-richiesta = Request sent to the authority's managers: you will get a notification once it is decided.
esito-richiesta-amministratori = Request sent to the platform's administrators (the authority has no managers yet): you will get a notification once it is decided.
esito-richiesta-nessuno = Request recorded, but the platform has no administrator yet who could decide it (the authority has no managers): whoever runs this installation creates one with "raccolta admin create", who will find the request among the notifications. You will get a notification once it is decided.
area-decidono-responsabili = The authority's managers decide.
area-decidono-amministratori = The platform's administrators decide (the authority has no managers).
esito-selezionato = Authority selected: you now work on this authority.
esito-referente = Person in charge of compilation saved.
esito-approva = Request approved; the user has been told.
esito-rifiuta = Request rejected; the user has been told.
esito-modalita = Mode changed; the user has been told.
esito-revoca = Association revoked; the user has been told.
esito-gia-decisa = Nothing changed: the request had already been decided, or the association is no longer active.
esito-modalita-non-valida = Invalid mode: choose Consultation or Compilation.
esito-nominato = Manager appointed.
esito-rimosso = Manager removed.
esito-gia-responsabile = Nothing changed: the user already manages this authority.
esito-utente-sconosciuto = No active user with this code or e-mail is registered or a manager.
esito-lette = Notifications marked as read.

## Audit log
audit-titolo = Audit log
audit-intro = Every event recorded: sign-ins, associations, saves, justifications, submissions, reopenings and administrators' actions, newest first. Events are chained by a hash: "raccolta audit verifica" checks that none was altered or deleted.
audit-filtra = Filter the log
audit-chi = Who
audit-chi-aiuto = Part of the user's name or code; "sistema" for the program.
audit-cosa = Action
audit-cosa-aiuto = The start of the action's name, e.g. "questionario." or "accesso.".
audit-oggetto = Target
audit-dal = From day
audit-al = To day (included)
audit-cerca = Search
audit-pulisci = Clear
audit-esporta = Export CSV
audit-trovati = { $n ->
    [one] One event found.
   *[other] { $n } events found.
}
audit-id = Id
audit-quando = When (Italian time)
audit-origine = Origin
audit-richiesta = Request
audit-dettagli = Details
audit-catena = Position in the chain
audit-da-sigillare = not sealed yet
audit-nessuno = No event matches the filter.
audit-data-non-valida = { $campo }: not a valid date; write it as dd/mm/yyyy (e.g. 01/12/2026). This date's filter is not applied.
