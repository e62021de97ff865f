import type { ToolPolicy } from '../contracts.js';

/** Whether a tool is visible and callable under a service's allow/deny rules. */
export function toolAllowed(policy: ToolPolicy, name: string): boolean {
  if (policy.allow && !policy.allow.includes(name)) return false;
  if (policy.deny?.includes(name)) return false;
  return true;
}
