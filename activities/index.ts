/** All of Cairn's activities, built from injected dependencies so tests hand in real clients for the test stack. */
import { backupActivities, type BackupDeps } from './backup';
import { doctorActivities, type DoctorDeps } from './doctor';
import { drillActivities } from './drill';
import { pruneActivities } from './prune';
import { restoreActivities } from './restore';
import { maskActivities } from './mask';
import { setActivities } from './sets';
import { opsActivities } from './ops';
import { useStorageHints } from './failures';

export type ActivityDeps = BackupDeps & DoctorDeps;

export function createActivities(deps: ActivityDeps) {
  useStorageHints(deps.config.storage);
  return { ...backupActivities(deps), ...doctorActivities(deps), ...setActivities(deps), ...restoreActivities(deps), ...maskActivities(deps), ...drillActivities(deps), ...opsActivities(deps), ...pruneActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
