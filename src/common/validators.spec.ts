import { plainToInstance } from 'class-transformer';
import { IsInt, IsString, validate } from 'class-validator';
import { IsAmount, IsNested, IsOmittable } from './validators.js';

class Sample {
  @IsOmittable() @IsInt() count?: number;
  @IsOmittable() @IsAmount() cost?: number;
}

const errorsOf = async (v: Partial<Record<keyof Sample, unknown>>) =>
  (await validate(Object.assign(new Sample(), v))).map((e) => e.property);

describe(IsOmittable.name, () => {
  it('lets a field be left out but not be null', async () => {
    expect(await errorsOf({})).toEqual([]);
    expect(await errorsOf({ count: null })).toEqual(['count']);
  });
});

describe(IsAmount.name, () => {
  it('takes pounds and pence', async () => {
    for (const cost of [0, 1, 19.99, 2500, 0.5, 99999.99])
      expect(await errorsOf({ cost })).toEqual([]);
  });

  it('refuses more decimals, exponents class-validator choked on, and non-numbers', async () => {
    for (const cost of [1.555, -1e-9, 1e-7, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY, '5'])
      expect(await errorsOf({ cost })).toEqual(['cost']);
  });
});

class Part {
  @IsString() name: string;
}

class Whole {
  @IsOmittable() @IsNested(Part) part?: Part;
  @IsOmittable() @IsNested(Part, { each: true }) parts?: Part[];
}

const nestedErrorsOf = async (v: Record<string, unknown>) =>
  (await validate(plainToInstance(Whole, v))).map((e) => e.property);

describe(IsNested.name, () => {
  it('validates a nested object, and each of a list of them, as its class', async () => {
    expect(await nestedErrorsOf({ part: { name: 'a' }, parts: [{ name: 'b' }] })).toEqual([]);
    expect(await nestedErrorsOf({ part: { name: 1 } })).toEqual(['part']);
    expect(await nestedErrorsOf({ parts: [{ name: 'b' }, { name: 2 }] })).toEqual(['parts']);
  });

  it('refuses an array, even an empty one, where an object belongs', async () => {
    for (const part of [[], [{ name: 'a' }], 'x', 1, true])
      expect(await nestedErrorsOf({ part })).toEqual(['part']);
    for (const parts of [[[]], [[{ name: 'a' }]], ['x']])
      expect(await nestedErrorsOf({ parts })).toEqual(['parts']);
  });
});
