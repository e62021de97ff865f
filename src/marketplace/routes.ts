import { Router, type Request } from 'express';
import { z } from 'zod';
import { errors, parseBody, parseParams, parseQuery, type Principal } from '../gateway/index.js';
import type { Actor, Marketplace } from './marketplace.js';
import {
  adminWithdrawBody,
  browseQuery,
  inspectBody,
  listingBody,
  providerApplyBody,
  providerDecisionBody,
  providerGrantBody,
  ratingBody,
  reinstateBody,
  reviewDecisionBody,
  statsQuery,
  versionBody,
  withdrawBody,
} from './schemas.js';

const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const uuidParams = z.strictObject({ id: z.uuid() });
const versionParams = z.strictObject({ id: z.uuid(), version: z.coerce.number().int().min(1).max(1_000_000) });
const stateQuery = z.strictObject({ state: z.enum(['pending', 'approved', 'rejected', 'superseded']).default('pending') });
const listingStateQuery = z.strictObject({ state: z.enum(['live', 'withdrawn']).optional() });
const providerStatusQuery = z.strictObject({ status: z.enum(['pending', 'approved', 'rejected', 'revoked']).optional() });

function principalOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}

function actorOf(req: Request): Actor {
  return { userId: principalOf(req).userId, ip: req.ip ?? null, requestId: String(req.id) };
}

function adminOf(req: Request): Actor {
  if (principalOf(req).role !== 'admin') throw errors.forbidden('Administrators only');
  return actorOf(req);
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** /v1/marketplace/… (users and providers) and /v1/admin/marketplace/… (admins). Mount after `authenticate`. */
export function marketplaceRouter(market: Marketplace): Router {
  const router = Router();

  /** A provider's routes: an approved provider only (403 otherwise, naming how to become one). */
  const providerOf = async (req: Request): Promise<Actor> => {
    const actor = actorOf(req);
    if (!(await market.isProvider(actor.userId))) {
      throw errors.forbidden('This needs the provider role: apply with POST /v1/marketplace/provider, an admin approves it');
    }
    return actor;
  };

  // ---- users -------------------------------------------------------------------------------------
  router.get('/v1/marketplace/listings', async (req, res) => {
    const q = parseQuery(browseQuery, req);
    res.json({ listings: await market.browse(principalOf(req).userId, q) });
  });
  router.get('/v1/marketplace/listings/:id', async (req, res) => {
    const { id } = parseParams(idParams, req);
    res.json(await market.detail(principalOf(req).userId, id));
  });
  router.post('/v1/marketplace/listings/:id/install', async (req, res) => {
    const { id } = parseParams(idParams, req);
    const { created, listing } = await market.install(actorOf(req), id);
    res.status(created ? 201 : 200).json(listing);
  });
  router.delete('/v1/marketplace/listings/:id/install', async (req, res) => {
    const { id } = parseParams(idParams, req);
    await market.uninstall(actorOf(req), id);
    res.status(204).end();
  });
  router.put('/v1/marketplace/listings/:id/rating', async (req, res) => {
    const { id } = parseParams(idParams, req);
    const body = parseBody(ratingBody, req);
    const saved = await market.rate(actorOf(req), id, body);
    res.status(saved.created ? 201 : 200).json({ rating: saved.rating, review: saved.review });
  });
  router.get('/v1/marketplace/installs', async (req, res) => {
    res.json({ listings: await market.installed(principalOf(req).userId) });
  });

  // ---- providers ---------------------------------------------------------------------------------
  router.get('/v1/marketplace/provider', async (req, res) => {
    // A user who never applied is no error (the provider page reads this for everyone): status "none".
    res.json((await market.provider(principalOf(req).userId)) ?? { status: 'none' });
  });
  router.post('/v1/marketplace/provider', async (req, res) => {
    const body = parseBody(providerApplyBody, req);
    res.status(201).json(await market.apply(actorOf(req), body));
  });
  router.get('/v1/marketplace/provider/listings', async (req, res) => {
    const actor = await providerOf(req);
    res.json({ listings: await market.providerListings(actor.userId), npm_enabled: market.npmEnabled });
  });
  router.post('/v1/marketplace/provider/listings', async (req, res) => {
    const actor = await providerOf(req);
    const body = parseBody(listingBody, req);
    res.status(201).json(await market.submitListing(actor, body));
  });
  router.get('/v1/marketplace/provider/listings/:id', async (req, res) => {
    const actor = await providerOf(req);
    const { id } = parseParams(uuidParams, req);
    res.json(await market.providerListing(actor.userId, id));
  });
  router.post('/v1/marketplace/provider/listings/:id/versions', async (req, res) => {
    const actor = await providerOf(req);
    const { id } = parseParams(uuidParams, req);
    const body = parseBody(versionBody, req);
    res.status(201).json(await market.submitVersion(actor, id, body));
  });
  router.post('/v1/marketplace/provider/listings/:id/withdraw', async (req, res) => {
    const actor = await providerOf(req);
    const { id } = parseParams(uuidParams, req);
    const body = parseBody(withdrawBody, req);
    res.json(await market.withdraw(actor, id, 'provider', body.reason));
  });
  router.post('/v1/marketplace/provider/listings/:id/reinstate', async (req, res) => {
    const actor = await providerOf(req);
    const { id } = parseParams(uuidParams, req);
    const body = parseBody(reinstateBody, req);
    res.json(await market.reinstate(actor, id, 'provider', body.reason));
  });
  router.get('/v1/marketplace/provider/listings/:id/stats', async (req, res) => {
    const actor = await providerOf(req);
    const { id } = parseParams(uuidParams, req);
    const q = parseQuery(statsQuery, req);
    const to = q.to ?? day(new Date());
    const from = q.from ?? day(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000));
    if (from > to) throw errors.badRequest('"from" is after "to"');
    res.json(await market.stats(actor.userId, id, from, to));
  });

  // ---- admins ------------------------------------------------------------------------------------
  router.get('/v1/admin/marketplace/providers', async (req, res) => {
    adminOf(req);
    const { status } = parseQuery(providerStatusQuery, req);
    res.json({ providers: await market.providers(status) });
  });
  router.post('/v1/admin/marketplace/providers', async (req, res) => {
    const actor = adminOf(req);
    const body = parseBody(providerGrantBody, req);
    res.status(201).json(await market.grant(actor, body.user_id, body.display_name));
  });
  router.post('/v1/admin/marketplace/providers/:id/decision', async (req, res) => {
    const actor = adminOf(req);
    const { id } = parseParams(uuidParams, req);
    const body = parseBody(providerDecisionBody, req);
    res.json(await market.decideProvider(actor, id, body.decision, body.reason));
  });
  router.get('/v1/admin/marketplace/listings', async (req, res) => {
    adminOf(req);
    const { state } = parseQuery(listingStateQuery, req);
    res.json({ listings: await market.adminListings(state) });
  });
  router.post('/v1/admin/marketplace/listings/:id/withdraw', async (req, res) => {
    const actor = adminOf(req);
    const { id } = parseParams(uuidParams, req);
    const body = parseBody(adminWithdrawBody, req);
    res.json(await market.withdraw(actor, id, 'admin', body.reason));
  });
  router.post('/v1/admin/marketplace/listings/:id/reinstate', async (req, res) => {
    const actor = adminOf(req);
    const { id } = parseParams(uuidParams, req);
    const body = parseBody(reinstateBody, req);
    res.json(await market.reinstate(actor, id, 'admin', body.reason));
  });
  router.get('/v1/admin/marketplace/reviews', async (req, res) => {
    adminOf(req);
    const { state } = parseQuery(stateQuery, req);
    res.json({ reviews: await market.queue(state) });
  });
  router.get('/v1/admin/marketplace/reviews/:id/:version', async (req, res) => {
    adminOf(req);
    const { id, version } = parseParams(versionParams, req);
    res.json(await market.reviewItem(id, version));
  });
  router.post('/v1/admin/marketplace/reviews/:id/:version/inspect', async (req, res) => {
    const actor = adminOf(req);
    const { id, version } = parseParams(versionParams, req);
    const body = parseBody(inspectBody, req);
    res.json(await market.reinspect(actor, id, version, body.credentials));
  });
  router.post('/v1/admin/marketplace/reviews/:id/:version/decision', async (req, res) => {
    const actor = adminOf(req);
    const { id, version } = parseParams(versionParams, req);
    const body = parseBody(reviewDecisionBody, req);
    res.json(await market.decide(actor, id, version, body.decision, body.reason));
  });
  return router;
}
