import { Button } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState } from '../components/states';
import { Page } from '../components/page';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <EmptyState
        title="There is no page at this address"
        action={
          <Button component={Link} to="/services">
            Go to your services
          </Button>
        }
      >
        Check the address, or pick a page from the menu.
      </EmptyState>
    </Page>
  );
}
