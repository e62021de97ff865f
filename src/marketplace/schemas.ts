import { z } from 'zod';
import { credentialSchemaSchema, SLUG } from '../catalog/index.js';

/** The request bodies of the marketplace routes (docs/marketplace.md). Strict: unknown fields are refused. */

const CATEGORY = /^[a-z][a-z0-9-]{0,31}$/;
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);
/** A decimal with at most 6 places, as billing's prices spell it. */
export const PRICE = /^\d{1,9}(\.\d{1,6})?$/;
/** npm's own rule for names (scoped or not), lower case. */
const NPM_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
/** An exact version: no ranges, no tags. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const providerApplyBody = z.strictObject({
  display_name: z.string().trim().min(1).max(120),
  note: z.string().max(2000).default(''),
});

export const providerGrantBody = z.strictObject({
  user_id: z.uuid(),
  display_name: z.string().trim().min(1).max(120),
});

export const providerDecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject', 'revoke']),
  reason: z.string().trim().max(2000).optional(),
});

export const httpSourceSchema = z.strictObject({
  type: z.literal('http'),
  url: httpUrl,
  transport: z.enum(['streamable-http', 'sse']).default('streamable-http'),
});

export const npmSourceSchema = z.strictObject({
  type: z.literal('npm'),
  package: z.string().max(214).regex(NPM_NAME, 'must be an npm package name'),
  version: z.string().max(100).regex(EXACT_VERSION, 'must be an exact version (1.2.3), not a range or tag'),
  integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]{86}==$/, 'must be the sha512 integrity the registry gives (dist.integrity)'),
  /** The package's bin to run (default: its only bin, or the one named like the package). */
  bin: z.string().regex(/^[A-Za-z0-9._@/-]{1,100}$/).optional(),
  args: z.array(z.string().max(500)).max(20).default([]),
});

/** A version of a service the provider made with the builder (`POST /v1/builder/services`, BUILDER_USERS). */
export const builderSourceSchema = z.strictObject({
  type: z.literal('builder'),
  service_id: z.uuid(),
  version: z.number().int().min(1),
});

const versionFields = {
  title: z.string().trim().min(1).max(120),
  description: z.string().max(4000).default(''),
  icon_url: httpUrl.optional(),
  categories: z.array(z.string().regex(CATEGORY, 'must be lower-case letters, digits and dashes')).max(8).default([]),
  links: z.array(z.strictObject({ title: z.string().trim().min(1).max(80), url: httpUrl })).max(10).default([]),
  /** null or absent: free. */
  price: z
    .strictObject({ per_call: z.string().regex(PRICE, 'a decimal with at most 6 places, e.g. "0.002"'), currency: z.string().regex(/^[A-Z]{3}$/).default('USD') })
    .nullable()
    .default(null),
  source: z.discriminatedUnion('type', [httpSourceSchema, npmSourceSchema, builderSourceSchema]),
  credentials: credentialSchemaSchema.default([]),
  changelog: z.string().max(4000).default(''),
  /** Credential values for the platform's inspection of this version only; never stored. */
  test_credentials: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.string().max(4096)).optional(),
};

function credentialsMatchSource(v: { source: { type: string }; credentials: Array<{ inject: object }> }, ctx: z.RefinementCtx) {
  if (v.source.type === 'builder') {
    if (v.credentials.length) ctx.addIssue({ code: 'custom', path: ['credentials'], message: "a builder listing's credential fields are its builder version's; leave this out" });
    return;
  }
  v.credentials.forEach((f, i) => {
    const ok = v.source.type === 'http' ? 'header' in f.inject : 'env' in f.inject;
    if (!ok) ctx.addIssue({ code: 'custom', path: ['credentials', i, 'inject'], message: v.source.type === 'http' ? 'an http listing injects credentials as { header }' : 'an npm listing injects credentials as { env }' });
  });
}

export const versionBody = z.strictObject(versionFields).superRefine(credentialsMatchSource);
export const listingBody = z
  .strictObject({ slug: z.string().regex(SLUG, 'must be lower-case letters, digits and dashes, starting with a letter'), ...versionFields })
  .superRefine(credentialsMatchSource);
export type VersionInput = z.output<typeof versionBody>;

export const reviewDecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  /** Required to reject: the provider is told why. */
  reason: z.string().trim().max(2000).optional(),
});

/** A provider withdraws its own listing (a reason is optional); an admin must give one. */
export const withdrawBody = z.strictObject({ reason: z.string().trim().min(1).max(2000).optional() });
/** Reinstating a withdrawn listing (its provider, or an admin): an optional reason, kept in the audit trail. */
export const reinstateBody = withdrawBody;
export const adminWithdrawBody = z.strictObject({ reason: z.string().trim().min(1, 'A reason is required').max(2000) });

export const inspectBody = z.strictObject({
  /** Credential values for this inspection only; never stored. */
  credentials: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.string().max(4096)).default({}),
});

export const browseQuery = z.strictObject({
  q: z.string().max(200).optional(),
  category: z.string().regex(CATEGORY).optional(),
  price: z.enum(['free', 'paid']).optional(),
  /** Only listings at or below this price per call. */
  max_price: z.string().regex(PRICE).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const ratingBody = z.strictObject({
  rating: z.number().int().min(1).max(5),
  review: z.string().max(4000).default(''),
});

export const statsQuery = z.strictObject({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional(),
});
