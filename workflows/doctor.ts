/** `doctor`: checks Temporal, the bucket, the catalog and every target, and reports them all. */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DoctorInput, DoctorReport } from './inputs';
import { checking } from './policies';
import { validateInput } from './validate-input';

const checks = proxyActivities<Activities>(checking);

export async function doctor(input: DoctorInput = {}): Promise<DoctorReport> {
  // Patched: doctors started before the input check replay as they ran.
  if (patched('cairn-validated-input')) validateInput<DoctorInput>('doctor', input, {});
  const plan = await checks.planBackup([]);
  const sections = await Promise.all([
    checks.checkTemporal(),
    checks.checkStorage(),
    checks.checkCatalog(),
    ...plan.targets.map((t) => checks.checkTarget(t.name)),
  ]);
  return { version: 1, ok: sections.every((s) => s.checks.every((c) => c.ok)), sections };
}
