// The last line of every jest run, as the benchmarks end too: `N passed, N failed` (tests). On
// stderr, after jest's own summary (which it writes there).
/* global process, setImmediate */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line =
      `\n${results.numPassedTests} passed, ${results.numFailedTests} failed` +
      (skipped ? `, ${skipped} skipped` : '') +
      (results.numRuntimeErrorTestSuites
        ? ` (${results.numRuntimeErrorTestSuites} suites could not run)`
        : '') +
      '\n';
    // After jest's own summary, which it prints once every reporter has finished.
    setImmediate(() => process.stderr.write(line));
  }
}
