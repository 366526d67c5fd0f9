/** Every workflow the worker serves, by the type name users start them with. */
export { backupCycle, progressQuery } from './backup-cycle';
export { doctor } from './doctor';
