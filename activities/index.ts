/** All of Cairn's activities, built from injected dependencies so tests hand in real clients for the test stack. */
import { backupActivities, type BackupDeps } from './backup';
import { doctorActivities, type DoctorDeps } from './doctor';

export type ActivityDeps = BackupDeps & DoctorDeps;

export function createActivities(deps: ActivityDeps) {
  return { ...backupActivities(deps), ...doctorActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
