/**
 * The input validator's rules, one by one, as the restore, drill and prune workflows will use them. (How it
 * behaves inside real workflows started from the Temporal CLI is in workflow-input.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/workflow';
import { TARGET_NAME, validateInput, type InputSchema } from '../workflows/validate-input';

const SCHEMA: InputSchema = {
  target: { type: 'string', pattern: TARGET_NAME, hint: 'a target name' },
  backupId: { type: 'string' },
  replace: { type: 'boolean' },
  keepDays: { type: 'integer', min: 1, max: 365 },
  mode: { type: 'enum', values: ['full', 'smoke'] },
  targets: { type: 'stringList', pattern: TARGET_NAME, maxItems: 2 },
};

function refusal(input: unknown): string {
  try {
    validateInput('restoreBackup', input, SCHEMA);
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'InvalidWorkflowInput');
    assert.equal(err.nonRetryable, true);
    return err.message;
  }
  return assert.fail(`accepted ${JSON.stringify(input)}`);
}

test('well-formed inputs pass through unchanged; no input at all is {}', () => {
  const input = { version: 1, target: 'app', backupId: 'postgres_app_20261121_020000', replace: false, keepDays: 365, mode: 'smoke', targets: ['a', 'b'] };
  assert.deepEqual(validateInput('restoreBackup', input, SCHEMA), input);
  assert.deepEqual(validateInput('restoreBackup', {}, SCHEMA), {});
  assert.deepEqual(validateInput('restoreBackup', undefined, SCHEMA), {});
  assert.deepEqual(validateInput('restoreBackup', null, SCHEMA), {});
});

test('each rule names the field, what it expects and what it got', () => {
  assert.equal(refusal({ replace: 'yes' }), `restoreBackup input: field 'replace' must be true or false, got a string ("yes")`);
  assert.equal(refusal({ keepDays: 0 }), `restoreBackup input: field 'keepDays' must be a whole number from 1 to 365, got a number (0)`);
  assert.equal(refusal({ keepDays: 1.5 }), `restoreBackup input: field 'keepDays' must be a whole number from 1 to 365, got a number (1.5)`);
  assert.equal(refusal({ keepDays: '30' }), `restoreBackup input: field 'keepDays' must be a whole number from 1 to 365, got a string ("30")`);
  assert.equal(refusal({ mode: 'FULL' }), `restoreBackup input: field 'mode' must be one of "full", "smoke", got a string ("FULL")`);
  assert.match(refusal({ target: 'App' }), /^restoreBackup input: field 'target' must be a string \(a target name\) matching .*, got a string \("App"\)$/);
  assert.equal(refusal({ backupId: 42 }), `restoreBackup input: field 'backupId' must be a string, got a number (42)`);
  assert.match(refusal({ targets: ['a', 'b', 'c'] }), /field 'targets' must be a list of strings .* of at most 2 items, got 3$/);
  assert.match(refusal({ targets: { a: 1 } }), /field 'targets' must be a list of strings .*, got an object \(\{"a":1\}\)$/);
});

test('unknown fields, other versions and non-objects are refused, never ignored', () => {
  assert.equal(refusal({ targt: 'app' }), `restoreBackup input: unknown field(s) 'targt'; known fields: version, target, backupId, replace, keepDays, mode, targets`);
  assert.match(refusal({ version: 2 }), /^restoreBackup input: field 'version' must be 1 \(absent means 1; this worker knows no other input version\), got a number \(2\)$/);
  assert.match(refusal({ version: '1' }), /field 'version' must be 1 .*got a string \("1"\)$/);
  assert.match(refusal(7), /^restoreBackup input: must be a JSON object such as \{\} with optional fields target, .*, got a number \(7\)$/);
  // Long values are cut short: the message stays one readable line.
  assert.match(refusal({ keepDays: 'x'.repeat(100) }), /got a string \("x{36}\.\.\.\)$/);
});
