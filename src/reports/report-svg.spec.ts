import { barChartSvg, escapeXml, niceScale } from './report-svg.js';

function bars(svg: string): { height: number; fill: string }[] {
  return [
    ...svg.matchAll(
      /<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)" fill="([^"]+)"><title>/g,
    ),
  ].map((m) => ({
    height: Number(m[1]),
    fill: m[2],
  }));
}

describe('report SVG', () => {
  describe(escapeXml.name, () => {
    it('escapes markup and quotes and drops control characters', async () => {
      expect(escapeXml(`<script>alert("x" & 'y')</script>`)).toBe(
        '&lt;script&gt;alert(&quot;x&quot; &amp; &apos;y&apos;)&lt;/script&gt;',
      );
      expect(escapeXml('a\u0000b\u0007c\nd')).toBe('abc\nd');
    });
  });

  describe(niceScale.name, () => {
    it('rounds the axis up to 1, 2 or 5 times a power of ten', async () => {
      expect(niceScale(0)).toEqual({ max: 1, step: 1 });
      expect(niceScale(3)).toEqual({ max: 3, step: 1 });
      expect(niceScale(7)).toEqual({ max: 8, step: 2 });
      expect(niceScale(10)).toEqual({ max: 10, step: 2 });
      expect(niceScale(43)).toEqual({ max: 50, step: 10 });
      expect(niceScale(1234)).toEqual({ max: 1500, step: 500 });
    });
  });

  describe(barChartSvg.name, () => {
    const chart = {
      title: 'Referrals & installations',
      categories: ['2025-26 Q1', '2025-26 Q2'],
      series: [
        { name: 'Referrals', values: [10, 4] },
        { name: 'Installations', values: [5, 0] },
      ],
      xLabel: 'Quarter',
      yLabel: 'Cases',
    };

    it('is a standalone SVG document with an escaped, accessible title', async () => {
      const svg = barChartSvg(chart);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('<title>Referrals &amp; installations</title>');
      expect(svg).toContain('aria-label="Referrals &amp; installations"');
      expect(svg).not.toContain('Referrals & installations');
    });

    it('draws one bar per series and category, heights proportional to the figures', async () => {
      const drawn = bars(barChartSvg(chart));
      expect(drawn).toHaveLength(4);
      const [q1r, q1i, q2r, q2i] = drawn;
      expect(q1r.height).toBeCloseTo(2 * q1i.height, 1);
      expect(q2r.height).toBeCloseTo(0.4 * q1r.height, 1);
      expect(q2i.height).toBe(0);
      expect(q1r.fill).not.toBe(q1i.fill);
    });

    it('escapes labels and series names', async () => {
      const svg = barChartSvg({
        title: 't',
        categories: ['<b>'],
        series: [{ name: '"x"', values: [1] }],
      });
      expect(svg).toContain('&lt;b&gt;');
      expect(svg).toContain('&quot;x&quot;');
      expect(svg).not.toContain('<b>');
    });

    it('says so when there is nothing to draw', async () => {
      const svg = barChartSvg({
        title: 'Empty',
        categories: [],
        series: [{ name: 'Cases', values: [] }],
      });
      expect(svg).toContain('No data for this period');
      expect(bars(svg)).toHaveLength(0);
    });

    it('is deterministic', async () => {
      expect(barChartSvg(chart)).toBe(barChartSvg(chart));
    });

    it('thins crowded axis labels', async () => {
      const categories = Array.from({ length: 60 }, (_, i) => `m${i}`);
      const svg = barChartSvg({
        title: 'Months',
        categories,
        series: [{ name: 'Cases', values: categories.map(() => 1) }],
      });
      const labels = [...svg.matchAll(/>m(\d+)</g)].length;
      expect(labels).toBeLessThan(60);
      expect(labels).toBeGreaterThan(5);
      expect(bars(svg)).toHaveLength(60);
    });
  });
});
