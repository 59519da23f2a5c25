password-richiesta-testo = Enter the e-mail address of your user: we will send you a link to choose a new password.
password-richiesta-inviata = If the address belongs to a registered user, you will shortly receive an e-mail with the "Change" link to choose a new password. The link is valid for 60 minutes.
indietro = Back
password-nuova-titolo = Choose a new password
nuova-password = New password
password-modificata-titolo = Password changed
password-modificata-testo = Your password has been changed. For security every open session of your user has been closed: log in with the new password.
