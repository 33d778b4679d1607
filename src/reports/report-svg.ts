// Draws the report charts as standalone SVG (grouped bars on a count axis), with no browser or
// charting library: the output is a string, deterministic for the same figures, and every piece of
// text is XML-escaped because labels can carry user-entered names.
export interface BarSeries {
  name: string;
  values: readonly number[];
}

export interface BarChart {
  title: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Colours that stay distinguishable for the common colour-vision deficiencies (Okabe–Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];

export function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Control characters are not allowed in XML 1.0 at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
  );
}

/** A round axis maximum and tick step (1, 2 or 5 × 10^k) giving at most five ticks above zero. */
export function niceScale(max: number): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const rough = max / 5;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? 10 * pow);
  return { max: Math.ceil(max / step) * step, step };
}

const r2 = (n: number): string => String(Math.round(n * 100) / 100);

export function barChartSvg(chart: BarChart): string {
  const width = chart.width ?? 760;
  const height = chart.height ?? 380;
  const m = { left: 64, right: 16, top: 48, bottom: 84 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const n = chart.categories.length;
  const all = chart.series.flatMap((s) => s.values);
  const { max, step } = niceScale(Math.max(0, ...all));
  const y = (v: number): number => m.top + plotH - (v / max) * plotH;
  const out: string[] = [];
  const title = escapeXml(chart.title);

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}" font-family="sans-serif" font-size="12">`,
    `<title>${title}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${r2(width / 2)}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${title}</text>`,
  );

  for (let v = 0; v <= max; v += step) {
    out.push(
      `<line x1="${m.left}" y1="${r2(y(v))}" x2="${width - m.right}" y2="${r2(y(v))}" stroke="#dddddd"/>`,
      `<text x="${m.left - 6}" y="${r2(y(v) + 4)}" text-anchor="end">${v}</text>`,
    );
  }

  if (n === 0 || all.length === 0) {
    out.push(
      `<text x="${r2(width / 2)}" y="${r2(m.top + plotH / 2)}" text-anchor="middle" fill="#555555">No data for this period</text>`,
    );
  } else {
    const band = plotW / n;
    const groupW = band * 0.8;
    const barW = groupW / Math.max(1, chart.series.length);
    // Thin the category labels so they never overlap (about 40 px each).
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 40))));
    chart.categories.forEach((cat, i) => {
      const x0 = m.left + i * band + (band - groupW) / 2;
      chart.series.forEach((s, k) => {
        const v = s.values[i] ?? 0;
        const top = y(v);
        out.push(
          `<rect x="${r2(x0 + k * barW)}" y="${r2(top)}" width="${r2(Math.max(1, barW - 1))}" height="${r2(m.top + plotH - top)}" fill="${PALETTE[k % PALETTE.length]}"><title>${escapeXml(`${s.name}, ${cat}: ${v}`)}</title></rect>`,
        );
      });
      if (i % every === 0) {
        out.push(
          `<text x="${r2(m.left + i * band + band / 2)}" y="${m.top + plotH + 16}" text-anchor="middle">${escapeXml(cat)}</text>`,
        );
      }
    });
  }

  out.push(
    `<line x1="${m.left}" y1="${m.top + plotH}" x2="${width - m.right}" y2="${m.top + plotH}" stroke="#333333"/>`,
  );
  if (chart.xLabel) {
    out.push(
      `<text x="${r2(m.left + plotW / 2)}" y="${m.top + plotH + 38}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    );
  }
  if (chart.yLabel) {
    out.push(
      `<text x="16" y="${r2(m.top + plotH / 2)}" text-anchor="middle" transform="rotate(-90 16 ${r2(m.top + plotH / 2)})">${escapeXml(chart.yLabel)}</text>`,
    );
  }
  chart.series.forEach((s, k) => {
    const lx = m.left + k * 160;
    const ly = height - 20;
    out.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/>`,
      `<text x="${lx + 18}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
