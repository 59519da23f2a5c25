## Gestione → Campagne
campagne-titolo = Campagne
campagne-intro = Lo stato e le date di ogni campagna. Una campagna in preparazione è visibile solo qui; una campagna aperta compare nella pagina iniziale e gli enti la compilano e la inviano; una campagna chiusa va nell'archivio e i suoi questionari diventano di sola lettura per tutti. Ogni modifica è registrata nel registro di audit.
campagne-stato = Stato
campagne-apertura = Apertura
campagne-scadenza = Scadenza
campagne-salva = Salva
campagne-monitoraggio = Monitoraggio della campagna
campagne-predefinito = Valori del manifesto: { $stato }, apertura { $apertura }, scadenza { $scadenza }.
campagne-modificata = Ultima modifica di { $chi } il { $quando }.
campagne-chiusura-aiuto = Chiudere una campagna blocca subito salvataggi, invii e richieste di riapertura dei suoi questionari; riaprirla li consente di nuovo. Un invio dopo la scadenza è accettato e segnato in ritardo.
campagne-data-non-valida = Scrivi apertura e scadenza come gg/mm/aaaa (per esempio 31/05/2027). Nulla è stato modificato.
campagne-ordine-date = La scadenza non può precedere l'apertura. Nulla è stato modificato.
campagne-invariata = Stato e date sono già questi: nulla da modificare.
campagna-stato-preparazione = In preparazione
campagna-stato-aperta = Aperta
campagna-stato-chiusa = Chiusa
esito-campagna = Campagna aggiornata.

## Gestione → Monitoraggio
monitoraggio-titolo = Monitoraggio
monitoraggio-filtra = Filtra il monitoraggio
monitoraggio-campagna = Campagna
monitoraggio-modulo = Modulo
monitoraggio-tipo = Tipo di ente
monitoraggio-regione = Regione
monitoraggio-provincia = Provincia
monitoraggio-stato = Stato
monitoraggio-tutti = Tutti
monitoraggio-tutte = Tutte
monitoraggio-cerca-ente = Ente (nome o codice IPA)
monitoraggio-solo = Mostra solo
monitoraggio-solo-ritardo = in ritardo
monitoraggio-solo-bloccanti = con controlli bloccanti aperti
monitoraggio-solo-squadrature = con squadrature da giustificare
monitoraggio-cerca = Ricerca
monitoraggio-pulisci = Pulisci
monitoraggio-esporta-csv = Esporta CSV
monitoraggio-esporta-xlsx = Esporta XLS
monitoraggio-conteggi = Quanti per stato
monitoraggio-totale = Totale
monitoraggio-trovati = { $n ->
    [one] Un questionario trovato
   *[other] { $n } questionari trovati
}
monitoraggio-ente = Ente
monitoraggio-ipa = Codice IPA
monitoraggio-completamento = Completamento
monitoraggio-bloccanti = Bloccanti
monitoraggio-squadrature = Squadrature
monitoraggio-primo-invio = Primo invio
monitoraggio-invio = Ultimo invio
monitoraggio-in-ritardo = In ritardo
monitoraggio-si = sì
monitoraggio-no = no
monitoraggio-nessuno = Nessun questionario corrisponde al filtro.
monitoraggio-foglio = Monitoraggio
monitoraggio-stato-non-iniziato = Non iniziato
monitoraggio-stato-in-compilazione = In compilazione
monitoraggio-stato-inviato = Inviato in tempo
monitoraggio-stato-inviato-in-ritardo = Inviato in ritardo
monitoraggio-stato-riapertura-richiesta = Riapertura richiesta
monitoraggio-stato-riaperto = Riaperto
monitoraggio-stato-chiuso = Chiuso senza invio
monitoraggio-grafici = Grafici
monitoraggio-grafico-giorni = Invii nel tempo rispetto alla scadenza
monitoraggio-grafico-giorni-desc = { $n ->
    [one] Un invio
   *[other] { $n } invii
} dal { $inizio } al { $fine }; la scadenza è il { $scadenza }, { $dopo } dopo la scadenza; { $barre }, la più alta { $massimo }.
monitoraggio-grafico-regioni = Quota inviata per regione
monitoraggio-grafico-regioni-desc = { $inviati } questionari inviati su { $totale }, in { $regioni } regioni.
monitoraggio-regione-ignota = Regione non indicata
monitoraggio-dati-grafico = Dati del grafico
monitoraggio-giorno = Giorno o periodo
monitoraggio-invii = Invii
monitoraggio-cumulati = Invii cumulati
monitoraggio-inviati = Inviati
monitoraggio-nessun-invio = Nessun invio finora.
monitoraggio-barre = { $n ->
    [one] una barra per giorno
   *[other] una barra ogni { $n } giorni
}

## Gestione → Monitoraggio → Promemoria
monitoraggio-promemoria = Promemoria
monitoraggio-promemoria-aiuto = Un'e-mail e una notifica ai compilatori degli enti del filtro che non hanno ancora inviato; ogni ente ne riceve al più uno al giorno per campagna.
monitoraggio-promemoria-prepara = Prepara un promemoria
promemoria-titolo = Promemoria agli enti che non hanno inviato
promemoria-intestazione = Se invii ora
promemoria-intestazione-fatto = Promemoria accodati
promemoria-enti = { $n ->
    [one] un ente del filtro riceverà il promemoria
   *[other] { $n } enti del filtro riceveranno il promemoria
}
promemoria-destinatari = { $n ->
    [one] un destinatario (compilatori e responsabili dell'ente)
   *[other] { $n } destinatari (compilatori e responsabili degli enti)
}
promemoria-gia-avvisati = { $n ->
    [one] un ente già avvisato oggi: non riceverà un altro promemoria fino a domani
   *[other] { $n } enti già avvisati oggi: non riceveranno un altro promemoria fino a domani
}
promemoria-senza-compilatori = { $n ->
    [one] un ente senza compilatori né responsabili: nessuno da avvisare
   *[other] { $n } enti senza compilatori né responsabili: nessuno da avvisare
}
promemoria-ritmo = Le e-mail partono al ritmo di { $ritmo } al minuto; la notifica compare subito.
promemoria-esempio = L'e-mail, per il primo ente
promemoria-oggetto-etichetta = Oggetto:
promemoria-campagna-non-aperta = La campagna non è aperta: non si inviano promemoria.
promemoria-invia = { $n ->
    [one] Invia il promemoria a un ente
   *[other] Invia il promemoria a { $n } enti
}
promemoria-torna = Torna al monitoraggio
promemoria-fatto = { $n ->
    [one] Promemoria accodato per un ente
   *[other] Promemoria accodati per { $n } enti
} ({ $destinatari } e-mail).
promemoria-oggetto = Promemoria: { $campagna }, scadenza { $scadenza }
promemoria-testo = Promemoria per { $ente }: { $moduli } di «{ $campagna }» non risultano ancora inviati. La scadenza è il { $scadenza }; un invio dopo la scadenza è accettato ma segnato in ritardo.
promemoria-enti-fatto = { $n ->
    [one] un ente avvisato
   *[other] { $n } enti avvisati
}
promemoria-destinatari-fatto = { $n ->
    [one] un'e-mail accodata, e una notifica
   *[other] { $n } e-mail accodate, e altrettante notifiche
}

## Gestione → Utenti
utenti-titolo = Utenti
utenti-cerca = Cerca
utenti-cerca-etichetta = Utente o ente
utenti-cerca-aiuto = Codice utente, nome, e-mail, codice fiscale, oppure nome o codice IPA di un suo ente.
utenti-trovati = { $n ->
    [one] Un utente trovato.
   *[other] { $n } utenti trovati.
}
utenti-codice = Codice
utenti-nome = Nome
utenti-email = E-mail
utenti-codice-fiscale = Codice fiscale
utenti-stato = Stato
utenti-ruolo = Ruolo
utenti-ultimo-accesso = Ultimo accesso
utenti-registrato = Registrato il
utenti-enti = Enti
utenti-mai = mai
utenti-nessuno = Nessun utente corrisponde alla ricerca.
utenti-stato-attivo = Attivo
utenti-stato-da-confermare = Da confermare
utenti-stato-disattivato = Disattivato
utenti-ruolo-amministratore = Amministratore
utenti-ruolo-utente = Utente
utenti-azioni = Azioni
utenti-se-stesso = È il tuo account: non puoi disattivarlo da qui.
utenti-disattiva = Disattiva l'account
utenti-riattiva = Riattiva l'account
utenti-chiudi-sessioni = Chiudi tutte le sessioni
utenti-invia-reset = Invia un link per reimpostare la password
utenti-associazioni = Enti associati
utenti-modalita = Modalità
utenti-dal = Dal
utenti-nessuna-associazione = Nessuna associazione.
utenti-sessioni = Sessioni aperte
utenti-sessione-inizio = Inizio
utenti-sessione-scadenza = Scade se inattiva
utenti-sessione-ip = Indirizzo
utenti-sessione-browser = Browser
utenti-nessuna-sessione = Nessuna sessione aperta.
utenti-torna = Torna agli utenti
esito-utente-disattivato = Account disattivato: le sue sessioni sono chiuse e non può più accedere.
esito-utente-riattivato = Account riattivato: può accedere di nuovo.
esito-utente-sessioni = Sessioni chiuse: dovrà accedere di nuovo.
esito-utente-reset = Link per reimpostare la password inviato all'indirizzo e-mail dell'utente (valido 60 minuti).
esito-utente-se-stesso = Non puoi disattivare o riattivare il tuo account.
esito-utente-invariato = L'account è già in questo stato.
esito-utente-non-attivo = L'account non è attivo: nessun link inviato.

## Gestione → Esportazioni
esportazioni-titolo = Esportazioni delle risposte
esportazioni-intro = Tutte le risposte di un modulo di una campagna, per le analisi. Il file si scarica mentre viene prodotto, senza limiti di righe; i valori sono nella forma canonica (1234.5, SI, 2023-12-31). Ogni esportazione è registrata nel registro di audit.
esportazioni-modulo = Campagna e modulo
esportazioni-fonte = Quali valori
esportazioni-fonte-inviati = L'ultima versione inviata di ogni questionario (con i totali calcolati)
esportazioni-fonte-bozze = I valori salvati ora, inviati o no (i totali calcolati non sono salvati e restano vuoti)
esportazioni-forma = Forma
esportazioni-forma-larga = Larga: una riga per ente, una colonna per campo
esportazioni-forma-lunga = Lunga: una riga per ente e campo
esportazioni-formato = Formato
esportazioni-formato-csv = CSV (separato da punto e virgola, UTF-8)
esportazioni-formato-xlsx = XLSX, con il codebook in un secondo foglio
esportazioni-formato-codebook = Solo il codebook (CSV): campo, etichette, tipo, unità, quadro, calcolato, regole
esportazioni-scarica = Scarica
esportazioni-riga-di-comando = Dalla riga di comando, con una barra di avanzamento:

## Gestione → Esportazioni preparate (in background)
esportazioni-azioni-aiuto = «Scarica ora» produce il file mentre lo scarichi. «Prepara il file» lo produce in background, con l'avanzamento in una pagina, e lo conserva per 7 giorni: adatto alle esportazioni lunghe (tutti gli enti in XLSX).
esportazioni-prepara = Prepara il file
esportazioni-preparate = Esportazioni preparate
esportazioni-preparata = Esportazione preparata
esportazioni-richiesta = Esportazione
esportazioni-da = Chiesta da
esportazioni-stato = Stato
esportazioni-file = File
esportazioni-nessuna = Nessuna esportazione preparata negli ultimi 7 giorni.
esportazioni-scarica-file = Scarica il file
esportazioni-torna = Torna alle esportazioni
esportazioni-avanzamento-etichetta = Avanzamento
esportazioni-avanzamento = { $letti } questionari su { $totale } letti.
esportazioni-aggiorna = Aggiorna la pagina per vedere l'avanzamento
esportazioni-conservata = Il file resta disponibile qui per 7 giorni, per tutti gli amministratori; poi è cancellato.
esportazioni-stato-in-coda = In coda
esportazioni-stato-in-corso = In corso
esportazioni-stato-pronta = Pronta
esportazioni-stato-fallita = Non riuscita
