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
