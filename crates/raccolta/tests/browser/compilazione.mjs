// Compilazione dei questionari in un Chromium vero (headless): tastiera, senza JavaScript, due browser sullo stesso
// quadro, rete interrotta, axe-core su ogni quadro di ogni modulo.
//
//   node crates/raccolta/tests/browser/compilazione.mjs BASE_URL
//   es.: node crates/raccolta/tests/browser/compilazione.mjs http://127.0.0.1:18555
//
// Il server deve essere avviato con RACCOLTA_CAPTCHA_TEST_ANSWER=PROVA7, gli enti dimostrativi caricati e tre
// utenti attivi sul Comune di Milano (c_f205), tutti con la password PASSWORD: COMP0001 (Maria Prova) e COMP0002
// (Giulia Prova) in Compilazione, CONS0001 (Carlo Prova) in Consultazione. Il test Rust
// `tests/integration/browser.rs` prepara tutto questo e poi esegue lo script.
//
// Percorsi:
//   0. axe-core sull'elenco dei Questionari e sulla pagina di compilazione di ogni quadro di ogni modulo del comune
//      (FC80U A e B, schede SOCIALE, ASILI e TRASPORTO), ancora vuoti, in italiano e in inglese;
//   1. solo tastiera, JavaScript attivo: accesso, «Seleziona» l'ente, Questionari, «Compila» FC80U B; nel quadro D
//      una riga della tabella del personale compilata con Tab e frecce (stato «Salvato alle …», totale di riga e di
//      colonna con i valori del server), un errore bloccante provocato e corretto (con i conteggi della navigazione
//      dei quadri), una squadratura del quadro Z giustificata senza ricaricare la pagina; dopo il ricaricamento ogni
//      valore e la giustificazione ci sono;
//   2. JavaScript disattivato: quadro A del modulo A (prima il tipo di ente, perché le sezioni dei comuni compaiano),
//      valori validi e uno non valido, «Salva il quadro»: riepilogo degli errori (con il focus) che porta al campo,
//      messaggio accanto al campo, testo digitato conservato, valori validi salvati; corretto e salvato di nuovo:
//      «Valori salvati.»;
//   3. due browser sullo stesso quadro: presenza «Anche … sta compilando questo quadro», un valore salvato da uno
//      arriva all'altro entro due secondi (misurati), un conflitto risolto con «Sovrascrivi con il mio»;
//   4. rete interrotta mentre si scrive: «Non salvato…», poi al ritorno della rete «Salvato alle …» e il valore
//      è sul server;
//   5. axe-core sui quadri con errori (il modulo inviato senza script con un valore non valido) e in sola lettura
//      (l'utente in Consultazione), in italiano e in inglese, e sulla storia di un campo;
//   6. invio, solo tastiera: INVI0001 (Ivo Prova, Compilazione sul Comune di Bologna, la cui scheda TRASPORTO il test
//      Rust ha compilato per intero, id pubblico in INVIO_PUBBLICO) apre «Invia il questionario», legge il Riepilogo
//      invio, conferma, arriva alla ricevuta con il numero di protocollo, segue «verifica questa ricevuta» fino alla
//      pagina pubblica che la riconosce; un'impronta sbagliata non corrisponde; il Riepilogo di FC80U B di Maria
//      elenca cosa blocca l'invio; Ivo chiede la riapertura dalla ricevuta, l'amministratrice AMMI0001 (Anna Prova)
//      la approva da Gestione con la tastiera, e la scheda torna compilabile; Documenti elenca il PDF del questionario
//      e della ricevuta, che si scaricano; dopo una modifica, il secondo invio fa la versione 2, con le sue
//      differenze, e Documenti elenca le due versioni con i loro PDF; axe-core su ogni pagina, in italiano e in
//      inglese.
// axe-core con le regole WCAG 2.0/2.1/2.2 A e AA, come axe.mjs e percorsi.mjs: nessuna violazione ammessa. Quali
// quadri in quale stato: AXE_COMPLETO più sotto (COMPILAZIONE_AXE_COMPLETO=1: tutti, in ogni stato e lingua).
// axe-core non può girare in una pagina con JavaScript disattivato (Chromium chiude la pagina al primo setTimeout):
// la pagina «con errori» è quindi quella che il server rimanda al modulo inviato senza script, in un contesto dove i
// file JavaScript del sito arrivano vuoti; il percorso 2 usa invece un browser con JavaScript davvero disattivato.
// Stampa "OK …" o "FALLITO …" per ogni passo. Esce con 0 se tutto è in regola, 1 se qualcosa è fallito, 2 per
// errori d'uso o di ambiente.
//
// Usa solo il Chromium di Debian (`apt-get install -y chromium chromium-driver`), mai un browser scaricato.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';

// ---------------------------------------------------------------------------------------------------------------

const CAPTCHA = 'PROVA7';
const PASSWORD = 'girasole obliquo mangia tre lanterne';
const MARIA = { codice: 'COMP0001', nome: 'Maria Prova' };
const GIULIA = { codice: 'COMP0002', nome: 'Giulia Prova' };
const CARLO = { codice: 'CONS0001', nome: 'Carlo Prova' };
const ENTE = 'Comune di Milano';
const IVO = { codice: 'INVI0001', nome: 'Ivo Prova' };
const ANNA = { codice: 'AMMI0001', nome: 'Anna Prova' };

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const NAV_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 30_000; // un passo intero: navigazioni, attese, axe.run
const SAVE_TIMEOUT_MS = 10_000; // un salvataggio automatico e la sua risposta
const LIVE_MS = 2_000; // un valore salvato altrove arriva entro due secondi
const RETRY_TIMEOUT_MS = 20_000; // il nuovo tentativo dopo la rete interrotta (5 s, o subito all'evento online)
const MAX_TABS = 40; // Tab al massimo per raggiungere un elemento dal precedente
const MAX_TABS_QUADRO = 400; // in una pagina di compilazione, con decine di campi prima della tabella
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// I moduli del comune, come li mostra l'elenco dei Questionari (codice e modulo) e la campagna del loro URL.
const MODULI = [
  { campagna: 'fc80u-2022', codice: 'FC80U', modulo: 'A' },
  { campagna: 'fc80u-2022', codice: 'FC80U', modulo: 'B' },
  { campagna: 'monitoraggio-2023', codice: 'MONITORAGGIO', modulo: 'SOCIALE' },
  { campagna: 'monitoraggio-2023', codice: 'MONITORAGGIO', modulo: 'ASILI' },
  { campagna: 'monitoraggio-2023', codice: 'MONITORAGGIO', modulo: 'TRASPORTO' },
];

// Gli stati della pagina di compilazione controllati con axe-core. Tutta la matrice (ogni quadro vuoto, con errori e
// in sola lettura, in italiano e in inglese: 147 pagine con le altre) richiede più di quattro minuti su due core;
// di norma (due o tre minuti in tutto) si controllano ogni quadro vuoto in italiano e in inglese, ogni quadro in
// sola lettura in italiano, e con errori il primo quadro di ogni modulo e SOCIALE Q4 (nessun campo numerico: l'errore
// è un conflitto) in italiano, FC80U B D con errori e in sola lettura in inglese.
// COMPILAZIONE_AXE_COMPLETO=1: tutta la matrice.
const AXE_COMPLETO = process.env.COMPILAZIONE_AXE_COMPLETO === '1';

/** Se lo stato `stato` del quadro `quadro` del questionario `q` in lingua `lang` è controllato con axe-core. */
function inMatrice(stato, lang, q, quadro) {
  if (AXE_COMPLETO || stato === 'vuoto') return true;
  const fc80uBD = q.codice === 'FC80U' && q.modulo === 'B' && quadro === 'D';
  if (lang === 'en') return fc80uBD;
  if (stato === 'sola-lettura') return true;
  return quadro === q.quadri[0] || (q.modulo === 'SOCIALE' && quadro === 'Q4');
}

const SALVATO = /^Salvato alle \d{1,2}:\d{2}/;

// ---------------------------------------------------------------------------------------------------------------

function usage(message) {
  if (message) console.error(`errore: ${message}`);
  console.error('uso: node crates/raccolta/tests/browser/compilazione.mjs BASE_URL');
  process.exit(2);
}

function parseArgs(argv) {
  if (argv.includes('-h') || argv.includes('--help')) usage();
  const [baseArg, ...rest] = argv;
  if (!baseArg) usage('manca BASE_URL');
  if (rest.length > 0) usage(`argomenti in più: ${rest.join(' ')}`);
  let url;
  try {
    url = new URL(baseArg);
  } catch {
    usage(`BASE_URL non valido: ${baseArg}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') usage(`BASE_URL deve essere http:// o https://: ${baseArg}`);
  return { base: url };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`tempo scaduto (${ms / 1000} s): ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function oneLine(s, max = 400) {
  const t = String(s ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '') // i colori ANSI dei messaggi di Playwright
    .replace(/\s*Call log:[\s\S]*$/, '') // e il loro call log
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** L'id dell'input di un campo: `c-` e l'indirizzo con ogni carattere non alfanumerico cambiato in `-`. */
const idDi = (campo) => `c-${campo.replace(/[^A-Za-z0-9]/g, '-')}`;

// ---------------------------------------------------------------------------------------------------------------
// Passi, percorsi, esito
// ---------------------------------------------------------------------------------------------------------------

/** Un passo fallito interrompe il suo percorso (i passi seguenti dipendono da lui). */
class PercorsoInterrotto extends Error {}

let failures = 0;
let passed = 0;

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Esegue un passo con il suo tempo massimo e stampa "OK …" o "FALLITO …". */
async function passo(descrizione, fn, ms = STEP_TIMEOUT_MS) {
  try {
    const value = await withTimeout(Promise.resolve().then(fn), ms, descrizione);
    passed += 1;
    console.log(`  OK       ${descrizione}`);
    return value;
  } catch (e) {
    failures += 1;
    console.log(`  FALLITO  ${descrizione}: ${oneLine(e?.message ?? e)}`);
    throw new PercorsoInterrotto(descrizione);
  }
}

function fallito(descrizione) {
  failures += 1;
  console.log(`  FALLITO  ${descrizione}`);
}

/**
 * Le risposte con errore che la compilazione dà apposta: 422 (valore rifiutato, modulo con errori, motivazione di
 * riapertura troppo corta) e 409 (conflitto) ai salvataggi. Ogni altra risposta >= 400 è un errore del percorso.
 */
function rispostaAttesa(res) {
  const req = res.request();
  if (req.method() !== 'POST') return false;
  const p = new URL(res.url()).pathname;
  if (/^\/questionari\/[^/]+\/campi$/.test(p)) return res.status() === 409 || res.status() === 422;
  if (/^\/questionari\/[^/]+\/compila\/[^/]+$/.test(p)) return res.status() === 422;
  // La motivazione troppo corta del percorso 6.
  if (/^\/questionari\/[^/]+\/riapertura$/.test(p)) return res.status() === 422;
  return false;
}

/**
 * Un contesto nuovo (cookie e sessione propri), con la CSP ignorata perché axe si possa iniettare, e la sua pagina.
 * `opzioni.javaScript = false`: JavaScript disattivato nel browser; `opzioni.senzaScript`: i file JavaScript del sito
 * arrivano vuoti (la pagina è quella di chi non ha JavaScript, ma axe può ancora girare). Errori JavaScript, errori in
 * console e risposte con errore sono raccolti in `problems`.
 */
async function nuovoContesto(opzioni = {}) {
  const context = await browser.newContext({
    bypassCSP: true,
    locale: 'it-IT',
    javaScriptEnabled: opzioni.javaScript !== false,
  });
  context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  context.setDefaultTimeout(NAV_TIMEOUT_MS);
  await context.addCookies([{ name: 'lang', value: 'it', url: `${base.origin}/` }]);
  if (opzioni.senzaScript) {
    await context.route(/\/static\/.*\.js(\?.*)?$/, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
    );
  }
  const problems = [];
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`eccezione JavaScript: ${oneLine(err.message)}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || /^Failed to load resource\b/.test(msg.text())) return; // già visto da `response`
    problems.push(`errore in console: ${oneLine(msg.text())}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !rispostaAttesa(res)) {
      problems.push(`risposta con errore: ${res.request().method()} ${res.url()} → ${res.status()}`);
    }
  });
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '?';
    if (why === 'net::ERR_ABORTED') return; // una risorsa (o il flusso di eventi) lasciata a metà da una navigazione
    if (why === 'net::ERR_INTERNET_DISCONNECTED') return; // la rete tolta apposta dal percorso 4
    problems.push(`richiesta fallita: ${req.method()} ${req.url()} (${why})`);
  });
  return { context, page, problems };
}

/**
 * Un percorso: `fn(apri)` apre i contesti che gli servono con `apri(opzioni)`; alla fine sono chiusi e i loro
 * problemi (errori JavaScript, in console, di rete) contano come un passo fallito.
 */
async function percorso(titolo, fn) {
  console.log(`\n${titolo}`);
  const inizio = Date.now();
  const aperti = [];
  const apri = async (opzioni) => {
    const c = await nuovoContesto(opzioni);
    aperti.push(c);
    return c.page;
  };
  let result;
  try {
    result = await fn(apri);
  } catch (e) {
    if (e instanceof PercorsoInterrotto) console.log('  …        percorso interrotto');
    else fallito(`errore inatteso nel percorso: ${oneLine(e?.stack ?? e, 800)}`);
  } finally {
    const problems = [...new Set(aperti.flatMap((c) => c.problems))];
    if (problems.length === 0) {
      passed += 1;
      console.log('  OK       nessun errore JavaScript, in console o di rete');
    } else {
      for (const p of problems) fallito(p);
    }
    for (const c of aperti) await c.context.close().catch(() => {});
    console.log(`           durata: ${((Date.now() - inizio) / 1000).toFixed(1)} s`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// axe-core
// ---------------------------------------------------------------------------------------------------------------

const axeStats = { pages: 0, violations: 0, incomplete: 0, ms: 0 };

/**
 * axe-core sulla pagina così com'è (nessuna attesa di "networkidle": il flusso di eventi della pagina di compilazione
 * resta aperto): nessuna violazione, nessun testo invisibile, `<html lang>` uguale a `lang`, un solo h1.
 */
async function axe(page, nome, lang = 'it') {
  await passo(`axe-core: ${nome} (${new URL(page.url()).pathname})`, async () => {
    const inizio = Date.now();
    const facts = await page.evaluate(() => ({
      lang: document.documentElement.getAttribute('lang'),
      h1: document.querySelectorAll('h1').length,
      axe: typeof window.axe,
    }));
    expect(facts.lang === lang, `<html lang="${facts.lang ?? ''}">, atteso "${lang}"`);
    expect(facts.h1 === 1, `${facts.h1} elementi h1, atteso esattamente 1`);
    if (facts.axe === 'undefined') await page.addScriptTag({ content: axeSource });
    const found = await page.evaluate(async (tags) => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
      return {
        incomplete: r.incomplete.map((v) => `${v.id} (${v.nodes.length})`),
        // Testo dello stesso colore dello sfondo (1:1): axe non lo decide, qui è sempre un errore (come in axe.mjs).
        invisible: r.incomplete
          .filter((v) => v.id === 'color-contrast')
          .flatMap((v) => v.nodes)
          .filter((n) => n.any.some((c) => c.data && c.data.messageKey === 'equalRatio'))
          .map((n) => `${n.target.join(' ')} ${n.html}`),
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.html}`),
          count: v.nodes.length,
        })),
      };
    }, AXE_TAGS);
    axeStats.pages += 1;
    axeStats.violations += found.violations.length;
    axeStats.incomplete += found.incomplete.length;
    axeStats.ms += Date.now() - inizio;
    if (found.violations.length > 0) {
      const detail = found.violations
        .map((v) => `${v.id} [${v.impact ?? '?'}] ${v.help} (${v.count} elementi: ${v.nodes.map((n) => oneLine(n, 200)).join(' | ')})`)
        .join('; ');
      throw new Error(`${found.violations.length} violazioni: ${detail}`);
    }
    if (found.invisible.length > 0) {
      throw new Error(`testo invisibile (axe color-contrast 1:1): ${found.invisible.map((n) => oneLine(n, 160)).join(' | ')}`);
    }
    return found.incomplete;
  }).then((incomplete) => {
    if (incomplete.length > 0) console.log(`           ? da verificare a mano (non bloccante): ${incomplete.join(', ')}`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Aiuti per le pagine
// ---------------------------------------------------------------------------------------------------------------

const url = (p) => new URL(p, base).href;

async function goto(page, target, status = 200) {
  const response = await page.goto(target, { waitUntil: 'load' });
  expect(response, `nessuna risposta da ${target}`);
  expect(response.status() === status, `${target} → stato HTTP ${response.status()}, atteso ${status}`);
  return response;
}

/** Esegue `action` e aspetta la navigazione che provoca (invio di un modulo, un link). */
async function navigating(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return response;
}

async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

async function formErrors(page) {
  const box = page.locator('#riepilogo-errori');
  return (await box.count()) > 0 ? oneLine(await box.innerText()) : '';
}

async function describeFocus(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const text = el.id ? '' : ` "${(el.textContent || '').trim().slice(0, 30)}"`;
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${text}`;
  });
}

/**
 * Preme Tab (Maiusc+Tab con `indietro`) finché il focus arriva a un elemento che corrisponde a `selettore`; fallisce
 * dopo `max` tasti. Restituisce i tasti usati.
 */
async function tabTo(page, selettore, { max = MAX_TABS, indietro = false } = {}) {
  const visited = [];
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press(indietro ? 'Shift+Tab' : 'Tab');
    const ok = await page.evaluate((s) => !!document.activeElement?.matches(s), selettore);
    if (ok) return n;
    if (visited.length < 25) visited.push(await describeFocus(page));
  }
  throw new Error(`${selettore} non raggiungibile con ${max} ${indietro ? 'Maiusc+Tab' : 'Tab'} (percorso del focus: ${visited.join(' → ')}…)`);
}

async function focusIs(page, id, ms = 3000) {
  // `autofocus` is applied by the browser at its next rendering update after load, not at load: on a busy machine
  // the check can come first, so it polls (from outside the page: the page may have no JavaScript).
  const inizio = Date.now();
  for (;;) {
    if ((await page.evaluate(() => document.activeElement?.id ?? '')) === id) return;
    expect(Date.now() - inizio < ms, `il focus è su «${await describeFocus(page)}», atteso #${id}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Aspetta che `fn(arg)` (valutata nella pagina) sia vera; se non lo diventa, fallisce con `spiega()`. */
async function attendi(page, fn, arg, ms, spiega) {
  try {
    await page.waitForFunction(fn, arg, { timeout: ms, polling: 50 });
  } catch {
    throw new Error(await spiega());
  }
}

const testoDi = (page, selettore) =>
  page.evaluate((s) => (document.querySelector(s)?.textContent ?? '(manca)').trim(), selettore);

/** Aspetta che il testo di `selettore` sia esattamente `atteso`. */
async function attendiTesto(page, selettore, atteso, ms = SAVE_TIMEOUT_MS) {
  await attendi(
    page,
    ([s, t]) => (document.querySelector(s)?.textContent ?? '').trim() === t,
    [selettore, atteso],
    ms,
    async () => `${selettore} dice «${await testoDi(page, selettore)}», atteso «${atteso}»`,
  );
}

/** Aspetta che lo stato di salvataggio del campo corrisponda a `re`. */
async function attendiStato(page, campo, re, ms = SAVE_TIMEOUT_MS) {
  const s = `#${idDi(campo)}-stato`;
  await attendi(
    page,
    ([sel, src]) => new RegExp(src).test((document.querySelector(sel)?.textContent ?? '').trim()),
    [s, re.source],
    ms,
    async () => `lo stato di ${campo} dice «${await testoDi(page, s)}», atteso ${re}`,
  );
}

/** Aspetta che il valore dell'input di `campo` sia `atteso`. */
async function attendiValore(page, campo, atteso, ms = SAVE_TIMEOUT_MS) {
  const s = `#${idDi(campo)}`;
  await attendi(
    page,
    ([sel, v]) => document.querySelector(sel)?.value === v,
    [s, atteso],
    ms,
    async () => `${campo} vale «${await page.evaluate((sel) => document.querySelector(sel)?.value ?? '(manca)', s)}», atteso «${atteso}»`,
  );
}

const valoreDi = (page, campo) => page.evaluate((s) => document.querySelector(s)?.value ?? null, `#${idDi(campo)}`);

/** Se il controllo `regola` è mostrato nel pannello #controlli (il suo `li` senza `hidden`). */
const regolaMostrata = (page, regola) =>
  page.evaluate((r) => {
    const li = document.querySelector(`#controlli li[data-regola="${CSS.escape(r)}"]`);
    return li ? !li.hidden : null;
  }, regola);

async function attendiRegola(page, regola, mostrata, ms = SAVE_TIMEOUT_MS) {
  await attendi(
    page,
    ([r, m]) => {
      const li = document.querySelector(`#controlli li[data-regola="${CSS.escape(r)}"]`);
      return !!li && li.hidden === !m;
    },
    [regola, mostrata],
    ms,
    async () => `il controllo ${regola} è ${{ true: 'mostrato', false: 'nascosto', null: 'assente' }[String(await regolaMostrata(page, regola))]}, atteso ${mostrata ? 'mostrato' : 'nascosto'}`,
  );
}


/** Il conteggio (`bloccanti` o `squadrature`) di `quadro` nella navigazione dei quadri: il testo, '' se nascosto. */
const conteggioNav = (page, quadro, tipo) =>
  page.evaluate(([q, t]) => {
    const span = document.querySelector(`.raccolta-quadri [data-quadro="${CSS.escape(q)}"] .raccolta-n-${t}`);
    if (!span) return '(manca)';
    return span.hidden ? '' : span.textContent.replace(/^\s*·\s*/, '').trim();
  }, [quadro, tipo]);

/**
 * Aspetta che la navigazione dei quadri mostri per `quadro` i conteggi che il server ha dato (`conteggi`, la lista
 * { quadro, bloccanti, squadrature } di una risposta, con le frasi già nella lingua della pagina, "" se nessuno);
 * li restituisce come numeri: { bloccanti, squadrature }.
 */
async function attendiConteggi(page, conteggi, quadro) {
  const voce = (conteggi || []).find((c) => c.quadro === quadro);
  expect(voce, `la risposta non ha i conteggi del quadro ${quadro}: ${JSON.stringify(conteggi)}`);
  const numero = (t) => (t ? Number.parseInt(t, 10) : 0);
  for (const tipo of ['bloccanti', 'squadrature']) {
    const atteso = voce[tipo];
    await attendi(
      page,
      ([q, t, a]) => {
        const span = document.querySelector(`.raccolta-quadri [data-quadro="${CSS.escape(q)}"] .raccolta-n-${t}`);
        return !!span && (span.hidden ? '' : span.textContent.replace(/^\s*·\s*/, '').trim()) === a;
      },
      [quadro, tipo, atteso],
      SAVE_TIMEOUT_MS,
      async () => `la navigazione dice per il quadro ${quadro} «${await conteggioNav(page, quadro, tipo)}», atteso «${atteso}»`,
    );
  }
  return { bloccanti: numero(voce.bloccanti), squadrature: numero(voce.squadrature) };
}

/**
 * Preme `tasto` (che fa lasciare il campo `campo`) e restituisce il corpo JSON della risposta al suo salvataggio
 * automatico (POST /questionari/{id}/campi): stato HTTP e corpo.
 */
async function salvaConTasto(page, campo, tasto = 'Tab') {
  const [risposta] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && /\/campi$/.test(new URL(r.url()).pathname) && JSON.parse(r.request().postData() || '{}').campo === campo,
      { timeout: SAVE_TIMEOUT_MS },
    ),
    page.keyboard.press(tasto),
  ]);
  return { status: risposta.status(), corpo: await risposta.json().catch(() => ({})) };
}

/** Accesso con il modulo compilato (l'accesso da tastiera è nel percorso 1); poi, se richiesto, seleziona l'ente. */
async function accedi(page, utente, { seleziona = true } = {}) {
  await goto(page, url('/accesso'));
  await page.fill('#nome_utente', utente.codice);
  await page.fill('#password', PASSWORD);
  await page.fill('#captcha', CAPTCHA);
  await navigating(page, () => page.locator('form.raccolta-modulo button[type="submit"]').click());
  const u = new URL(page.url());
  expect(u.pathname === '/area-riservata', `dopo l'accesso di ${utente.codice} la pagina è ${u.pathname}${u.search} (errori: ${await formErrors(page)})`);
  if (seleziona) {
    const bottone = page.locator('main form[action$="/seleziona"] button');
    if ((await bottone.count()) > 0) await navigating(page, () => bottone.first().click());
  }
}

/** Le parti dell'URL di una pagina di compilazione (o di sola lettura): { pubblico, vista, quadro }. */
function daUrlQuadro(href) {
  const m = /^\/questionari\/([^/]+)\/(compila|visualizza)\/([^/?#]+)/.exec(new URL(href, base).pathname);
  expect(m, `non è una pagina di compilazione: ${href}`);
  return { pubblico: m[1], vista: m[2], quadro: decodeURIComponent(m[3]) };
}

const hrefCompila = (m) => `/questionari/${m.pubblico}/compila/${m.quadro}`;

/** I quadri della navigazione a sinistra della pagina di compilazione corrente. */
const quadriDellaPagina = (page) =>
  page.evaluate(() => [...document.querySelectorAll('.raccolta-quadri li[data-quadro]')].map((li) => li.dataset.quadro));

// ---------------------------------------------------------------------------------------------------------------
// I percorsi
// ---------------------------------------------------------------------------------------------------------------

/** Questionario di ogni modulo (id pubblico e quadri), riempito dal percorso 0 aprendo ogni «Compila» dell'elenco. */
const questionari = new Map(); // 'FC80U B' → { pubblico, quadri: [...] }
const chiaveModulo = (m) => `${m.codice} ${m.modulo}`;

/** Percorso 0: l'elenco dei Questionari e ogni quadro ancora vuoto, in italiano e in inglese. */
async function percorsoVuoti(apri) {
  const page = await apri();
  await passo(`accesso di ${MARIA.nome} e selezione del ${ENTE}`, () => accedi(page, MARIA));
  await passo('l\'elenco dei Questionari mostra i cinque moduli del comune', async () => {
    await goto(page, url('/questionari'));
    const text = await mainText(page);
    expect(text.includes('1 - 5 di 5'), `l'elenco non conta cinque questionari: «${oneLine(text, 300)}»`);
  });
  await axe(page, 'Questionari');
  for (const m of MODULI) {
    await passo(`«Compila» ${chiaveModulo(m)} apre il primo quadro e dà l'elenco dei quadri`, async () => {
      const link = page.locator(`main a[href$="/questionari/${m.campagna}/${m.modulo}"]`);
      expect((await link.count()) === 1, `nell'elenco manca il link «Compila» di ${chiaveModulo(m)}`);
      const href = await link.getAttribute('href');
      await goto(page, url(href));
      const q = daUrlQuadro(page.url());
      expect(q.vista === 'compila', `«Compila» ${chiaveModulo(m)} porta a ${page.url()}`);
      const quadri = await quadriDellaPagina(page);
      expect(quadri.length > 0 && quadri[0] === q.quadro, `quadri di ${chiaveModulo(m)}: ${quadri.join(', ')}`);
      questionari.set(chiaveModulo(m), { ...m, pubblico: q.pubblico, quadri });
      await goto(page, url('/questionari'));
    });
  }
  console.log(`           quadri: ${[...questionari.values()].map((q) => `${chiaveModulo(q)} ${q.quadri.join('')}`).join(', ')}`);
  for (const lang of ['it', 'en']) {
    if (lang === 'en') {
      await passo('il link ENG porta l\'elenco dei Questionari in inglese', async () => {
        await goto(page, url('/questionari'));
        await navigating(page, () => page.locator('header a[hreflang="en"]').click());
        expect(new URL(page.url()).pathname === '/questionari', `dopo ENG la pagina è ${page.url()}`);
        const h1 = (await page.locator('h1').innerText()).trim();
        expect(h1 === 'Questionnaires', `titolo «${h1}» dopo ENG, atteso «Questionnaires»`);
      });
      await axe(page, 'Questionari [en]', 'en');
    }
    for (const q of questionari.values()) {
      for (const quadro of q.quadri) {
        const nome = `${chiaveModulo(q)} quadro ${quadro}, vuoto [${lang}]`;
        if (!inMatrice('vuoto', lang, q, quadro)) continue;
        await passo(`apre ${nome}`, () => goto(page, url(hrefCompila({ pubblico: q.pubblico, quadro }))));
        await axe(page, nome, lang);
      }
    }
  }
}

/** Percorso 1: solo tastiera, JavaScript attivo, quadro D e quadro Z del modulo B. */
async function percorsoTastiera(apri) {
  const page = await apri();
  await passo('accesso con la sola tastiera: Tab fino a ogni campo, Invio', async () => {
    await goto(page, url('/accesso'));
    await tabTo(page, '#nome_utente');
    await page.keyboard.type(MARIA.codice);
    await tabTo(page, '#password');
    await page.keyboard.type(PASSWORD);
    await tabTo(page, '#captcha');
    await page.keyboard.type(CAPTCHA);
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname === '/area-riservata', `dopo l'accesso la pagina è ${page.url()}`);
  });
  await passo('area riservata: Tab fino a «Seleziona» del Comune di Milano, Invio: l\'intestazione mostra l\'ente', async () => {
    await tabTo(page, 'main form[action$="/seleziona"] button');
    await navigating(page, () => page.keyboard.press('Enter'));
    const header = (await page.locator('header').innerText()).replace(/\s+/g, ' ');
    expect(header.includes(`Ente selezionato: ${ENTE} (Compilazione)`), `intestazione: «${oneLine(header, 300)}»`);
  });
  await passo('l\'intestazione, più lunga con l\'ente selezionato, non è coperta: ITA, ENG, Profilo ed Esci si vedono', async () => {
    const coperti = await page.evaluate(() =>
      [...document.querySelectorAll('header .it-header-slim-wrapper a, header .it-header-slim-wrapper button')]
        .filter((el) => {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) return false;
          const sopra = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return !(sopra && (el === sopra || el.contains(sopra)));
        })
        .map((el) => (el.textContent || '').trim().slice(0, 30)),
    );
    expect(coperti.length === 0, `coperti da altro: ${coperti.join(', ')}`);
  });
  await passo('dall\'area riservata, con la tastiera, il menu porta ai Questionari', async () => {
    await tabTo(page, 'header a[href="/area-riservata"]');
    await navigating(page, () => page.keyboard.press('Enter'));
    await tabTo(page, 'main a[href="/questionari"]');
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname === '/questionari', `la pagina è ${page.url()}`);
  });
  const q = await passo('Tab fino a «Compila» di FC80U B, Invio: il quadro D', async () => {
    await tabTo(page, 'main a[href$="/questionari/fc80u-2022/B"]');
    await navigating(page, () => page.keyboard.press('Enter'));
    const q = daUrlQuadro(page.url());
    expect(q.vista === 'compila' && q.quadro === 'D', `«Compila» porta a ${page.url()}`);
    return q;
  });
  const D = (campo) => `#${idDi(campo)}`;
  let conteggiD; // i conteggi del quadro D nella navigazione, dopo l'ultimo salvataggio
  const salvato = async (campo, risposta, attesi) => {
    expect(risposta.status === 200, `${campo}: salvataggio con stato ${risposta.status} ${JSON.stringify(risposta.corpo).slice(0, 200)}`);
    await attendiStato(page, campo, SALVATO);
    conteggiD = await attendiConteggi(page, risposta.corpo.conteggi, 'D');
    for (const [totale, testo] of Object.entries(attesi)) {
      // Il valore del server (la risposta del salvataggio) e il testo atteso, in italiano.
      const server = risposta.corpo.mostra?.[totale];
      expect(server === testo, `il server dà ${totale} = «${server ?? '(assente)'}», atteso «${testo}»`);
      await attendiTesto(page, D(totale), testo);
    }
  };
  await passo('Tab fino a D01.Q (persone del segretario), «1», Tab: «Salvato alle …», totale D99.Q «1»', async () => {
    const n = await tabTo(page, D('D01.Q'), { max: MAX_TABS_QUADRO });
    await page.keyboard.type('1');
    const r = await salvaConTasto(page, 'D01.Q');
    await salvato('D01.Q', r, { 'D99.Q': '1' });
    console.log(`           ${n} Tab fino a D01.Q`);
  });
  await passo('Tab fino alla prima cella della tabella (D01.A), «0,5», Tab: totale di riga D01.P e di colonna D99.A «0,5»', async () => {
    const n = await tabTo(page, D('D01.A'), { max: MAX_TABS_QUADRO });
    console.log(`           ${n} Tab da D01.Q alla prima cella`);
    await page.keyboard.type('0,5');
    const r = await salvaConTasto(page, 'D01.A');
    await focusIs(page, idDi('D01.B'));
    await salvato('D01.A', r, { 'D01.P': '0,5', 'D99.A': '0,5', 'D99.P': '0,5' });
  });
  await passo('D01.B «0,25», freccia a destra: il focus va a D01.C, D01.P «0,75», D99.B «0,25»', async () => {
    await page.keyboard.type('0,25');
    const r = await salvaConTasto(page, 'D01.B', 'ArrowRight');
    await focusIs(page, idDi('D01.C'));
    await salvato('D01.B', r, { 'D01.P': '0,75', 'D99.B': '0,25', 'D99.P': '0,75' });
  });
  await passo('freccia giù e su tra le righe della colonna C, senza cambiare valori', async () => {
    await page.keyboard.press('ArrowDown');
    await focusIs(page, idDi('D02.C'));
    await page.keyboard.press('ArrowUp');
    await focusIs(page, idDi('D01.C'));
  });
  let bloccantiPrima;
  await passo('D01.C «0,75», Tab: 1,5 FTE per 1 persona, il controllo bloccante D_FTE_LE_PERSONE_01 compare con il suo messaggio; la navigazione conta tre errori bloccanti in più (anche il totale D99 e la colonna C senza spese di personale nel quadro T)', async () => {
    expect((await regolaMostrata(page, 'D_FTE_LE_PERSONE_01')) === false, 'il controllo è già mostrato prima dell\'errore');
    bloccantiPrima = conteggiD.bloccanti;
    await page.keyboard.type('0,75');
    const r = await salvaConTasto(page, 'D01.C');
    await salvato('D01.C', r, { 'D01.P': '1,5', 'D99.C': '0,75', 'D99.P': '1,5' });
    expect(conteggiD.bloccanti === bloccantiPrima + 3, `errori bloccanti del quadro D: ${bloccantiPrima} → ${conteggiD.bloccanti}, attesi tre in più`);
    await attendiRegola(page, 'D_TOTALE_FTE_LE_PERSONE', true);
    await attendiRegola(page, 'D_T_CORRISPONDENZA_C', true);
    await attendiRegola(page, 'D_FTE_LE_PERSONE_01', true);
    const li = '#controlli li[data-regola="D_FTE_LE_PERSONE_01"]';
    const testo = await testoDi(page, `${li} .raccolta-messaggio`);
    expect(testo.includes('Rigo D01: 1,5 FTE ma solo 1 persone'), `messaggio del controllo: «${testo}»`);
    expect((await page.locator(li).getAttribute('data-gravita')) === 'bloccante', 'il controllo non è bloccante');
    expect((await page.locator('.raccolta-nessun-controllo').isHidden()), '«Nessun controllo da segnalare» è ancora mostrato');
  });
  await passo('Maiusc+Tab torna a D01.C, «0,25», Tab: D01.P «1», i due controlli sulle persone scompaiono, la navigazione ne conta due in meno', async () => {
    await page.keyboard.press('Shift+Tab');
    await focusIs(page, idDi('D01.C'));
    await page.keyboard.type('0,25'); // il Tab ha selezionato il testo del campo: lo si sostituisce
    const r = await salvaConTasto(page, 'D01.C');
    await salvato('D01.C', r, { 'D01.P': '1', 'D99.C': '0,25', 'D99.P': '1' });
    await attendiRegola(page, 'D_FTE_LE_PERSONE_01', false);
    await attendiRegola(page, 'D_TOTALE_FTE_LE_PERSONE', false);
    await attendiRegola(page, 'D_T_CORRISPONDENZA_C', true);
    expect(conteggiD.bloccanti === bloccantiPrima + 1, `errori bloccanti del quadro D: ${conteggiD.bloccanti}, attesi ${bloccantiPrima + 1}`);
  });
  const navD = await conteggioNav(page, 'D', 'bloccanti');
  await axe(page, 'FC80U B quadro D, con valori e controlli');

  // La squadratura: Z02.A (spesa corrente BDAP della colonna A) diversa dalle spese dei quadri S e T.
  const GIUSTIFICAZIONE = 'Spese della colonna A sostenute tramite l\'unione dei comuni: non sono nei quadri S e T.';
  let z02 = '';
  let squadratureZ;
  await passo('Tab fino al quadro Z nella navigazione dei quadri, Invio', async () => {
    await tabTo(page, '.raccolta-quadri a[href$="/compila/Z"]', { max: MAX_TABS_QUADRO, indietro: true });
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(daUrlQuadro(page.url()).quadro === 'Z', `la pagina è ${page.url()}`);
  });
  await passo('Z02.A «50000», Tab: la squadratura ST_BDAP_A compare con il modulo di giustificazione', async () => {
    await tabTo(page, D('Z02.A'), { max: MAX_TABS_QUADRO });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('50000');
    const r = await salvaConTasto(page, 'Z02.A');
    expect(r.status === 200, `Z02.A: stato ${r.status} ${JSON.stringify(r.corpo).slice(0, 200)}`);
    await attendiStato(page, 'Z02.A', SALVATO);
    await attendiRegola(page, 'ST_BDAP_A', true);
    expect((await page.locator('#controlli li[data-regola="ST_BDAP_A"]').getAttribute('data-gravita')) === 'squadratura', 'ST_BDAP_A non è una squadratura');
    z02 = await valoreDi(page, 'Z02.A');
    squadratureZ = (await attendiConteggi(page, r.corpo.conteggi, 'Z')).squadrature;
    expect(squadratureZ > 0, 'la navigazione non conta la squadratura del quadro Z');
  });
  await passo('ricaricata (il pannello dei controlli viene prima dei campi), Tab fino alla giustificazione, testo, Tab e Invio su «Salva la giustificazione»: «Salvato alle …» senza ricaricare', async () => {
    await page.reload({ waitUntil: 'load' });
    await page.evaluate(() => {
      window.__raccoltaMarcatore = 'stessa-pagina';
    });
    const n = await tabTo(page, 'form[data-regola="ST_BDAP_A"] textarea', { max: MAX_TABS_QUADRO });
    console.log(`           ${n} Tab dall'inizio della pagina alla giustificazione`);
    await page.keyboard.type(GIUSTIFICAZIONE);
    await tabTo(page, 'form[data-regola="ST_BDAP_A"] button[type="submit"]');
    const [risposta] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && /\/giustificazioni$/.test(r.url()), { timeout: SAVE_TIMEOUT_MS }),
      page.keyboard.press('Enter'),
    ]);
    expect(risposta.status() === 200, `giustificazione: stato ${risposta.status()} ${oneLine(await risposta.text(), 200)}`);
    const live = 'form[data-regola="ST_BDAP_A"] .raccolta-stato';
    await attendi(page, (s) => /^Salvato alle \d/.test(document.querySelector(s)?.textContent ?? ''), live, SAVE_TIMEOUT_MS,
      async () => `la giustificazione dice «${await testoDi(page, live)}», atteso «Salvato alle …»`);
    expect((await page.locator(live).getAttribute('aria-live')) === 'polite', 'lo stato della giustificazione non è una regione live');
    const marker = await page.evaluate(() => window.__raccoltaMarcatore);
    expect(marker === 'stessa-pagina', 'la pagina è stata ricaricata');
    const dopo = await attendiConteggi(page, (await risposta.json()).conteggi, 'Z');
    expect(dopo.squadrature === squadratureZ - 1, `squadrature da giustificare nel quadro Z: ${squadratureZ} → ${dopo.squadrature}`);
  });
  await passo('ricaricata, la giustificazione è lì, con l\'autrice', async () => {
    await page.reload({ waitUntil: 'load' });
    const testo = await page.locator('form[data-regola="ST_BDAP_A"] textarea').inputValue();
    expect(testo === GIUSTIFICAZIONE, `giustificazione dopo il ricaricamento: «${testo}»`);
    const autrice = await testoDi(page, 'form[data-regola="ST_BDAP_A"] small');
    expect(autrice.includes(MARIA.nome), `«Scritta da»: «${autrice}»`);
    expect((await valoreDi(page, 'Z02.A')) === z02, `Z02.A dopo il ricaricamento: «${await valoreDi(page, 'Z02.A')}», atteso «${z02}»`);
  });
  await axe(page, 'FC80U B quadro Z, con una squadratura giustificata');
  await passo('il quadro D ricaricato ha ogni valore, i totali, nessun controllo D_FTE_LE_PERSONE_01 e lo stesso conteggio nella navigazione', async () => {
    await goto(page, url(hrefCompila({ pubblico: q.pubblico, quadro: 'D' })));
    for (const [campo, atteso] of [['D01.Q', '1'], ['D01.A', '0,5'], ['D01.B', '0,25'], ['D01.C', '0,25']]) {
      const v = await valoreDi(page, campo);
      expect(v === atteso, `${campo} vale «${v}», atteso «${atteso}»`);
    }
    for (const [campo, atteso] of [['D01.P', '1'], ['D99.A', '0,5'], ['D99.P', '1']]) {
      const t = await testoDi(page, D(campo));
      expect(t === atteso, `${campo} dice «${t}», atteso «${atteso}»`);
    }
    expect((await regolaMostrata(page, 'D_FTE_LE_PERSONE_01')) === false, 'il controllo bloccante è ancora mostrato');
    const nav = await conteggioNav(page, 'D', 'bloccanti');
    expect(nav === navD, `la navigazione dice «${nav}» dopo il ricaricamento, «${navD}» prima`);
  });
}

/** Percorso 2: JavaScript disattivato, quadro A del modulo A, «Salva il quadro». */
async function percorsoSenzaJavaScript(apri) {
  const page = await apri({ javaScript: false });
  const q = questionari.get('FC80U A');
  expect(q, 'manca il questionario FC80U A (percorso 0)');
  const pagina = url(hrefCompila({ pubblico: q.pubblico, quadro: 'A' }));
  await passo(`accesso di ${MARIA.nome} senza JavaScript`, () => accedi(page, MARIA));
  await passo('quadro A: A00 «Comune», «Salva il quadro»: «Valori salvati.» e le sezioni dei comuni compaiono', async () => {
    await goto(page, pagina);
    // Senza JavaScript le sezioni che valgono solo per i comuni si mostrano dopo il salvataggio del tipo di ente.
    expect(!(await page.locator(`#${idDi('A03')}`).isVisible()), 'A03 è visibile prima di sapere il tipo di ente');
    await page.selectOption(`#${idDi('A00')}`, 'comune');
    const response = await navigating(page, () => page.getByRole('button', { name: 'Salva il quadro', exact: true }).click());
    expect(response?.status() === 200, `stato HTTP ${response?.status()}`);
    expect((await testoDi(page, '#riepilogo')) === 'Valori salvati.', `esito: «${await testoDi(page, '#riepilogo')}»`);
    expect(await page.locator(`#${idDi('A03')}`).isVisible(), 'A03 non è visibile dopo aver salvato «Comune»');
  });
  await passo('A03 «12», A04 «7», A05 «dodici» (non un numero)', async () => {
    for (const [campo, testo] of [['A03', '12'], ['A04', '7'], ['A05', 'dodici']]) {
      const input = page.locator(`#${idDi(campo)}`);
      expect(await input.isVisible(), `${campo} non è visibile senza JavaScript`);
      await input.fill(testo);
    }
  });
  await passo('«Salva il quadro»: la pagina torna con il riepilogo degli errori, con il focus, che porta ad A05', async () => {
    const salva = page.getByRole('button', { name: 'Salva il quadro', exact: true });
    const response = await navigating(page, () => salva.click());
    expect(response?.status() === 422, `stato HTTP ${response?.status()}, atteso 422`);
    await focusIs(page, 'riepilogo-errori');
    const link = page.locator('#riepilogo-errori a');
    expect((await link.count()) === 1, `il riepilogo ha ${await link.count()} errori, atteso 1: ${await formErrors(page)}`);
    expect((await link.getAttribute('href')) === `#${idDi('A05')}`, `il riepilogo porta a ${await link.getAttribute('href')}`);
    const testo = oneLine(await link.innerText());
    expect(testo.includes('Protocolli in uscita') && testo.includes('Non è un numero'), `riepilogo: «${testo}»`);
  });
  await passo('accanto ad A05 il messaggio d\'errore, aria-invalid e il testo digitato «dodici»', async () => {
    const errore = await testoDi(page, `#${idDi('A05')}-errore`);
    expect(errore.includes('Non è un numero'), `messaggio accanto al campo: «${errore}»`);
    const input = page.locator(`#${idDi('A05')}`);
    expect((await input.inputValue()) === 'dodici', `A05 vale «${await input.inputValue()}»`);
    expect((await input.getAttribute('aria-invalid')) === 'true', 'A05 senza aria-invalid');
    const descritto = await input.getAttribute('aria-describedby');
    expect((descritto ?? '').split(' ').includes(`${idDi('A05')}-errore`), `aria-describedby di A05: «${descritto}»`);
    expect((await valoreDi(page, 'A03')) === '12' && (await valoreDi(page, 'A04')) === '7', 'i valori validi non sono tornati nella pagina');
  });
  await passo('il link del riepilogo porta il focus ad A05', async () => {
    await page.locator('#riepilogo-errori a').click();
    await focusIs(page, idDi('A05'));
  });
  await passo('ricaricata: A00, A03 e A04 sono salvati, A05 no', async () => {
    await goto(page, pagina);
    expect((await valoreDi(page, 'A00')) === 'comune', `A00 vale «${await valoreDi(page, 'A00')}»`);
    expect((await valoreDi(page, 'A03')) === '12', `A03 vale «${await valoreDi(page, 'A03')}»`);
    expect((await valoreDi(page, 'A04')) === '7', `A04 vale «${await valoreDi(page, 'A04')}»`);
    expect((await valoreDi(page, 'A05')) === '', `A05 vale «${await valoreDi(page, 'A05')}», atteso vuoto`);
  });
  await passo('A05 «3», «Salva il quadro»: «Valori salvati.» e A05 salvato', async () => {
    await page.locator(`#${idDi('A05')}`).fill('3');
    const response = await navigating(page, () => page.getByRole('button', { name: 'Salva il quadro', exact: true }).click());
    expect(response?.status() === 200, `stato HTTP ${response?.status()}`);
    const u = new URL(page.url());
    expect(u.searchParams.get('esito') === 'salvato', `la pagina è ${u.pathname}${u.search}`);
    expect(!(await formErrors(page)), `errori: ${await formErrors(page)}`);
    const esito = await testoDi(page, '#riepilogo');
    expect(esito === 'Valori salvati.', `esito: «${esito}»`);
    expect((await valoreDi(page, 'A05')) === '3', `A05 vale «${await valoreDi(page, 'A05')}»`);
  });
}

/** Percorso 3: Maria e Giulia sullo stesso quadro T del modulo B. */
async function percorsoDueBrowser(apri) {
  const q = questionari.get('FC80U B');
  expect(q, 'manca il questionario FC80U B (percorso 0)');
  const pagina = url(hrefCompila({ pubblico: q.pubblico, quadro: 'T' }));
  const p1 = await apri();
  const p2 = await apri();
  await passo(`accesso di ${MARIA.nome} e di ${GIULIA.nome} in due browser`, async () => {
    await accedi(p1, MARIA);
    await accedi(p2, GIULIA);
  });
  await passo('entrambe aprono il quadro T: ognuna vede «Anche … sta compilando questo quadro.»', async () => {
    await goto(p1, pagina);
    await goto(p2, pagina);
    for (const [p, altra] of [[p1, GIULIA], [p2, MARIA]]) {
      await attendiTesto(p, '#raccolta-presenti', `Anche ${altra.nome} sta compilando questo quadro.`, 10_000);
      expect(await p.locator('#raccolta-presenti').isVisible(), '#raccolta-presenti è nascosto');
    }
  });
  await passo(`T01.A salvato da ${MARIA.nome} arriva nella pagina di ${GIULIA.nome} entro due secondi`, async () => {
    await p1.locator(`#${idDi('T01.A')}`).focus();
    await p1.keyboard.type('1000');
    const inizio = Date.now();
    const r = await salvaConTasto(p1, 'T01.A');
    expect(r.status === 200, `salvataggio: stato ${r.status}`);
    const testo = r.corpo.attuale?.testo;
    await attendiValore(p2, 'T01.A', testo, LIVE_MS);
    const ms = Date.now() - inizio;
    console.log(`           arrivato in ${ms} ms`);
    expect(ms < LIVE_MS, `arrivato in ${ms} ms`);
    await attendiStato(p2, 'T01.A', new RegExp(`^Aggiornato da ${MARIA.nome}`));
    // Il totale di riga, calcolato dal server, è aggiornato anche nella pagina di Giulia.
    await attendiTesto(p2, `#${idDi('T01.P')}`, await testoDi(p1, `#${idDi('T01.P')}`));
  });
  let attuale;
  await passo(`conflitto: ${GIULIA.nome} è in T01.B, ${MARIA.nome} vi salva «2000»; il campo di Giulia resta com'è`, async () => {
    await p2.locator(`#${idDi('T01.B')}`).focus();
    await p1.locator(`#${idDi('T01.B')}`).focus();
    await p1.keyboard.type('2000');
    const r = await salvaConTasto(p1, 'T01.B');
    expect(r.status === 200, `salvataggio di Maria: stato ${r.status}`);
    await attendiStato(p1, 'T01.B', SALVATO);
    await sleep(LIVE_MS); // l'evento arriva, ma non tocca il campo dove Giulia sta scrivendo
    expect((await valoreDi(p2, 'T01.B')) === '', `il campo di Giulia è cambiato mentre era lì: «${await valoreDi(p2, 'T01.B')}»`);
  });
  await passo(`${GIULIA.nome} scrive «3000» ed esce dal campo: il riquadro del conflitto con il valore attuale e l'autrice`, async () => {
    await p2.keyboard.type('3000');
    const r = await salvaConTasto(p2, 'T01.B');
    expect(r.status === 409, `stato ${r.status}, atteso 409`);
    attuale = r.corpo.attuale;
    expect(attuale?.valore === '2000' && attuale.autore.includes(MARIA.nome), `valore attuale: ${JSON.stringify(attuale)}`);
    const box = `#${idDi('T01.B')}-conflitto`;
    await p2.locator(box).waitFor({ state: 'visible', timeout: SAVE_TIMEOUT_MS });
    const testo = await testoDi(p2, `${box} p`);
    const atteso = `Valore attuale: ${attuale.mostra}, salvato da ${attuale.autore} (${attuale.quando}).`;
    expect(testo === atteso, `il riquadro dice «${testo}», atteso «${atteso}»`);
    expect(testo.includes(MARIA.nome), `il riquadro non nomina ${MARIA.nome}`);
    expect((await p2.locator(box).getAttribute('role')) === 'group', 'il riquadro non è un gruppo');
    await p2.getByRole('button', { name: 'Usa il valore attuale' }).waitFor({ state: 'visible' });
  });
  await axe(p2, 'FC80U B quadro T, con il riquadro del conflitto');
  await passo('«Sovrascrivi con il mio»: salvato, e la pagina di Maria mostra «3000» entro due secondi', async () => {
    const [risposta] = await Promise.all([
      p2.waitForResponse((r) => r.request().method() === 'POST' && /\/campi$/.test(r.url()), { timeout: SAVE_TIMEOUT_MS }),
      p2.getByRole('button', { name: 'Sovrascrivi con il mio', exact: true }).click(),
    ]);
    expect(risposta.status() === 200, `stato ${risposta.status()}`);
    await attendiStato(p2, 'T01.B', SALVATO);
    expect((await p2.locator(`#${idDi('T01.B')}-conflitto`).count()) === 0, 'il riquadro del conflitto è rimasto');
    const mio = await valoreDi(p2, 'T01.B');
    const inizio = Date.now();
    await attendiValore(p1, 'T01.B', mio, LIVE_MS);
    console.log(`           arrivato a Maria in ${Date.now() - inizio} ms`);
    expect(mio.replace(/\D/g, '').startsWith('3000'), `il valore di Giulia è «${mio}»`);
  });
  await passo('un secondo conflitto, in T01.C, risolto con «Usa il valore attuale»: il campo mostra il valore di Maria, che resta sul server', async () => {
    await p2.locator(`#${idDi('T01.C')}`).focus();
    await p1.locator(`#${idDi('T01.C')}`).focus();
    await p1.keyboard.type('500');
    const r1 = await salvaConTasto(p1, 'T01.C');
    expect(r1.status === 200, `salvataggio di Maria: stato ${r1.status}`);
    await sleep(LIVE_MS);
    await p2.keyboard.type('600');
    const r2 = await salvaConTasto(p2, 'T01.C');
    expect(r2.status === 409, `stato ${r2.status}, atteso 409`);
    const box = `#${idDi('T01.C')}-conflitto`;
    await p2.locator(box).waitFor({ state: 'visible', timeout: SAVE_TIMEOUT_MS });
    let salvataggi = 0;
    const conta = (req) => { if (req.method() === 'POST' && /\/campi$/.test(req.url())) salvataggi += 1; };
    p2.on('request', conta);
    await p2.getByRole('button', { name: 'Usa il valore attuale', exact: true }).click();
    expect((await p2.locator(box).count()) === 0, 'il riquadro del conflitto è rimasto');
    expect((await valoreDi(p2, 'T01.C')) === r2.corpo.attuale.testo, `il campo dice «${await valoreDi(p2, 'T01.C')}», atteso «${r2.corpo.attuale.testo}»`);
    await sleep(500);
    p2.off('request', conta);
    expect(salvataggi === 0, `«Usa il valore attuale» ha salvato ${salvataggi} volte: non deve salvare nulla`);
    // With the current version, Giulia's next change is saved normally.
    await p2.locator(`#${idDi('T01.C')}`).fill('700');
    const r3 = await salvaConTasto(p2, 'T01.C');
    expect(r3.status === 200, `dopo «Usa il valore attuale» il salvataggio dà ${r3.status}, atteso 200`);
  });
  await passo('Giulia chiude la pagina: Maria non la vede più tra i presenti', async () => {
    await goto(p2, url('/area-riservata'));
    await attendi(p1, () => document.getElementById('raccolta-presenti')?.hidden === true, null, 10_000,
      async () => `#raccolta-presenti dice ancora «${await testoDi(p1, '#raccolta-presenti')}»`);
  });
}

/** Percorso 4: la rete cade mentre si scrive in T02.A, poi torna. */
async function percorsoRete(apri) {
  const q = questionari.get('FC80U B');
  expect(q, 'manca il questionario FC80U B (percorso 0)');
  const pagina = url(hrefCompila({ pubblico: q.pubblico, quadro: 'T' }));
  const page = await apri();
  const context = page.context();
  await passo(`accesso di ${MARIA.nome}, quadro T`, async () => {
    await accedi(page, MARIA);
    await goto(page, pagina);
  });
  await passo('rete tolta: T02.A «4321», Tab: «Non salvato…», il valore è conservato nel browser', async () => {
    await context.setOffline(true);
    await page.locator(`#${idDi('T02.A')}`).focus();
    await page.keyboard.type('4321');
    await page.keyboard.press('Tab');
    await attendiStato(page, 'T02.A', /^Non salvato: connessione assente, nuovo tentativo in corso\./);
    const conservato = await page.evaluate((p) => localStorage.getItem(`raccolta:${p}:T02.A`), q.pubblico);
    expect(conservato && JSON.parse(conservato).valore === '4321', `localStorage: ${conservato}`);
  });
  await passo('rete di nuovo: «Salvato alle …» da solo, senza toccare nulla', async () => {
    const inizio = Date.now();
    await context.setOffline(false);
    await attendiStato(page, 'T02.A', SALVATO, RETRY_TIMEOUT_MS);
    console.log(`           salvato ${Date.now() - inizio} ms dopo il ritorno della rete`);
    const conservato = await page.evaluate((p) => localStorage.getItem(`raccolta:${p}:T02.A`), q.pubblico);
    expect(conservato === null, `il valore è ancora in localStorage: ${conservato}`);
  });
  await passo('ricaricata, T02.A è sul server', async () => {
    const atteso = await valoreDi(page, 'T02.A');
    await goto(page, pagina);
    const v = await valoreDi(page, 'T02.A');
    expect(v === atteso && v.replace(/\D/g, '').startsWith('4321'), `T02.A vale «${v}», atteso «${atteso}»`);
  });
}

/**
 * Prepara nel modulo della pagina (senza script) un valore che il server rifiuterà: «abc» nel primo campo numerico
 * visibile; in un quadro senza campi numerici, un conflitto: il primo campo di testo è salvato da un'altra scheda
 * (una richiesta di salvataggio automatico fatta dalla pagina) dopo che la pagina è stata mostrata, e il modulo ne
 * porta un altro valore.
 */
async function rendiErrato(page, pubblico) {
  const numero = page.locator('#modulo-quadro input[type="text"][inputmode="decimal"]:visible').first();
  if ((await numero.count()) === 1) {
    await numero.fill('abc');
    return;
  }
  const testo = page.locator('#modulo-quadro input[type="text"]:visible, #modulo-quadro textarea:visible').first();
  expect((await testo.count()) === 1, 'nessun campo di testo o numerico visibile');
  const stato = await testo.evaluate(async (el, p) => {
    const f = document.getElementById('modulo-quadro');
    const r = await fetch(`/questionari/${p}/campi`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': f.dataset.csrf },
      body: JSON.stringify({ campo: el.name, valore: `Altra scheda ${Date.now()}`, versione: Number(el.dataset.versione || 0) }),
      credentials: 'same-origin',
    });
    return r.status;
  }, pubblico);
  expect(stato === 200, `il salvataggio dall'altra scheda ha stato ${stato}`);
  await testo.fill(`Questa scheda ${Date.now()}`);
}

/** Percorso 5: i quadri con errori (il modulo senza script) e in sola lettura, in italiano e in inglese. */
async function percorsoErroriESolaLettura(apri) {
  const conErrori = await apri({ senzaScript: true });
  const lettore = await apri();
  await passo(`accesso di ${MARIA.nome} (file JavaScript del sito vuoti) e di ${CARLO.nome} (Consultazione)`, async () => {
    await accedi(conErrori, MARIA);
    await accedi(lettore, CARLO);
  });
  for (const lang of ['it', 'en']) {
    if (lang === 'en') {
      await passo('il link ENG nelle due pagine', async () => {
        for (const p of [conErrori, lettore]) {
          await navigating(p, () => p.locator('header a[hreflang="en"]').click());
          expect((await p.evaluate(() => document.documentElement.lang)) === 'en', 'la pagina non è in inglese');
        }
      });
    }
    await passo(`l'elenco dei Questionari di ${CARLO.nome}: solo «Visualizza» [${lang}]`, async () => {
      await goto(lettore, url('/questionari'));
      const compila = await lettore.locator('main a[href^="/enti/"][href*="/questionari/"]:not([href$="?vista=1"])').count();
      expect(compila === 0, `${compila} link «Compila» per chi è in Consultazione`);
    });
    await axe(lettore, `Questionari in sola lettura [${lang}]`, lang);
    for (const q of questionari.values()) {
      for (const quadro of q.quadri) {
        const nome = `${chiaveModulo(q)} quadro ${quadro}`;
        if (inMatrice('errori', lang, q, quadro)) {
          await passo(`${nome} con un valore non valido, «Salva il quadro» senza script: riepilogo degli errori con il focus [${lang}]`, async () => {
            await goto(conErrori, url(hrefCompila({ pubblico: q.pubblico, quadro })));
            await rendiErrato(conErrori, q.pubblico);
            const response = await navigating(conErrori, () => conErrori.locator('#modulo-quadro > button[type="submit"]').click());
            expect(response?.status() === 422, `stato HTTP ${response?.status()}, atteso 422`);
            await focusIs(conErrori, 'riepilogo-errori');
          });
          await axe(conErrori, `${nome}, con errori [${lang}]`, lang);
        }
        if (inMatrice('sola-lettura', lang, q, quadro)) {
          await passo(`${nome} in sola lettura per ${CARLO.nome}: nessun campo da compilare [${lang}]`, async () => {
            await goto(lettore, url(hrefCompila({ pubblico: q.pubblico, quadro })));
            const n = await lettore.locator('#modulo-quadro input[type="text"], #modulo-quadro select, #modulo-quadro textarea').count();
            expect(n === 0, `${n} campi modificabili in sola lettura`);
          });
          await axe(lettore, `${nome}, sola lettura [${lang}]`, lang);
        }
      }
    }
    await passo(`la storia di D01.C [${lang}]`, async () => {
      const q = questionari.get('FC80U B');
      await goto(lettore, url(`/questionari/${q.pubblico}/storia/D01.C`));
      const righe = await lettore.locator('main tbody tr').count();
      expect(righe >= 2, `la storia ha ${righe} righe, attese almeno 2 (0,75 e 0,25)`);
    });
    await axe(lettore, `storia di D01.C [${lang}]`, lang);
  }
}

/** Documenti lists version `v` of `pubblico` with its two PDFs (once the job has made them), and both download. */
async function pdfScaricati(page, pubblico, v) {
  const href = `/questionari/${pubblico}/invii/${v}/questionario.pdf`;
  const inizio = Date.now();
  for (;;) {
    await goto(page, url('/documenti'));
    if ((await page.locator(`main a[href="${href}"]`).count()) === 1) break;
    expect(Date.now() - inizio < 60_000, `Documenti non elenca il PDF della versione ${v}: ${oneLine(await mainText(page))}`);
    await page.waitForTimeout(500);
  }
  for (const file of ['questionario.pdf', 'ricevuta.pdf']) {
    const r = await page.request.get(url(`/questionari/${pubblico}/invii/${v}/${file}`));
    expect(r.status() === 200, `${file} v${v}: stato ${r.status()}`);
    expect(r.headers()['content-type'] === 'application/pdf', `${file} v${v}: tipo ${r.headers()['content-type']}`);
    const corpo = await r.body();
    expect(corpo.subarray(0, 5).toString() === '%PDF-', `${file} v${v} non è un PDF`);
  }
}

/** Percorso 6: l'invio di una scheda completa con la tastiera, la ricevuta e la sua verifica pubblica, i PDF da
 * Documenti, la riapertura approvata, un secondo invio e le due versioni scaricabili. */
async function percorsoInvio(apri) {
  const pubblico = process.env.INVIO_PUBBLICO;
  expect(pubblico, 'INVIO_PUBBLICO non impostato: il test Rust prepara la scheda da inviare');
  const page = await apri();
  await passo(`accesso di ${IVO.nome}`, () => accedi(page, IVO));
  await passo('«Invia il questionario» dalla pagina di compilazione, con la tastiera', async () => {
    await goto(page, url(`/questionari/${pubblico}/compila/Q1`));
    await tabTo(page, `a[href="/questionari/${pubblico}/invio"]`, { max: MAX_TABS_QUADRO });
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname === `/questionari/${pubblico}/invio`, `la pagina è ${page.url()}`);
    const testo = await mainText(page);
    expect(/Niente: tutti i campi obbligatori/.test(testo), `il Riepilogo non dice che nulla blocca: ${oneLine(testo)}`);
    expect(/non potrai più modificare il questionario/.test(testo), 'manca l\'avvertenza prima della conferma');
  });
  await axe(page, 'Riepilogo invio, inviabile [it]');
  let ricevuta = '';
  await passo('conferma con Invio sul pulsante: la ricevuta con il numero di protocollo', async () => {
    await tabTo(page, `form[action="/questionari/${pubblico}/invio"] button[type="submit"]`);
    await navigating(page, () => page.keyboard.press('Enter'));
    const u = new URL(page.url());
    expect(u.pathname === `/questionari/${pubblico}/invii/1`, `dopo la conferma la pagina è ${page.url()}`);
    const testo = await mainText(page);
    expect(/Questionario inviato/.test(testo), `manca l'esito: ${oneLine(testo)}`);
    expect(/MONITORAGGIO-2023-\d{6}/.test(testo), `manca il numero di protocollo: ${oneLine(testo)}`);
    ricevuta = u.pathname;
  });
  await axe(page, 'Ricevuta di invio [it]');
  await passo('«verifica questa ricevuta» porta alla pagina pubblica, che la riconosce', async () => {
    await tabTo(page, 'main a[href^="/verifica?"]');
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname === '/verifica', `la pagina è ${page.url()}`);
    const testo = await mainText(page);
    expect(/La ricevuta corrisponde a un invio/.test(testo), `verifica non riuscita: ${oneLine(testo)}`);
    expect(/Comune di Bologna/.test(testo), 'la verifica non nomina l\'ente');
  });
  await axe(page, 'Verifica ricevuta, valida [it]');
  await passo('un\'impronta sbagliata non corrisponde a nessuna ricevuta', async () => {
    const u = new URL(page.url());
    const giusta = u.searchParams.get('sha256') ?? '';
    u.searchParams.set('sha256', (giusta[0] === '0' ? '1' : '0') + giusta.slice(1));
    await goto(page, u.href);
    expect(/Nessuna ricevuta corrisponde/.test(await mainText(page)), 'un\'impronta sbagliata è stata accettata');
  });
  await axe(page, 'Verifica ricevuta, nessuna [it]');
  await passo('Documenti: il PDF del questionario e della ricevuta della versione 1, scaricati', async () => {
    await pdfScaricati(page, pubblico, 1);
  });
  await axe(page, 'Documenti, con un invio [it]');
  await passo('ENG: la ricevuta e la verifica in inglese', async () => {
    await goto(page, url(ricevuta));
    await navigating(page, () => page.locator('header a[hreflang="en"]').click());
    expect((await page.evaluate(() => document.documentElement.lang)) === 'en', 'la pagina non è in inglese');
    expect(/Submission receipt/.test(await mainText(page)), 'la ricevuta non è in inglese');
  });
  await axe(page, 'Ricevuta di invio [en]', 'en');
  await goto(page, url('/verifica'));
  await axe(page, 'Verifica ricevuta, vuota [en]', 'en');
  await passo('ITA, poi «Chiedi la riapertura» dalla ricevuta, con la tastiera', async () => {
    await goto(page, url(ricevuta));
    await navigating(page, () => page.locator('header a[hreflang="it"]').click());
    await tabTo(page, `main a[href="/questionari/${pubblico}/riapertura"]`);
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname === `/questionari/${pubblico}/riapertura`, `la pagina è ${page.url()}`);
  });
  await axe(page, 'Richiesta di riapertura [it]');
  await passo('una motivazione troppo corta torna con il suo errore, poi la richiesta parte', async () => {
    await tabTo(page, '#motivazione');
    await page.keyboard.type('corta');
    await tabTo(page, 'form[action$="/riapertura"] button[type="submit"]');
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(/da 10 a 2000 caratteri/.test(await formErrors(page)), `errore atteso, riepilogo: ${await formErrors(page)}`);
    await page.fill('#motivazione', 'Il numero degli studenti trasportati va corretto.');
    await tabTo(page, 'form[action$="/riapertura"] button[type="submit"]');
    await navigating(page, () => page.keyboard.press('Enter'));
    const u = new URL(page.url());
    expect(u.pathname === '/richieste-apertura', `dopo la richiesta la pagina è ${page.url()}`);
    expect(/In attesa/.test(await mainText(page)), 'la richiesta non è in elenco «In attesa»');
  });
  await axe(page, 'Richieste Apertura, in attesa [it]');
  const anna = await apri();
  await passo(`${ANNA.nome} approva la richiesta da Gestione, con la tastiera`, async () => {
    await accedi(anna, ANNA, { seleziona: false });
    await goto(anna, url('/gestione/riaperture'));
    expect(/Il numero degli studenti trasportati va corretto/.test(await mainText(anna)), 'la richiesta non è in Gestione');
    await tabTo(anna, 'main button[name="decisione"][value="approva"]', { max: MAX_TABS });
    await navigating(anna, () => anna.keyboard.press('Enter'));
    expect(/il questionario è riaperto/.test(await mainText(anna)), `esito atteso: ${oneLine(await mainText(anna))}`);
  });
  await axe(anna, 'Gestione: richieste di riapertura [it]');
  await passo('la scheda riaperta è di nuovo compilabile', async () => {
    await goto(page, url(`/questionari/${pubblico}/compila/Q1`));
    expect((await page.locator('input[name="Q1_01.D"]').count()) === 1, 'nessun campo compilabile dopo la riapertura');
    await goto(page, url('/richieste-apertura'));
    expect(/Approvata/.test(await mainText(page)), 'la richiesta non risulta approvata');
  });
  await axe(page, 'Richieste Apertura, approvata [it]');
  await passo('«Cosa è cambiato dall\'ultimo invio» dopo una modifica della scheda riaperta', async () => {
    await goto(page, url(`/questionari/${pubblico}/compila/Q1`));
    await page.fill('input[name="Q1_01.D"]', '4');
    await page.keyboard.press('Tab');
    await attendiStato(page, 'Q1_01.D', /Salvato/);
    await navigating(page, () => page.locator(`a[href="/questionari/${pubblico}/differenze"]`).click());
    const testo = await mainText(page);
    expect(/Q1_01\.D/.test(testo) && /Ivo Prova/.test(testo), `la modifica non è elencata: ${oneLine(testo)}`);
  });
  await axe(page, 'Differenze dall\'ultimo invio [it]');
  await passo('secondo invio con la tastiera: versione 2, con le sue differenze', async () => {
    // Four students in 2023 and four transported: the coverage stays whole, so no squadratura to justify.
    await goto(page, url(`/questionari/${pubblico}/compila/Q1`));
    await page.fill('input[name="Q1_01.E"]', '4');
    await page.keyboard.press('Tab');
    await attendiStato(page, 'Q1_01.E', /Salvato/);
    await goto(page, url(`/questionari/${pubblico}/invio`));
    expect(/Niente: tutti i campi obbligatori/.test(await mainText(page)), `il secondo invio è bloccato: ${oneLine(await mainText(page))}`);
    await tabTo(page, `form[action="/questionari/${pubblico}/invio"] button[type="submit"]`);
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname === `/questionari/${pubblico}/invii/2`, `dopo il secondo invio la pagina è ${page.url()}`);
    await goto(page, url(`/questionari/${pubblico}/invii/2/differenze`));
    expect(/Q1_01\.D/.test(await mainText(page)), 'le differenze della versione 2 non elencano Q1_01.D');
  });
  await axe(page, 'Differenze della versione 2 [it]');
  await passo('Documenti: le due versioni, ciascuna con i suoi PDF', async () => {
    await pdfScaricati(page, pubblico, 2);
    await pdfScaricati(page, pubblico, 1);
  });
  const fc80u = questionari.get('FC80U B');
  if (fc80u) {
    const maria = await apri();
    await passo(`il Riepilogo invio di FC80U B di ${MARIA.nome} elenca cosa blocca, senza conferma`, async () => {
      await accedi(maria, MARIA);
      await goto(maria, url(`/questionari/${fc80u.pubblico}/invio`));
      const testo = await mainText(maria);
      expect(/Per inviare il questionario correggi questi punti/.test(testo), `nessun blocco elencato: ${oneLine(testo)}`);
      expect((await maria.locator('input[name="chiave"]').count()) === 0, 'la conferma c\'è anche con i blocchi');
    });
    await axe(maria, 'Riepilogo invio, con blocchi [it]');
  }
}

// ---------------------------------------------------------------------------------------------------------------

const { base } = parseArgs(process.argv.slice(2));

if (!existsSync(CHROMIUM)) {
  console.error(`Chromium non trovato (${CHROMIUM}): apt-get install -y chromium chromium-driver`);
  process.exit(2);
}

const require = createRequire(import.meta.url);
let chromium;
let axeSource;
try {
  ({ chromium } = require('playwright-core'));
  axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) {
  console.error(`dipendenze mancanti (playwright-core, axe-core: npm ci nella radice del repository): ${e.message}`);
  process.exit(2);
}

try {
  await fetch(base, { redirect: 'manual', signal: AbortSignal.timeout(NAV_TIMEOUT_MS) });
} catch (e) {
  console.error(`server non raggiungibile a ${base.href}: ${oneLine(e.cause?.message ?? e.message)}`);
  process.exit(2);
}

let browser;
let exitCode = 0;
const inizio = Date.now();
try {
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    console.error(`Chromium non avviabile (${CHROMIUM}): ${oneLine(e.message, 600)}`);
    exitCode = 2;
  }
  if (browser) {
    console.log(`Compilazione dei questionari su ${base.origin}${AXE_COMPLETO ? ' (axe-core su tutta la matrice)' : ''}`);
    await percorso('0. axe-core sui Questionari e su ogni quadro vuoto, in italiano e in inglese', percorsoVuoti);
    const pronti = questionari.size === MODULI.length;
    const seguenti = [
      ['1. Solo tastiera, JavaScript attivo: quadro D e quadro Z di FC80U B', percorsoTastiera],
      ['2. JavaScript disattivato: quadro A di FC80U A', percorsoSenzaJavaScript],
      ['3. Due browser sullo stesso quadro', percorsoDueBrowser],
      ['4. Rete interrotta mentre si scrive', percorsoRete],
      ['5. axe-core sui quadri con errori e in sola lettura, in italiano e in inglese', percorsoErroriESolaLettura],
      ['6. Invio con la tastiera, ricevuta e verifica pubblica', percorsoInvio],
    ];
    for (const [titolo, fn] of seguenti) {
      if (pronti || titolo.startsWith('1.')) {
        await percorso(titolo, fn);
      } else {
        console.log(`\n${titolo}`);
        fallito('percorso non eseguito: mancano i questionari del percorso 0');
      }
    }
    console.log(
      `\naxe: ${axeStats.pages} pagine controllate in ${(axeStats.ms / 1000).toFixed(1)} s, ${axeStats.violations} violazioni` +
        (axeStats.incomplete ? ` (${axeStats.incomplete} risultati da verificare a mano, non bloccanti)` : ''),
    );
    console.log(`percorsi: ${passed} passi riusciti, ${failures} falliti, in ${((Date.now() - inizio) / 1000).toFixed(1)} s`);
    exitCode = failures > 0 ? 1 : 0;
  }
} catch (e) {
  console.error(`errore inatteso: ${e?.stack ?? e}`);
  exitCode = 2;
} finally {
  if (browser) await browser.close().catch(() => {});
}
await new Promise((resolve) => process.stdout.write('', resolve)); // il resoconto, tutto, prima di uscire
process.exit(exitCode);
