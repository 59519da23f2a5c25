// Loaded (deferred, in order) just before Bootstrap Italia's bundle. The video.js embedded in the bundle would
// otherwise inject <style> elements at load, which our Content Security Policy (no inline styles) refuses.
// Raccolta shows no video, so its dynamic styles are not needed.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
