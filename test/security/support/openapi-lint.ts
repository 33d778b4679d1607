// A third-party check of the served OpenAPI document: Redocly CLI's `lint` with the recommended
// ruleset (redocly.yaml), run as its own process on the document written to a temporary file.
// Telemetry and the update check are off: the linter must never reach the network.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { OpenApiDoc } from './openapi.js';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LintProblem {
  severity: 'error' | 'warn';
  ruleId: string;
  message: string;
  where: string;
}

export interface LintReport {
  errors: number;
  warnings: number;
  problems: LintProblem[];
}

export async function lintDocument(doc: OpenApiDoc): Promise<LintReport> {
  const dir = await mkdtemp(join(tmpdir(), 'sanctuary-openapi-'));
  const file = join(dir, 'openapi.json');
  try {
    await writeFile(file, JSON.stringify(doc));
    const args = ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'];
    const env = {
      ...process.env,
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      NO_COLOR: '1',
    };
    let stdout: string;
    try {
      ({ stdout } = await run(join(ROOT, 'node_modules/.bin/redocly'), args, {
        env,
        cwd: dir,
        maxBuffer: 16 * 1024 * 1024,
      }));
    } catch (err) {
      // Redocly exits 1 when it finds errors; its JSON report is still on stdout.
      stdout = (err as { stdout?: string }).stdout ?? '';
      if (!stdout.trim()) throw err;
    }
    const out = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: {
        severity: 'error' | 'warn';
        ruleId: string;
        message: string;
        location: { pointer: string }[];
      }[];
    };
    return {
      errors: out.totals.errors,
      warnings: out.totals.warnings,
      problems: out.problems.map((p) => ({
        severity: p.severity,
        ruleId: p.ruleId,
        message: p.message,
        where: p.location.map((l) => l.pointer).join(' '),
      })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
