import { Button } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Page } from '../components/page';
import { EmptyState } from '../components/states';

/** A page with nothing to show: what happened, what to do, and the way back to the services. */
function DeadEndPage({ title, heading, children }: { title: string; heading: string; children: ReactNode }) {
  return (
    <Page title={title}>
      <EmptyState
        title={heading}
        action={
          <Button component={Link} to="/services">
            Go to your services
          </Button>
        }
      >
        {children}
      </EmptyState>
    </Page>
  );
}

export function NotFoundPage() {
  return (
    <DeadEndPage title="Page not found" heading="There is no page at this address">
      Check the address, or pick a page from the menu.
    </DeadEndPage>
  );
}

/** An admin page opened by a user: said plainly, with a way back (the API refuses it too: 403). */
export function NotAllowedPage() {
  return (
    <DeadEndPage title="Not allowed" heading="This page is for administrators">
      Your account does not have the admin role, so the platform refuses what this page would show. If you need it, ask an administrator of this platform.
    </DeadEndPage>
  );
}

/** What each refusal of `/v1/services/oauth/callback` means to the person whose browser was sent back (`?reason=`). */
const OAUTH_REFUSALS: Record<string, { heading: string; what: string }> = {
  no_state: { heading: 'The provider sent your browser back without the connection attempt', what: 'The address is missing the part that names your attempt (opened by hand, or cut short).' },
  unknown_state: { heading: 'This connection attempt is unknown or was already used', what: 'Each attempt works once: this one was finished already, or the link was opened again from the history.' },
  expired: { heading: 'This connection attempt expired', what: 'Too much time passed between starting it and coming back from the provider.' },
  service_unavailable: { heading: 'The service is no longer available', what: 'It was disabled or removed, or no longer connects by OAuth, while you were at the provider.' },
  provider_refused: { heading: 'The provider did not authorize the connection', what: 'You declined at the provider, or the provider refused to grant access.' },
  code_refused: { heading: 'The provider refused to complete the connection', what: 'The provider did not accept the authorization it had just given (a provider or configuration problem).' },
};

/**
 * Where `/v1/services/oauth/callback` sends a browser whose connection attempt it refused:
 * what went wrong and what to do, instead of the API's JSON.
 */
export function OAuthRefusedPage() {
  const [params] = useSearchParams();
  const refusal = OAUTH_REFUSALS[params.get('reason') ?? ''] ?? { heading: 'The connection was not made', what: 'The platform refused the answer the provider sent back.' };
  const providerError = params.get('provider_error');
  return (
    <DeadEndPage title="Connection not made" heading={refusal.heading}>
      {refusal.what}
      {providerError && (
        <>
          {' '}
          The provider said: <code>{providerError}</code>.
        </>
      )}{' '}
      Nothing was stored. To connect, open your services and choose <strong>Connect</strong> on the service again; if it fails the same way, ask an administrator of this platform.
    </DeadEndPage>
  );
}
