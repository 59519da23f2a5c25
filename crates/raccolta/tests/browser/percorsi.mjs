// Percorsi degli account in un Chromium vero (headless): registrazione, conferma per e-mail, accesso con la sola
// tastiera, controlli del captcha, modifica della password, registrazione di una società.
//
//   node crates/raccolta/tests/browser/percorsi.mjs BASE_URL MAIL_DIR
//   es.: node crates/raccolta/tests/browser/percorsi.mjs http://127.0.0.1:18555 /tmp/raccolta-dati/mail
//
// Il server deve essere avviato con:
//   - RACCOLTA_CAPTCHA_TEST_ANSWER=PROVA7 (il captcha accetta esattamente "PROVA7");
//   - nessuna RACCOLTA_SMTP_URL e RACCOLTA_DATA_DIR=<dir>: ogni e-mail è scritta come file `.eml` in <dir>/mail,
//     che è MAIL_DIR. Lo script legge le e-mail da lì (intestazioni, oggetto RFC 2047, parte text/plain in
//     quoted-printable o base64) e ne segue i link, come farebbe un utente.
//
// Percorsi:
//   a. registrazione di una Persona Fisica, invio del modulo con Invio, e-mail "quasi completata", conferma,
//      Codice identificativo utente sulla pagina e nella seconda e-mail;
//   b. accesso con la sola tastiera (Tab fino a ogni campo, Invio), area riservata, uscita con "Esci";
//   c. "Rigenera Captcha" senza ricaricare la pagina, "Genera Audio" aperto con la tastiera;
//   d. "Modifica Password" per e-mail, accesso con la nuova password, rifiuto della vecchia;
//   e. registrazione di una Società e accesso con l'indirizzo e-mail come nome utente;
//   f. axe-core (WCAG 2.0/2.1/2.2 A e AA) su ogni pagina distinta raggiunta: nessuna violazione ammessa.
// Stampa "OK …" o "FALLITO …" per ogni passo. Esce con 0 se tutto è in regola, 1 se qualcosa è fallito, 2 per
// errori d'uso o di ambiente.
//
// Usa solo il Chromium di Debian (`apt-get install -y chromium chromium-driver`), mai un browser scaricato.

import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

// ---------------------------------------------------------------------------------------------------------------

const CAPTCHA = 'PROVA7';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const NAV_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 30_000; // un passo intero: navigazioni, attese, axe.run
const MAIL_TIMEOUT_MS = 15_000; // le e-mail arrivano entro circa un secondo
const MAIL_POLL_MS = 100;
const MAX_TABS = 40; // Tab al massimo per raggiungere un campo dal precedente
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

// Gli utenti dei percorsi. Le passphrase non contengono i dati personali (il sito le rifiuterebbe).
const PERSONA = {
  nome: 'Mario',
  cognome: 'Rossi',
  codiceFiscale: 'RSSMRA85T10A562S',
  email: 'mario.rossi@posta.example',
  password: 'girasole obliquo mangia tre lanterne',
  nuovaPassword: 'quattro nuvole cantano sotto il ponte',
};
const SOCIETA = {
  denominazione: 'Consulenze Contabili S.r.l.',
  partitaIva: '00743110157',
  email: 'amministrazione@studio-contabile.example',
  nome: 'Giulia',
  cognome: 'Bianchi',
  password: 'ventagli azzurri dormono in soffitta',
};

const OGGETTO_QUASI = 'La registrazione sul portale Raccolta dati è quasi completata';
const OGGETTO_COMPLETATA = 'La registrazione sul portale Raccolta dati è completata';
const OGGETTO_RESET = 'È stata effettuata una richiesta di modifica della password';

// ---------------------------------------------------------------------------------------------------------------

function usage(message) {
  if (message) console.error(`errore: ${message}`);
  console.error('uso: node crates/raccolta/tests/browser/percorsi.mjs BASE_URL MAIL_DIR');
  process.exit(2);
}

function parseArgs(argv) {
  if (argv.includes('-h') || argv.includes('--help')) usage();
  const [baseArg, mailArg, ...rest] = argv;
  if (!baseArg) usage('manca BASE_URL');
  if (!mailArg) usage('manca MAIL_DIR (la cartella dove il server scrive le e-mail .eml)');
  if (rest.length > 0) usage(`argomenti in più: ${rest.join(' ')}`);
  let url;
  try {
    url = new URL(baseArg);
  } catch {
    usage(`BASE_URL non valido: ${baseArg}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') usage(`BASE_URL deve essere http:// o https://: ${baseArg}`);
  return { base: url, mailDir: path.resolve(mailArg) };
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

// ---------------------------------------------------------------------------------------------------------------
// Lettura delle e-mail (.eml scritti dal server)
// ---------------------------------------------------------------------------------------------------------------

/** Intestazioni e corpo di un messaggio (o di una parte MIME), il testo letto come latin1: un carattere per byte. */
function splitHeaders(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map();
  // Righe ripiegate (RFC 5322 §2.2.3): una riga che comincia con spazio continua la precedente.
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    // Un'intestazione può avere UTF-8 grezzo (RFC 6532): i byte letti come latin1 tornano testo UTF-8.
    if (!headers.has(name)) headers.set(name, Buffer.from(line.slice(i + 1).trim(), 'latin1').toString('utf8'));
  }
  return { headers, body };
}

/** Un parametro di un'intestazione (`boundary`, `charset`), tra virgolette o no. */
function headerParam(value, name) {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function decodeBytes(bytes, charset) {
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Quoted-printable (RFC 2045 §6.7) → byte; `q` è la variante "Q" delle encoded-word (RFC 2047 §4.2). */
function decodeQuotedPrintable(text, { q = false } = {}) {
  const t = q ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, ''); // interruzioni di riga "morbide"
  const bytes = [];
  for (let i = 0; i < t.length; i++) {
    const hex = t.slice(i + 1, i + 3);
    if (t[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(t.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/**
 * Decodifica le encoded-word RFC 2047 (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`). Lo spazio tra due encoded-word vicine non
 * conta; i byte di parole vicine con lo stesso charset sono uniti prima della decodifica (un carattere UTF-8 può
 * essere spezzato tra due parole).
 */
function decodeEncodedWords(value) {
  const re = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  let out = '';
  let last = 0;
  let pending = null; // { charset, chunks: Buffer[] }
  const flush = () => {
    if (pending) out += decodeBytes(Buffer.concat(pending.chunks), pending.charset);
    pending = null;
  };
  let m;
  while ((m = re.exec(value)) !== null) {
    const between = value.slice(last, m.index);
    if (!(pending && /^\s*$/.test(between))) {
      flush();
      out += between;
    }
    const charset = m[1].split('*')[0].toLowerCase(); // RFC 2231: "UTF-8*it"
    const bytes = m[2].toUpperCase() === 'B' ? Buffer.from(m[3], 'base64') : decodeQuotedPrintable(m[3], { q: true });
    if (pending && pending.charset !== charset) flush();
    if (!pending) pending = { charset, chunks: [] };
    pending.chunks.push(bytes);
    last = re.lastIndex;
  }
  flush();
  return out + value.slice(last);
}

/** Il corpo di una parte, secondo il suo Content-Transfer-Encoding, come testo nel suo charset. */
function decodePartBody(headers, body) {
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const charset = headerParam(headers.get('content-type'), 'charset') ?? 'utf-8';
  let bytes;
  if (cte === 'base64') bytes = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else bytes = Buffer.from(body, 'latin1');
  return decodeBytes(bytes, charset).replace(/\r\n/g, '\n');
}

/** La prima parte text/plain, cercando anche nelle parti multipart annidate. */
function findTextPlain(headers, body) {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = headerParam(headers.get('content-type'), 'boundary');
    if (!boundary) return undefined;
    const delimiter = `--${boundary}`;
    const pieces = body.split(delimiter);
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith('--')) break; // delimitatore finale
      // La riga del delimitatore finisce con CRLF; il CRLF prima del delimitatore successivo gli appartiene.
      const part = piece.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '');
      const inner = splitHeaders(part);
      const text = findTextPlain(inner.headers, inner.body);
      if (text !== undefined) return text;
    }
    return undefined;
  }
  if (type.startsWith('text/plain')) return decodePartBody(headers, body);
  return undefined;
}

/** Un messaggio .eml: { file, headers, to: [indirizzi], subject, text, links }. */
function parseEml(file, raw) {
  const { headers, body } = splitHeaders(raw);
  const subject = decodeEncodedWords(headers.get('subject') ?? '');
  const toHeader = decodeEncodedWords(headers.get('to') ?? '');
  const to = [...toHeader.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)].map((m) => m[0].toLowerCase());
  // As a person reads it: the zero-width spaces that keep typed names from becoming links are invisible.
  const text = (findTextPlain(headers, body) ?? '').replaceAll('\u200B', '');
  const links = [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0].replace(/[.,;:!?)>'"]+$/, ''));
  return { file, headers, to, subject, text, links };
}

/** I messaggi già restituiti da waitForMail: ognuno è "nuovo" una volta sola. */
const consumedMail = new Set();

/** Ordine dei file `<aaaammgg>T<hhmmss>Z-<id>.eml`: per data, poi per id numerico. */
function emlOrder(a, b) {
  const key = (f) => {
    const m = /^(.*)-(\d+)\.eml$/.exec(f);
    return m ? [m[1], Number(m[2])] : [f, 0];
  };
  const [ta, ia] = key(a);
  const [tb, ib] = key(b);
  return ta < tb ? -1 : ta > tb ? 1 : ia - ib;
}

/**
 * Aspetta nella cartella `dir` il primo messaggio nuovo (mai restituito prima) per cui `predicate(msg)` è vero,
 * controllando ogni 100 ms; lo restituisce già decodificato. Dopo `timeoutMs` fallisce dicendo cosa c'era.
 */
async function waitForMail(dir, predicate, timeoutMs = MAIL_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  const parsed = new Map(); // file → messaggio (un .eml è scritto a parte e rinominato: mai letto a metà)
  for (;;) {
    let files = [];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort(emlOrder);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e; // la cartella nasce con la prima e-mail
    }
    for (const f of files) {
      if (consumedMail.has(f)) continue;
      let msg = parsed.get(f);
      if (!msg) {
        msg = parseEml(f, await readFile(path.join(dir, f), 'latin1'));
        parsed.set(f, msg);
      }
      if (predicate(msg)) {
        consumedMail.add(f);
        return msg;
      }
    }
    if (Date.now() >= deadline) {
      const seen = [...parsed.values()]
        .filter((m) => !consumedMail.has(m.file))
        .map((m) => `«${m.subject}» a ${m.to.join(', ')}`);
      throw new Error(
        `nessuna e-mail attesa in ${dir} entro ${timeoutMs / 1000} s` +
          (seen.length ? ` (nuove ma diverse: ${seen.join('; ')})` : ' (nessuna e-mail nuova)'),
      );
    }
    await sleep(MAIL_POLL_MS);
  }
}

const mailFor = (email, subject) => (m) => m.to.includes(email.toLowerCase()) && m.subject === subject;

function linkIn(msg, pathPrefix) {
  const link = msg.links.find((l) => {
    try {
      const u = new URL(l);
      return `${u.pathname}${u.search}`.startsWith(pathPrefix);
    } catch {
      return false;
    }
  });
  if (!link) throw new Error(`nell'e-mail «${msg.subject}» manca il link ${pathPrefix}… (link: ${msg.links.join(' ') || 'nessuno'})`);
  const u = new URL(link);
  if (u.origin !== base.origin) throw new Error(`il link ${link} non porta a questo server (${base.origin})`);
  return link;
}

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
 * Un percorso in un contesto nuovo (cookie e sessione propri), con la CSP ignorata perché axe si possa iniettare.
 * Errori JavaScript, errori in console e risorse con errore sono raccolti e contano come un passo fallito.
 */
async function percorso(titolo, fn) {
  console.log(`\n${titolo}`);
  const context = await browser.newContext({ bypassCSP: true, locale: 'it-IT' });
  context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  context.setDefaultTimeout(NAV_TIMEOUT_MS);
  await context.addCookies([{ name: 'lang', value: 'it', url: `${base.origin}/` }]);
  const problems = [];
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`eccezione JavaScript: ${oneLine(err.message)}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || /^Failed to load resource\b/.test(msg.text())) return; // già visto da `response`
    problems.push(`errore in console: ${oneLine(msg.text())}`);
  });
  page.on('response', (res) => {
    // The one page the journey asks for on purpose and expects to be missing, and a refused form shown back with
    // its errors (422), which the journey submits on purpose too.
    const attesa =
      (res.status() === 404 && new URL(res.url()).pathname === PAGINA_INESISTENTE) ||
      (res.status() === 422 && res.request().method() === 'POST' && res.request().resourceType() === 'document');
    if (res.status() >= 400 && !attesa) problems.push(`risposta con errore: ${res.request().method()} ${res.url()} → ${res.status()}`);
  });
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '?';
    if (why === 'net::ERR_ABORTED') return; // una risorsa lasciata a metà da una navigazione
    problems.push(`richiesta fallita: ${req.method()} ${req.url()} (${why})`);
  });
  let result;
  try {
    result = await fn(page, context);
  } catch (e) {
    if (e instanceof PercorsoInterrotto) console.log('  …        percorso interrotto');
    else fallito(`errore inatteso nel percorso: ${oneLine(e?.stack ?? e, 800)}`);
  } finally {
    if (problems.length === 0) {
      passed += 1;
      console.log('  OK       nessun errore JavaScript, in console o di rete');
    } else {
      for (const p of [...new Set(problems)]) fallito(p);
    }
    await context.close().catch(() => {});
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// axe-core
// ---------------------------------------------------------------------------------------------------------------

/** A path that does not exist: its 404 is the expected answer, not an error of the journey. */
const PAGINA_INESISTENTE = '/pagina-che-non-esiste';

const axeChecked = new Set();

/** axe-core sulla pagina corrente, una volta per ogni pagina distinta (`nome`): nessuna violazione ammessa. */
async function axe(page, nome) {
  if (axeChecked.has(nome)) return;
  axeChecked.add(nome);
  await passo(`axe-core: ${nome} (${new URL(page.url()).pathname})`, async () => {
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    await page.addScriptTag({ content: axeSource });
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
    // A field's label that Bootstrap Italia lifts above its box must not be drawn over the heading, legend or
    // paragraph before it (axe sees no overlap: each text stays readable to it).
    const overlaps = await page.evaluate(() => {
      const visible = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      };
      const labels = [...document.querySelectorAll('.form-group > label, .select-wrapper > label')].filter(visible);
      const texts = [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6, main legend, main p')]
        .filter(visible);
      // The boxes of the glyphs, not of the elements: a label's 2.5rem line box may touch a paragraph's margin
      // without any letter being covered.
      const glyphs = (el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return range.getBoundingClientRect();
      };
      const out = [];
      for (const label of labels) {
        const a = glyphs(label);
        for (const t of texts) {
          if (t.contains(label) || label.contains(t) || label.parentElement.contains(t)) continue;
          const b = glyphs(t);
          const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (dx > 1 && dy > 1) out.push(`"${label.textContent.trim()}" sopra "${t.textContent.trim().slice(0, 60)}"`);
        }
      }
      return out;
    });
    if (overlaps.length > 0) throw new Error(`etichette disegnate sopra altro testo: ${overlaps.join(' | ')}`);
    axeStats.pages += 1;
    axeStats.violations += found.violations.length;
    axeStats.incomplete += found.incomplete.length;
    if (found.violations.length > 0) {
      const detail = found.violations
        .map((v) => `${v.id} [${v.impact ?? '?'}] ${v.help} (${v.count} elementi: ${v.nodes.map((n) => oneLine(n, 160)).join(' | ')})`)
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

const axeStats = { pages: 0, violations: 0, incomplete: 0 };

// ---------------------------------------------------------------------------------------------------------------
// Aiuti per le pagine
// ---------------------------------------------------------------------------------------------------------------

const url = (p) => new URL(p, base).href;

async function goto(page, target) {
  const response = await page.goto(target, { waitUntil: 'load' });
  expect(response, `nessuna risposta da ${target}`);
  expect(response.status() === 200, `${target} → stato HTTP ${response.status()}, atteso 200`);
  return response;
}

/** Esegue `action` e aspetta la navigazione che provoca (invio di un modulo, un link). */
async function navigating(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return response;
}

async function h1(page) {
  return (await page.locator('h1').first().textContent())?.trim() ?? '';
}

async function expectH1(page, atteso) {
  const testo = await h1(page);
  expect(testo === atteso, `titolo h1 «${testo}», atteso «${atteso}» (pagina ${page.url()})`);
}

async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/** Il riepilogo degli errori di un modulo, se c'è (per spiegare un invio rifiutato). */
async function formErrors(page) {
  const box = page.locator('#riepilogo-errori');
  return (await box.count()) > 0 ? oneLine(await box.innerText()) : '';
}

async function describeFocus(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`;
  });
}

/** Preme Tab finché il focus arriva all'elemento con id `id`; fallisce dopo MAX_TABS tasti. Restituisce i Tab usati. */
async function tabTo(page, id) {
  const visited = [];
  for (let n = 1; n <= MAX_TABS; n++) {
    await page.keyboard.press('Tab');
    const active = await page.evaluate(() => document.activeElement?.id ?? '');
    if (active === id) return n;
    visited.push(await describeFocus(page));
  }
  throw new Error(`#${id} non raggiungibile con ${MAX_TABS} Tab (percorso del focus: ${visited.slice(0, 25).join(' → ')}…)`);
}

/** Invia un modulo con la tastiera: focus sul pulsante di invio, Invio. */
async function submitWithKeyboard(page, buttonLocator) {
  await buttonLocator.focus();
  return navigating(page, () => page.keyboard.press('Enter'));
}

/** Accesso compilando il modulo (non è il percorso da tastiera, che è il percorso b). */
async function login(page, nomeUtente, password) {
  await goto(page, url('/accesso'));
  await page.fill('#nome_utente', nomeUtente);
  await page.fill('#password', password);
  await page.fill('#captcha', CAPTCHA);
  await submitWithKeyboard(page, page.locator('form.raccolta-modulo button[type="submit"]'));
}

async function expectReservedArea(page, nomeVisualizzato) {
  const u = new URL(page.url());
  expect(u.pathname === '/area-riservata', `dopo l'accesso la pagina è ${u.pathname}${u.search}, attesa /area-riservata${await formErrors(page) ? ` (errori: ${await formErrors(page)})` : ''}`);
  const text = await mainText(page);
  expect(text.includes('Benvenuto'), `manca «Benvenuto» nell'area riservata: «${oneLine(text, 200)}»`);
  if (nomeVisualizzato) expect(text.includes(nomeVisualizzato), `manca il nome «${nomeVisualizzato}» nell'area riservata`);
  expect(text.includes('Nessun ente associato'), `manca «Nessun ente associato» nell'area riservata`);
}

/** "Esci" nell'intestazione, con la tastiera: focus sul pulsante, Invio; si arriva a /accesso?uscito=1. */
async function logoutWithKeyboard(page) {
  const esci = page.locator('header form[action="/esci"] button[type="submit"]');
  expect((await esci.count()) === 1, 'manca il pulsante «Esci» nell\'intestazione');
  const label = (await esci.innerText()).trim();
  expect(label === 'Esci', `il pulsante di uscita dice «${label}», atteso «Esci»`);
  await submitWithKeyboard(page, esci);
  const u = new URL(page.url());
  expect(`${u.pathname}${u.search}` === '/accesso?uscito=1', `dopo «Esci» la pagina è ${u.pathname}${u.search}, attesa /accesso?uscito=1`);
  const text = await mainText(page);
  expect(text.includes("Sei uscito dall'area riservata"), 'manca l\'avviso «Sei uscito dall\'area riservata»');
}

/**
 * Registrazione completa per e-mail: il modulo compilato da `fill`, l'invio con Invio, la pagina "Controlla la tua
 * casella di posta", l'e-mail "quasi completata", la conferma, il codice utente e l'e-mail "completata".
 * Restituisce il Codice identificativo utente.
 */
async function register(page, { tipo, etichetta, email, password, fill, nomeMail }) {
  await passo('/registrazione: la scelta del tipo di utente', async () => {
    await goto(page, url('/registrazione'));
    await expectH1(page, 'Registrazione Nuovo Utente');
  });
  await axe(page, 'scelta del tipo di utente');
  await passo(`il link «${etichetta}» porta al modulo`, async () => {
    const link = page.getByRole('link', { name: etichetta, exact: true });
    await navigating(page, () => link.click());
    const u = new URL(page.url());
    expect(u.pathname === '/registrazione' && u.searchParams.get('tipo') === tipo, `il link porta a ${u.pathname}${u.search}`);
    await expectH1(page, `Registrazione Nuovo Utente: ${etichetta}`);
  });
  await axe(page, `modulo di registrazione (${etichetta})`);
  await passo('modulo compilato e inviato con Invio sul pulsante: «Controlla la tua casella di posta»', async () => {
    await fill();
    await page.fill('#password', password);
    await page.fill('#conferma_password', password);
    // La casella è quella di Bootstrap Italia (input trasparente sotto il disegno dell'etichetta): con la tastiera,
    // come farebbe chi non usa il mouse, focus e Spazio.
    const privacy = page.locator('#privacy');
    await privacy.focus();
    await page.keyboard.press('Space');
    expect(await privacy.isChecked(), 'la casella dell\'informativa privacy non si spunta con Spazio');
    await page.locator('#captcha').pressSequentially(CAPTCHA);
    const response = await submitWithKeyboard(page, page.locator('form.raccolta-modulo button[type="submit"]'));
    expect(response?.status() === 200, `stato HTTP ${response?.status()}`);
    const errori = await formErrors(page);
    expect(!errori, `il modulo è tornato con errori: ${errori}`);
    await expectH1(page, 'Controlla la tua casella di posta');
    expect((await mainText(page)).includes(email), `la pagina non mostra l'indirizzo ${email}`);
  });
  await axe(page, 'registrazione inviata');
  const quasi = await passo(`e-mail «${OGGETTO_QUASI}» a ${email}`, async () => {
    const msg = await waitForMail(mailDir, mailFor(email, OGGETTO_QUASI));
    expect(msg.text.includes(`Gentile ${nomeMail},`), `l'e-mail non saluta «Gentile ${nomeMail},»: «${oneLine(msg.text, 200)}»`);
    return msg;
  }, MAIL_TIMEOUT_MS + 5_000);
  await passo('il link dell\'e-mail apre «Conferma la registrazione»', async () => {
    await goto(page, linkIn(quasi, '/registrazione/conferma?token='));
    await expectH1(page, 'Conferma la registrazione');
  });
  await axe(page, 'conferma della registrazione');
  const codice = await passo('«Conferma»: «La registrazione è completata» con il Codice identificativo utente', async () => {
    const conferma = page.getByRole('button', { name: 'Conferma', exact: true });
    const response = await navigating(page, () => conferma.click());
    expect(response?.status() === 200, `stato HTTP ${response?.status()}`);
    await expectH1(page, 'La registrazione è completata');
    const c = ((await page.locator('#codice-utente').textContent()) ?? '').trim();
    expect(/^[A-Z0-9]{4,}$/.test(c), `codice utente non valido: «${c}»`);
    expect((await mainText(page)).includes(email), `la pagina non mostra l'indirizzo ${email}`);
    return c;
  });
  console.log(`           codice utente: ${codice}`);
  await axe(page, 'registrazione completata');
  await passo(`e-mail «${OGGETTO_COMPLETATA}» con il codice ${codice}`, async () => {
    const msg = await waitForMail(mailDir, mailFor(email, OGGETTO_COMPLETATA));
    expect(msg.text.includes(codice), `l'e-mail non contiene il codice ${codice}: «${oneLine(msg.text, 300)}»`);
    expect(msg.text.includes(email), `l'e-mail non contiene l'indirizzo ${email}`);
  }, MAIL_TIMEOUT_MS + 5_000);
  return codice;
}

// ---------------------------------------------------------------------------------------------------------------
// I percorsi
// ---------------------------------------------------------------------------------------------------------------

async function percorsoPersonaFisica(page) {
  return register(page, {
    tipo: 'persona_fisica',
    etichetta: 'Persona Fisica',
    email: PERSONA.email,
    password: PERSONA.password,
    nomeMail: `${PERSONA.nome} ${PERSONA.cognome}`,
    fill: async () => {
      await page.fill('#nome', PERSONA.nome);
      await page.fill('#cognome', PERSONA.cognome);
      await page.fill('#codice_fiscale', PERSONA.codiceFiscale);
      await page.fill('#email', PERSONA.email);
    },
  });
}

async function percorsoAccessoTastiera(page, codice) {
  await passo('/accesso: la pagina di accesso', async () => {
    await goto(page, url('/accesso'));
    await expectH1(page, "Accedi all'area riservata");
  });
  await axe(page, 'accesso');
  await passo('/accesso ricaricata: Tab fino a Nome utente, Password e captcha, Invio', async () => {
    await goto(page, url('/accesso')); // da capo: il focus parte dall'inizio della pagina
    const n1 = await tabTo(page, 'nome_utente');
    await page.keyboard.type(codice);
    const n2 = await tabTo(page, 'password');
    await page.keyboard.type(PERSONA.password);
    const n3 = await tabTo(page, 'captcha');
    await page.keyboard.type(CAPTCHA);
    console.log(`           Tab: ${n1} fino a Nome utente, ${n2} fino a Password, ${n3} fino al captcha`);
    const response = await navigating(page, () => page.keyboard.press('Enter'));
    expect(response?.status() === 200, `stato HTTP ${response?.status()}`);
  });
  await passo('area riservata: «Benvenuto», «Nessun ente associato»', async () => {
    await expectReservedArea(page, `${PERSONA.nome} ${PERSONA.cognome}`);
    const mostrato = (await mainText(page)).includes(codice);
    expect(mostrato, `l'area riservata non mostra il codice ${codice}`);
  });
  await axe(page, 'area riservata');
  await passo('/profilo: i dati, la password, l\'e-mail e le sessioni', async () => {
    await goto(page, url('/profilo'));
    await expectH1(page, 'Profilo');
  });
  await axe(page, 'profilo');
  await passo('una pagina che non esiste tiene l\'intestazione di chi ha fatto l\'accesso', async () => {
    const response = await page.goto(url(PAGINA_INESISTENTE), { waitUntil: 'load' });
    expect(response?.status() === 404, `stato HTTP ${response?.status()}`);
    const esci = await page.locator('header button:has-text("Esci"), header a:has-text("Esci")').count();
    expect(esci > 0, 'la pagina 404 mostra l\'intestazione di chi non ha fatto l\'accesso');
  });
  await axe(page, 'pagina inesistente (con accesso)');
  await goto(page, url('/area-riservata'));
  await passo('«Esci» con la tastiera: /accesso?uscito=1', () => logoutWithKeyboard(page));
  await axe(page, 'accesso dopo l\'uscita');
  await passo('dopo l\'uscita l\'area riservata chiede di nuovo l\'accesso', async () => {
    await page.goto(url('/area-riservata'), { waitUntil: 'load' });
    const u = new URL(page.url());
    expect(u.pathname === '/accesso', `/area-riservata porta a ${u.pathname}${u.search}, attesa /accesso`);
  });
}

async function percorsoCaptcha(page) {
  await passo('«Rigenera Captcha» cambia l\'immagine senza ricaricare la pagina e tiene il Nome utente', async () => {
    await goto(page, url('/accesso'));
    await page.evaluate(() => {
      window.__raccoltaMarcatore = 'stessa-pagina';
    });
    let navigations = 0;
    const onNav = (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    };
    page.on('framenavigated', onNav);
    try {
      await page.locator('#nome_utente').pressSequentially('utente.di.prova');
      await page.locator('#captcha').pressSequentially('XYZ');
      const img = page.locator('#captcha-immagine');
      const before = await img.getAttribute('src');
      const audioBefore = await page.locator('#captcha-audio').getAttribute('src');
      const rigenera = page.getByRole('link', { name: 'Rigenera Captcha', exact: true });
      await rigenera.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((prev) => document.getElementById('captcha-immagine')?.getAttribute('src') !== prev, before, { timeout: 10_000 });
      const after = await img.getAttribute('src');
      await page.waitForFunction(() => {
        const i = document.getElementById('captcha-immagine');
        return i && i.complete && i.naturalWidth > 0;
      }, null, { timeout: 10_000 });
      const facts = await page.evaluate(() => ({
        marker: window.__raccoltaMarcatore,
        navEntries: performance.getEntriesByType('navigation').length,
        navType: performance.getEntriesByType('navigation')[0]?.type,
        nome: document.getElementById('nome_utente').value,
        captcha: document.getElementById('captcha').value,
        audio: document.getElementById('captcha-audio').getAttribute('src'),
        scarica: document.getElementById('captcha-scarica').getAttribute('href'),
        annuncio: document.getElementById('captcha-annuncio')?.textContent ?? '',
      }));
      expect(after && after !== before, `l'immagine non è cambiata (${before} → ${after})`);
      expect(facts.marker === 'stessa-pagina' && navigations === 0 && facts.navEntries === 1 && facts.navType === 'navigate',
        `la pagina è stata ricaricata (marcatore ${facts.marker ?? 'perso'}, navigazioni ${navigations}, tipo ${facts.navType})`);
      expect(facts.nome === 'utente.di.prova', `il Nome utente non è stato tenuto: «${facts.nome}»`);
      expect(facts.audio && facts.audio !== audioBefore, 'l\'audio non è stato aggiornato con il nuovo captcha');
      const chiave = new URL(after, base).searchParams.get('c');
      expect(new URL(facts.audio, base).searchParams.get('c') === chiave, 'audio e immagine non sono dello stesso captcha');
      expect(new URL(facts.scarica, base).searchParams.get('c') === chiave, 'il link per scaricare non è del nuovo captcha');
      expect(facts.captcha === '', `il vecchio testo del captcha è rimasto: «${facts.captcha}»`);
      expect(facts.annuncio.trim() !== '', 'nessun annuncio del nuovo captcha per i lettori di schermo');
    } finally {
      page.off('framenavigated', onNav);
    }
  });
  await passo('«Genera Audio» aperto con la tastiera: <audio controls> senza autoplay, audio/wav, link per scaricare', async () => {
    const summary = page.locator('#captcha-audio-box > summary');
    const label = ((await summary.textContent()) ?? '').trim();
    expect(label === 'Genera Audio', `il sommario dice «${label}», atteso «Genera Audio»`);
    const audio = page.locator('#captcha-audio');
    expect(!(await audio.isVisible()), 'il lettore audio è visibile prima di aprire «Genera Audio»');
    await summary.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('captcha-audio-box')?.open === true, null, { timeout: 5_000 });
    expect(await audio.isVisible(), 'il lettore audio non è visibile dopo Invio su «Genera Audio»');
    const attrs = await audio.evaluate((a) => ({
      controls: a.hasAttribute('controls'),
      autoplay: a.hasAttribute('autoplay') || a.autoplay,
      src: a.currentSrc || a.getAttribute('src'),
      paused: a.paused,
    }));
    expect(attrs.controls, '<audio> senza l\'attributo controls');
    expect(!attrs.autoplay, '<audio> con autoplay');
    expect(attrs.paused, 'l\'audio parte da solo');
    const got = await page.evaluate(async (src) => {
      const r = await fetch(src, { credentials: 'same-origin' });
      const buf = await r.arrayBuffer();
      const head = String.fromCharCode(...new Uint8Array(buf.slice(0, 12)));
      return { status: r.status, type: r.headers.get('content-type'), size: buf.byteLength, head };
    }, attrs.src);
    expect(got.status === 200, `l'audio ${attrs.src} → stato ${got.status}`);
    expect((got.type ?? '').split(';')[0].trim() === 'audio/wav', `l'audio ha Content-Type ${got.type}, atteso audio/wav`);
    expect(got.head.startsWith('RIFF') && got.head.slice(8, 12) === 'WAVE', `l'audio non è un file WAV (${JSON.stringify(got.head)})`);
    const scarica = page.locator('#captcha-scarica');
    expect(await scarica.isVisible(), 'il link per scaricare l\'audio non è visibile');
    const href = await scarica.getAttribute('href');
    const dl = await page.evaluate(async (h) => {
      const r = await fetch(h, { credentials: 'same-origin' });
      await r.arrayBuffer();
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition') };
    }, href);
    expect(dl.status === 200, `il link per scaricare (${href}) → stato ${dl.status}`);
    expect((dl.type ?? '').startsWith('audio/wav'), `il link per scaricare ha Content-Type ${dl.type}`);
    console.log(`           audio: ${got.size} byte; download: ${dl.disposition ?? '(senza Content-Disposition)'}`);
  });
}

async function percorsoModificaPassword(page, codice) {
  await passo('/password: la richiesta di modifica', async () => {
    await goto(page, url('/password'));
    await expectH1(page, 'Modifica Password');
  });
  await axe(page, 'richiesta di modifica della password');
  await passo('e-mail e captcha inviati con Invio sul pulsante: richiesta accettata', async () => {
    await page.fill('#email', PERSONA.email);
    await page.locator('#captcha').pressSequentially(CAPTCHA);
    const response = await submitWithKeyboard(page, page.locator('form.raccolta-modulo button[type="submit"]'));
    expect(response?.status() === 200, `stato HTTP ${response?.status()}`);
    const errori = await formErrors(page);
    expect(!errori, `il modulo è tornato con errori: ${errori}`);
    expect((await mainText(page)).includes('riceverai a breve un\'e-mail'), 'manca il messaggio di richiesta inviata');
  });
  await axe(page, 'richiesta di modifica inviata');
  const mail = await passo(`e-mail «${OGGETTO_RESET}»`, () => waitForMail(mailDir, mailFor(PERSONA.email, OGGETTO_RESET)), MAIL_TIMEOUT_MS + 5_000);
  await passo('il link dell\'e-mail apre «Scegli una nuova password»', async () => {
    await goto(page, linkIn(mail, '/password/nuova?token='));
    await expectH1(page, 'Scegli una nuova password');
  });
  await axe(page, 'nuova password');
  await passo('nuova passphrase due volte, «Conferma»: «Password modificata»', async () => {
    await page.fill('#password', PERSONA.nuovaPassword);
    await page.fill('#conferma_password', PERSONA.nuovaPassword);
    const conferma = page.getByRole('button', { name: 'Conferma', exact: true });
    const response = await navigating(page, () => conferma.click());
    expect(response?.status() === 200, `stato HTTP ${response?.status()}`);
    const errori = await formErrors(page);
    expect(!errori, `il modulo è tornato con errori: ${errori}`);
    await expectH1(page, 'Password modificata');
  });
  await axe(page, 'password modificata');
  await passo('accesso con la nuova password', async () => {
    await login(page, codice, PERSONA.nuovaPassword);
    await expectReservedArea(page, `${PERSONA.nome} ${PERSONA.cognome}`);
    await logoutWithKeyboard(page);
  });
  await passo('la vecchia password dà «Credenziali non valide»', async () => {
    await login(page, codice, PERSONA.password);
    const u = new URL(page.url());
    expect(u.pathname === '/accesso', `con la vecchia password la pagina è ${u.pathname}, attesa /accesso`);
    const errori = await formErrors(page);
    expect(errori.includes('Credenziali non valide'), `manca «Credenziali non valide» (errori: «${errori}»)`);
  });
  await axe(page, 'accesso con credenziali non valide');
}

async function percorsoSocieta(page) {
  const codice = await register(page, {
    tipo: 'societa',
    etichetta: 'Società',
    email: SOCIETA.email,
    password: SOCIETA.password,
    nomeMail: SOCIETA.denominazione,
    fill: async () => {
      await page.fill('#denominazione', SOCIETA.denominazione);
      await page.fill('#codice_fiscale', SOCIETA.partitaIva);
      await page.fill('#email', SOCIETA.email);
      await page.fill('#nome', SOCIETA.nome);
      await page.fill('#cognome', SOCIETA.cognome);
    },
  });
  await passo('accesso con l\'indirizzo e-mail come nome utente', async () => {
    await login(page, SOCIETA.email, SOCIETA.password);
    await expectReservedArea(page, SOCIETA.denominazione);
    expect((await mainText(page)).includes(codice), `l'area riservata non mostra il codice ${codice}`);
    await logoutWithKeyboard(page);
  });
}

// ---------------------------------------------------------------------------------------------------------------

const { base, mailDir } = parseArgs(process.argv.slice(2));

if (!existsSync(CHROMIUM)) {
  console.error(`Chromium non trovato (${CHROMIUM}): apt-get install -y chromium chromium-driver`);
  process.exit(2);
}


// ---------------------------------------------------------------------------------------------------------------
// f. Enti: richiesta, approvazione, rifiuto, selezione, gestione (utenti creati dal test: ENTIU001, ENTIU002,
//    ENTIR001 responsabile del Comune di Bologna, ENTIA001 amministratore; password ENTI_PASSWORD).
// ---------------------------------------------------------------------------------------------------------------

const ENTI_PASSWORD = 'girasole obliquo mangia tre lanterne';

async function chiediBologna(page, modalitaId) {
  await goto(page, url('/enti/aggiungi'));
  await axe(page, 'Aggiungi nuovo ente');
  await page.locator('#q').focus();
  await page.keyboard.type('bologna');
  await page.locator('#q-opzioni li[role="option"]').first().waitFor({ state: 'visible' });
  await page.keyboard.press('ArrowDown');
  const attiva = await page.locator('#q').getAttribute('aria-activedescendant');
  expect(attiva === 'q-opzione-0', `aria-activedescendant «${attiva}», atteso q-opzione-0`);
  await page.keyboard.press('Enter');
  expect(await page.locator('#ente-scelte input[type="radio"]:checked').count() === 1, 'l\'ente scelto non è tra i pulsanti della richiesta');
  await page.locator(`#${modalitaId}`).focus();
  await page.keyboard.press('Space');
  await submitWithKeyboard(page, page.locator('#richiesta-ente button[type="submit"]'));
}

async function percorsoEntiRichiesta(page) {
  await login(page, 'ENTIU001', ENTI_PASSWORD);
  await passo('area riservata senza enti', async () => expect((await mainText(page)).includes('Nessun ente associato'), 'manca «Nessun ente associato»'));
  await axe(page, 'Area riservata (nessun ente)');
  await passo('richiesta Compilazione sul Comune di Bologna con l\'autocompletamento, da tastiera', () => chiediBologna(page, 'modalita-compilazione'));
  await passo('la richiesta è in attesa di approvazione', async () => {
    const text = await mainText(page);
    expect(text.includes('In attesa di approvazione') && text.includes('Comune di Bologna'), `area riservata: «${oneLine(text, 300)}»`);
  });
  await axe(page, 'Area riservata (richiesta in attesa)');
  await passo('una seconda richiesta è rifiutata con un messaggio', async () => {
    await goto(page, url('/enti/aggiungi?q=bologna'));
    await page.locator('#ente-scelte label').first().click();
    await page.locator('label[for="modalita-consultazione"]').click();
    await submitWithKeyboard(page, page.locator('#richiesta-ente button[type="submit"]'));
    expect((await formErrors(page)).includes('Hai già una richiesta'), `errori: ${await formErrors(page)}`);
  });
  await axe(page, 'Aggiungi nuovo ente (errore)');
}

async function percorsoEntiSecondaRichiesta(page) {
  await login(page, 'ENTIU002', ENTI_PASSWORD);
  await passo('seconda utente chiede Consultazione', () => chiediBologna(page, 'modalita-consultazione'));
}

async function percorsoEntiResponsabile(page) {
  await login(page, 'ENTIR001', ENTI_PASSWORD);
  await passo('il responsabile apre le richieste dell\'ente dall\'area riservata', async () => {
    await navigating(page, () => page.locator('main a[href$="/associazioni"]').first().click());
    expect((await mainText(page)).includes('Richieste in attesa'), 'manca «Richieste in attesa»');
  });
  await axe(page, 'Richieste e associazioni (in attesa)');
  await passo('rifiuta la seconda richiesta con un motivo, da tastiera', async () => {
    const riga = page.locator('tr', { hasText: 'ENTIU002' });
    await riga.locator('input[name="motivo"]').focus();
    await page.keyboard.type('Non risulta dipendente');
    await submitWithKeyboard(page, riga.locator('form[action$="/rifiuta"] button'));
    expect((await mainText(page)).includes('Richiesta rifiutata'), 'manca l\'esito del rifiuto');
  });
  await passo('approva la prima, da tastiera', async () => {
    await submitWithKeyboard(page, page.locator('tr', { hasText: 'ENTIU001' }).locator('form[action$="/approva"] button'));
    expect((await mainText(page)).includes('Richiesta approvata'), 'manca l\'esito dell\'approvazione');
  });
  await axe(page, 'Richieste e associazioni (attive)');
}

async function percorsoEntiSelezione(page) {
  await login(page, 'ENTIU001', ENTI_PASSWORD);
  await passo('la campanella conta una notifica', async () => {
    const n = (await page.locator('#notifiche-non-lette').innerText()).trim();
    expect(n === '1', `notifiche non lette: ${n}`);
  });
  await passo('la notifica dice che la richiesta è approvata', async () => {
    await navigating(page, () => page.locator('a.raccolta-campanella').click());
    expect((await mainText(page)).includes('è stata approvata: modalità Compilazione'), 'manca la notifica di approvazione');
  });
  await axe(page, 'Notifiche');
  await passo('seleziona l\'ente da tastiera e l\'intestazione lo mostra', async () => {
    await goto(page, url('/area-riservata'));
    await submitWithKeyboard(page, page.locator('main form[action$="/seleziona"] button'));
    const header = (await page.locator('header').innerText()).replace(/\s+/g, ' ');
    expect(header.includes('Ente selezionato: Comune di Bologna (Compilazione)'), `intestazione: «${oneLine(header, 300)}»`);
  });
  await axe(page, 'Scheda ente (compilazione)');
}

async function percorsoEntiRifiutata(page) {
  await login(page, 'ENTIU002', ENTI_PASSWORD);
  await passo('la richiesta rifiutata mostra il motivo', async () => {
    const text = await mainText(page);
    expect(text.includes('Rifiutata') && text.includes('Non risulta dipendente'), `area riservata: «${oneLine(text, 300)}»`);
  });
  await axe(page, 'Area riservata (richiesta rifiutata)');
}

async function percorsoEntiGestione(page) {
  await login(page, 'ENTIA001', ENTI_PASSWORD);
  for (const [path, nome] of [['/gestione', 'Gestione'], ['/gestione/enti?q=bologna', 'Gestione enti'], ['/gestione/richieste', 'Gestione richieste'], ['/gestione/audit', 'Registro di audit'], ['/gestione/audit?cosa=accesso.&dal=ieri', 'Registro di audit, filtrato, con una data non valida'], ['/gestione/campagne', 'Campagne'], ['/gestione/monitoraggio', 'Monitoraggio'], ['/gestione/utenti', 'Utenti'], ['/gestione/esportazioni', 'Esportazioni'], ['/gestione/utenti?q=nessuno-cosi', 'Utenti, nessun risultato']]) {
    await passo(`apre ${path}`, () => goto(page, url(path)));
    await axe(page, nome);
  }
  await passo('apre la scheda di gestione del Comune di Bologna', async () => {
    await goto(page, url('/gestione/enti?q=bologna'));
    await navigating(page, () => page.locator('main td a').first().click());
    expect((await mainText(page)).includes('ENTIR001'), 'manca il responsabile');
  });
  await axe(page, 'Gestione ente');
  await percorsoCampagne(page);
}

/** Un amministratore chiude e riapre una campagna con la tastiera, filtra il monitoraggio ed esporta il CSV. */
async function percorsoCampagne(page) {
  const sezione = page.locator('#campagna-monitoraggio-2023');
  const statoDa = async (tasto) => {
    await goto(page, url('/gestione/campagne'));
    await sezione.locator('select[name="stato"]').focus();
    await page.keyboard.press(tasto);
    await submitWithKeyboard(page, sezione.locator('button[type="submit"]'));
  };
  await passo('chiude la campagna dei monitoraggi con la tastiera', async () => {
    await statoDa('ArrowDown');
    expect((await mainText(page)).includes('Campagna aggiornata.'), 'manca l\'esito');
    const testo = (await sezione.innerText()).replace(/\s+/g, ' ');
    expect(testo.includes('Chiusa') && testo.includes('Ultima modifica di'), `la campagna: «${oneLine(testo, 300)}»`);
  });
  await axe(page, 'Campagne (dopo una modifica)');
  await passo('la campagna chiusa ha la sua pagina di open data, con il CSV', async () => {
    await goto(page, url('/open-data'));
    await axe(page, 'Open data (elenco)');
    await navigating(page, () => page.locator('main a[href="/open-data/monitoraggio-2023"]').click());
    const testo = await mainText(page);
    expect(testo.includes('CC BY 4.0') && testo.includes('Trasporto'), `open data: «${oneLine(testo, 300)}»`);
    const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
    expect(ld['dcat:dataset']?.length > 0, 'il JSON-LD non descrive nessun dataset');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main a[href$="/trasporto.csv"]').click()]);
    const righe = readFileSync(await download.path(), 'utf8').slice(1).trim().split(/\r?\n/);
    expect(righe[0].startsWith('codice_ipa;ente;versione;protocollo;'), `intestazione: ${righe[0]}`);
  });
  await axe(page, 'Open data di una campagna chiusa');
  await passo('la pagina iniziale non la elenca più, l\'archivio sì', async () => {
    await goto(page, url('/'));
    expect(!(await mainText(page)).includes('Relazione consuntiva, annualità 2023'), 'è ancora tra le campagne aperte');
    await goto(page, url('/archivio'));
    expect((await mainText(page)).includes('Relazione consuntiva, annualità 2023'), 'non è nell\'archivio');
  });
  await passo('la riapre con la tastiera', async () => {
    await statoDa('ArrowUp');
    expect((await sezione.innerText()).includes('Aperta'), 'non è riaperta');
    await goto(page, url('/'));
    expect((await mainText(page)).includes('Relazione consuntiva, annualità 2023'), 'non è tornata sulla pagina iniziale');
  });
  await passo('filtra il monitoraggio per tipo di ente, con la tastiera', async () => {
    await goto(page, url('/gestione/monitoraggio?campagna=fc80u-2022'));
    await page.locator('#tipo').focus();
    await page.locator('#tipo').selectOption('comune');
    await submitWithKeyboard(page, page.locator('main form[role="search"] button[type="submit"]'));
    expect(new URL(page.url()).searchParams.get('tipo') === 'comune', `indirizzo: ${page.url()}`);
    const testo = await mainText(page);
    expect(/\d+ questionari trovati|Un questionario trovato/.test(testo), `monitoraggio: «${oneLine(testo, 300)}»`);
  });
  await passo('apre i dati dei due grafici', async () => {
    for (const s of await page.locator('main details summary').all()) await s.click();
  });
  await axe(page, 'Monitoraggio, filtrato, con i dati dei grafici');
  await passo('prepara un promemoria agli enti del filtro, con la tastiera', async () => {
    await submitWithKeyboard(page, page.locator('main a[href^="/gestione/monitoraggio/promemoria"]'));
    const testo = await mainText(page);
    expect(/riceverà il promemoria|riceveranno il promemoria/.test(testo) && testo.includes('Oggetto:'), `anteprima: «${oneLine(testo, 400)}»`);
  });
  await axe(page, 'Promemoria (anteprima)');
  await passo('invia il promemoria', async () => {
    await submitWithKeyboard(page, page.locator('main form[action="/gestione/monitoraggio/promemoria"] button'));
    const testo = await mainText(page);
    expect(/Promemoria accodat[oi] per (un ente|[1-9]\d* enti)/.test(testo), `esito: «${oneLine(testo, 400)}»`);
  });
  await axe(page, 'Promemoria (accodati)');
  await passo('torna al monitoraggio filtrato', async () => {
    await navigating(page, () => page.locator('main a', { hasText: 'Torna al monitoraggio' }).click());
    expect(new URL(page.url()).searchParams.get('tipo') === 'comune', `indirizzo: ${page.url()}`);
  });
  await passo('esporta il CSV del filtro e lo apre', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main a[href^="/gestione/monitoraggio.csv"]').click()]);
    const contenuto = readFileSync(await download.path());
    expect(contenuto.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'manca il BOM');
    const righe = contenuto.toString('utf8').slice(1).trim().split(/\r?\n/);
    expect(righe[0].startsWith('Codice IPA;Ente;'), `intestazione: ${righe[0]}`);
    expect(download.suggestedFilename() === 'monitoraggio-fc80u-2022.csv', `nome: ${download.suggestedFilename()}`);
  });
  await passo('scarica il codebook di FC80U B dalle Esportazioni, con la tastiera', async () => {
    await goto(page, url('/gestione/esportazioni'));
    await page.locator('#modulo').selectOption('fc80u-2022/B');
    await page.locator('#formato-codebook').focus();
    await page.keyboard.press('Space');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main form button[value="scarica"]').press('Enter')]);
    const righe = readFileSync(await download.path(), 'utf8').slice(1).trim().split(/\r?\n/);
    expect(righe[0].startsWith('campo;etichetta_it;etichetta_en;'), `intestazione: ${righe[0]}`);
    expect(righe.length > 1000, `righe del codebook: ${righe.length}`);
  });
  await passo('prepara l\'XLSX di FC80U B in background, ne segue l\'avanzamento e lo scarica', async () => {
    await goto(page, url('/gestione/esportazioni'));
    await page.locator('#modulo').selectOption('fc80u-2022/B');
    await page.locator('#formato-xlsx').focus();
    await page.keyboard.press('Space');
    await submitWithKeyboard(page, page.locator('main form button[value="prepara"]'));
    await expectH1(page, 'Esportazione preparata');
    await axe(page, 'Esportazione preparata (in corso)');
    await page.locator('#esportazione-file').waitFor({ state: 'visible', timeout: 30000 });
    expect((await page.locator('#esportazione-testo').innerText()).includes('Pronta'), 'l\'avanzamento non dice «Pronta»');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#esportazione-file a').click()]);
    const zip = readFileSync(await download.path());
    expect(zip.subarray(0, 2).toString() === 'PK', 'il file scaricato non è un XLSX');
    expect(download.suggestedFilename() === 'fc80u-2022-b-inviati-larga.xlsx', `nome: ${download.suggestedFilename()}`);
  });
  await axe(page, 'Esportazione preparata (pronta)');
  await passo('cerca un utente e lo disattiva, con la tastiera', async () => {
    await goto(page, url('/gestione/utenti?q=ENTIU002'));
    expect((await mainText(page)).includes('Un utente trovato.'), `ricerca: «${oneLine(await mainText(page), 300)}»`);
    await submitWithKeyboard(page, page.locator('main tbody a').first());
    await submitWithKeyboard(page, page.locator('main form[action$="/disattiva"] button'));
    const testo = await mainText(page);
    expect(testo.includes('Account disattivato') && (await page.locator('#stato-utente').innerText()).includes('Disattivato'), `utente: «${oneLine(testo, 300)}»`);
  });
  await axe(page, 'Utente (disattivato)');
  await passo('lo riattiva', async () => {
    await submitWithKeyboard(page, page.locator('main form[action$="/riattiva"] button'));
    expect((await page.locator('#stato-utente').innerText()).includes('Attivo'), 'non è riattivato');
  });
}

// ---------------------------------------------------------------------------------------------------------------
// g. Assistenza: ENTIA001 nomina ENTIS001 supporto; ENTIU001 apre una richiesta con un allegato, ENTIS001 risponde;
//    ENTIU001 legge la risposta e chiude la richiesta. Tutto con la tastiera.
// ---------------------------------------------------------------------------------------------------------------

const OGGETTO_ASSISTENZA = 'Il totale del personale non torna';
const PDF_ASSISTENZA = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function percorsoAssistenzaUtente(page) {
  await login(page, 'ENTIU001', ENTI_PASSWORD);
  await passo('apre Assistenza dal menu laterale', async () => {
    await goto(page, url('/area-riservata'));
    await submitWithKeyboard(page, page.locator('nav.raccolta-menu-area a[href="/assistenza"]'));
    await expectH1(page, 'Assistenza');
    expect((await mainText(page)).includes('Nessuna richiesta.'), 'manca «Nessuna richiesta.»');
  });
  await axe(page, 'Assistenza (nessuna richiesta)');
  await passo('un modulo vuoto è rifiutato con il riepilogo degli errori', async () => {
    await submitWithKeyboard(page, page.locator('main a[href="/assistenza/nuova"]'));
    await axe(page, 'Nuova richiesta di assistenza');
    await submitWithKeyboard(page, page.locator('main form button[type="submit"]'));
    const errori = await formErrors(page);
    expect(errori.includes('Scrivi un oggetto') && errori.includes('Scegli la categoria'), `errori: ${errori}`);
  });
  await axe(page, 'Nuova richiesta di assistenza (errori)');
  await passo('compila la richiesta con la tastiera, allega un PDF e la invia', async () => {
    await page.locator('#oggetto').focus();
    await page.keyboard.type(OGGETTO_ASSISTENZA);
    await page.locator('#categoria').focus();
    await page.locator('#categoria').selectOption('compilazione');
    const ente = await page.locator('#ente option:checked').innerText();
    expect(ente.includes('Bologna'), `l'ente proposto è «${ente}», atteso l'ente selezionato`);
    await page.locator('#testo').focus();
    await page.keyboard.type('Nella tabella del personale la somma delle righe non è uguale al totale.');
    await page.locator('#allegati').setInputFiles({ name: 'schermata.pdf', mimeType: 'application/pdf', buffer: PDF_ASSISTENZA });
    await submitWithKeyboard(page, page.locator('main form button[type="submit"]'));
    const testo = await mainText(page);
    expect(testo.includes('Richiesta inviata.') && testo.includes('schermata.pdf') && testo.includes('Aperta'), `richiesta: «${oneLine(testo, 400)}»`);
  });
  await axe(page, 'Richiesta di assistenza (aperta)');
}

async function percorsoAssistenzaNomina(page) {
  await login(page, 'ENTIA001', ENTI_PASSWORD);
  await passo('nomina ENTIS001 supporto di Assistenza, con la tastiera', async () => {
    await goto(page, url('/gestione/utenti?q=ENTIS001'));
    await submitWithKeyboard(page, page.locator('main tbody a').first());
    await submitWithKeyboard(page, page.locator('main form[action$="/supporto"] button'));
    const testo = await mainText(page);
    expect(testo.includes('ora fa parte del supporto') && testo.includes('Supporto (Assistenza)'), `utente: «${oneLine(testo, 300)}»`);
  });
}

async function percorsoAssistenzaSupporto(page) {
  await login(page, 'ENTIS001', ENTI_PASSWORD);
  await passo('la campanella segnala la nuova richiesta', async () => {
    await navigating(page, () => page.locator('a.raccolta-campanella').click());
    expect((await mainText(page)).includes('Nuova richiesta di assistenza n.'), 'manca la notifica della richiesta');
  });
  await passo('filtra le richieste aperte e apre quella nuova', async () => {
    await goto(page, url('/assistenza'));
    await page.locator('#stato').selectOption('aperta');
    await submitWithKeyboard(page, page.locator('main form[role="search"] button[type="submit"]'));
    expect(new URL(page.url()).searchParams.get('stato') === 'aperta', `indirizzo: ${page.url()}`);
    await axe(page, 'Assistenza (supporto, filtrata)');
    await submitWithKeyboard(page, page.locator('main tbody a', { hasText: OGGETTO_ASSISTENZA }));
    await expectH1(page, `N. 1 ${OGGETTO_ASSISTENZA}`);
  });
  await passo('scarica l\'allegato ed è il PDF inviato', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main a[href*="/allegati/"]').first().click()]);
    expect(readFileSync(await download.path()).equals(PDF_ASSISTENZA), 'l\'allegato scaricato è diverso');
    expect(download.suggestedFilename() === 'schermata.pdf', `nome: ${download.suggestedFilename()}`);
  });
  await passo('risponde con la tastiera', async () => {
    await page.locator('#testo').focus();
    await page.keyboard.type('Nella riga 3 manca il personale part-time: lo aggiunga e il totale tornerà.');
    await submitWithKeyboard(page, page.locator('main form[action$="/messaggi"] button[type="submit"]'));
    const testo = await mainText(page);
    expect(testo.includes('Messaggio inviato.') && (await page.locator('#stato-richiesta').innerText()).includes('In attesa dell\'utente'), `richiesta: «${oneLine(testo, 400)}»`);
  });
  await axe(page, 'Richiesta di assistenza (risposta del supporto)');
}

async function percorsoAssistenzaChiusura(page) {
  await login(page, 'ENTIU001', ENTI_PASSWORD);
  await passo('la campanella porta alla risposta', async () => {
    await navigating(page, () => page.locator('a.raccolta-campanella').click());
    await navigating(page, () => page.locator('main a[href^="/assistenza/"]').first().click());
    expect((await mainText(page)).includes('manca il personale part-time'), 'manca la risposta del supporto');
  });
  await passo('chiude la richiesta con la tastiera', async () => {
    await submitWithKeyboard(page, page.locator('main form input[value="chiudi"] ~ button'));
    expect((await page.locator('#stato-richiesta').innerText()).includes('Chiusa'), 'la richiesta non è chiusa');
  });
  await axe(page, 'Richiesta di assistenza (chiusa)');
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
try {
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    console.error(`Chromium non avviabile (${CHROMIUM}): ${oneLine(e.message, 600)}`);
    exitCode = 2;
  }
  if (browser) {
    console.log(`Percorsi degli account su ${base.origin}, e-mail lette da ${mailDir}`);
    const codice = await percorso('a. Registrazione di una Persona Fisica', (page) => percorsoPersonaFisica(page));
    if (codice) {
      await percorso('b. Accesso con la sola tastiera e uscita', (page) => percorsoAccessoTastiera(page, codice));
    } else {
      console.log('\nb. Accesso con la sola tastiera e uscita');
      fallito('percorso non eseguito: manca l\'utente del percorso a');
    }
    await percorso('c. Controlli del captcha', (page) => percorsoCaptcha(page));
    if (codice) {
      await percorso('d. Modifica Password', (page) => percorsoModificaPassword(page, codice));
    } else {
      console.log('\nd. Modifica Password');
      fallito('percorso non eseguito: manca l\'utente del percorso a');
    }
    await percorso('e. Registrazione di una Società e accesso con l\'e-mail', (page) => percorsoSocieta(page));
    if (process.env.PERCORSO_ENTI === '1') {
      await percorso('f1. Aggiungi nuovo ente', (page) => percorsoEntiRichiesta(page));
      await percorso('f2. Una seconda richiesta', (page) => percorsoEntiSecondaRichiesta(page));
      await percorso('f3. Il responsabile decide', (page) => percorsoEntiResponsabile(page));
      await percorso('f4. Notifica e ente selezionato', (page) => percorsoEntiSelezione(page));
      await percorso('f5. Richiesta rifiutata', (page) => percorsoEntiRifiutata(page));
      await percorso('f6. Gestione', (page) => percorsoEntiGestione(page));
      await percorso('g1. Assistenza: l\'amministratore nomina il supporto', (page) => percorsoAssistenzaNomina(page));
      await percorso('g2. Assistenza: l\'utente apre una richiesta con un allegato', (page) => percorsoAssistenzaUtente(page));
      await percorso('g3. Assistenza: il supporto risponde', (page) => percorsoAssistenzaSupporto(page));
      await percorso('g4. Assistenza: l\'utente legge la risposta e chiude', (page) => percorsoAssistenzaChiusura(page));
    }
    console.log(
      `\naxe: ${axeStats.pages} pagine controllate, ${axeStats.violations} violazioni` +
        (axeStats.incomplete ? ` (${axeStats.incomplete} risultati da verificare a mano, non bloccanti)` : ''),
    );
    console.log(`percorsi: ${passed} passi riusciti, ${failures} falliti`);
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
