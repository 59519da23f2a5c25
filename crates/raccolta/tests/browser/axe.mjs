// Controllo di accessibilità e di sicurezza del sito pubblico in un Chromium vero (headless).
//
//   node crates/raccolta/tests/browser/axe.mjs BASE_URL [--paths /a,/b]
//   es.: node crates/raccolta/tests/browser/axe.mjs http://127.0.0.1:18555
//
// Per ogni lingua (cookie `lang`) e per ogni pagina:
//   - stato HTTP atteso (200, o 404 per la pagina inesistente);
//   - `<html lang>` uguale alla lingua scelta;
//   - axe-core con le regole WCAG 2.0/2.1/2.2 A e AA (le violazioni fanno fallire; i casi che axe non sa decidere,
//     "incomplete", sono stampati con "?" da verificare a mano, senza far fallire);
//   - un solo `h1`;
//   - tastiera: il primo Tab porta al link "salta al contenuto" (#main), Invio porta il focus dentro `main#main`;
//   - nessun errore in console, nessuna richiesta fallita, nessuna richiesta a terzi;
//   - una seconda visita con la CSP attiva (senza axe): nessuna violazione della Content Security Policy.
// Esce con 0 se tutto è in regola, 1 se qualcosa è fallito, 2 per errori d'uso o di ambiente.
//
// Usa solo il Chromium di Debian (`apt-get install -y chromium chromium-driver`), mai un browser scaricato.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';

// ---------------------------------------------------------------------------------------------------------------
// Pagine da controllare: aggiungere qui le nuove pagine (oppure passarle con --paths /a,/b, attese con stato 200).
// ---------------------------------------------------------------------------------------------------------------
const PAGES = [
  { path: '/', status: 200 },
  { path: '/archivio', status: 200 },
  { path: '/guida', status: 200 },
  { path: '/accessibilita', status: 200 },
  { path: '/privacy', status: 200 },
  { path: '/campagne/fc80u-2022/istruzioni/premessa', status: 200 },
  { path: '/campagne/monitoraggio-2023/istruzioni/sociale', status: 200 },
  { path: '/pagina-che-non-esiste', status: 404 },
  { path: '/accesso', status: 200 },
  { path: '/registrazione', status: 200 },
  { path: '/registrazione?tipo=persona_fisica', status: 200 },
  { path: '/registrazione?tipo=societa', status: 200 },
  { path: '/password', status: 200 },
  { path: '/registrazione/conferma?token=non-valido', status: 200 },
  { path: '/password/nuova?token=non-valido', status: 200 },
  // Error states: the form sent empty comes back with the error summary (focused) and the errors by the fields.
  { path: '/accesso', status: 200, submit: true },
  { path: '/registrazione?tipo=persona_fisica', status: 200, submit: true },
  { path: '/registrazione?tipo=societa', status: 200, submit: true },
  { path: '/password', status: 200, submit: true },
];

const LANGS = ['it', 'en'];

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const NAV_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 30_000; // axe.run e le altre valutazioni nella pagina
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
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

// ---------------------------------------------------------------------------------------------------------------

function usage(message) {
  if (message) console.error(`errore: ${message}`);
  console.error('uso: node crates/raccolta/tests/browser/axe.mjs BASE_URL [--paths /a,/b]');
  process.exit(2);
}

function parseArgs(argv) {
  let base;
  const extra = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') usage();
    let list;
    if (arg === '--paths') {
      list = argv[++i];
      if (list === undefined) usage('--paths richiede un elenco: --paths /a,/b');
    } else if (arg.startsWith('--paths=')) {
      list = arg.slice('--paths='.length);
    } else if (arg.startsWith('-')) {
      usage(`opzione sconosciuta: ${arg}`);
    } else if (base === undefined) {
      base = arg;
    } else {
      usage(`argomento in più: ${arg}`);
    }
    if (list !== undefined) {
      for (const p of list.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (!p.startsWith('/')) usage(`il percorso deve iniziare con "/": ${p}`);
        extra.push(p);
      }
    }
  }
  if (!base) usage('manca BASE_URL');
  let url;
  try {
    url = new URL(base);
  } catch {
    usage(`BASE_URL non valido: ${base}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') usage(`BASE_URL deve essere http:// o https://: ${base}`);
  const pages = [...PAGES];
  for (const p of extra) if (!pages.some((q) => q.path === p)) pages.push({ path: p, status: 200 });
  return { base: url, pages };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`tempo scaduto (${ms / 1000} s): ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function oneLine(s, max = 300) {
  const t = String(s ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '') // ANSI colours of Playwright's messages
    .replace(/\s*Call log:[\s\S]*$/, '') // and their call log
    .replace(/\bdata:([\w.+/-]+)[^'"\s)]{60,}/g, (_, type) => `data:${type}…`) // long data: URLs
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Whether `url` goes to a host other than the site's (or loopback): a third-party request. */
function isThirdParty(url, base) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return false; // data:, blob:, about:…
  return u.hostname !== base.hostname && !LOOPBACK.has(u.hostname);
}

/**
 * Keeps the check hermetic: third-party requests are blocked (the pages' `request` listeners have already reported
 * them as failures), the site's own go through.
 */
async function blockThirdParties(context) {
  await context.route('**/*', (route) =>
    isThirdParty(route.request().url(), base) ? route.abort('blockedbyclient') : route.continue(),
  );
}

// ---------------------------------------------------------------------------------------------------------------

const { base, pages } = parseArgs(process.argv.slice(2));

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

/**
 * Accessibility pass, CSP bypassed so that axe can be injected: status, lang, h1, axe, keyboard, console, network.
 * Returns { violations, incomplete, problems }.
 */
async function checkAccessibility(context, page, lang) {
  const problems = [];
  const violations = [];
  const incomplete = []; // what axe could not decide: shown, to be checked by hand, but not a failure
  const url = new URL(page.path, base).href;
  const tab = await context.newPage();
  const thirdParty = [];
  tab.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location()?.url ?? '';
    // Chromium also logs every failed load (and the expected 404 of the error page itself) in the console: the
    // `response`, `requestfailed` and `request` listeners and the status check already report those, once.
    if (/^Failed to load resource\b/.test(msg.text())) return;
    problems.push(`errore in console: ${oneLine(msg.text())}${loc && loc !== url ? ` (${loc})` : ''}`);
  });
  tab.on('pageerror', (err) => problems.push(`eccezione JavaScript: ${oneLine(err.message)}`));
  tab.on('requestfailed', (req) => {
    if (isThirdParty(req.url(), base)) return; // already reported as third-party
    if (req.isNavigationRequest() && req.frame() === tab.mainFrame()) return; // reported by goto
    problems.push(`richiesta fallita: ${req.method()} ${req.url()} (${req.failure()?.errorText ?? '?'})`);
  });
  tab.on('response', (res) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === tab.mainFrame()) return; // checked below
    if (res.status() >= 400) problems.push(`risorsa con errore: ${req.method()} ${res.url()} → ${res.status()}`);
  });
  tab.on('request', (req) => {
    if (isThirdParty(req.url(), base)) thirdParty.push(req.url());
  });
  try {
    let response;
    try {
      response = await tab.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
    } catch (e) {
      problems.push(`navigazione non riuscita: ${oneLine(e.message)}`);
      return { violations, incomplete, problems };
    }
    const status = response?.status();
    if (status !== page.status) problems.push(`stato HTTP ${status ?? '(nessuna risposta)'}, atteso ${page.status}`);
    await tab.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    if (page.submit) {
      const [sent] = await Promise.all([
        tab.waitForNavigation({ waitUntil: 'load', timeout: NAV_TIMEOUT_MS }),
        tab.click('form.raccolta-modulo button[type="submit"]'),
      ]);
      if (sent?.status() !== 200) problems.push(`modulo inviato vuoto: stato ${sent?.status()}, atteso 200`);
      await tab.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
      // `autofocus` lands at the browser's next rendering update after load: poll briefly, a busy machine is slow.
      let focused = '';
      for (let t = 0; t < 60 && focused !== 'riepilogo-errori'; t++) {
        focused = await tab.evaluate(() => document.activeElement?.id ?? '');
        if (focused !== 'riepilogo-errori') await new Promise((r) => setTimeout(r, 50));
      }
      if (focused !== 'riepilogo-errori') problems.push(`modulo con errori: il focus è su "${focused}", non sul riepilogo degli errori`);
    }

    const facts = await withTimeout(
      tab.evaluate(() => ({
        lang: document.documentElement.getAttribute('lang'),
        h1: document.querySelectorAll('h1').length,
        main: !!document.querySelector('main#main'),
      })),
      STEP_TIMEOUT_MS,
      'lettura della pagina',
    );
    if (facts.lang !== lang) problems.push(`<html lang="${facts.lang ?? ''}">, atteso "${lang}"`);
    if (facts.h1 !== 1) problems.push(`${facts.h1} elementi h1, atteso esattamente 1`);
    if (!facts.main) problems.push('manca main#main');

    // axe-core
    await tab.addScriptTag({ content: axeSource });
    const found = await withTimeout(
      tab.evaluate(async (tags) => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
        const simplify = (v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({
            target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))),
            html: n.html,
            message: [...n.any, ...n.all, ...n.none].map((c) => c.message).filter(Boolean)[0] ?? '',
            equalColours: n.any.some((c) => c.data && c.data.messageKey === 'equalRatio'),
          })),
        });
        return { violations: r.violations.map(simplify), incomplete: r.incomplete.map(simplify) };
      }, AXE_TAGS),
      STEP_TIMEOUT_MS,
      'axe.run',
    );
    violations.push(...found.violations);
    for (const v of found.incomplete) {
      // axe leaves text of the same colour as its background (1:1) undecided, since it may be hidden on purpose;
      // on these pages it is always a bug (the text is invisible), so it fails like a violation.
      const invisible = v.id === 'color-contrast' ? v.nodes.filter((n) => n.equalColours) : [];
      for (const n of invisible) {
        problems.push(`testo invisibile (axe color-contrast 1:1, stesso colore dello sfondo): ${n.target.join(', ')} ${oneLine(n.html, 160)}`);
      }
      const rest = v.nodes.filter((n) => !invisible.includes(n));
      if (rest.length > 0) incomplete.push({ ...v, nodes: rest });
    }

    // Keyboard: the first Tab reaches the skip link, Enter moves focus into main#main.
    const describeFocus = () =>
      tab.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return { desc: 'body (nessun elemento)', href: null, inMain: false };
        const main = document.querySelector('main#main');
        return {
          desc: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || '').trim().slice(0, 60)}"`,
          href: el.getAttribute('href'),
          inMain: !!main && (el === main || main.contains(el)),
        };
      });
    if (page.submit) return { violations, incomplete, problems }; // focus is on the error summary, checked above
    await tab.keyboard.press('Tab');
    const first = await describeFocus();
    if (!(first.href && first.href.endsWith('#main'))) {
      problems.push(`tastiera: il primo Tab porta a ${first.desc} (href=${first.href ?? '—'}), non al link a #main`);
    } else {
      await tab.keyboard.press('Enter');
      await tab.waitForTimeout(150);
      const after = await describeFocus();
      if (!after.inMain) problems.push(`tastiera: dopo Invio sul link a #main il focus è su ${after.desc}, non in main#main`);
    }
  } catch (e) {
    problems.push(`controllo interrotto: ${oneLine(e.message)}`);
  } finally {
    for (const u of new Set(thirdParty)) problems.push(`richiesta a terzi: ${u}`);
    await tab.close().catch(() => {});
  }
  return { violations, incomplete, problems };
}

/**
 * CSP pass: the page as a visitor gets it, with its Content Security Policy enforced, and nothing injected.
 * Chromium's console errors are the failures; the `securitypolicyviolation` events (with the file and line that
 * caused them) are shown as notes, or counted themselves when the console said nothing.
 */
async function checkCsp(context, page) {
  const problems = [];
  const notes = [];
  const url = new URL(page.path, base).href;
  const tab = await context.newPage();
  const thirdParty = [];
  tab.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
      problems.push(`CSP (console): ${oneLine(msg.text())}`);
    }
  });
  tab.on('request', (req) => {
    if (isThirdParty(req.url(), base)) thirdParty.push(req.url());
  });
  try {
    try {
      await tab.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
    } catch (e) {
      problems.push(`CSP: navigazione non riuscita: ${oneLine(e.message)}`);
      return { problems, notes };
    }
    await tab.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    await tab.waitForTimeout(100); // securitypolicyviolation events are queued as tasks
    const events = await withTimeout(tab.evaluate(() => window.__raccoltaCsp ?? []), STEP_TIMEOUT_MS, 'eventi CSP');
    const consoleSaidIt = problems.length > 0;
    for (const e of events) {
      const where = e.source ? ` da ${e.source}:${e.line}` : '';
      const sample = e.sample ? ` «${oneLine(e.sample, 80)}»` : '';
      const text = `CSP (evento): ${e.directive} ha bloccato ${e.blocked === 'data' ? 'data:' : e.blocked || '(inline)'}${where}${sample}`;
      (consoleSaidIt ? notes : problems).push(text);
    }
  } catch (e) {
    problems.push(`CSP: controllo interrotto: ${oneLine(e.message)}`);
  } finally {
    for (const u of new Set(thirdParty)) problems.push(`CSP: richiesta a terzi: ${u}`);
    await tab.close().catch(() => {});
  }
  return { problems, notes };
}

async function newContext(browser, lang, bypassCSP) {
  const context = await browser.newContext({ bypassCSP });
  context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  context.setDefaultTimeout(NAV_TIMEOUT_MS);
  await context.addCookies([{ name: 'lang', value: lang, url: base.origin + '/' }]);
  return context;
}

function printAxe(mark, results) {
  for (const v of results) {
    console.log(`    ${mark} axe ${v.id} [${v.impact ?? '?'}] ${v.help} (${v.nodes.length} elementi) ${v.helpUrl}`);
    for (const n of v.nodes.slice(0, 3)) {
      console.log(`        → ${n.target.join(', ')}${n.message ? ` — ${oneLine(n.message, 160)}` : ''}`);
      console.log(`          ${oneLine(n.html, 240)}`);
    }
    if (v.nodes.length > 3) console.log(`        … e altri ${v.nodes.length - 3}`);
  }
}

function printPage(lang, path, { violations, incomplete, problems, notes }) {
  const label = `[${lang}] ${path}`;
  const failed = violations.length > 0 || problems.length > 0;
  const toCheck = incomplete.length > 0 ? ` (${incomplete.length} da verificare a mano)` : '';
  console.log(`${label}  ${failed ? 'FALLITO' : 'OK'}${toCheck}`);
  for (const p of problems) console.log(`    ✗ ${p}`);
  for (const n of notes) console.log(`      · ${n}`);
  printAxe('✗', violations);
  printAxe('?', incomplete);
}

// The server must answer before a browser is started: otherwise every page would fail the same way.
try {
  await fetch(base, { redirect: 'manual', signal: AbortSignal.timeout(NAV_TIMEOUT_MS) });
} catch (e) {
  console.error(`server non raggiungibile a ${base.href}: ${oneLine(e.cause?.message ?? e.message)}`);
  process.exit(2);
}

let browser;
let checked = 0;
let violationCount = 0;
let incompleteCount = 0;
let problemCount = 0;
let exitCode = 0;
try {
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    console.error(`Chromium non avviabile (${CHROMIUM}): ${oneLine(e.message, 600)}`);
    exitCode = 2;
  }
  if (browser) {
    for (const lang of LANGS) {
      const axeContext = await newContext(browser, lang, true);
      const cspContext = await newContext(browser, lang, false);
      await blockThirdParties(axeContext);
      await blockThirdParties(cspContext);
      await cspContext.addInitScript(() => {
        window.__raccoltaCsp = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__raccoltaCsp.push({
            directive: e.effectiveDirective || e.violatedDirective,
            blocked: e.blockedURI,
            source: e.sourceFile,
            line: e.lineNumber,
            sample: e.sample,
          });
        });
      });
      try {
        for (const page of pages) {
          const { violations, incomplete, problems } = await checkAccessibility(axeContext, page, lang);
          const csp = await checkCsp(cspContext, page);
          problems.push(...csp.problems);
          checked += 1;
          violationCount += violations.length;
          incompleteCount += incomplete.length;
          problemCount += problems.length;
          printPage(lang, page.submit ? `${page.path} (modulo inviato vuoto)` : page.path, { violations, incomplete, problems, notes: csp.notes });
        }
      } finally {
        await axeContext.close().catch(() => {});
        await cspContext.close().catch(() => {});
      }
    }
    if (incompleteCount > 0) console.log(`axe: ${incompleteCount} risultati da verificare a mano (non bloccanti)`);
    if (problemCount > 0) console.log(`altri controlli falliti: ${problemCount}`);
    console.log(`axe: ${checked} pagine controllate, ${violationCount} violazioni`);
    exitCode = violationCount > 0 || problemCount > 0 ? 1 : 0;
  }
} catch (e) {
  console.error(`errore inatteso: ${e?.stack ?? e}`);
  exitCode = 2;
} finally {
  if (browser) await browser.close().catch(() => {});
}
await new Promise((resolve) => process.stdout.write('', resolve)); // the report, all of it, before exiting
process.exit(exitCode);
