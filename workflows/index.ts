/** Every workflow the worker serves, by the type name users start them with. */
export { backupCycle, progressQuery } from './backup-cycle';
export { doctor } from './doctor';
export { restoreBackup, restoreProgressQuery } from './restore-backup';
export { restoreTarget, restorePhaseQuery } from './restore-target';
export { drDrill, drillProgressQuery } from './dr-drill';
export { pruneBackups } from './prune-backups';
