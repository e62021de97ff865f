import { Badge, Button, Group, Modal, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { supabase } from '../../auth/supabase';
import { Page } from '../../components/page';
import { ErrorState, LoadingState } from '../../components/states';
import { authErrorMessage } from '../auth/auth-errors';
import { NewPasswordForm } from '../auth/new-password-form';
import { DataExport } from './data-export';
import { SessionList } from './sessions';

const when = (iso: string | null | undefined, none: string) => (iso ? new Date(iso).toLocaleString() : none);

/** The signed-in user as /auth/v1/user has it (fresh, not the session's copy). */
function useAccount() {
  return useQuery({
    queryKey: ['account'],
    queryFn: async () => {
      const { data, error } = await supabase.auth.getUser();
      if (error) throw new Error(authErrorMessage(error));
      return data.user;
    },
  });
}

export default function AccountPage() {
  const account = useAccount();
  const navigate = useNavigate();
  const [confirmGlobal, setConfirmGlobal] = useState(false);
  const [busy, setBusy] = useState(false);

  const signOutEverywhere = async () => {
    setBusy(true);
    const { error } = await supabase.auth.signOut({ scope: 'global' });
    setBusy(false);
    if (error) {
      notifications.show({ color: 'red', title: 'Sign-out failed', message: authErrorMessage(error) });
      return;
    }
    navigate('/sign-in', { replace: true });
  };

  return (
    <Page title="Account" lead="Your profile, your password, your sessions and your data.">
      <Paper withBorder p="md" component="section" aria-labelledby="profile-heading">
        <Title order={2} size="h4" id="profile-heading" mb="sm">
          Profile
        </Title>
        {account.isPending ? (
          <LoadingState label="Loading your profile…" />
        ) : account.isError ? (
          <ErrorState title="Could not load your profile" error={account.error} onRetry={() => void account.refetch()} />
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <Field label="Email" value={account.data.email ?? ''} testId="account-email" />
            <Field label="Role" value={<Badge variant="light">{String(account.data.app_metadata.role ?? 'user')}</Badge>} />
            <Field label="Account created" value={when(account.data.created_at, '')} />
            <Field label="Last sign-in" value={when(account.data.last_sign_in_at, 'never')} />
          </SimpleGrid>
        )}
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="password-heading" maw={520}>
        <Title order={2} size="h4" id="password-heading" mb={4}>
          Change password
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          Your other sessions (other browsers, devices) are signed out when it changes; API keys keep working.
        </Text>
        <NewPasswordForm
          submitLabel="Change password"
          onSaved={() => notifications.show({ color: 'teal', title: 'Password changed', message: 'Your other sessions were signed out.' })}
        />
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="sessions-heading">
        <Title order={2} size="h4" id="sessions-heading" mb={4}>
          Sessions
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          The browsers and devices signed in to your account. Sign out any of them; it has to sign in again.
        </Text>
        <SessionList />
        <Group justify="space-between" wrap="wrap" gap="sm" mt="sm">
          <Text size="sm" c="dimmed" maw={520}>
            Lost a device, or signed in somewhere you should not have? Sign out of every browser and device at once, this one included.
          </Text>
          <Button color="red" variant="light" onClick={() => setConfirmGlobal(true)}>
            Sign out everywhere
          </Button>
        </Group>
      </Paper>

      <DataExport />

      <Modal opened={confirmGlobal} onClose={() => setConfirmGlobal(false)} title="Sign out everywhere?" centered>
        <Stack>
          <Text size="sm">Every session of your account ends, this one too. API keys are not affected (revoke them on the API keys page).</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmGlobal(false)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={() => void signOutEverywhere()}>
              Sign out everywhere
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Page>
  );
}

function Field({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}
