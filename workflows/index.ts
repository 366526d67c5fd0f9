/** Every workflow the worker serves, by the type name users start them with. */
export { progressQuery } from './backup-cycle';
// backupCycle, restoreBackup and drDrill as registered: labelled and notifying around their process
export { backupCycle, restoreBackup, drDrill } from './observed';
export { objectiveCheck } from './objective-check';
export { doctor } from './doctor';
export { restoreProgressQuery } from './restore-backup';
export { restoreTarget, restorePhaseQuery } from './restore-target';
export { drillProgressQuery } from './dr-drill';
export { pruneBackups } from './prune-backups';
