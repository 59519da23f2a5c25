area-azioni = Azioni
area-motivo = Motivo
area-selezionato = Ente selezionato
area-seleziona = Seleziona
area-responsabile = Enti di cui sei responsabile
area-richieste-in-attesa = { $n ->
    [one] 1 richiesta in attesa
   *[other] { $n } richieste in attesa
}
ente-selezionato = Ente selezionato
salva = Salva
annulla = Annulla
paginazione = Pagine
pagina-precedente = Precedente
pagina-successiva = Successiva

tipo-ente-comune = Comune
tipo-ente-provincia = Provincia
tipo-ente-citta-metropolitana = Città metropolitana
tipo-ente-unione-comuni = Unione di comuni
tipo-ente-comunita-montana = Comunità montana
tipo-ente-altro = Altro ente
modalita-consultazione = Consultazione
modalita-compilazione = Compilazione
modalita-consultazione-aiuto = Vedere i questionari dell'ente, le ricevute e i documenti.
modalita-compilazione-aiuto = Anche compilare, inviare e chiedere la riapertura dei questionari.
stato-associazione-in-attesa = In attesa di approvazione
stato-associazione-attiva = Attiva
stato-associazione-rifiutata = Rifiutata
stato-associazione-revocata = Revocata

aggiungi-titolo = Aggiungi nuovo ente
aggiungi-intro = Chiedi di lavorare sui questionari di un ente. La richiesta va ai responsabili dell'ente (o agli amministratori, se l'ente non ne ha): riceverai una notifica e un'e-mail quando sarà decisa.
aggiungi-richiesta = Richiesta associazione ente
aggiungi-cerca-etichetta = Cerca l'ente
aggiungi-tipologia = Tipologia ente
aggiungi-tipologia-aiuto = Restringe l'elenco degli enti.
aggiungi-tutte = Tutte le tipologie
aggiungi-ente = Ente
aggiungi-ente-aiuto = Scrivi almeno due lettere del nome, senza preoccuparti di maiuscole e accenti (per esempio «citta roma»), poi scegli l'ente dai suggerimenti o premi Cerca.
aggiungi-suggerimenti = Enti suggeriti
aggiungi-cerca = Cerca
aggiungi-ente-scelto = Ente scelto
aggiungi-nessun-risultato = Nessun ente corrisponde alla ricerca: prova con meno parole o un'altra tipologia.
aggiungi-cerca-prima = Cerca l'ente qui sopra, poi sceglilo.
aggiungi-altri = Ci sono altri risultati: aggiungi parole al nome per restringere la ricerca.
aggiungi-errore-ente = Scegli l'ente dall'elenco.
aggiungi-errore-modalita = Scegli la modalità: Consultazione o Compilazione.
aggiungi-errore-doppia = Hai già una richiesta in attesa o un'associazione attiva per { $ente }: non serve inviarne un'altra.
aggiungi-risultati = { $n ->
    [0] Nessun ente trovato
    [one] 1 ente trovato
   *[other] { $n } enti trovati
}

scheda-tua-modalita = La tua modalità
scheda-seleziona = Lavora su questo ente
scheda-dati = Dati dell'ente
scheda-tipo = Tipologia
scheda-codice-fiscale = Codice fiscale
scheda-istat = Codice ISTAT
scheda-regione = Regione
referente-titolo = Responsabile della compilazione
referente-intro = La persona da contattare per i questionari dell'ente. La modificano gli utenti in modalità Compilazione.
referente-nome = Nome e cognome
referente-telefono = Telefono
referente-email = E-mail
referente-errore-nome = Il nome può avere al massimo 200 caratteri.
referente-errore-telefono = Scrivi un numero di telefono di 6-15 cifre (sono ammessi spazi, +, -, / e parentesi).

decisioni-titolo = Richieste e associazioni
decisioni-in-attesa = Richieste in attesa
decisioni-in-attesa-didascalia = Richieste di associazione da approvare o rifiutare
decisioni-attive = Associazioni attive
decisioni-attive-didascalia = Utenti che lavorano sull'ente
decisioni-utente = Utente
decisioni-data = Data richiesta
decisioni-approva = Approva
decisioni-rifiuta = Rifiuta
decisioni-revoca = Revoca
decisioni-motivo = Motivo (facoltativo)
decisioni-passa-consultazione = Passa a Consultazione
decisioni-passa-compilazione = Passa a Compilazione
decisioni-nessuna-richiesta = Nessuna richiesta in attesa.
decisioni-nessuna-attiva = Nessuna associazione attiva.
decisioni-torna-ente = Torna all'ente

notifiche-titolo = Notifiche
notifiche-non-lette = { $n ->
    [one] non letta
   *[other] non lette
}
notifiche-nessuna = Non hai notifiche.
notifiche-nuova = Nuova
notifiche-apri = Apri
notifiche-segna = Segna come letta
notifiche-segna-tutte = Segna tutte come lette
notifiche-totale = { $n ->
    [one] 1 notifica in tutto
   *[other] { $n } notifiche in tutto
}
notifica-richiesta = { $utente } chiede di lavorare su { $ente } in modalità { $modalita }.
notifica-approvata = La tua richiesta per { $ente } è stata approvata: modalità { $modalita }.
notifica-rifiutata = La tua richiesta per { $ente } è stata rifiutata.{ $motivo }
notifica-modalita = La tua modalità su { $ente } è ora { $modalita }.
notifica-revocata = La tua associazione a { $ente } è stata revocata.{ $motivo }
notifica-generica = Novità su { $ente }.
notifica-motivo = { " " }Motivo: { $motivo }
notifica-oggetto-richiesta = Nuova richiesta di associazione a { $ente }
notifica-oggetto-approvata = Richiesta approvata: { $ente }
notifica-oggetto-rifiutata = Richiesta rifiutata: { $ente }
notifica-oggetto-modalita = Modalità cambiata: { $ente }
notifica-oggetto-revocata = Associazione revocata: { $ente }

gestione-titolo = Gestione
gestione-enti = Enti
gestione-richieste = Richieste in attesa
gestione-cerca-enti = Cerca enti
gestione-nome-o-codice = Nome dell'ente
gestione-enti-trovati = enti trovati
gestione-attivo = Attivo
gestione-inattivo = Disattivato
gestione-responsabili = Responsabili
gestione-nessun-responsabile = Nessun responsabile: le richieste vanno agli amministratori.
gestione-nomina-utente = Utente da nominare responsabile
gestione-nomina-aiuto = Codice identificativo utente o e-mail di un utente registrato.
gestione-nomina = Nomina responsabile
gestione-rimuovi = Rimuovi

esito-richiesta = Richiesta inviata ai responsabili dell'ente: riceverai una notifica quando sarà decisa.
esito-richiesta-amministratori = Richiesta inviata agli amministratori della piattaforma (l'ente non ha ancora responsabili): riceverai una notifica quando sarà decisa.
esito-richiesta-nessuno = Richiesta registrata, ma la piattaforma non ha ancora un amministratore che possa deciderla (l'ente non ha responsabili): chi gestisce questa installazione ne crea uno con «raccolta admin create», che troverà la richiesta tra le notifiche. Riceverai una notifica quando sarà decisa.
area-decidono-responsabili = Decidono i responsabili dell'ente.
area-decidono-amministratori = Decidono gli amministratori della piattaforma (l'ente non ha responsabili).
esito-selezionato = Ente selezionato: ora lavori su questo ente.
esito-referente = Responsabile della compilazione salvato.
esito-approva = Richiesta approvata; l'utente è stato avvisato.
esito-rifiuta = Richiesta rifiutata; l'utente è stato avvisato.
esito-modalita = Modalità cambiata; l'utente è stato avvisato.
esito-revoca = Associazione revocata; l'utente è stato avvisato.
esito-gia-decisa = Nessuna modifica: la richiesta era già stata decisa, o l'associazione non è più attiva.
esito-modalita-non-valida = Modalità non valida: scegli Consultazione o Compilazione.
esito-nominato = Responsabile nominato.
esito-rimosso = Responsabile rimosso.
esito-gia-responsabile = Nessuna modifica: l'utente è già responsabile di questo ente.
esito-utente-sconosciuto = Nessun utente attivo con questo codice o e-mail è responsabile o registrato.
esito-lette = Notifiche segnate come lette.

## Registro di audit
audit-titolo = Registro di audit
audit-intro = Ogni evento registrato: accessi, associazioni, salvataggi, giustificazioni, invii, riaperture e azioni degli amministratori, dal più recente. Gli eventi sono concatenati da un'impronta: «raccolta audit verifica» controlla che nessuno sia stato modificato o cancellato.
audit-filtra = Filtra il registro
audit-chi = Chi
audit-chi-aiuto = Parte del nome o del codice utente; «sistema» per il programma.
audit-cosa = Azione
audit-cosa-aiuto = L'inizio del nome dell'azione, per esempio «questionario.» o «accesso.».
audit-oggetto = Oggetto
audit-dal = Dal giorno
audit-al = Al giorno (compreso)
audit-cerca = Cerca
audit-pulisci = Pulisci
audit-esporta = Esporta CSV
audit-trovati = { $n ->
    [one] Un evento trovato.
   *[other] { $n } eventi trovati.
}
audit-id = Id
audit-quando = Quando (ora italiana)
audit-origine = Origine
audit-richiesta = Richiesta
audit-dettagli = Dettagli
audit-catena = Posizione nella catena
audit-da-sigillare = da sigillare
audit-nessuno = Nessun evento corrisponde al filtro.
audit-data-non-valida = { $campo }: data non valida; scrivila come gg/mm/aaaa (per esempio 01/12/2026). Il filtro su questa data non è applicato.
