/** Vault: master keys with key IDs, envelope encryption of secrets at rest, and their rotation. */
export { loadVault, parseMasterKey, Vault, VaultError, type MasterKey, type VaultLoadResult, type VaultSettings } from './vault.js';
export { resealColumn, type RotationCount, type RotationFailure, type SealedColumn, type SealedRow } from './rotation.js';
