/**
 * Operator tasks the CLI runs: backup and restore, data-subject export and deletion, and the local
 * cluster with its rolling restart and soak (docs/operations.md).
 */
export { backup, backupKindOf, BackupError, restore, type BackupKind, type BackupTarget } from './backup.js';
export { deleteUser, exportUser, UserDataError, type DeletionReport, type ExportRequester } from './user-data.js';
export { accountExportOpenApi, accountExportRouter, type AccountExportOptions } from './routes.js';
export { descendantsOf, freePort, haproxyConfig, prometheusConfig, startCluster, type Cluster, type ClusterOptions, type LbServerState, type ReplicaProcess, type RestartReport, type ServeCommand } from './cluster.js';
export { clusterDatabase, clusterFigures, HTTP_SLUG, LOAD_ENV, requestLogRows, runClusterCommand, startDemoUpstream, STDIO_SLUG, UsageError, type DemoUpstream } from './cluster-command.js';
export { EVERYTHING_ENTRY, startEverythingHttp, type EverythingHttp, type EverythingHttpOptions } from './everything.js';
export { adminToken, ensureHttpService, MixedTraffic, rpcResponse, TRAFFIC_KINDS, type MinuteStats, type TrafficKind, type TrafficTotals } from './traffic.js';
