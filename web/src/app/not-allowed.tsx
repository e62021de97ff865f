import { Button } from '@mantine/core';
import { Link } from 'react-router';
import { Page } from '../components/page';
import { EmptyState } from '../components/states';

/** An admin page opened by a user: said plainly, with a way back (the API refuses it too: 403). */
export function NotAllowedPage() {
  return (
    <Page title="Not allowed">
      <EmptyState
        title="This page is for administrators"
        action={
          <Button component={Link} to="/services">
            Go to your services
          </Button>
        }
      >
        Your account does not have the admin role, so the platform refuses what this page would show. If you need it, ask an administrator of this platform.
      </EmptyState>
    </Page>
  );
}
