// A grouped bar chart in SVG, built with DOM calls (no library, no inline style).

const NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * @param {Array<{label: string, values: Array<number|null>}>} groups
 * @param {string[]} series  legend names, one per value
 */
export function barChart(groups, series) {
  const W = 720;
  const H = 240;
  const pad = { l: 36, r: 10, t: 24, b: 28 };
  // Whole-number gridlines: the top is a multiple of 4.
  const top = Math.max(0, ...groups.flatMap((g) => g.values.map((v) => v || 0)));
  const max = Math.max(4, Math.ceil(top / 4) * 4);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `Chart: ${series.join(', ')} per day` });
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  for (let i = 0; i <= 4; i += 1) {
    const y = pad.t + ih - (ih * i) / 4;
    svg.appendChild(el('line', { x1: pad.l, x2: W - pad.r, y1: y, y2: y, class: 'grid' }));
    svg.appendChild(el('text', { x: pad.l - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' }, String(Math.round((max * i) / 4))));
  }
  const gw = groups.length ? iw / groups.length : iw;
  const bw = Math.max(2, Math.min(24, (gw - 8) / series.length));
  groups.forEach((g, gi) => {
    const x0 = pad.l + gi * gw + (gw - bw * series.length) / 2;
    g.values.forEach((v, si) => {
      const bh = ((v || 0) / max) * ih;
      const r = el('rect', { x: x0 + si * bw, y: pad.t + ih - bh, width: bw - 1, height: bh, class: `s${si}` });
      r.appendChild(el('title', {}, `${g.label} ${series[si]}: ${v ?? 0}`));
      svg.appendChild(r);
    });
    svg.appendChild(el('text', { x: pad.l + gi * gw + gw / 2, y: H - 10, class: 'axis', 'text-anchor': 'middle' }, g.label));
  });
  series.forEach((s, si) => {
    svg.appendChild(el('rect', { x: pad.l + si * 110, y: 4, width: 10, height: 10, class: `s${si}` }));
    svg.appendChild(el('text', { x: pad.l + si * 110 + 14, y: 13, class: 'axis' }, s));
  });
  return svg;
}
