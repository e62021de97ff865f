/** Operator tasks the CLI runs: backup and restore, data-subject export and deletion (docs/operations.md). */
export { backup, backupKindOf, BackupError, restore, type BackupKind, type BackupTarget } from './backup.js';
export { deleteUser, exportUser, UserDataError, type DeletionReport, type ExportRequester } from './user-data.js';
export { accountExportOpenApi, accountExportRouter, type AccountExportOptions } from './routes.js';
