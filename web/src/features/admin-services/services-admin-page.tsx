import { Button, Group, Modal, SimpleGrid } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { usePool } from '../admin-overview/queries';
import { useAdminServices } from './queries';
import { RegisterServiceForm } from './register-service-form';
import { ServiceCard } from './service-card';

export default function ServicesAdminPage() {
  const services = useAdminServices();
  // This replica's circuit state per http instance (refreshed like the overview).
  const pool = usePool();
  const [registering, setRegistering] = useState(false);
  const register = (
    <Button onClick={() => setRegistering(true)} aria-haspopup="dialog">
      Register a service
    </Button>
  );
  return (
    <Page title="Services admin" lead="Every registered MCP service: register http and stdio services, turn them on or off, choose who may use them, their tool policy and payload capture, and manage the instances of http services.">
      {services.isPending ? (
        <LoadingState label="Loading services…" />
      ) : services.isError ? (
        <ErrorState title="Could not load the services" error={services.error} onRetry={() => void services.refetch()} />
      ) : services.data.length === 0 ? (
        <EmptyState title="No services registered" action={register}>
          Register one here, or add it to the catalog file (CATALOG_FILE) and restart.
        </EmptyState>
      ) : (
        <>
          <Group justify="flex-end">{register}</Group>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            {services.data.map((s) => (
              <ServiceCard key={s.id} service={s} circuits={pool.data?.http[s.id]} />
            ))}
          </SimpleGrid>
        </>
      )}
      <Modal opened={registering} onClose={() => setRegistering(false)} title="Register a service" size="xl" centered closeOnClickOutside={false}>
        {registering && (
          <RegisterServiceForm
            onCancel={() => setRegistering(false)}
            onDone={(created) => {
              setRegistering(false);
              notifications.show({ color: 'teal', title: 'Service registered', message: `${created.title} is at /mcp/${created.slug}${created.enabled ? '' : ' (disabled)'}.` });
            }}
          />
        )}
      </Modal>
    </Page>
  );
}
