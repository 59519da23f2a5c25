#!/usr/bin/env python3
"""Writes an IPA-like CSV of N enti (default 8,000) to stdout: comuni, province, città metropolitane, unioni,
with valid codici fiscali, ISTAT codes, PEC addresses, extra columns and accented names, as the real file has."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rnd = random.Random(seed)


def cf(i):
    body = f"{80000000 + i * 7:010d}"[-10:]
    s = 0
    for k, c in enumerate(body):
        d = int(c)
        if k % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return body + str((10 - s % 10) % 10)


parti = ["San", "Santa", "Monte", "Castel", "Borgo", "Villa", "Rocca", "Pieve", "Torre", "Porto"]
nomi = ["Città", "Forlì", "Cantù", "Ossola", "Reno", "Sant'Angelo", "Valle", "Lago", "Piano", "Colle", "Marina",
        "d'Adda", "Sèsia", "Po", "Tevere", "Sàvena"]
regioni = ["Lazio", "Lombardia", "Campania", "Piemonte", "Emilia-Romagna", "Toscana", "Sicilia", "Puglia", "Veneto"]
print("Codice_IPA;Denominazione_ente;Codice_fiscale_ente;Tipologia;Codice_Categoria;Codice_comune_ISTAT;"
      "Regione;Mail1;Tipo_Mail1;Acronimo")
for i in range(n):
    if i % 100 == 1:
        cat, nome = "L5", f"Provincia di {rnd.choice(nomi)} {i}"
    elif i % 400 == 2:
        cat, nome = "L45", f"Città metropolitana di {rnd.choice(nomi)} {i}"
    elif i % 50 == 3:
        cat, nome = "L6", f"Unione dei Comuni {rnd.choice(nomi)} {i}"
    else:
        cat, nome = "L6", f"Comune di {rnd.choice(parti)} {rnd.choice(nomi)} {i}"
    istat = f"{(i % 107) + 1:03d}{i % 1000:03d}"
    print(f"e_{i:05d};{nome};{cf(i)};Pubbliche Amministrazioni;{cat};{istat};{rnd.choice(regioni)};"
          f"protocollo{i}@pec.example.it;Pec;X{i}")
