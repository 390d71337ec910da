const slides = [...document.querySelectorAll('.slide')];
let current = -1, notes = false;
// A chart is drawn the first time it is on screen, at the size of its box: drawn in a hidden slide, plotly
// cannot measure its words and lays it out wrong.
function draw(slide) {
  slide.querySelectorAll('.answer:not(.hidden) .plot:not(.js-plotly-plot)').forEach(div => {
    const figure = JSON.parse(document.getElementById(div.id.replace('chart-', 'figure-')).textContent);
    Plotly.newPlot(div, figure.data, figure.layout, {displaylogo: false, responsive: true});
  });
}
function show(i) {
  current = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach((s, k) => s.classList.toggle('active', k === current));
  document.getElementById('counter').textContent = `Slide ${current + 1} of ${slides.length}`;
  // The address names the slide, so a bookmark or a screenshot tool can open it directly (#3, #3/answer).
  if (location.hash.split('/')[0] !== `#${current + 1}`) location.replace(`#${current + 1}`);
  draw(slides[current]);
  window.dispatchEvent(new Event('resize'));  // let plotly resize charts drawn at another window size
}
function reveal() {
  slides[current].classList.add('revealed');
  slides[current].querySelectorAll('.answer').forEach(e => e.classList.remove('hidden'));
  draw(slides[current]);
  window.dispatchEvent(new Event('resize'));
}
function toggleNotes() {
  notes = !notes;
  document.querySelectorAll('.notes').forEach(e => e.classList.toggle('hidden', !notes));
}
function fromHash() {  // #3 or #heroin (a slide id from the deck), then /answer to reveal, /still to hide buttons
  const [where, ...words] = decodeURIComponent(location.hash.slice(1)).split('/');
  const i = /^[0-9]+$/.test(where) ? Number(where) - 1 : slides.findIndex(s => s.id === `slide-${where}`);
  const target = Math.max(0, Math.min(slides.length - 1, i));  // unknown or out of range: the nearest slide
  document.body.classList.toggle('still', words.includes('still'));
  if (target !== current) show(target);
  if (words.includes('answer')) reveal();
}
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowRight' || e.key === ' ' || e.key === 'PageDown') { show(current + 1); e.preventDefault(); }
  if (e.key === 'ArrowLeft' || e.key === 'PageUp') show(current - 1);
  if (e.key === 'n' || e.key === 'N') toggleNotes();
  if (e.key === 'r' || e.key === 'R') reveal();
});
window.addEventListener('hashchange', fromHash);
fromHash();
