const slides = [...document.querySelectorAll('.slide')];
let current = -1, notes = false;
// A chart is drawn the first time it is on screen, at the size of its box: drawn in a hidden slide, plotly
// cannot measure its words and lays it out wrong.
function draw(slide) {
  slide.querySelectorAll('.answer:not(.hidden) .plot:not(.js-plotly-plot)').forEach(div => {
    const figure = JSON.parse(document.getElementById(div.id.replace('chart-', 'figure-')).textContent);
    if (div.clientWidth < 600) phoneType(figure.layout);
    fitTitle(figure.layout, div.clientWidth);
    Plotly.newPlot(div, figure.data, figure.layout, {displaylogo: false, responsive: true});
  });
}
// Projector type (22 px) crowds a phone's chart: every size is brought down to the dashboard's (15 px), none
// under 12 px. The room above and below the plot, sized for the larger type, is left as it is.
function phoneType(layout) {
  const scale = 15 / layout.font.size, fonts = [layout, layout.title, layout.title.subtitle, layout.legend,
    ...(layout.annotations || [])].map(part => part && part.font).filter(font => font && font.size);
  fonts.forEach(font => { font.size = Math.max(12, Math.round(font.size * scale)); });
}
// A chart title is set in lines for a projector; on a narrower screen (a phone) its words are set again in
// lines that fit, and the room above the plot grows by the lines added (they hang below the first line).
function fitTitle(layout, width) {
  const title = layout.title, size = title.font.size, lines = title.text.split('<br>');
  const fits = Math.floor(width / (0.6 * size));  // characters a line: a glyph is about 0.6 em
  if (lines.every(line => line.length <= fits)) return;
  const wrapped = [];
  for (const word of lines.join(' ').split(' ')) {
    const last = wrapped.length - 1;
    if (last >= 0 && (wrapped[last] + ' ' + word).length <= fits) wrapped[last] += ' ' + word;
    else wrapped.push(word);
  }
  const added = Math.round((wrapped.length - lines.length) * 1.3 * size);
  title.text = wrapped.join('<br>');
  title.pad.b += added;
  layout.margin.t += added;
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
