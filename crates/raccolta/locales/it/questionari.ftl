menu-area = Area riservata
menu-questionari = Questionari
menu-enti = I miei enti

questionario-stato-aperto = Aperto
questionario-stato-in-compilazione = In compilazione
questionario-stato-inviato = Inviato
questionario-stato-riapertura-richiesta = Riapertura richiesta
questionario-stato-riaperto = Riaperto
questionario-stato-chiuso = Chiuso

elenco-ricerca-avanzata = Ricerca Avanzata
elenco-filtro = Filtro dei questionari
elenco-codice = Codice Questionario
elenco-modulo = Modulo
elenco-anno-riferimento = Anno Riferimento
elenco-anno-compilazione = Anno Compilazione
elenco-descrizione = Descrizione
elenco-stato = Stato
elenco-scadenza = Scadenza
elenco-azioni = Azioni
elenco-tutti = Tutti
elenco-ricerca = Ricerca
elenco-pulisci = Pulisci
elenco-esporta-xls = Esporta XLS
elenco-esporta-csv = Esporta CSV
elenco-di = di
elenco-visualizza = Visualizza
elenco-compila = Compila
elenco-nessuno = Nessun questionario corrisponde al filtro.
elenco-nessun-ente = Per vedere i questionari scegli prima l'ente su cui lavorare (l'ente selezionato).
elenco-scegli-ente = Vai ai tuoi enti
elenco-foglio = Questionari

compila-quadri = Quadri
compila-quadro = Quadro
compila-completato = completato
compila-n-bloccanti = { $n ->
    [one] 1 errore bloccante
   *[other] { $n } errori bloccanti
}
compila-n-squadrature = { $n ->
    [one] 1 squadratura da giustificare
   *[other] { $n } squadrature da giustificare
}
compila-stato = Stato
compila-sola-lettura = sola lettura
compila-problema = C'è un problema
compila-esito-salvato = Valori salvati.
compila-istruzioni-modulo = Istruzioni del modulo
compila-istruzioni-quadro = Istruzioni del quadro
compila-controlli-quadro = Controlli del quadro
compila-nessun-controllo = Nessun controllo da segnalare in questo quadro.
compila-gravita-bloccante = Errore bloccante
compila-gravita-squadratura = Squadratura
compila-gravita-avviso = Avviso
compila-campi = Campi
compila-giustificazione = Giustificazione della squadratura
compila-giustificazione-superata = I valori sono cambiati dopo la giustificazione: rileggila e salvala di nuovo per confermarla.
compila-giustificata-da = Scritta da
compila-salva-giustificazione = Salva la giustificazione
compila-giustificazione-lunga = La giustificazione può essere lunga al massimo 2000 caratteri.
compila-regola-sconosciuta = Questo controllo non è una squadratura del modulo: non si giustifica.
compila-rigo = Rigo
compila-obbligatorio = obbligatorio
compila-errore = Errore
compila-storia = Storia
compila-annotazioni = Annotazioni
compila-salva = Salva il quadro
compila-si = SI
compila-no = NO
compila-formato-data = GG/MM/AAAA
compila-precompilato = Precompilato da
compila-ripristina = Ripristina il valore precompilato
compila-limiti-da-a = Valori da { $min } a { $max }.
compila-limiti-min = Valore minimo { $min }.
compila-limiti-max = Valore massimo { $max }.
compila-conflitto = Nel frattempo { $autore } ha salvato un altro valore ({ $quando }).
compila-conflitto-modulo = Non salvato: nel frattempo { $autore } ha salvato { $valore } ({ $quando }). Controlla e salva di nuovo per sovrascriverlo.

storia-titolo = Storia del campo
storia-torna = Torna al campo
storia-didascalia = Ogni modifica del campo, dalla più recente
storia-quando = Quando
storia-prima = Prima
storia-dopo = Dopo
storia-chi = Chi
storia-come = Come
storia-indirizzo = Indirizzo IP
storia-nessuna = Il campo non è mai stato modificato.
storia-vuoto = (vuoto)
storia-ripristinato = (valore precompilato)
storia-come-autosave = salvataggio automatico
storia-come-modulo = pulsante Salva
storia-come-ripristino = ripristino del valore precompilato
compila-presenti = Anche { $nomi } { $n ->
    [one] sta
   *[other] stanno
} compilando questo quadro.
compila-aggiornato-da = Aggiornato da { $autore }
controlli-titolo = Controlli del modulo
controlli-errori-campo = { $n ->
    [one] 1 campo da correggere o da compilare
   *[other] { $n } campi da correggere o da compilare
}
controlli-avvisi = { $n ->
    [one] 1 avviso
   *[other] { $n } avvisi
}
controlli-mancanti = { $n ->
    [one] 1 campo obbligatorio ancora vuoto.
   *[other] { $n } campi obbligatori ancora vuoti.
}
controlli-invio-consentito = Nessun controllo impedisce l'invio.
controlli-invio-non-consentito = L'invio non è ancora possibile: correggi gli errori bloccanti, compila i campi obbligatori e giustifica le squadrature.
controlli-da-giustificare = da giustificare
controlli-giustificata = giustificata
compila-vai-controlli = Tutti i controlli del modulo

## Invio, ricevuta e verifica
compila-invia = Invia il questionario
compila-inviato-il = Inviato il { $quando } · protocollo { $protocollo }
compila-vedi-ricevuta = Vedi la ricevuta
compila-scadenza = Scadenza: { $data }
invio-titolo = Riepilogo invio
invio-scadenza = Scadenza
invio-versione = Versione
invio-in-ritardo-avviso = La scadenza è passata: puoi ancora inviare il questionario, e l'invio sarà segnato come in ritardo.
invio-cosa-blocca = Cosa impedisce l'invio
invio-niente-blocca = Niente: tutti i campi obbligatori sono compilati, nessun controllo bloccante è violato e ogni squadratura è giustificata.
invio-blocchi-intro = Per inviare il questionario correggi questi punti (ogni voce porta al campo o al controllo):
invio-altri-campi = { $n ->
    [one] e un altro punto in questo quadro
   *[other] e altri { $n } punti in questo quadro
}
invio-squadratura-da-giustificare = da giustificare
invio-squadratura-superata = la giustificazione va confermata: i valori sono cambiati
invio-squadrature = Squadrature giustificate
invio-nessuna-squadratura = Nessuna squadratura da giustificare.
invio-conferma = Conferma dell'invio
invio-avvertenza = Dopo l'invio non potrai più modificare il questionario: resterà in sola lettura. Per correggerlo dovrai chiedere la riapertura, che un amministratore deve approvare. Riceverai la ricevuta per e-mail.
invio-invia = Invia il questionario
invio-torna = Torna alla compilazione
invio-non-riuscito = Invio non riuscito
invio-non-consentito = Il questionario non può essere inviato: i dati sono cambiati dopo l'apertura di questa pagina. Correggi i punti elencati qui sotto e riprova.
ricevuta-titolo = Ricevuta di invio
ricevuta-intro = Il questionario è stato inviato ed è in sola lettura. Conserva il numero di protocollo e l'impronta: chiunque può verificarli.
ricevuta-protocollo = Numero di protocollo
ricevuta-ente = Ente
ricevuta-modulo = Modulo
ricevuta-mittente = Inviato da
ricevuta-quando = Inviato il (ora italiana)
ricevuta-in-ritardo = in ritardo sulla scadenza
ricevuta-impronta = Impronta SHA-256
ricevuta-verifica-intro = La ricevuta si può verificare sulla pagina pubblica:
ricevuta-verifica-link = verifica questa ricevuta
ricevuta-visualizza = Visualizza il questionario inviato
ricevuta-versioni = Tutte le versioni inviate
esito-inviato = Questionario inviato. Ti abbiamo mandato la ricevuta per e-mail.
esito-gia-inviato = Il questionario era già stato inviato: questa è la ricevuta dell'invio.
verifica-titolo = Verifica ricevuta
verifica-intro = Inserisci il numero di protocollo e l'impronta SHA-256 riportati sulla ricevuta: la pagina dice se corrispondono a un invio, e di quale ente, modulo, versione e data. Non mostra altri dati.
verifica-protocollo-aiuto = Per esempio FC80U-2022-000123.
verifica-impronta-aiuto = 64 caratteri tra 0-9 e a-f, come sulla ricevuta.
verifica-verifica = Verifica
verifica-valida = La ricevuta corrisponde a un invio
verifica-nessuna = Nessuna ricevuta corrisponde a questo numero di protocollo e a questa impronta. Controlla di averli copiati per intero.
verifica-attendi = { $n ->
    [one] Troppe verifiche da questo indirizzo: riprova tra un minuto.
   *[other] Troppe verifiche da questo indirizzo: riprova tra { $n } minuti.
}
notifica-inviato = { $modulo } di { $ente } inviato da { $mittente }, protocollo { $protocollo }.
notifica-oggetto-inviato = Questionario inviato: { $modulo } di { $ente }
compila-inviato-da = Il questionario è stato inviato da { $autore } (protocollo { $protocollo }): la pagina ora è in sola lettura.

## Richieste Apertura
riapertura-titolo = Richieste Apertura
riapertura-gestione-titolo = Richieste di riapertura dei questionari
riapertura-nessun-ente = Scegli prima l'ente su cui lavorare:
riapertura-intro = Un questionario inviato è in sola lettura. Per correggerlo, chi lo compila chiede la riapertura spiegando il motivo; un amministratore approva o respinge la richiesta. Se è approvata, la compilazione riprende dai valori inviati e il nuovo invio crea una nuova versione, con un nuovo numero di protocollo: le versioni precedenti restano consultabili.
riapertura-inviati = Questionari inviati
riapertura-chiedi = Chiedi la riapertura
riapertura-elenco = Richieste dell'ente
riapertura-questionario = Questionario
riapertura-richiesta-da = Richiesta da
riapertura-motivazione = Motivazione
riapertura-decisione = Decisione
riapertura-nessuna = Nessuna richiesta.
riapertura-stato-in-attesa = In attesa
riapertura-stato-approvata = Approvata
riapertura-stato-respinta = Respinta
riapertura-spiegazione = Spiega che cosa va corretto e perché: la richiesta va agli amministratori della piattaforma, che la approvano o la respingono. Fino alla decisione il questionario resta in sola lettura.
riapertura-motivazione-aiuto = { $n ->
    [one] Almeno un carattere.
   *[other] Almeno { $n } caratteri.
}
riapertura-invia-richiesta = Invia la richiesta
riapertura-annulla = Annulla
riapertura-motivazione-lunghezza = La motivazione deve avere da { $min } a { $max } caratteri.
riapertura-non-inviato = Si può chiedere di riaprire solo un questionario inviato.
riapertura-gia-richiesta = Per questo questionario c'è già una richiesta di riapertura in attesa.
riapertura-nota-richiesta = Per respingere una richiesta scrivi il motivo nella nota (al massimo { $max } caratteri).
riapertura-gia-decisa = Questa richiesta è già stata decisa.
esito-riapertura-gia-decisa = Questa richiesta è già stata decisa.
esito-riapertura-richiesta = Richiesta di riapertura inviata: riceverai un avviso quando sarà decisa.
esito-riapertura-approvata = Richiesta approvata: il questionario è riaperto.
esito-riapertura-respinta = Richiesta respinta: il questionario resta inviato.
riapertura-in-attesa = In attesa di decisione
riapertura-nessuna-in-attesa = Nessuna richiesta in attesa.
riapertura-nota = Nota per chi ha chiesto la riapertura
riapertura-nota-aiuto = Facoltativa per approvare, obbligatoria per respingere.
riapertura-approva = Approva e riapri
riapertura-respingi = Respingi
riapertura-vedi-questionario = Vedi il questionario
riapertura-decise = Richieste decise di recente
ricevuta-chiedi-riapertura = Devi correggere il questionario? Chiedi la riapertura
notifica-riapertura-richiesta = { $richiedente } chiede di riaprire { $modulo } di { $ente }.
notifica-riapertura-approvata = La riapertura di { $modulo } di { $ente } è stata approvata: si può compilare di nuovo.{ $nota }
notifica-riapertura-respinta = La riapertura di { $modulo } di { $ente } è stata respinta: il questionario resta inviato.{ $nota }
notifica-oggetto-riapertura-richiesta = Richiesta di riapertura: { $ente }
notifica-oggetto-riapertura-approvata = Riapertura approvata: { $ente }
notifica-oggetto-riapertura-respinta = Riapertura respinta: { $ente }
menu-richieste-apertura = Richieste Apertura
menu-documenti = Documenti

## Differenze tra versioni
differenze-titolo-versione = Differenze della versione { $versione }
differenze-titolo-bozza = Cosa è cambiato dall'ultimo invio
differenze-spiegazione-versione = I campi il cui valore è cambiato dalla versione { $prima } alla versione { $dopo }, con chi li ha modificati.
differenze-spiegazione-bozza = I campi il cui valore è cambiato dopo l'ultimo invio, con chi li ha modificati: il prossimo invio li conterrà.
differenze-n-campi = { $n ->
    [one] Un campo cambiato
   *[other] { $n } campi cambiati
}
differenze-campo = Campo
differenze-prima = Prima
differenze-dopo = Dopo
differenze-autore = Modificato da
differenze-calcolato = (calcolato)
differenze-nessuna = Nessun campo è cambiato.
differenze-torna-ricevuta = Torna alla ricevuta
ricevuta-differenze = Differenze dalla versione precedente
compila-differenze = Cosa è cambiato dall'ultimo invio
compila-presenti-lettura = { $n ->
    [one] { $nomi } sta consultando questo quadro.
   *[other] { $nomi } stanno consultando questo quadro.
}

## PDF
pdf-quadro = Quadro
pdf-campo = Campo
pdf-valore = Valore
pdf-annotazioni = Annotazioni
pdf-nessuna-annotazione = Nessuna annotazione.
pdf-giustificazione = Giustificazione
pdf-nessuna-squadratura = Nessuna squadratura.
pdf-legenda-precompilato = valore precompilato dalla fonte indicata nel questionario (BDAP), non modificato dall'ente
pdf-legenda-calcolato = In grassetto i totali calcolati
pdf-pagina = Pagina
pdf-di = di
pdf-istruzioni = Istruzioni
pdf-campagna = Campagna
pdf-differenze = Allegato: differenze dalla versione { $versione }
pdf-modello-nota = Modello vuoto, solo per consultazione: non vale come invio
pdf-anno-riferimento = Anno di riferimento dei dati
pdf-anno-compilazione = Anno di compilazione
pdf-ricevuta-intro = Il questionario è stato inviato e registrato. Conserva questa ricevuta: il numero di protocollo e l'impronta permettono a chiunque di verificarla.
pdf-ricevuta-verifica = Verifica la ricevuta inquadrando il codice QR o all'indirizzo:
pdf-ricevuta-qr = Codice QR dell'indirizzo di verifica della ricevuta
pdf-scarica-questionario = PDF del questionario
pdf-scarica-ricevuta = PDF della ricevuta
pdf-in-preparazione = I PDF sono in preparazione: saranno pronti tra pochi secondi. Ricarica la pagina.
pdf-non-pronto = Il PDF di questo invio è in preparazione: riprova tra pochi secondi.
pdf-solo-dopo-invio = Il PDF del questionario è disponibile solo dopo l'invio.

## Documenti
documenti-titolo = Documenti
documenti-intro = I documenti dell'ente selezionato: per ogni questionario inviato, il PDF di ogni versione e la sua ricevuta; per ogni campagna aperta, le istruzioni e i modelli vuoti in PDF.
documenti-nessun-ente = Seleziona un ente per vederne i documenti.
documenti-inviati = Questionari inviati
documenti-nessun-invio = Nessun questionario dell'ente è stato ancora inviato.
documenti-colonna-questionario = Questionario
documenti-colonna-versione = Versione
documenti-colonna-protocollo = Protocollo
documenti-colonna-quando = Inviato il
documenti-colonna-file = File
documenti-istruzioni = Istruzioni
documenti-modelli = Modelli vuoti (PDF)
documenti-modello = Modello { $modulo } (PDF)
