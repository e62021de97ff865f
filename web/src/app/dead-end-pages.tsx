import { Button } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
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
