// "Rigenera Captcha" without reloading the page: a new challenge from the server, the same form with what the user
// typed. Without JavaScript the link simply reloads the page, which also makes a new challenge.

export function rigeneraCaptcha(root = document) {
  const link = root.querySelector('[data-captcha-nuovo]');
  const form = link && link.closest('form');
  if (!link || !form) return;
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    const csrf = form.querySelector('input[name="csrf"]');
    try {
      const res = await fetch('/captcha/nuovo', {
        method: 'POST',
        headers: { 'x-csrf-token': csrf ? csrf.value : '' },
        credentials: 'same-origin',
      });
      if (!res.ok) throw new Error(String(res.status));
      const { chiave } = await res.json();
      const lingua = document.documentElement.lang || 'it';
      const audio = `/captcha/audio?c=${encodeURIComponent(chiave)}&lingua=${lingua}`;
      root.getElementById('captcha-immagine').src = `/captcha/immagine?c=${encodeURIComponent(chiave)}`;
      const player = root.getElementById('captcha-audio');
      player.src = audio;
      player.load();
      root.getElementById('captcha-scarica').href = `${audio}&scarica=1`;
      const input = root.getElementById('captcha');
      input.value = '';
      input.focus();
      const annuncio = root.getElementById('captcha-annuncio');
      if (annuncio) annuncio.textContent = annuncio.dataset.testo || '';
    } catch {
      window.location.assign(link.href);
    }
  });
}
