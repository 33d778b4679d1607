import { csvField, negotiateFormat, toCsv } from './report-csv.js';

describe('report CSV', () => {
  describe(csvField.name, () => {
    it('writes numbers, booleans and missing figures plainly', async () => {
      expect(csvField(12)).toBe('12');
      expect(csvField(0.6667)).toBe('0.6667');
      expect(csvField(0)).toBe('0');
      expect(csvField(null)).toBe('');
      expect(csvField(undefined)).toBe('');
      expect(csvField(Number.NaN)).toBe('');
      expect(csvField(true)).toBe('true');
    });

    it('quotes fields with commas, quotes or line breaks', async () => {
      expect(csvField('a,b')).toBe('"a,b"');
      expect(csvField('say "hi"')).toBe('"say ""hi"""');
      expect(csvField('two\nlines')).toBe('"two\nlines"');
      expect(csvField('plain')).toBe('plain');
    });

    it('defuses text a spreadsheet would run as a formula', async () => {
      expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
      expect(csvField('+44')).toBe("'+44");
      expect(csvField('-1')).toBe("'-1");
      expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
      expect(csvField(-1)).toBe('-1');
    });
  });

  describe(toCsv.name, () => {
    it('writes one header row and CRLF-terminated rows', async () => {
      expect(
        toCsv({
          columns: ['period', 'count'],
          rows: [
            ['Q1', 3],
            ['total', null],
          ],
        }),
      ).toBe('period,count\r\nQ1,3\r\ntotal,\r\n');
    });

    it('writes only the header when there are no rows', async () => {
      expect(toCsv({ columns: ['a', 'b'], rows: [] })).toBe('a,b\r\n');
    });

    it('refuses a row that does not match the header', async () => {
      expect(() => toCsv({ columns: ['a', 'b'], rows: [['x']] })).toThrow(RangeError);
    });
  });

  describe(negotiateFormat.name, () => {
    it('answers JSON by default', async () => {
      expect(negotiateFormat(undefined)).toBe('json');
      expect(negotiateFormat('')).toBe('json');
      expect(negotiateFormat('*/*')).toBe('json');
      expect(negotiateFormat('application/json')).toBe('json');
      expect(negotiateFormat('application/*')).toBe('json');
    });

    it('answers CSV when asked for it', async () => {
      expect(negotiateFormat('text/csv')).toBe('csv');
      expect(negotiateFormat('text/csv; charset=utf-8')).toBe('csv');
      expect(negotiateFormat('text/*')).toBe('csv');
      expect(negotiateFormat('text/csv, */*;q=0.1')).toBe('csv');
      expect(negotiateFormat('application/json;q=0.5, text/csv')).toBe('csv');
    });

    it('lets JSON win a tie and honours q-values', async () => {
      expect(negotiateFormat('text/csv, application/json')).toBe('json');
      expect(negotiateFormat('text/csv;q=0.4, application/json;q=0.9')).toBe('json');
    });

    it('lets the most specific range decide', async () => {
      expect(negotiateFormat('*/*;q=0.1, text/csv;q=0')).toBe('json');
      expect(negotiateFormat('text/*, text/csv;q=0')).toBeNull();
    });

    it('finds nothing acceptable for other types', async () => {
      expect(negotiateFormat('application/xml')).toBeNull();
      expect(negotiateFormat('image/png, text/html')).toBeNull();
      expect(negotiateFormat('application/json;q=0')).toBeNull();
    });
  });
});
