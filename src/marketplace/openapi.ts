import { errorResponse, jsonBody, jsonResponse, type OpenApiPaths } from '../gateway/index.js';
import { adminWithdrawBody, inspectBody, listingBody, providerApplyBody, providerDecisionBody, providerGrantBody, ratingBody, reinstateBody, reviewDecisionBody, versionBody, withdrawBody } from './schemas.js';

const price = { type: ['object', 'null'], properties: { per_call: { type: 'string', description: 'Decimal, 6 places' }, currency: { type: 'string' } }, required: ['per_call', 'currency'], description: 'null: free' };
const link = { type: 'object', properties: { title: { type: 'string' }, url: { type: 'string' } }, required: ['title', 'url'] };

const providerSchema = {
  type: 'object',
  properties: {
    user_id: { type: 'string', format: 'uuid' },
    display_name: { type: 'string' },
    note: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'approved', 'rejected', 'revoked'] },
    reason: { type: ['string', 'null'] },
    decided_at: { type: ['string', 'null'], format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
  },
  required: ['user_id', 'display_name', 'note', 'status', 'reason', 'decided_at', 'created_at'],
};

const inspection = {
  type: ['object', 'null'],
  description: 'What the platform saw when it connected to the version with the SDK client',
  properties: {
    ok: { type: 'boolean' },
    error: { type: 'string' },
    server: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
    tools: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, inputSchema: {} }, required: ['name'] } },
    prompts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' } }, required: ['name'] } },
    resources: { type: 'array', items: { type: 'object', properties: { uri: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, mimeType: { type: 'string' } }, required: ['uri', 'name'] } },
    resourceTemplates: { type: 'array', items: { type: 'object', properties: { uriTemplate: { type: 'string' }, name: { type: 'string' } }, required: ['uriTemplate', 'name'] } },
  },
  required: ['ok', 'tools', 'prompts', 'resources', 'resourceTemplates'],
};

const versionProps = {
  version: { type: 'integer' },
  state: { type: 'string', enum: ['pending', 'approved', 'rejected', 'superseded'] },
  reason: { type: ['string', 'null'], description: "The reviewer's reason (always given for a rejection)" },
  title: { type: 'string' },
  description: { type: 'string' },
  icon_url: { type: ['string', 'null'] },
  categories: { type: 'array', items: { type: 'string' } },
  links: { type: 'array', items: link },
  price,
  changelog: { type: 'string' },
  created_at: { type: 'string', format: 'date-time' },
  reviewed_at: { type: ['string', 'null'], format: 'date-time' },
};
const source = { type: 'object', description: '{ type: "http", url, transport }, { type: "npm", package, version, integrity, bin?, args }, or { type: "builder", service_id, version, openapi } (the builder version\'s definition, copied at submission)', additionalProperties: true };

const reviewItem = {
  type: 'object',
  properties: {
    listing_id: { type: 'string', format: 'uuid' },
    slug: { type: 'string' },
    kind: { type: 'string', enum: ['http', 'npm', 'builder'] },
    provider: { type: 'object', properties: { user_id: { type: 'string' }, display_name: { type: ['string', 'null'] } }, required: ['user_id', 'display_name'] },
    live_version: { type: ['integer', 'null'] },
    withdrawn_at: { type: ['string', 'null'], format: 'date-time', description: 'When the listing was withdrawn (null: it was not)' },
    ...versionProps,
    source,
    credentials: { type: 'array', items: { type: 'object', additionalProperties: true } },
    inspection,
    inspected_at: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['listing_id', 'slug', 'kind', 'provider', 'live_version', 'version', 'state', 'title', 'price', 'source', 'credentials', 'inspection'],
};

const providerListing = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    slug: { type: 'string' },
    kind: { type: 'string', enum: ['http', 'npm', 'builder'] },
    live_version: { type: ['integer', 'null'] },
    withdrawn: {
      type: ['object', 'null'],
      description: 'null: on the marketplace. Withdrawn: off browse and search, no new installs, versions or approvals; users who installed it keep it until they uninstall',
      properties: { at: { type: 'string', format: 'date-time' }, by: { type: 'string', enum: ['provider', 'admin'], description: 'The role the withdrawer acted in (an admin withdrawing a listing of their own through the admin route: admin)' }, reason: { type: ['string', 'null'] } },
      required: ['at', 'by', 'reason'],
    },
    created_at: { type: 'string', format: 'date-time' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...versionProps,
          source,
          credentials: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'The credential fields this version asks users for (definitions, as submitted; never a value)' },
          inspection: { type: ['object', 'null'], properties: { ok: { type: 'boolean' }, error: { type: 'string' }, tools: { type: 'array', items: { type: 'string' } } }, required: ['ok', 'tools'] },
        },
        required: ['version', 'state', 'title', 'price', 'source', 'inspection'],
      },
    },
  },
  required: ['id', 'slug', 'kind', 'live_version', 'withdrawn', 'versions'],
};

const listingSummaryProps = {
  id: { type: 'string', format: 'uuid' },
  slug: { type: 'string' },
  kind: { type: 'string', enum: ['http', 'npm', 'builder'] },
  version: { type: 'integer', description: 'The live version' },
  title: { type: 'string' },
  description: { type: 'string' },
  icon_url: { type: ['string', 'null'] },
  categories: { type: 'array', items: { type: 'string' } },
  links: { type: 'array', items: link },
  price,
  provider: { type: 'object', properties: { display_name: { type: 'string' } }, required: ['display_name'] },
  rating: { type: 'object', properties: { average: { type: ['number', 'null'] }, count: { type: 'integer' } }, required: ['average', 'count'] },
  installs: { type: 'integer' },
  installed: { type: 'boolean', description: 'Whether the caller installed it' },
  withdrawn_at: { type: ['string', 'null'], format: 'date-time', description: 'Withdrawn by its provider or an admin: only users who installed it still see it (and use it until they uninstall)' },
  updated_at: { type: 'string', format: 'date-time' },
};
const listingSummary = { type: 'object', properties: listingSummaryProps, required: ['id', 'slug', 'kind', 'version', 'title', 'price', 'provider', 'rating', 'installs', 'installed'] };
const listingDetail = {
  type: 'object',
  properties: {
    ...listingSummaryProps,
    service: { type: 'string', description: 'The service slug: /mcp/{service} once installed' },
    tools: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' } }, required: ['name'] } },
    prompts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' } }, required: ['name'] } },
    resources: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, uri: { type: 'string' }, description: { type: 'string' } }, required: ['name', 'uri'] } },
    credentials: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, required: { type: 'boolean' }, secret: { type: 'boolean' } }, required: ['name', 'title', 'required', 'secret'] },
    },
    changelog: { type: 'array', items: { type: 'object', properties: { version: { type: 'integer' }, changelog: { type: 'string' }, approved_at: { type: ['string', 'null'] } }, required: ['version', 'changelog', 'approved_at'] } },
    reviews: {
      type: 'array',
      description: "Ratings without who gave them; `mine` marks the caller's",
      items: { type: 'object', properties: { rating: { type: 'integer' }, review: { type: 'string' }, updated_at: { type: 'string' }, mine: { type: 'boolean' } }, required: ['rating', 'review', 'updated_at', 'mine'] },
    },
  },
  required: [...listingSummary.required, 'service', 'tools', 'prompts', 'resources', 'credentials', 'changelog', 'reviews'],
};

const statsSchema = {
  type: 'object',
  properties: {
    listing_id: { type: 'string' },
    slug: { type: 'string' },
    period: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } }, required: ['from', 'to'] },
    installs: { type: 'integer', description: 'Users who have it installed now' },
    calls: { type: 'integer' },
    errors: { type: 'integer' },
    price,
    revenue: { type: ['object', 'null'], properties: { amount: { type: 'string' }, currency: { type: 'string' } }, required: ['amount', 'currency'], description: 'calls × the live price; null: free' },
    days: {
      type: 'array',
      items: { type: 'object', properties: { day: { type: 'string' }, calls: { type: 'integer' }, errors: { type: 'integer' }, revenue: { type: ['string', 'null'] } }, required: ['day', 'calls', 'errors', 'revenue'] },
    },
  },
  required: ['listing_id', 'slug', 'period', 'installs', 'calls', 'errors', 'price', 'revenue', 'days'],
};

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Listing slug or ID' };
const uuidParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'Listing ID' };
const versionParam = { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const userParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'User ID' };
const q = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ name, in: 'query', required: false, schema, description });
const adminOnly = { '401': errorResponse('unauthorized'), '403': errorResponse('forbidden: administrators only') };
const providerOnly = { '401': errorResponse('unauthorized'), '403': errorResponse('forbidden: needs the provider role') };
const tags = ['marketplace'];
const adminTags = ['admin', 'marketplace'];

export const marketplaceOpenApi: OpenApiPaths = {
  '/v1/marketplace/listings': {
    get: {
      summary: 'Browse the live listings: search by text, category and price',
      tags,
      operationId: 'marketplaceBrowse',
      parameters: [
        q('q', 'Words in the title, description or slug'),
        q('category', 'One category'),
        q('price', 'free or paid', { type: 'string', enum: ['free', 'paid'] }),
        q('max_price', 'Only listings at or below this price per call (decimal)'),
        q('limit', 'At most this many (1-100, default 50)', { type: 'integer' }),
        q('offset', 'Skip this many', { type: 'integer' }),
      ],
      responses: { '200': jsonResponse('Listings', { type: 'object', properties: { listings: { type: 'array', items: listingSummary } }, required: ['listings'] }), '400': errorResponse('validation_failed'), '401': errorResponse('unauthorized') },
    },
  },
  '/v1/marketplace/listings/{id}': {
    get: {
      summary: "One live listing: its tools, prompts, resources, credentials it asks for, ratings and changelog",
      tags,
      operationId: 'marketplaceListing',
      parameters: [idParam],
      responses: { '200': jsonResponse('Listing', listingDetail), '401': errorResponse('unauthorized'), '404': errorResponse('not_found') },
    },
  },
  '/v1/marketplace/listings/{id}/install': {
    post: {
      summary: 'Install a listing: its service becomes usable for you on /mcp/{service} and /mcp (after its credentials, if it asks for any). Audited.',
      tags,
      operationId: 'marketplaceInstall',
      parameters: [idParam],
      responses: { '201': jsonResponse('Installed', listingDetail), '200': jsonResponse('Already installed', listingDetail), '401': errorResponse('unauthorized'), '404': errorResponse('not_found') },
    },
    delete: {
      summary: 'Uninstall a listing (your stored credentials for it are deleted too). Audited.',
      tags,
      operationId: 'marketplaceUninstall',
      parameters: [idParam],
      responses: { '204': { description: 'Uninstalled' }, '401': errorResponse('unauthorized'), '404': errorResponse('not_found') },
    },
  },
  '/v1/marketplace/listings/{id}/rating': {
    put: {
      summary: 'Rate and review a listing you installed: one per user, a second PUT edits it',
      tags,
      operationId: 'marketplaceRate',
      parameters: [idParam],
      requestBody: jsonBody(ratingBody),
      responses: {
        '201': jsonResponse('Saved', { type: 'object', properties: { rating: { type: 'integer' }, review: { type: 'string' } }, required: ['rating', 'review'] }),
        '200': jsonResponse('Edited', { type: 'object', properties: { rating: { type: 'integer' }, review: { type: 'string' } }, required: ['rating', 'review'] }),
        '400': errorResponse('validation_failed'),
        '401': errorResponse('unauthorized'),
        '403': errorResponse('forbidden: not installed'),
        '404': errorResponse('not_found'),
      },
    },
  },
  '/v1/marketplace/installs': {
    get: {
      summary: 'The listings you installed',
      tags,
      operationId: 'marketplaceInstalls',
      responses: { '200': jsonResponse('Listings', { type: 'object', properties: { listings: { type: 'array', items: listingSummary } }, required: ['listings'] }), '401': errorResponse('unauthorized') },
    },
  },
  '/v1/marketplace/provider': {
    get: {
      summary: 'Your provider application and its status ({ "status": "none" } when you never applied)',
      tags,
      operationId: 'marketplaceProviderStatus',
      responses: {
        '200': jsonResponse('Your provider record, or { "status": "none" } when you never applied', {
          oneOf: [providerSchema, { type: 'object', properties: { status: { type: 'string', enum: ['none'] } }, required: ['status'], additionalProperties: false }],
        }),
        '401': errorResponse('unauthorized'),
      },
    },
    post: {
      summary: 'Apply for the provider role (an admin approves or rejects it). Audited.',
      tags,
      operationId: 'marketplaceProviderApply',
      requestBody: jsonBody(providerApplyBody),
      responses: { '201': jsonResponse('Application', providerSchema), '400': errorResponse('validation_failed'), '401': errorResponse('unauthorized'), '409': errorResponse('already_provider or application_pending') },
    },
  },
  '/v1/marketplace/provider/listings': {
    get: {
      summary: 'Your listings with every version and its review state (provider)',
      tags,
      operationId: 'marketplaceProviderListings',
      responses: { '200': jsonResponse('Listings', {
          type: 'object',
          properties: {
            listings: { type: 'array', items: providerListing },
            npm_enabled: { type: 'boolean', description: 'Whether npm listings may be submitted here (MARKETPLACE_NPM); false: only http listings' },
          },
          required: ['listings', 'npm_enabled'],
        }), ...providerOnly },
    },
    post: {
      summary: 'Submit a listing (version 1) for review: a remote http MCP endpoint, an npm package, or a version of a service you made with the builder; the platform connects to it and lists what it exposes. Audited.',
      tags,
      operationId: 'marketplaceSubmitListing',
      requestBody: jsonBody(listingBody),
      responses: { '201': jsonResponse('Submitted', providerListing), '400': errorResponse('validation_failed, or a URL the egress guard refuses (base_url_refused: a builder version\'s base URL)'), ...providerOnly, '409': errorResponse('slug_taken') },
    },
  },
  '/v1/marketplace/provider/listings/{id}': {
    get: {
      summary: 'One of your listings (provider)',
      tags,
      operationId: 'marketplaceProviderListing',
      parameters: [uuidParam],
      responses: { '200': jsonResponse('Listing', providerListing), ...providerOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/marketplace/provider/listings/{id}/versions': {
    post: {
      summary: 'Submit a new version for review; the live version stays until an admin approves this one. Audited.',
      tags,
      operationId: 'marketplaceSubmitVersion',
      parameters: [uuidParam],
      requestBody: jsonBody(versionBody),
      responses: { '201': jsonResponse('Submitted', providerListing), '400': errorResponse('validation_failed, or a URL the egress guard refuses (base_url_refused: a builder version\'s base URL)'), ...providerOnly, '404': errorResponse('not_found'), '409': errorResponse('listing_withdrawn') },
    },
  },
  '/v1/marketplace/provider/listings/{id}/withdraw': {
    post: {
      summary:
        "Withdraw your listing (provider): it leaves browse and search and cannot be newly installed; users who installed it keep using it until they uninstall. Undone by …/reinstate. Another provider's listing is a 404. Audited.",
      tags,
      operationId: 'marketplaceWithdraw',
      parameters: [uuidParam],
      requestBody: jsonBody(withdrawBody),
      responses: { '200': jsonResponse('Withdrawn', providerListing), '400': errorResponse('validation_failed'), ...providerOnly, '404': errorResponse('not_found'), '409': errorResponse('listing_withdrawn: withdrawn already') },
    },
  },
  '/v1/marketplace/provider/listings/{id}/reinstate': {
    post: {
      summary:
        "Put your withdrawn listing back on the marketplace (provider; only one you withdrew yourself). Its live version's URLs are checked by the egress guard again as at submission; its pending versions return to the review queue. Audited.",
      tags,
      operationId: 'marketplaceReinstate',
      parameters: [uuidParam],
      requestBody: jsonBody(reinstateBody),
      responses: {
        '200': jsonResponse('Reinstated', providerListing),
        '400': errorResponse('validation_failed, or a URL of the live version the egress guard refuses now (bad_request naming source.url, icon_url or links.N.url; base_url_refused)'),
        ...providerOnly,
        '404': errorResponse('not_found'),
        '409': errorResponse('not_withdrawn or withdrawn_by_admin (an administrator withdrew it)'),
      },
    },
  },
  '/v1/marketplace/provider/listings/{id}/stats': {
    get: {
      summary: "Installs, calls, errors and revenue of your listing per day (provider); never users' identities, payloads or credentials",
      tags,
      operationId: 'marketplaceProviderStats',
      parameters: [uuidParam, q('from', 'First day, YYYY-MM-DD (default: 29 days before `to`)'), q('to', 'Last day, YYYY-MM-DD (default: today, UTC)')],
      responses: { '200': jsonResponse('Figures', statsSchema), '400': errorResponse('validation_failed'), ...providerOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/marketplace/providers': {
    get: {
      summary: 'Provider applications and providers (admin)',
      tags: adminTags,
      operationId: 'adminMarketplaceProviders',
      parameters: [q('status', 'Only this status', { type: 'string', enum: ['pending', 'approved', 'rejected', 'revoked'] })],
      responses: {
        '200': jsonResponse('Providers', { type: 'object', properties: { providers: { type: 'array', items: { ...providerSchema, properties: { ...providerSchema.properties, email: { type: ['string', 'null'] } } } } }, required: ['providers'] }),
        ...adminOnly,
      },
    },
    post: {
      summary: 'Grant a user the provider role at once (admin). Audited.',
      tags: adminTags,
      operationId: 'adminMarketplaceGrantProvider',
      requestBody: jsonBody(providerGrantBody),
      responses: { '201': jsonResponse('Provider', providerSchema), '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/marketplace/providers/{id}/decision': {
    post: {
      summary: 'Approve or reject an application, or revoke a provider (admin; a reason is required to reject or revoke). Audited.',
      tags: adminTags,
      operationId: 'adminMarketplaceDecideProvider',
      parameters: [userParam],
      requestBody: jsonBody(providerDecisionBody),
      responses: { '200': jsonResponse('Provider', providerSchema), '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found'), '409': errorResponse('invalid_state') },
    },
  },
  '/v1/admin/marketplace/listings': {
    get: {
      summary: 'Every listing, newest first (at most 500): on the marketplace (state=live), withdrawn (state=withdrawn) or all, never-approved ones included, with its provider, live title and installs (admin)',
      tags: adminTags,
      operationId: 'adminMarketplaceListings',
      parameters: [q('state', 'live: on the marketplace; withdrawn; absent: all', { type: 'string', enum: ['live', 'withdrawn'] })],
      responses: {
        '200': jsonResponse('Listings', {
          type: 'object',
          properties: {
            listings: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string', format: 'uuid' },
                  slug: { type: 'string' },
                  kind: { type: 'string', enum: ['http', 'npm', 'builder'] },
                  title: { type: ['string', 'null'], description: "The live version's title; null before the first approval" },
                  provider: { type: 'object', properties: { user_id: { type: 'string', format: 'uuid' }, display_name: { type: 'string' } }, required: ['user_id', 'display_name'] },
                  live_version: { type: ['integer', 'null'] },
                  withdrawn: providerListing.properties.withdrawn,
                  installs: { type: 'integer', description: 'Users who have it installed now' },
                  created_at: { type: 'string', format: 'date-time' },
                },
                required: ['id', 'slug', 'kind', 'title', 'provider', 'live_version', 'withdrawn', 'installs', 'created_at'],
              },
            },
          },
          required: ['listings'],
        }),
        '400': errorResponse('validation_failed: an unknown state or query parameter'),
        ...adminOnly,
      },
    },
  },
  '/v1/admin/marketplace/listings/{id}/withdraw': {
    post: {
      summary:
        'Withdraw any listing, with a reason (admin): as the provider\'s withdrawal. To stop existing installs as well, disable its service (PATCH /v1/admin/services/{id} { "enabled": false }). Audited.',
      tags: adminTags,
      operationId: 'adminMarketplaceWithdraw',
      parameters: [uuidParam],
      requestBody: jsonBody(adminWithdrawBody),
      responses: { '200': jsonResponse('Withdrawn', providerListing), '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found'), '409': errorResponse('listing_withdrawn: withdrawn already') },
    },
  },
  '/v1/admin/marketplace/listings/{id}/reinstate': {
    post: {
      summary: "Put any withdrawn listing back on the marketplace (admin). Its live version's URLs are checked by the egress guard again as at submission. Audited.",
      tags: adminTags,
      operationId: 'adminMarketplaceReinstate',
      parameters: [uuidParam],
      requestBody: jsonBody(reinstateBody),
      responses: {
        '200': jsonResponse('Reinstated', providerListing),
        '400': errorResponse('validation_failed, or a URL of the live version the egress guard refuses now (bad_request, base_url_refused)'),
        ...adminOnly,
        '404': errorResponse('not_found'),
        '409': errorResponse('not_withdrawn'),
      },
    },
  },
  '/v1/admin/marketplace/reviews': {
    get: {
      summary: 'The review queue: versions waiting for review, oldest first, with the tools, prompts and resources the platform saw (admin)',
      tags: adminTags,
      operationId: 'adminMarketplaceReviews',
      parameters: [q('state', 'Versions in this state (default pending)', { type: 'string', enum: ['pending', 'approved', 'rejected', 'superseded'] })],
      responses: { '200': jsonResponse('Queue', { type: 'object', properties: { reviews: { type: 'array', items: reviewItem } }, required: ['reviews'] }), ...adminOnly },
    },
  },
  '/v1/admin/marketplace/reviews/{id}/{version}': {
    get: {
      summary: 'One listing version as the reviewer sees it (admin)',
      tags: adminTags,
      operationId: 'adminMarketplaceReview',
      parameters: [uuidParam, versionParam],
      responses: { '200': jsonResponse('Version', reviewItem), ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/marketplace/reviews/{id}/{version}/inspect': {
    post: {
      summary: 'Connect to the version again and list what it exposes, with credentials for this time only (admin). Audited.',
      tags: adminTags,
      operationId: 'adminMarketplaceInspect',
      parameters: [uuidParam, versionParam],
      requestBody: jsonBody(inspectBody),
      responses: { '200': jsonResponse('Version', reviewItem), '400': errorResponse('validation_failed'), ...adminOnly, '404': errorResponse('not_found') },
    },
  },
  '/v1/admin/marketplace/reviews/{id}/{version}/decision': {
    post: {
      summary: 'Approve (the version becomes the live one; its price becomes the per-call price) or reject with a reason (admin). Audited.',
      tags: adminTags,
      operationId: 'adminMarketplaceDecide',
      parameters: [uuidParam, versionParam],
      requestBody: jsonBody(reviewDecisionBody),
      responses: {
        '200': jsonResponse('Version', reviewItem),
        '400': errorResponse('validation_failed'),
        ...adminOnly,
        '404': errorResponse('not_found'),
        '409': errorResponse('invalid_state, older_version, not_inspected, slug_taken or listing_withdrawn'),
      },
    },
  },
};
