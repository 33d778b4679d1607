// The one clock every deadline reads. Production uses the system time; tests inject a TestClock and
// move it forward instead of sleeping.
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export class TestClock extends Clock {
  private offsetMs = 0;
  private fixed: Date | null = null;

  now(): Date {
    return this.fixed
      ? new Date(this.fixed.getTime() + this.offsetMs)
      : new Date(Date.now() + this.offsetMs);
  }

  /** Moves time forward (or back) by ms. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  set(at: Date): void {
    this.fixed = null;
    this.offsetMs = at.getTime() - Date.now();
  }
}
