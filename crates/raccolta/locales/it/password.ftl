password-richiesta-testo = Inserisci l'indirizzo e-mail del tuo utente: ti invieremo un link per scegliere una nuova password.
password-richiesta-inviata = Se l'indirizzo corrisponde a un utente registrato, riceverai a breve un'e-mail con il link "Modifica" per scegliere una nuova password. Il link vale 60 minuti.
indietro = Indietro
password-nuova-titolo = Scegli una nuova password
nuova-password = Nuova Password
password-modificata-titolo = Password modificata
password-modificata-testo = La password è stata modificata. Per sicurezza tutte le sessioni aperte con il tuo utente sono state chiuse: accedi con la nuova password.
