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
