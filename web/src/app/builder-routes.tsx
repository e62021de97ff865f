import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { LoadingState } from '../components/states';

/**
 * The builder's pages (docs/builder.md, "The builder pages"): lazy chunks. Who may build is the
 * API's answer (admins; users with BUILDER_USERS=true); a refused caller sees its 403 explained.
 */
const BuilderPage = lazy(() => import('../features/builder/builder-page'));
const NewServicePage = lazy(() => import('../features/builder/new-service-page'));
const BuiltServicePage = lazy(() => import('../features/builder/service-page'));

const lazyPage = (node: React.ReactNode) => <Suspense fallback={<LoadingState label="Loading the page…" />}>{node}</Suspense>;

export const builderNavItem = { to: '/builder', label: 'Builder', hint: 'REST APIs as MCP services' };

export const builderRoutes: RouteObject[] = [
  { path: '/builder', element: lazyPage(<BuilderPage />) },
  { path: '/builder/new', element: lazyPage(<NewServicePage />) },
  { path: '/builder/:id', element: lazyPage(<BuiltServicePage />) },
];
