// A prepared export's page: while the job runs, ask its state every two seconds and move the progress bar; the
// sentence under it is a polite live region, so a screen reader hears the progress without losing its place.
// Without JavaScript the page has an "Aggiorna" link instead.
const box = document.getElementById('esportazione');
if (box) {
  const barra = document.getElementById('esportazione-barra');
  const testo = document.getElementById('esportazione-testo');
  const stato = document.getElementById('esportazione-stato');
  const file = document.getElementById('esportazione-file');
  const dimensione = document.getElementById('esportazione-dimensione');
  const aggiorna = document.getElementById('esportazione-aggiorna');
  let ultimo = '';
  const chiedi = async () => {
    try {
      const res = await fetch(box.dataset.json, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) return true;
      const s = await res.json();
      barra.max = Math.max(s.totale, 1);
      barra.value = s.stato === 'pronta' ? barra.max : s.letti;
      stato.textContent = s.etichetta;
      // A new sentence only when something changed: the live region does not repeat itself.
      const frase = s.stato === 'pronta' || s.stato === 'fallita' ? `${s.etichetta}. ${s.testo}` : s.testo;
      if (frase !== ultimo) {
        testo.textContent = frase;
        ultimo = frase;
      }
      if (s.stato === 'pronta') {
        dimensione.textContent = s.dimensione;
        file.hidden = false;
      }
      if (s.stato === 'pronta' || s.stato === 'fallita') {
        aggiorna.hidden = true;
        if (s.stato === 'fallita' && s.errore) window.location.reload();
        return false;
      }
    } catch {
      // The network: try again at the next turn.
    }
    return true;
  };
  if (box.dataset.stato === 'in_coda' || box.dataset.stato === 'in_corso') {
    aggiorna.hidden = true;
    const giro = async () => {
      if (await chiedi()) setTimeout(giro, 2000);
    };
    setTimeout(giro, 1000);
  }
}
