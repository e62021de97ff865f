import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useLocation, useSearchParams } from 'react-router';
import { useSession } from '../auth/session';
import { LoadingState } from '../components/states';
import { adminRoutes } from './admin-routes';
import { builderRoutes } from './builder-routes';
import { AppLayout } from './layout';
import { NotFoundPage, OAuthRefusedPage } from './dead-end-pages';

// Pages load on demand: the first load carries the shell and the page it opens.
// --- account and password recovery (web branch) ---
const ForgotPasswordPage = lazy(() => import('../features/auth/forgot-password-page'));
const ResetPasswordPage = lazy(() => import('../features/auth/reset-password-page'));
const ConfirmEmailPage = lazy(() => import('../features/auth/confirm-email-page'));
const AccountPage = lazy(() => import('../features/account/account-page'));
export const accountPaths = { account: '/account', forgotPassword: '/forgot-password', resetPassword: '/reset-password', confirmEmail: '/confirm-email' } as const;
// --- end account and password recovery ---
const SignInPage = lazy(() => import('../features/auth/sign-in-page'));
const SignUpPage = lazy(() => import('../features/auth/sign-up-page'));
const ServicesPage = lazy(() => import('../features/services/services-page'));
const ApiKeysPage = lazy(() => import('../features/api-keys/api-keys-page'));
const ConnectPage = lazy(() => import('../features/connect/connect-page'));
const ConsentPage = lazy(() => import('../features/oauth/consent-page'));
const ConnectedAppsPage = lazy(() => import('../features/oauth/connected-apps-page'));
// --- playground and activity (portal branch): their own chunks (the MCP SDK client, uPlot) ---
const PlaygroundPage = lazy(() => import('../features/playground/playground-page'));
const ActivityPage = lazy(() => import('../features/activity/activity-page'));
// --- marketplace (issue 16): browse and one listing ---
const MarketplacePage = lazy(() => import('../features/marketplace/marketplace-page'));
const ListingPage = lazy(() => import('../features/marketplace/listing-page'));
const ProviderPage = lazy(() => import('../features/provider/provider-page'));

/** Where a signed-out visitor lands, and a signed-in one goes after signing in. */
export const paths = {
  signIn: '/sign-in',
  signUp: '/sign-up',
  home: '/services',
  services: '/services',
  apiKeys: '/api-keys',
  connect: '/connect',
  connectedApps: '/connected-apps',
  playground: '/playground',
  activity: '/activity',
  marketplace: '/marketplace',
  provider: '/provider',
} as const;

function page(node: ReactNode) {
  return <Suspense fallback={<LoadingState label="Loading the page…" />}>{node}</Suspense>;
}

/** Portal pages need a session; without one, sign in first and come back. */
function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session === undefined) return <LoadingState label="Checking your session…" />;
  if (!session) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`${paths.signIn}?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

/** Only same-app paths are followed after sign-in (no open redirect). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : paths.home;
}

/** Sign-in and sign-up are for signed-out visitors; once signed in, on to where they were going. */
function RequireNoSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const [params] = useSearchParams();
  if (session === undefined) return <LoadingState label="Checking your session…" />;
  if (session) return <Navigate to={safeNext(params.get('next'))} replace />;
  return <>{children}</>;
}

const router = createBrowserRouter([
  // --- password recovery and email confirmation: open with or without a session (the link signs in) ---
  { path: accountPaths.forgotPassword, element: page(<ForgotPasswordPage />) },
  { path: accountPaths.resetPassword, element: page(<ResetPasswordPage />) },
  { path: accountPaths.confirmEmail, element: page(<ConfirmEmailPage />) },
  // --- end password recovery ---
  { path: paths.signIn, element: <RequireNoSession>{page(<SignInPage />)}</RequireNoSession> },
  { path: paths.signUp, element: <RequireNoSession>{page(<SignUpPage />)}</RequireNoSession> },
  // The OAuth server's consent step (/oauth/authorize sends the browser here); outside the portal layout.
  { path: '/oauth/consent/:uid', element: <RequireSession>{page(<ConsentPage />)}</RequireSession> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to={paths.home} replace /> },
      // --- account and the admin dashboard (web branch) ---
      { path: accountPaths.account, element: page(<AccountPage />) },
      ...adminRoutes,
      ...builderRoutes,
      // --- end account and admin ---
      { path: paths.services, element: page(<ServicesPage />) },
      // Where the upstream OAuth callback sends a browser whose connection it refused.
      { path: `${paths.services}/oauth-refused`, element: <OAuthRefusedPage /> },
      { path: paths.apiKeys, element: page(<ApiKeysPage />) },
      { path: paths.connect, element: page(<ConnectPage />) },
      { path: paths.connectedApps, element: page(<ConnectedAppsPage />) },
      { path: paths.playground, element: page(<PlaygroundPage />) },
      { path: paths.activity, element: page(<ActivityPage />) },
      { path: paths.marketplace, element: page(<MarketplacePage />) },
      { path: `${paths.marketplace}/:slug`, element: page(<ListingPage />) },
      { path: paths.provider, element: page(<ProviderPage />) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
