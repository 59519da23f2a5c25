// The compile page with JavaScript: each field is saved when it changes (POST /questionari/{id}/campi), and the
// page applies what the server answers (the normalized value, the field's new version, calculated totals, rule
// outcomes, completion). The browser never computes a total or a check itself: what it shows comes from the server.
//
// Nothing typed is lost: a save that fails for the network (or because the session expired) is kept in
// localStorage and sent again when the network returns or after the next login; leaving the page with unsaved
// values asks first. Each field shows its save state in a polite live region; focus is never moved.

const modulo = document.getElementById('modulo-quadro');
const lingua = modulo?.dataset.lingua === 'en' ? 'en' : 'it';
const T = {
  it: {
    salvataggio: 'Salvataggio…',
    salvato: (ora) => `Salvato alle ${ora}`,
    nonSalvato: 'Non salvato: connessione assente, nuovo tentativo in corso. Il valore è conservato in questo browser.',
    sessione: 'Non salvato: la sessione è scaduta. Il valore è conservato in questo browser e sarà salvato dopo il nuovo accesso.',
    rifiutato: (m) => `Non salvato: ${m}`,
    conflitto: 'Conflitto',
    attuale: (v, a, q) => `Valore attuale: ${v || '(vuoto)'}, salvato da ${a} (${q}).`,
    usaAttuale: 'Usa il valore attuale',
    sovrascrivi: 'Sovrascrivi con il mio',
    esci: 'Alcuni valori non sono ancora salvati.',
    accedi: 'Accedi di nuovo',
    ripristinati: (n) => `${n} valori non salvati in precedenza sono stati inviati di nuovo.`,
  },
  en: {
    salvataggio: 'Saving…',
    salvato: (ora) => `Saved at ${ora}`,
    nonSalvato: 'Not saved: no connection, trying again. The value is kept in this browser.',
    sessione: 'Not saved: the session expired. The value is kept in this browser and will be saved after you sign in again.',
    rifiutato: (m) => `Not saved: ${m}`,
    conflitto: 'Conflict',
    attuale: (v, a, q) => `Current value: ${v || '(blank)'}, saved by ${a} (${q}).`,
    usaAttuale: 'Use the current value',
    sovrascrivi: 'Overwrite with mine',
    esci: 'Some values are not saved yet.',
    accedi: 'Sign in again',
    ripristinati: (n) => `${n} values not saved earlier were sent again.`,
  },
}[lingua];

const pubblico = modulo?.dataset.pubblico;
let connessione = null; // this page's event connection, so the server does not echo our own saves
const csrf = modulo?.dataset.csrf;
const chiave = (campo) => `raccolta:${pubblico}:${campo}`;
const inSospeso = new Map(); // campo -> { valore, ripristina, versione }
let tentativo = null;
// True once the questionnaire was sent: nothing more is saved from this page.
let inviato = false;

const idDi = (campo) => 'c-' + campo.replace(/[^A-Za-z0-9]/g, '-');
const input = (campo) => document.getElementById(idDi(campo));

// A field's save state, beside it and, for screen readers, in the page's one polite live region.
/** The save state's element of a field; a table cell gets it the first time it is needed (after its error). */
function elementoStato(campo) {
  const id = `${idDi(campo)}-stato`;
  const esiste = document.getElementById(id);
  if (esiste) return esiste;
  const campoEl = input(campo);
  if (!campoEl?.closest('td')) return null;
  const el = document.createElement('span');
  el.className = 'raccolta-stato';
  el.id = id;
  const errore = document.getElementById(`${idDi(campo)}-errore`);
  (errore && errore.parentElement === campoEl.parentElement ? errore : campoEl).after(el);
  return el;
}

function stato(campo, testo, tipo) {
  const el = elementoStato(campo);
  if (!el) return;
  el.textContent = testo;
  el.dataset.tipo = tipo;
  const annunci = document.getElementById('raccolta-annunci');
  if (annunci && testo && tipo !== 'salvataggio') annunci.textContent = `${campo}: ${testo}`;
}

function conserva(campo, richiesta) {
  inSospeso.set(campo, richiesta);
  try { localStorage.setItem(chiave(campo), JSON.stringify(richiesta)); } catch { /* storage full or disabled */ }
}

function dimentica(campo) {
  inSospeso.delete(campo);
  try { localStorage.removeItem(chiave(campo)); } catch { /* ignore */ }
}

async function salva(campo, richiesta) {
  if (inviato) return;
  conserva(campo, richiesta);
  stato(campo, T.salvataggio, 'salvataggio');
  let risposta;
  try {
    risposta = await fetch(`/questionari/${pubblico}/campi`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRF-Token': csrf,
        ...(connessione ? { 'X-Raccolta-Conn': connessione } : {}),
      },
      body: JSON.stringify({ campo, ...richiesta }),
      credentials: 'same-origin',
    });
  } catch {
    stato(campo, T.nonSalvato, 'errore');
    riprova();
    return;
  }
  if (risposta.status === 401 || risposta.status === 403) {
    stato(campo, T.sessione, 'errore');
    mostraAccesso();
    return;
  }
  let corpo = {};
  try { corpo = await risposta.json(); } catch { /* not JSON */ }
  if (risposta.ok) {
    dimentica(campo);
    applica(corpo);
    stato(campo, T.salvato(corpo.ora), 'salvato');
  } else if (risposta.status === 422 && corpo.esito === 'rifiutato') {
    dimentica(campo);
    const el = input(campo);
    el?.setAttribute('aria-invalid', 'true');
    stato(campo, T.rifiutato(corpo.messaggio), 'rifiutato');
  } else if (risposta.status === 409 && corpo.esito === 'conflitto') {
    dimentica(campo);
    mostraConflitto(campo, richiesta, corpo.attuale);
  } else if (risposta.status >= 500 || risposta.status === 0) {
    stato(campo, T.nonSalvato, 'errore');
    riprova();
  } else {
    dimentica(campo);
    stato(campo, T.rifiutato(corpo.detail || corpo.title || risposta.statusText), 'rifiutato');
  }
}

function riprova() {
  if (tentativo) return;
  tentativo = setTimeout(() => {
    tentativo = null;
    for (const [campo, richiesta] of [...inSospeso]) salva(campo, richiesta);
  }, 5000);
}

function mostraAccesso() {
  if (document.getElementById('raccolta-sessione-scaduta')) return;
  const p = document.createElement('p');
  p.id = 'raccolta-sessione-scaduta';
  p.className = 'alert alert-warning';
  p.setAttribute('role', 'status');
  const a = document.createElement('a');
  a.href = `/accesso?torna=${encodeURIComponent(location.pathname)}`;
  a.textContent = T.accedi;
  p.append(T.sessione, ' ', a);
  modulo.prepend(p);
}

function mostraConflitto(campo, richiesta, attuale) {
  const el = input(campo);
  if (!el) return;
  const id = `${idDi(campo)}-conflitto`;
  document.getElementById(id)?.remove();
  const box = document.createElement('div');
  box.id = id;
  box.className = 'raccolta-conflitto alert alert-warning mt-1';
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', T.conflitto);
  const testo = document.createElement('p');
  testo.className = 'mb-1';
  testo.textContent = T.attuale(attuale.mostra, attuale.autore, attuale.quando);
  const usa = document.createElement('button');
  usa.type = 'button';
  usa.className = 'btn btn-outline-primary btn-sm me-2';
  usa.textContent = T.usaAttuale;
  usa.addEventListener('click', () => {
    el.value = attuale.testo;
    el.dataset.versione = attuale.versione;
    el.removeAttribute('aria-invalid');
    box.remove();
    stato(campo, '', '');
  });
  const mio = document.createElement('button');
  mio.type = 'button';
  mio.className = 'btn btn-primary btn-sm';
  mio.textContent = T.sovrascrivi;
  mio.addEventListener('click', () => {
    box.remove();
    el.dataset.versione = attuale.versione;
    salva(campo, { ...richiesta, versione: attuale.versione });
  });
  box.append(testo, usa, mio);
  el.closest('[data-riga]')?.append(box);
  stato(campo, T.conflitto + ': ' + T.attuale(attuale.mostra, attuale.autore, attuale.quando), 'conflitto');
}

// Applies a save's answer: this field's normalized value and version, then what changed elsewhere.
function applica(corpo) {
  const a = corpo.attuale;
  if (a) {
    const el = input(corpo.campo);
    if (el && el.tagName !== 'OUTPUT') {
      if (document.activeElement !== el) el.value = a.testo;
      el.dataset.versione = a.versione;
      el.removeAttribute('aria-invalid');
    }
    document.getElementById(`${idDi(corpo.campo)}-conflitto`)?.remove();
  }
  const agg = corpo.aggiornamenti || {};
  for (const [campo, testo] of Object.entries(corpo.mostra || {})) {
    const out = input(campo);
    if (out && out.tagName === 'OUTPUT') out.textContent = testo;
  }
  for (const [campo, pertinente] of Object.entries(agg.pertinenti || {})) {
    document.querySelectorAll(`[data-riga="${CSS.escape(campo)}"]`).forEach((r) => { r.hidden = !pertinente; });
  }
  const mostraRegola = (id, violata, messaggio) => {
    const li = document.querySelector(`[data-regola="${CSS.escape(id)}"].raccolta-regola`);
    if (!li) return;
    li.hidden = !violata;
    if (messaggio !== undefined) li.querySelector('.raccolta-messaggio').textContent = messaggio;
  };
  for (const [id, messaggio] of Object.entries(agg.violate || {})) mostraRegola(id, true, messaggio);
  for (const lista of [agg.rispettate, agg.non_valutabili, agg.non_applicabili]) {
    for (const id of lista || []) mostraRegola(id, false);
  }
  const nessuno = document.querySelector('.raccolta-nessun-controllo');
  if (nessuno) nessuno.hidden = !!document.querySelector('.raccolta-regola:not([hidden])');
  for (const [quadro, percentuale] of Object.entries(agg.quadri || {})) {
    const p = document.querySelector(`[data-quadro="${CSS.escape(quadro)}"] .raccolta-percentuale`);
    if (p) p.textContent = percentuale;
  }
  for (const [id, superata] of Object.entries(corpo.giustificazioni || {})) {
    const p = document.querySelector(`form[data-regola="${CSS.escape(id)}"] .raccolta-superata`);
    if (p) p.hidden = !superata;
  }
  conteggi(corpo.conteggi);
}

// The quadri navigation's open bloccanti and unjustified squadrature, per quadro, as the server wrote them in the
// page's language: [{quadro, bloccanti, squadrature}] ("" when none).
function conteggi(lista) {
  for (const c of lista || []) {
    const li = document.querySelector(`.raccolta-quadri [data-quadro="${CSS.escape(c.quadro)}"]`);
    if (!li) continue;
    for (const [classe, testo] of [['raccolta-n-bloccanti', c.bloccanti], ['raccolta-n-squadrature', c.squadrature]]) {
      const span = li.querySelector(`.${classe}`);
      if (!span) continue;
      span.hidden = !testo;
      span.querySelector('.raccolta-conteggio').textContent = testo;
    }
  }
}

// Saves made on other pages of this questionnaire, and who else has this quadro open (server-sent events).
function ascolta() {
  if (!window.EventSource) return;
  const fonte = new EventSource(`/questionari/${pubblico}/eventi?quadro=${encodeURIComponent(modulo.dataset.quadro)}`);
  fonte.addEventListener('connessione', (e) => { connessione = JSON.parse(e.data).conn; });
  fonte.addEventListener('presenti', (e) => {
    const d = JSON.parse(e.data);
    const p = document.getElementById('raccolta-presenti');
    if (!p) return;
    p.textContent = d.testo;
    p.hidden = !d.testo;
  });
  // Sent (here or elsewhere): the page becomes read only, and says where the receipt is.
  fonte.addEventListener('inviato', (e) => {
    const d = JSON.parse(e.data);
    fonte.close();
    inviato = true;
    for (const el of modulo.querySelectorAll('.raccolta-input, button')) el.disabled = true;
    for (const el of document.querySelectorAll('a[href$="/invio"]')) el.hidden = true;
    const p = document.getElementById('raccolta-presenti');
    if (!p) return;
    p.textContent = `${d.messaggio} `;
    const a = document.createElement('a');
    a.href = d.href;
    a.textContent = d.link;
    p.append(a);
    p.hidden = false;
  });
  fonte.addEventListener('salvataggio', (e) => {
    const d = JSON.parse(e.data);
    for (const [campo, a] of Object.entries(d.campi || {})) {
      const el = input(campo);
      if (!el) continue;
      if (el.tagName === 'OUTPUT') continue;
      // What this person is typing stays: their save will meet the new version and show the conflict.
      if (document.activeElement === el || inSospeso.has(campo)) continue;
      if (el.tagName === 'SPAN') el.textContent = a.mostra; else el.value = a.testo;
      el.dataset.versione = a.versione;
      stato(campo, `${d.messaggio} (${a.quando})`, 'salvato');
    }
    applica({ aggiornamenti: d.aggiornamenti, mostra: d.mostra, conteggi: d.conteggi, giustificazioni: {} });
  });
}

if (modulo && pubblico) {
  ascolta();
  modulo.addEventListener('change', (e) => {
    const el = e.target;
    const campo = el.name;
    if (!campo || campo.startsWith('_') || campo === 'csrf' || !el.classList.contains('raccolta-input')) return;
    salva(campo, { valore: el.value, versione: Number(el.dataset.versione || 0) });
  });

  // "Ripristina il valore precompilato" without reloading the page.
  modulo.addEventListener('click', (e) => {
    const b = e.target.closest('button.raccolta-ripristina');
    if (!b) return;
    e.preventDefault();
    const campo = b.dataset.campo;
    const el = input(campo);
    salva(campo, { ripristina: true, versione: Number(el?.dataset.versione || 0) }).then(() => b.remove());
  });

  // Justifications: saved without leaving the page.
  document.querySelectorAll('form.raccolta-giustificazione').forEach((f) => {
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const regola = f.dataset.regola;
      const live = f.querySelector('.raccolta-stato');
      live.textContent = T.salvataggio;
      try {
        const r = await fetch(f.action, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
          body: JSON.stringify({ regola, testo: f.querySelector('textarea').value }),
          credentials: 'same-origin',
        });
        const corpo = await r.json().catch(() => ({}));
        if (r.ok) {
          live.textContent = T.salvato(new Date().toLocaleTimeString(lingua === 'it' ? 'it-IT' : 'en-GB', { hour: '2-digit', minute: '2-digit' }));
          f.querySelector('.raccolta-superata').hidden = true;
          conteggi(corpo.conteggi);
        } else {
          live.textContent = T.rifiutato(corpo.detail || corpo.title || r.statusText);
        }
      } catch {
        live.textContent = T.nonSalvato;
      }
    });
  });

  // Arrow keys move between the cells of a table (left/right only at the start or end of the text).
  modulo.addEventListener('keydown', (e) => {
    const el = e.target;
    if (!el.matches?.('.raccolta-tabella input')) return;
    const td = el.closest('td');
    const tr = td.parentElement;
    const col = [...tr.children].indexOf(td);
    let dest = null;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      let riga = e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling;
      while (riga && !dest) {
        dest = riga.children[col]?.querySelector('input:not([hidden])');
        riga = e.key === 'ArrowDown' ? riga.nextElementSibling : riga.previousElementSibling;
      }
    } else if (e.key === 'ArrowRight' && el.selectionStart === el.value.length) {
      let cella = td.nextElementSibling;
      while (cella && !dest) { dest = cella.querySelector('input'); cella = cella.nextElementSibling; }
    } else if (e.key === 'ArrowLeft' && el.selectionEnd === 0) {
      let cella = td.previousElementSibling;
      while (cella && !dest) { dest = cella.querySelector('input'); cella = cella.previousElementSibling; }
    }
    if (dest) {
      e.preventDefault();
      dest.focus();
      dest.select();
    }
  });

  // Someone typing a long text in one field for half an hour saves nothing until they leave it: a light request
  // every five minutes of typing keeps the session alive under them.
  let ultimoSegnale = Date.now();
  modulo.addEventListener('input', () => {
    if (Date.now() - ultimoSegnale < 5 * 60 * 1000) return;
    ultimoSegnale = Date.now();
    fetch(`/questionari/${pubblico}/controlli`, { method: 'HEAD', credentials: 'same-origin' }).catch(() => {});
  });

  window.addEventListener('beforeunload', (e) => {
    if (inSospeso.size > 0) {
      e.preventDefault();
      e.returnValue = T.esci;
    }
  });
  window.addEventListener('online', () => {
    for (const [campo, richiesta] of [...inSospeso]) salva(campo, richiesta);
  });

  // Values kept from an earlier visit (network down, session expired): put them back and send them again.
  let ripresi = 0;
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const k = localStorage.key(i);
    if (!k?.startsWith(`raccolta:${pubblico}:`)) continue;
    const campo = k.slice(`raccolta:${pubblico}:`.length);
    let richiesta;
    try { richiesta = JSON.parse(localStorage.getItem(k)); } catch { continue; }
    const el = input(campo);
    if (!el || !richiesta) continue;
    if (!richiesta.ripristina) el.value = richiesta.valore;
    ripresi++;
    salva(campo, richiesta);
  }
  if (ripresi > 0) {
    const p = document.createElement('p');
    p.className = 'alert alert-info';
    p.setAttribute('role', 'status');
    p.textContent = T.ripristinati(ripresi);
    modulo.prepend(p);
  }
}
