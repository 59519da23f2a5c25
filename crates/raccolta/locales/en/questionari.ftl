menu-area = Reserved area
menu-questionari = Questionnaires
menu-enti = My authorities

questionario-stato-aperto = Open
questionario-stato-in-compilazione = Being compiled
questionario-stato-inviato = Sent
questionario-stato-riapertura-richiesta = Reopening requested
questionario-stato-riaperto = Reopened
questionario-stato-chiuso = Closed

elenco-ricerca-avanzata = Advanced search
elenco-filtro = Questionnaire filter
elenco-codice = Questionnaire code
elenco-modulo = Modulo
elenco-anno-riferimento = Reference year
elenco-anno-compilazione = Compilation year
elenco-descrizione = Description
elenco-stato = State
elenco-scadenza = Deadline
elenco-azioni = Actions
elenco-tutti = All
elenco-ricerca = Search
elenco-pulisci = Clear
elenco-esporta-xls = Export XLS
elenco-esporta-csv = Export CSV
elenco-di = of
elenco-visualizza = View
elenco-compila = Compile
elenco-nessuno = No questionnaire matches the filter.
elenco-nessun-ente = To see the questionnaires, first choose the authority to work on (the selected authority).
elenco-scegli-ente = Go to your authorities
elenco-foglio = Questionnaires

compila-quadri = Quadri
compila-quadro = Quadro
compila-completato = complete
compila-n-bloccanti = { $n ->
    [one] 1 blocking error
   *[other] { $n } blocking errors
}
compila-n-squadrature = { $n ->
    [one] 1 mismatch to justify
   *[other] { $n } mismatches to justify
}
compila-stato = State
compila-sola-lettura = read only
compila-problema = There is a problem
compila-esito-salvato = Values saved.
compila-istruzioni-modulo = Instructions of the modulo
compila-istruzioni-quadro = Instructions of the quadro
compila-controlli-quadro = Checks of the quadro
compila-nessun-controllo = No check to report in this quadro.
compila-gravita-bloccante = Blocking error
compila-gravita-squadratura = Mismatch (squadratura)
compila-gravita-avviso = Warning
compila-campi = Fields
compila-giustificazione = Justification of the mismatch
compila-giustificazione-superata = The values changed after the justification: read it again and save it to confirm it.
compila-giustificata-da = Written by
compila-salva-giustificazione = Save the justification
compila-giustificazione-lunga = A justification can be at most 2000 characters long.
compila-regola-sconosciuta = This check is not a mismatch of the modulo: it cannot be justified.
compila-rigo = Row
compila-obbligatorio = required
compila-errore = Error
compila-storia = History
compila-annotazioni = Notes (Annotazioni)
compila-salva = Save the quadro
compila-si = YES
compila-no = NO
compila-formato-data = YYYY-MM-DD
compila-precompilato = Prefilled by
compila-ripristina = Restore the prefilled value
compila-limiti-da-a = Values from { $min } to { $max }.
compila-limiti-min = Minimum { $min }.
compila-limiti-max = Maximum { $max }.
compila-conflitto = Meanwhile { $autore } saved another value ({ $quando }).
compila-conflitto-modulo = Not saved: meanwhile { $autore } saved { $valore } ({ $quando }). Check it and save again to overwrite it.

storia-titolo = History of the field
storia-torna = Back to the field
storia-didascalia = Every change of the field, newest first
storia-quando = When
storia-prima = Before
storia-dopo = After
storia-chi = Who
storia-come = How
storia-indirizzo = IP address
storia-nessuna = The field was never changed.
storia-vuoto = (blank)
storia-ripristinato = (prefilled value)
storia-come-autosave = automatic save
storia-come-modulo = Save button
storia-come-ripristino = prefilled value restored
compila-presenti = { $nomi } { $n ->
    [one] is
   *[other] are
} also compiling this quadro.
compila-aggiornato-da = Updated by { $autore }
controlli-titolo = Checks of the modulo
controlli-errori-campo = { $n ->
    [one] 1 field to correct or fill in
   *[other] { $n } fields to correct or fill in
}
controlli-avvisi = { $n ->
    [one] 1 warning
   *[other] { $n } warnings
}
controlli-mancanti = { $n ->
    [one] 1 required field still blank.
   *[other] { $n } required fields still blank.
}
controlli-invio-consentito = No check prevents sending.
controlli-invio-non-consentito = Sending is not possible yet: correct the blocking errors, fill in the required fields and justify the mismatches.
controlli-da-giustificare = to justify
controlli-giustificata = justified
compila-vai-controlli = All the checks of the modulo

## Invio, receipt and verification
compila-invia = Submit the questionnaire
compila-inviato-il = Submitted on { $quando } · protocol { $protocollo }
compila-vedi-ricevuta = See the receipt
compila-scadenza = Deadline: { $data }
invio-titolo = Submission summary
invio-scadenza = Deadline
invio-versione = Version
invio-in-ritardo-avviso = The deadline has passed: you can still submit the questionnaire, and the submission will be marked as late.
invio-cosa-blocca = What prevents submission
invio-niente-blocca = Nothing: every required field is filled in, no blocking check is violated and every discrepancy is justified.
invio-blocchi-intro = To submit the questionnaire, correct these points (each one leads to its field or check):
invio-altri-campi = { $n ->
    [one] and one more point in this section
   *[other] and { $n } more points in this section
}
invio-squadratura-da-giustificare = to be justified
invio-squadratura-superata = the justification must be confirmed: the values changed
invio-squadrature = Justified discrepancies
invio-nessuna-squadratura = No discrepancy to justify.
invio-conferma = Confirm the submission
invio-avvertenza = After submission you will no longer be able to change the questionnaire: it will be read only. To correct it you will have to ask for it to be reopened, which an administrator must approve. You will receive the receipt by e-mail.
invio-invia = Submit the questionnaire
invio-torna = Back to compiling
invio-non-riuscito = Submission failed
invio-non-consentito = The questionnaire cannot be submitted: the data changed after this page was opened. Correct the points listed below and try again.
ricevuta-titolo = Submission receipt
ricevuta-intro = The questionnaire has been submitted and is read only. Keep the protocol number and the fingerprint: anyone can verify them.
ricevuta-protocollo = Protocol number
ricevuta-ente = Authority
ricevuta-modulo = Module
ricevuta-mittente = Submitted by
ricevuta-quando = Submitted on (Italian time)
ricevuta-in-ritardo = after the deadline
ricevuta-impronta = SHA-256 fingerprint
ricevuta-verifica-intro = The receipt can be verified on the public page:
ricevuta-verifica-link = verify this receipt
ricevuta-visualizza = View the submitted questionnaire
ricevuta-versioni = Every submitted version
esito-inviato = Questionnaire submitted. We have sent you the receipt by e-mail.
esito-gia-inviato = The questionnaire had already been submitted: this is the receipt of that submission.
verifica-titolo = Verify a receipt
verifica-intro = Enter the protocol number and the SHA-256 fingerprint printed on the receipt: the page says whether they match a submission, and of which authority, module, version and date. It shows nothing else.
verifica-protocollo-aiuto = For example FC80U-2022-000123.
verifica-impronta-aiuto = 64 characters among 0-9 and a-f, as on the receipt.
verifica-verifica = Verify
verifica-valida = The receipt matches a submission
verifica-nessuna = No receipt matches this protocol number and this fingerprint. Check that you copied both in full.
verifica-attendi = { $n ->
    [one] Too many checks from this address: try again in a minute.
   *[other] Too many checks from this address: try again in { $n } minutes.
}
notifica-inviato = { $modulo } of { $ente } submitted by { $mittente }, protocol { $protocollo }.
notifica-oggetto-inviato = Questionnaire submitted: { $modulo } of { $ente }
compila-inviato-da = The questionnaire was submitted by { $autore } (protocol { $protocollo }): the page is now read only.

## Reopening requests
riapertura-titolo = Reopening requests
riapertura-gestione-titolo = Requests to reopen questionnaires
riapertura-nessun-ente = First choose the authority to work on:
riapertura-intro = A submitted questionnaire is read only. To correct it, its compiler asks for it to be reopened, giving the reason; an administrator approves or rejects the request. If approved, compiling resumes from the submitted values and the next submission creates a new version, with a new protocol number: earlier versions remain available.
riapertura-inviati = Submitted questionnaires
riapertura-chiedi = Ask to reopen
riapertura-elenco = Requests of the authority
riapertura-questionario = Questionnaire
riapertura-richiesta-da = Asked by
riapertura-motivazione = Reason
riapertura-decisione = Decision
riapertura-nessuna = No requests.
riapertura-stato-in-attesa = Waiting
riapertura-stato-approvata = Approved
riapertura-stato-respinta = Rejected
riapertura-spiegazione = Explain what must be corrected and why: the request goes to the platform's administrators, who approve or reject it. Until then the questionnaire stays read only.
riapertura-motivazione-aiuto = { $n ->
    [one] At least one character.
   *[other] At least { $n } characters.
}
riapertura-invia-richiesta = Send the request
riapertura-annulla = Cancel
riapertura-motivazione-lunghezza = The reason must be from { $min } to { $max } characters long.
riapertura-non-inviato = Only a submitted questionnaire can be asked to reopen.
riapertura-gia-richiesta = A request to reopen this questionnaire is already waiting.
riapertura-nota-richiesta = To reject a request, write the reason in the note (at most { $max } characters).
riapertura-gia-decisa = This request has already been decided.
esito-riapertura-gia-decisa = This request has already been decided.
esito-riapertura-richiesta = Reopening request sent: you will be notified when it is decided.
esito-riapertura-approvata = Request approved: the questionnaire is reopened.
esito-riapertura-respinta = Request rejected: the questionnaire stays submitted.
riapertura-in-attesa = Waiting for a decision
riapertura-nessuna-in-attesa = No request is waiting.
riapertura-nota = Note for whoever asked
riapertura-nota-aiuto = Optional to approve, required to reject.
riapertura-approva = Approve and reopen
riapertura-respingi = Reject
riapertura-vedi-questionario = See the questionnaire
riapertura-decise = Recently decided requests
ricevuta-chiedi-riapertura = Need to correct the questionnaire? Ask to reopen it
notifica-riapertura-richiesta = { $richiedente } asks to reopen { $modulo } of { $ente }.
notifica-riapertura-approvata = Reopening { $modulo } of { $ente } was approved: it can be compiled again.{ $nota }
notifica-riapertura-respinta = Reopening { $modulo } of { $ente } was rejected: the questionnaire stays submitted.{ $nota }
notifica-oggetto-riapertura-richiesta = Reopening request: { $ente }
notifica-oggetto-riapertura-approvata = Reopening approved: { $ente }
notifica-oggetto-riapertura-respinta = Reopening rejected: { $ente }
menu-richieste-apertura = Reopening requests
menu-documenti = Documents

## Differences between versions
differenze-titolo-versione = Changes in version { $versione }
differenze-titolo-bozza = What changed since the last submission
differenze-spiegazione-versione = The fields whose value changed from version { $prima } to version { $dopo }, with who changed them.
differenze-spiegazione-bozza = The fields whose value changed after the last submission, with who changed them: the next submission will contain them.
differenze-n-campi = { $n ->
    [one] One field changed
   *[other] { $n } fields changed
}
differenze-campo = Field
differenze-prima = Before
differenze-dopo = After
differenze-autore = Changed by
differenze-calcolato = (calculated)
differenze-nessuna = No field changed.
differenze-torna-ricevuta = Back to the receipt
ricevuta-differenze = Changes from the previous version
compila-differenze = What changed since the last submission
compila-presenti-lettura = { $n ->
    [one] { $nomi } is reading this quadro.
   *[other] { $nomi } are reading this quadro.
}

## PDF
pdf-quadro = Section
pdf-campo = Field
pdf-valore = Value
pdf-annotazioni = Notes
pdf-nessuna-annotazione = No notes.
pdf-giustificazione = Justification
pdf-nessuna-squadratura = No imbalance.
pdf-legenda-precompilato = value prefilled from the source named in the questionnaire (BDAP), not changed by the ente
pdf-legenda-calcolato = Calculated totals in bold
pdf-pagina = Page
pdf-di = of
pdf-istruzioni = Instructions
pdf-campagna = Campaign
pdf-differenze = Annex: changes from version { $versione }
pdf-modello-nota = Blank model, for reference only: not a submission
pdf-anno-riferimento = Year the data refer to
pdf-anno-compilazione = Year of compilation
pdf-ricevuta-intro = The questionnaire has been submitted and recorded. Keep this receipt: its protocol number and hash let anyone verify it.
pdf-ricevuta-verifica = Verify the receipt by scanning the QR code or at:
pdf-ricevuta-qr = QR code of the receipt's verification address
pdf-scarica-questionario = Questionnaire PDF
pdf-scarica-ricevuta = Receipt PDF
pdf-in-preparazione = The PDFs are being prepared: they will be ready in a few seconds. Reload the page.
pdf-non-pronto = The PDF of this submission is being prepared: try again in a few seconds.
pdf-solo-dopo-invio = The questionnaire's PDF is available only after it is submitted.

## Documenti
documenti-titolo = Documents
documenti-intro = The documents of the selected ente: for each submitted questionnaire, the PDF of every version and its receipt; for each open campaign, the instructions and the blank models as PDF.
documenti-nessun-ente = Select an ente to see its documents.
documenti-inviati = Submitted questionnaires
documenti-nessun-invio = None of the ente's questionnaires has been submitted yet.
documenti-colonna-questionario = Questionnaire
documenti-colonna-versione = Version
documenti-colonna-protocollo = Protocol
documenti-colonna-quando = Submitted on
documenti-colonna-file = Files
documenti-istruzioni = Instructions
documenti-modelli = Blank models (PDF)
documenti-modello = Model { $modulo } (PDF)
