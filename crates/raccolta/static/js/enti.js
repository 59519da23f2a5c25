// Autocomplete of "Aggiungi nuovo ente": the ARIA 1.2 combobox pattern over /enti/cerca. Without JavaScript the
// page works with its Cerca button and a list of radio buttons; with it, picking a suggestion puts that single
// ente among the radio buttons of the request form, already chosen.
const input = document.getElementById("q");
const lista = document.getElementById("q-opzioni");
const stato = document.getElementById("q-stato");
const tipo = document.getElementById("tipo");
const scelte = document.getElementById("ente-scelte");
const lang = document.documentElement.lang;

if (input && lista && stato && tipo && scelte) {
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", "q-opzioni");
  let voci = [];
  let attiva = -1;
  let timer = null;
  let richiesta = 0;

  const chiudi = () => {
    lista.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    attiva = -1;
  };

  const evidenzia = (i) => {
    attiva = i;
    for (const [n, li] of [...lista.children].entries()) {
      li.setAttribute("aria-selected", n === i ? "true" : "false");
      li.classList.toggle("attiva", n === i);
    }
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", `q-opzione-${i}`);
      lista.children[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  const scegli = (i) => {
    const v = voci[i];
    if (!v) return;
    input.value = v.nome;
    scelte.replaceChildren();
    const div = document.createElement("div");
    div.className = "form-check";
    const radio = document.createElement("input");
    Object.assign(radio, { className: "form-check-input", type: "radio", name: "ente", id: `ente-${v.id}`, value: String(v.id), checked: true });
    const label = document.createElement("label");
    label.className = "form-check-label";
    label.htmlFor = radio.id;
    label.textContent = `${v.nome} (${[v.tipo, v.regione].filter(Boolean).join(" · ")})`;
    div.append(radio, label);
    scelte.append(div);
    stato.textContent = lang === "en" ? `Chosen: ${v.nome}` : `Scelto: ${v.nome}`;
    chiudi();
  };

  const mostra = (risultati) => {
    voci = risultati;
    lista.replaceChildren(...risultati.map((v, i) => {
      const li = document.createElement("li");
      li.id = `q-opzione-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = v.nome;
      const small = document.createElement("small");
      small.textContent = ` ${[v.tipo, v.regione].filter(Boolean).join(" · ")}`;
      li.append(small);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); scegli(i); });
      return li;
    }));
    const aperta = risultati.length > 0;
    lista.hidden = !aperta;
    input.setAttribute("aria-expanded", aperta ? "true" : "false");
    attiva = -1;
    const n = risultati.length;
    stato.textContent = lang === "en"
      ? (n === 0 ? "No authority found" : `${n} suggestions, use the arrow keys`)
      : (n === 0 ? "Nessun ente trovato" : `${n} suggerimenti, usa i tasti freccia`);
  };

  const cerca = async () => {
    const q = input.value.trim();
    if (q.length < 2) { mostra([]); stato.textContent = ""; return; }
    const mia = ++richiesta;
    const url = `${input.dataset.cerca}?${new URLSearchParams({ q, tipo: tipo.value })}`;
    try {
      const r = await fetch(url, { headers: { Accept: "application/json" } });
      if (!r.ok || mia !== richiesta) return;
      mostra(await r.json());
    } catch {
      // Offline or server error: the Cerca button still works.
    }
  };

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(cerca, 150); });
  tipo.addEventListener("change", cerca);
  input.addEventListener("blur", () => setTimeout(chiudi, 100));
  input.addEventListener("keydown", (e) => {
    const n = voci.length;
    if (e.key === "ArrowDown" && n) {
      e.preventDefault();
      if (lista.hidden) { lista.hidden = false; input.setAttribute("aria-expanded", "true"); }
      evidenzia((attiva + 1) % n);
    } else if (e.key === "ArrowUp" && n) {
      e.preventDefault();
      evidenzia(attiva <= 0 ? n - 1 : attiva - 1);
    } else if (e.key === "Enter" && !lista.hidden && attiva >= 0) {
      e.preventDefault();
      scegli(attiva);
    } else if (e.key === "Escape") {
      chiudi();
    }
  });
}
