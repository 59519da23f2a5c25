// Attachments of the Assistenza forms: before a long upload starts, say which file is too large, of a type
// not accepted, or one too many — the server checks all of it again (and the content's type, which only it
// reads). Without JavaScript the server's message comes back with the form instead.
const it = document.documentElement.lang !== "en";
const ammesse = ["pdf", "png", "jpg", "jpeg", "gif", "webp", "xlsx", "csv"];

for (const form of document.querySelectorAll("form[data-allegati-max]")) {
  const input = form.querySelector("input[type=file]");
  const errore = form.querySelector("#allegati-errore");
  if (!input || !errore) continue;
  const max = Number(form.dataset.allegatiMax);
  const mb = Number(form.dataset.dimensioneMb);

  const problemi = () => {
    const files = [...input.files];
    const out = [];
    if (files.length > max) {
      out.push(it ? `Si possono allegare al massimo ${max} file.` : `At most ${max} files can be attached.`);
    }
    for (const f of files) {
      const est = (f.name.split(".").pop() || "").toLowerCase();
      if (!f.name.includes(".") || !ammesse.includes(est)) {
        out.push(it ? `«${f.name}»: tipo non ammesso (PDF, immagini, XLSX o CSV).` : `“${f.name}”: type not accepted (PDF, images, XLSX or CSV).`);
      } else if (f.size > mb * 1024 * 1024) {
        out.push(it ? `«${f.name}» supera ${mb} MB.` : `“${f.name}” is larger than ${mb} MB.`);
      }
    }
    return out;
  };

  const mostra = () => {
    const p = problemi();
    errore.textContent = p.join(" ");
    if (p.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return p.length === 0;
  };

  input.addEventListener("change", mostra);
  form.addEventListener("submit", (e) => {
    if (!mostra()) {
      e.preventDefault();
      input.focus();
    }
  });
}
